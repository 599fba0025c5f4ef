"""A thank-you reminder goes all the way: PostgreSQL row, Redis, a real Celery worker process,
a real SMTP server, once."""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from contacts.services.pipeline import conversation_mark_held
from networking_app.notifications import outbox, services, tasks
from networking_app.notifications.models import EmailStatus, OutgoingEmail, Reminder
from tests.contacts.factories import ContactFactory, ConversationFactory
from tests.notifications.helpers import (
    CeleryWorker,
    SmtpSink,
    broker_url,
    celery_broker,
    database_url,
    flush_broker,
    wait_until,
    worker_env,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def broker(settings):
    """The shared Redis, on a database index of these tests' own, emptied before and after."""
    url = broker_url(settings.TEST_REDIS_URL)
    flush_broker(url)
    try:
        with celery_broker(url):
            yield url
    finally:
        flush_broker(url)


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def worker(broker, smtp, tmp_path):
    env = worker_env(
        database_url=database_url(connection.settings_dict),
        broker_url=broker,
        email_url=smtp.url,
        var_dir=tmp_path / "var",
    )
    process = CeleryWorker(env=env, log_path=tmp_path / "worker.log").start()
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def test_thank_you_reminder_arrives_once_with_both_parts_and_unsubscribe_headers(
    student, settings, smtp, worker
):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    contact = ContactFactory(owner=student, name="Maya Chen")
    conversation = ConversationFactory(
        owner=student,
        contact=contact,
        status="scheduled",
        scheduled_at=timezone.now() - dt.timedelta(hours=1),
    )
    conversation = conversation_mark_held(conversation=conversation)
    reminder = Reminder.objects.get(user=student, kind="thank_you")
    assert reminder.due_at == conversation.held_at + dt.timedelta(hours=24)

    # A day later: the reminder is due; the row is written and enqueued when dispatch commits.
    later = conversation.held_at + dt.timedelta(hours=25)
    assert services.reminders_dispatch(now=later) == 1
    row = OutgoingEmail.objects.get(kind="thank_you")
    assert smtp.wait_for(1, timeout=30) >= 1, f"nothing arrived; worker log:\n{worker.log_tail()}"
    assert wait_until(
        lambda: OutgoingEmail.objects.filter(pk=row.pk, status=EmailStatus.SENT).exists(),
        timeout=10,
    ), worker.log_tail()

    # Beat keeps ticking: nothing is sent twice.
    for _ in range(3):
        assert services.reminders_dispatch(now=later) == 0
        tasks.tick.apply()
        outbox.outbox_tick()
        time.sleep(0.5)
    time.sleep(1)

    received = smtp.messages
    assert len(received) == 1, [m.message_id for m in received]
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT
    assert row.attempts == 1
    message = received[0]
    assert message.rcpt_tos == (student.email,)
    assert message.message_id == row.message_id
    parsed = message.parsed()
    assert parsed["Message-ID"] == row.message_id
    assert "Maya Chen" in parsed["Subject"]
    content_types = [part.get_content_type() for part in parsed.walk()]
    assert "text/plain" in content_types
    assert "text/html" in content_types
    # The long signed URL is folded onto a continuation line (RFC 5322), hence the strip().
    list_unsubscribe = parsed["List-Unsubscribe"].strip()
    assert re.fullmatch(r"<https?://[^\s<>]+>", list_unsubscribe)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The worker built its links from SITE_URL; the one-click unsubscribe link works.
    unsubscribe_url = list_unsubscribe.strip("<>")
    assert unsubscribe_url.startswith("http://testserver/")
    from django.test import Client

    response = Client().post(urlsplit(unsubscribe_url).path)
    assert response.status_code == 200
    assert services.settings_for(student).delivery["thank_you"] == "off"


def test_a_round_introduction_refused_for_one_recipient_reaches_them_alone_later(
    settings, broker, tmp_path
):
    """Through a worker configured by EMAIL_URL alone: the volunteer's mailbox is busy (451)
    the first time, and the retry goes to the volunteer only."""
    from django.core.mail import EmailMultiAlternatives

    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    busy = {"volunteer@example.org": ["451 4.2.1 Mailbox busy, try again later"]}
    with SmtpSink(refuse=busy) as sink:
        env = worker_env(
            database_url=database_url(connection.settings_dict),
            broker_url=broker,
            email_url=sink.url,
            var_dir=tmp_path / "var",
        )
        process = CeleryWorker(env=env, log_path=tmp_path / "worker.log").start()
        try:
            process.wait_ready()
            EmailMultiAlternatives(
                "Your introduction",
                "Hello both",
                to=["student@example.edu", "volunteer@example.org"],
                headers={outbox.IDEMPOTENCY_HEADER: "round-intro:test"},
            ).send()
            row = OutgoingEmail.objects.get()
            assert wait_until(
                lambda: OutgoingEmail.objects.filter(
                    pk=row.pk, refusals__has_any_keys=["volunteer@example.org"]
                ).exists(),
                timeout=30,
            ), process.log_tail()
            row.refresh_from_db()
            assert row.status == EmailStatus.QUEUED
            OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
            outbox.outbox_tick()
            assert wait_until(
                lambda: OutgoingEmail.objects.filter(pk=row.pk, status=EmailStatus.SENT).exists(),
                timeout=30,
            ), process.log_tail()
        finally:
            process.stop()
        received = sink.messages
    assert [m.rcpt_tos for m in received] == [
        ("student@example.edu",),
        ("volunteer@example.org",),
    ]
    assert {m.message_id for m in received} == {row.message_id}
