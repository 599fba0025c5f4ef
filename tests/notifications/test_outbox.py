import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.utils import timezone

from networking_app.notifications import outbox
from networking_app.notifications.models import EmailStatus, OutgoingEmail
from tests.notifications.helpers import SmtpSink

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


# --- Faults (issue 15, item 5) ---------------------------------------------------------------


def test_an_unexpected_error_retries_that_row_alone_and_the_batch_goes_on(outbox_backend):
    # A newline in an address makes Django raise BadHeaderError (a ValueError) building it.
    poison = _queued(to=["a@example.edu\nBcc: evil@example.com"])
    companions = [_queued(), _queued()]
    assert outbox.deliver([poison.pk, *(row.pk for row in companions)]) == 2
    assert len(mail.outbox) == 2
    poison.refresh_from_db()
    assert poison.status == EmailStatus.QUEUED
    assert poison.lease_until is None
    assert poison.next_attempt_at > timezone.now()
    assert "BadHeaderError" in poison.last_error
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        OutgoingEmail.objects.filter(pk=poison.pk).update(next_attempt_at=timezone.now())
        outbox.deliver([poison.pk])
    poison.refresh_from_db()
    assert poison.status == EmailStatus.FAILED
    assert poison.attempts == outbox.MAX_ATTEMPTS


def test_a_row_abandoned_on_its_last_attempt_fails_instead_of_coming_back(
    outbox_backend, monkeypatch
):
    expired = timezone.now() - dt.timedelta(seconds=1)
    last = _queued(status=EmailStatus.SENDING, lease_until=expired, attempts=outbox.MAX_ATTEMPTS)
    other = _queued(status=EmailStatus.SENDING, lease_until=expired, attempts=1)
    enqueued = []
    monkeypatch.setattr(outbox, "enqueue", enqueued.extend)
    outbox.outbox_tick()
    assert enqueued == [other.pk]
    last.refresh_from_db()
    assert last.status == EmailStatus.FAILED
    assert last.last_error


def test_a_row_deleted_between_claim_and_send_does_not_stop_the_batch(outbox_backend, monkeypatch):
    deleted, kept = _queued(), _queued()
    claim = outbox._claim

    def claim_then_delete(email_id):
        won = claim(email_id)
        if email_id == deleted.pk:  # the account is deleted while the worker holds the row
            OutgoingEmail.objects.filter(pk=email_id).delete()
        return won

    monkeypatch.setattr(outbox, "_claim", claim_then_delete)
    assert outbox.deliver([deleted.pk, kept.pk]) == 1
    assert [message.to for message in mail.outbox] == [kept.to]
    assert OutgoingEmail.objects.get().status == EmailStatus.SENT


