import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.utils import timezone

from networking_app.notifications import outbox
from networking_app.notifications.models import EmailStatus, OutgoingEmail

pytestmark = pytest.mark.django_db


def test_send_mail_writes_a_row_and_delivers_on_commit(
    outbox_backend, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        outbox, "enqueue", lambda ids: sent.extend(outbox.deliver(ids) for _ in [0])
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Hello\r\nBcc: evil@example.com", "Body", None, ["a@example.edu"])
        assert len(mail.outbox) == 0  # nothing leaves before the transaction commits
    row = OutgoingEmail.objects.get()
    assert row.status == EmailStatus.SENT
    assert row.subject == "Hello Bcc: evil@example.com"  # one line, never a header
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id


def test_idempotency_key_stores_a_message_once(outbox_backend):
    for _ in range(3):
        message = EmailMultiAlternatives(
            "Once", "Body", to=["a@example.edu"], headers={outbox.IDEMPOTENCY_HEADER: "k-1"}
        )
        message.send()
    assert OutgoingEmail.objects.count() == 1


def _queued(**kwargs) -> OutgoingEmail:
    message = EmailMultiAlternatives("Subject", "Text", to=["a@example.edu"])
    message.attach_alternative("<p>Text</p>", "text/html")
    row, _ = outbox.outbox_store(message)
    kwargs.setdefault("lease_until", None)
    OutgoingEmail.objects.filter(pk=row.pk).update(**kwargs)
    row.refresh_from_db()
    return row


def test_deliver_sends_both_parts_once(outbox_backend):
    row = _queued()
    assert outbox.deliver([row.pk, row.pk]) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT
    assert row.attempts == 1


class FlakyBackend:
    error: Exception = smtplib.SMTPServerDisconnected("gone")

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise self.error

    def close(self):
        pass


def test_transient_errors_back_off_then_fail(outbox_backend, settings):
    settings.OUTBOX_DELIVERY_BACKEND = "tests.notifications.test_outbox.FlakyBackend"
    FlakyBackend.error = smtplib.SMTPServerDisconnected("gone")
    row = _queued()
    outbox.deliver([row.pk])
    row.refresh_from_db()
    assert row.status == EmailStatus.QUEUED
    assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)
    assert "gone" in row.last_error
    for _ in range(outbox.MAX_ATTEMPTS):
        OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        outbox.deliver([row.pk])
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED
    assert row.attempts == outbox.MAX_ATTEMPTS


def test_permanent_error_fails_at_once(outbox_backend, settings):
    settings.OUTBOX_DELIVERY_BACKEND = "tests.notifications.test_outbox.FlakyBackend"
    FlakyBackend.error = smtplib.SMTPRecipientsRefused({"a@example.edu": (550, b"no such user")})
    row = _queued()
    outbox.deliver([row.pk])
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED
    assert "550" in row.last_error


def test_tick_recovers_an_abandoned_send_with_the_same_message_id(outbox_backend, monkeypatch):
    row = _queued(status=EmailStatus.SENDING, lease_until=timezone.now() - dt.timedelta(1))
    enqueued = []
    monkeypatch.setattr(outbox, "enqueue", enqueued.extend)
    assert outbox.outbox_tick() == 1
    assert enqueued == [row.pk]
    assert outbox.outbox_tick() == 0  # leased: not handed out twice
    outbox.deliver(enqueued)
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id


def test_enqueue_survives_a_broken_broker(outbox_backend, monkeypatch):
    from networking_app.notifications import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.outbox_send_batch, "delay", broken)
    outbox.enqueue([1, 2])  # logs, does not raise
