"""The outbox under failure, with real processes: a worker killed mid-stream, Redis stopped
while users act, and two beats ticking at once. PostgreSQL, Redis, Celery worker processes
and an SMTP server on loopback are all real."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from networking_app.notifications import outbox, services, tasks
from networking_app.notifications.models import EmailStatus, OutgoingEmail, Reminder
from tests.contacts.factories import ContactFactory, ConversationFactory
from tests.notifications.helpers import (
    CeleryWorker,
    RedisServer,
    SmtpSink,
    broker_url,
    bulk_due_thank_yous,
    celery_broker,
    database_url,
    flush_broker,
    worker_env,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]
LEASE_SECONDS = 5  # the smallest lease the settings accept


@pytest.fixture
def outbox_settings(settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    settings.OUTBOX_SEND_LEASE_SECONDS = LEASE_SECONDS
    settings.OUTBOX_DISPATCH_LEASE_SECONDS = LEASE_SECONDS
    return settings


@pytest.fixture
def workers(tmp_path):
    """Start Celery worker processes; every one is stopped at the end, whatever happened."""
    started: list[CeleryWorker] = []

    def start(*, broker: str, smtp: SmtpSink, name: str, **options) -> CeleryWorker:
        env = worker_env(
            database_url=database_url(connection.settings_dict),
            broker_url=broker,
            email_url=smtp.url,
            var_dir=tmp_path / "var",
            OUTBOX_SEND_LEASE_SECONDS=LEASE_SECONDS,
            OUTBOX_DISPATCH_LEASE_SECONDS=LEASE_SECONDS,
        )
        worker = CeleryWorker(env=env, log_path=tmp_path / f"worker-{name}.log", **options)
        started.append(worker.start())
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def shared_broker(settings):
    url = broker_url(settings.TEST_REDIS_URL)
    flush_broker(url)
    try:
        with celery_broker(url):
            yield url
    finally:
        flush_broker(url)


def beat_tick() -> None:
    """What `notifications.tick` does, run in the test process."""
    services.reminders_dispatch()
    outbox.outbox_tick()


def rows_by_status() -> Counter:
    return Counter(OutgoingEmail.objects.values_list("status", flat=True))


def test_a_worker_killed_mid_stream_loses_nothing_and_duplicates_only_what_was_in_flight(
    outbox_settings, shared_broker, workers
):
    total = 400
    bulk_due_thank_yous(students=80, per_student=5, due_at=timezone.now() - dt.timedelta(minutes=1))
    # A slow mail server (5 ms a message) so that the kill lands in the middle of the stream.
    with SmtpSink(delay=0.005) as smtp:
        worker_a = workers(broker=shared_broker, smtp=smtp, name="a", pool="prefork", concurrency=2)
        beat_tick()
        assert OutgoingEmail.objects.count() == total
        smtp.wait_for(120, timeout=60)
        worker_a.kill()
        sending_at_kill = set(
            OutgoingEmail.objects.filter(status=EmailStatus.SENDING).values_list(
                "message_id", flat=True
            )
        )
        arrived = smtp.count()
        status_at_kill = rows_by_status()
        assert 120 <= arrived < total, (
            f"the kill did not land mid-stream: {arrived} arrived; {worker_a.log_tail()}"
        )

        worker_b = workers(broker=shared_broker, smtp=smtp, name="b", pool="solo")
        deadline = time.monotonic() + 120
        while rows_by_status()[EmailStatus.SENT] < total and time.monotonic() < deadline:
            beat_tick()
            time.sleep(1)
        time.sleep(1)  # anything still on its way arrives
        received = smtp.by_message_id()

    rows = dict(OutgoingEmail.objects.values_list("message_id", "status"))
    duplicated = {message_id for message_id, n in received.items() if n > 1}
    report = (
        f"{total} rows; at the kill {arrived} messages had arrived, rows {dict(status_at_kill)}, "
        f"{len(sending_at_kill)} in flight; at the end {sum(received.values())} deliveries of "
        f"{len(received)} Message-IDs, {len(duplicated)} duplicated, rows {dict(rows_by_status())}"
    )
    print(report)
    assert Counter(rows.values()) == {EmailStatus.SENT: total}, f"{report}\n{worker_b.log_tail()}"
    assert set(received) == set(rows), f"a message without a row, or a row never sent: {report}"
    assert duplicated <= sending_at_kill, f"a duplicate that was not in flight: {report}"
    assert len(duplicated) <= len(sending_at_kill) <= 2, report  # two pool processes
    assert all(n <= 2 for n in received.values()), report


def test_redis_down_users_keep_working_and_every_email_goes_out_once_it_is_back(
    outbox_settings, student, workers, caplog
):
    redis_server = RedisServer().start()
    with redis_server, SmtpSink() as smtp, celery_broker(redis_server.url):
        worker = workers(broker=redis_server.url, smtp=smtp, name="redis", pool="solo")
        now = timezone.now()
        bulk_due_thank_yous(students=4, per_student=5, due_at=now - dt.timedelta(minutes=1))
        # These fall due while Redis is down.
        bulk_due_thank_yous(students=4, per_student=5, due_at=now + dt.timedelta(seconds=1))
        contact = ContactFactory(owner=student, name="Maya Chen")
        conversation = ConversationFactory(
            owner=student,
            contact=contact,
            status="scheduled",
            scheduled_at=now - dt.timedelta(hours=1),
        )
        beat_tick()
        assert smtp.wait_for(20, timeout=30) == 20, worker.log_tail()

        redis_server.stop()
        time.sleep(max(0.0, (now + dt.timedelta(seconds=1.5) - timezone.now()).total_seconds()))
        started = time.monotonic()
        beat_tick()  # the due reminders become rows; handing them to Celery fails quietly
        result = tasks.tick.apply()
        tick_seconds = time.monotonic() - started
        assert result.successful(), result.traceback
        assert OutgoingEmail.objects.count() == 40
        assert "Could not enqueue emails" in caplog.text

        # Users carry on: pages render, and an action that sends an email works.
        client = Client()
        client.force_login(student)
        for url in ["/", "/my/contacts/", "/reminders/", "/my/conversations/"]:
            response = client.get(url, follow=True)
            assert response.status_code == 200, url
        response = client.post(
            f"/my/conversations/{conversation.pk}/held/",
            {
                "notes": "Great advice.",
                "takeaways": "Apply in spring.",
                # When it happened, on the student's clock: an hour ago, when it was scheduled.
                "held_at": timezone.localtime(
                    conversation.scheduled_at, ZoneInfo(student.profile.time_zone)
                ).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert response.status_code in (200, 302)
        assert Reminder.objects.filter(user=student, kind="thank_you").exists()
        anonymous = Client()
        request_started = time.monotonic()
        response = anonymous.post("/accounts/password/reset/", {"email": student.email})
        request_seconds = time.monotonic() - request_started
        assert response.status_code == 302
        reset = OutgoingEmail.objects.get(to=[student.email])
        assert reset.status == EmailStatus.QUEUED

        redis_server.start()
        # The worker reconnects by itself (Celery retries the broker every few seconds),
        # and the ticks hand out every row that could not be enqueued.
        deadline = time.monotonic() + 45
        while rows_by_status()[EmailStatus.SENT] < 41 and time.monotonic() < deadline:
            beat_tick()
            time.sleep(1)
        time.sleep(1)
        received = smtp.by_message_id()
        log = worker.log()

    rows = dict(OutgoingEmail.objects.values_list("message_id", "status"))
    report = (
        f"tick while Redis was down: {tick_seconds:.1f} s; password reset request: "
        f"{request_seconds:.1f} s; rows {dict(Counter(rows.values()))}; "
        f"{sum(received.values())} deliveries of {len(received)} Message-IDs"
    )
    print(report)
    tail = "\n".join(log.splitlines()[-15:])
    assert len(rows) == 41, report
    assert Counter(rows.values()) == {EmailStatus.SENT: 41}, f"{report}\n{tail}"
    assert received == dict.fromkeys(rows, 1), report
    # The same worker process, reconnected by itself: no restart was needed.
    assert log.count("Connected to redis://") >= 2, tail


def test_two_beats_at_once_write_and_send_each_reminder_once(outbox_settings, monkeypatch):
    total = 300
    reminder_ids = bulk_due_thank_yous(
        students=60, per_student=5, due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    # Both beats deliver in their own thread, and no lease keeps one from handing out a row
    # the other has just written: every row is fought over by both.
    monkeypatch.setattr(outbox, "enqueue", outbox.deliver)
    monkeypatch.setattr(outbox, "dispatch_lease", lambda: dt.timedelta(0))
    claims, claims_lock = Counter(), threading.Lock()
    claim = outbox._claim

    def counted_claim(email_id: int) -> bool:
        won = claim(email_id)
        with claims_lock:
            claims["won" if won else "lost"] += 1
        return won

    monkeypatch.setattr(outbox, "_claim", counted_claim)
    errors: list[BaseException] = []
    with SmtpSink() as smtp:
        outbox_settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        outbox_settings.EMAIL_HOST = "127.0.0.1"
        outbox_settings.EMAIL_PORT = smtp.port
        outbox_settings.EMAIL_TIMEOUT = 10
        rounds = 4
        start = threading.Barrier(2, timeout=30)

        def beat() -> None:
            try:
                for _ in range(rounds):
                    start.wait()
                    tasks.tick()
            except BaseException as error:
                errors.append(error)
                start.abort()
            finally:
                connection.close()

        threads = [threading.Thread(target=beat) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), "a beat thread is stuck"
        time.sleep(0.5)
        received = smtp.by_message_id()

    assert not errors, errors
    print(f"two beats: {dict(claims)} claims, {sum(received.values())} deliveries")
    # Both beats did try to send the same rows: the test exercised the race it is about.
    assert claims["won"] == total, claims
    assert claims["lost"] > 0, claims
    keys = list(OutgoingEmail.objects.values_list("idempotency_key", flat=True))
    per_reminder = Counter(int(key.split(":")[1]) for key in keys)
    assert per_reminder == dict.fromkeys(reminder_ids, 1)
    rows = dict(OutgoingEmail.objects.values_list("message_id", "status"))
    assert Counter(rows.values()) == {EmailStatus.SENT: total}
    assert received == dict.fromkeys(rows, 1), (
        f"{sum(received.values())} deliveries of {len(received)} Message-IDs for {total} rows"
    )