class ReclaimedWhileSending:
    """A send so slow that the lease runs out: the tick hands the row out again and another
    worker claims it before this one comes back."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        OutgoingEmail.objects.update(lease_until=timezone.now() - dt.timedelta(seconds=1))
        outbox.outbox_tick()
        assert outbox._claim(OutgoingEmail.objects.get().pk)
        return 1

    def close(self):
        pass


def test_a_worker_whose_lease_ran_out_cannot_mark_a_row_claimed_again(outbox_backend, monkeypatch):
    outbox_backend.OUTBOX_DELIVERY_BACKEND = "tests.notifications.test_outbox.ReclaimedWhileSending"
    monkeypatch.setattr(outbox, "enqueue", lambda ids: None)
    row = _queued()
    assert outbox.deliver([row.pk]) == 0
    row.refresh_from_db()
    # The newer claim stands: still sending, on its second attempt, under its own lease.
    assert row.status == EmailStatus.SENDING
    assert row.attempts == 2
    assert row.lease_until > timezone.now()


def test_the_send_lease_outlasts_the_smtp_timeout_chain(settings):
    from networking_app.notifications.checks import outbox_lease_check

    smtp = "networking_app.notifications.smtp.EmailBackend"
    settings.OUTBOX_DELIVERY_BACKEND = smtp
    settings.EMAIL_TIMEOUT = 20
    chain = 20 * (outbox.SMTP_STEPS + outbox.LEASE_RECIPIENTS)
    settings.OUTBOX_SEND_LEASE_SECONDS = chain
    assert [error.id for error in outbox_lease_check(None)] == ["notifications.E002"]
    settings.OUTBOX_SEND_LEASE_SECONDS = chain + 1
    assert outbox_lease_check(None) == []
    settings.EMAIL_TIMEOUT = None  # no timeout: no lease is long enough
    assert [error.id for error in outbox_lease_check(None)] == ["notifications.E001"]
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_lease_check(None) == []
    # The defaults (EMAIL_TIMEOUT 20 s in production) pass; tests/test_settings.py runs the
    # production deploy check, which includes this one.
    from networking_app.settings import base

    assert base.OUTBOX_SEND_LEASE_SECONDS > 20 * (outbox.SMTP_STEPS + outbox.LEASE_RECIPIENTS)


# --- Against a real SMTP server that refuses -------------------------------------------------


def _smtp_settings(settings, sink: SmtpSink, **extra) -> None:
    settings.OUTBOX_DELIVERY_BACKEND = "networking_app.notifications.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_HOST_USER = extra.get("user", "")
    settings.EMAIL_HOST_PASSWORD = extra.get("password", "")


def _queued_to(*addresses: str) -> OutgoingEmail:
    message = EmailMultiAlternatives("Your introduction", "Hello both", to=list(addresses))
    row, _ = outbox.outbox_store(message)
    OutgoingEmail.objects.filter(pk=row.pk).update(lease_until=None)
    row.refresh_from_db()
    return row


def _due_again(row: OutgoingEmail) -> None:
    OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def test_a_recipient_refused_with_451_is_retried_alone(outbox_backend):
    busy = ["451 4.2.1 Mailbox busy, try again later"]
    with SmtpSink(refuse={"volunteer@example.org": busy}) as sink:
        _smtp_settings(outbox_backend, sink)
        row = _queued_to("student@example.edu", "volunteer@example.org")
        outbox.deliver([row.pk])
        row.refresh_from_db()
        assert [m.rcpt_tos for m in sink.messages] == [("student@example.edu",)]
        assert row.status == EmailStatus.QUEUED
        assert row.next_attempt_at > timezone.now()
        assert "volunteer@example.org" in row.last_error
        assert "451" in row.last_error

        _due_again(row)
        assert outbox.deliver([row.pk]) == 1
        received = sink.messages

    # The second delivery went to the refused recipient only, as the same message.
    assert [m.rcpt_tos for m in received] == [
        ("student@example.edu",),
        ("volunteer@example.org",),
    ]
    assert received[1].message_id == received[0].message_id == row.message_id
    assert received[1].parsed()["To"] == "student@example.edu, volunteer@example.org"
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT
    assert row.attempts == 2


def test_a_recipient_refused_with_550_fails_alone_and_staff_see_it(outbox_backend, staff, client):
    unknown = ["550 5.1.1 No such user here"]
    with SmtpSink(refuse={"volunteer@example.org": unknown}) as sink:
        _smtp_settings(outbox_backend, sink)
        row = _queued_to("student@example.edu", "volunteer@example.org")
        outbox.deliver([row.pk])
        _due_again(row)
        outbox.deliver([row.pk])  # failed: nothing more is sent
        received = sink.messages

    assert [m.rcpt_tos for m in received] == [("student@example.edu",)]
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED
    assert row.attempts == 1
    assert "volunteer@example.org: 550 5.1.1 No such user here" in row.last_error
    client.force_login(staff)
    page = client.get("/staff/emails/").content.decode()
    assert "volunteer@example.org: 550 5.1.1 No such user here" in page


def test_staff_retry_of_a_partly_refused_email_goes_to_the_refused_recipient_only(
    outbox_backend, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(outbox, "enqueue", outbox.deliver)
    with SmtpSink(refuse={"volunteer@example.org": ["550 5.1.1 No such user here"]}) as sink:
        _smtp_settings(outbox_backend, sink)
        row = _queued_to("student@example.edu", "volunteer@example.org")
        outbox.deliver([row.pk])
        with django_capture_on_commit_callbacks(execute=True):
            outbox.outbox_retry(email=row)  # the address was fixed at the other end
        received = sink.messages
    assert [m.rcpt_tos for m in received] == [
        ("student@example.edu",),
        ("volunteer@example.org",),
    ]
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT


@pytest.mark.parametrize(
    ("server", "login", "reply"),
    [
        ({"greeting": "554 5.3.2 Service unavailable"}, {}, "554"),
        ({"password": "right"}, {"user": "rapport", "password": "wrong"}, "535"),
    ],
    ids=["554-greeting", "535-login"],
)
def test_a_relay_that_refuses_the_connection_is_retried_not_blamed_on_the_emails(
    outbox_backend, caplog, server, login, reply
):
    with SmtpSink(**server) as sink:
        _smtp_settings(outbox_backend, sink, **login)
        rows = [_queued_to(f"student{n}@example.edu") for n in range(3)]
        assert outbox.deliver([row.pk for row in rows]) == 0
        connections = sink.connections

    assert connections == 1  # the rest of the batch does not hammer the relay
    for row in rows:
        row.refresh_from_db()
        assert row.status == EmailStatus.QUEUED
        assert row.next_attempt_at > timezone.now()
        assert row.lease_until is None
    assert reply in rows[0].last_error
    assert [row.attempts for row in rows] == [1, 0, 0]
    alerts = [r for r in caplog.records if r.levelname == "ERROR" and "relay" in r.getMessage()]
    assert alerts
    assert reply in alerts[0].getMessage()


def test_a_relay_that_refuses_the_connection_still_has_a_last_attempt(outbox_backend):
    with SmtpSink(greeting="554 5.3.2 Service unavailable") as sink:
        _smtp_settings(outbox_backend, sink)
        row = _queued_to("student@example.edu")
        for _ in range(outbox.MAX_ATTEMPTS):
            _due_again(row)
            outbox.deliver([row.pk])
    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert "554" in row.last_error


class LeaseWitness:
    """Notes the row's lease while it is being sent."""

    leases: list[dt.timedelta] = []

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        row = OutgoingEmail.objects.get()
        LeaseWitness.leases.append(row.lease_until - timezone.now())
        return 1

    def close(self):
        pass


@time_machine.travel(dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC), tick=False)
def test_an_email_to_many_recipients_gets_a_lease_for_each_extra_rcpt(outbox_backend):
    outbox_backend.OUTBOX_DELIVERY_BACKEND = "tests.notifications.test_outbox.LeaseWitness"
    outbox_backend.EMAIL_TIMEOUT = 20
    LeaseWitness.leases = []
    extra = 3
    many = [f"member{n}@example.edu" for n in range(outbox.LEASE_RECIPIENTS + extra)]
    _queued_to(*many[:1])
    outbox.deliver(list(OutgoingEmail.objects.values_list("pk", flat=True)))
    OutgoingEmail.objects.all().delete()
    _queued_to(*many)
    outbox.deliver(list(OutgoingEmail.objects.values_list("pk", flat=True)))
    lease = outbox.send_lease()
    assert LeaseWitness.leases == [lease, lease + dt.timedelta(seconds=20 * extra)]
