"""Email capture over real SMTP: aiosmtpd's controller serving the capture handler on a free
port of 127.0.0.1, smtplib sending the real-shaped messages of tests/data/capture as Gmail's and
Outlook's servers would, and what each one does to the pipeline; what the server answers to
what it refuses, and that a refused message is counted once and never stored."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import ssl
import subprocess
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from contacts.capture import services as capture_services
from contacts.capture.models import (
    CaptureAddress,
    CapturedMessage,
    CaptureKind,
    CaptureStatus,
    DropReason,
)
from contacts.capture.smtp import CaptureController, CaptureHandler
from contacts.models import Contact, Conversation, ConversationStatus, Interaction
from contacts.selectors.today import today_page
from contacts.services.pipeline import conversation_mark_held
from networking_app.accounts.models import Profile
from tests.contacts.capture_helpers import (
    ADDRESS,
    AFTER_MEETING,
    AFTER_REPLY,
    ALICE,
    ALL,
    MEETING,
    capture_address,
    drops,
    eml,
    ingest,
    jane,
    message,
)
from tests.contacts.factories import ContactFactory

# The server's threads have database connections of their own: the tests commit.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
S = ConversationStatus


@pytest.fixture
def alice(student):
    Profile.objects.filter(user=student).update(time_zone="America/New_York")
    capture_address(student)
    return student


@pytest.fixture
def start_server():
    """Start the capture SMTP server (after a test changed the settings it reads)."""
    started = []

    def start() -> CaptureController:
        handler = CaptureHandler(workers=2, max_pending=8)
        controller = CaptureController(handler, hostname="127.0.0.1", port=0)
        controller.start()
        started.append((controller, handler))
        return controller

    yield start
    for controller, handler in started:
        controller.stop()
        handler.close(timeout=5)


@pytest.fixture
def server(start_server):
    return start_server()


def send(server, raw: bytes, *, to=(ADDRESS,), sender: str = ALICE) -> dict:
    """Deliver `raw` as a mail server would (EHLO, MAIL FROM with SIZE, RCPT, DATA)."""
    with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
        client.ehlo("mail-sor-f41.google.com")
        return client.sendmail(sender, list(to), raw)


def test_the_server_greets_and_advertises_its_size_limit(server, settings):
    with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
        code, _ = client.ehlo("mx.example.org")
        assert code == 250
        assert int(client.esmtp_features["size"]) == settings.CAPTURE_MAX_BYTES
        assert "8bitmime" in client.esmtp_features


# --- Every kind of message, end to end --------------------------------------------------------

# What each file does, sent on its own to a student with Jane, Sam, Mr. Tanaka as contacts and
# an intro to Jane and to Mr. Tanaka already logged.
EXPECTED = {
    "apple_html_only_thank_you.eml": (CaptureKind.EMAIL, ""),  # not held yet: logged only
    "gmail_bcc_intro.eml": (CaptureKind.EMAIL, ""),  # Jane was already asked
    "gmail_forward_reply.eml": (CaptureKind.REPLY, ""),
    "gmail_intro_with_pdf.eml": (CaptureKind.INTRO, S.REQUESTED),
    "gmail_reply_quoted.eml": (CaptureKind.EMAIL, ""),
    "google_calendar_cancellation.eml": (CaptureKind.CANCELLATION, ""),  # nothing scheduled
    "outlook_attached_shift_jis_reply.eml": (CaptureKind.REPLY, ""),
    "outlook_forward_reply.eml": (CaptureKind.REPLY, ""),
    "outlook_meeting_invitation.eml": (CaptureKind.INVITATION, S.SCHEDULED),
    "thunderbird_latin1_intro.eml": (CaptureKind.INTRO, ""),  # proposed: not a contact yet
}


def test_every_message_file_has_an_expectation():
    assert sorted(EXPECTED) == ALL


@pytest.mark.parametrize("name", ALL)
def test_each_message_over_smtp(alice, server, name):
    with time_machine.travel(AFTER_REPLY, tick=False):
        jane(alice)
        ContactFactory(owner=alice, name="Sam Lee", email="sam.lee@fabrikam.example")
        ContactFactory(owner=alice, name="Taro Tanaka", email="taro@kyoto-energy.example.jp")
        # Intros to Jane and Mr. Tanaka, sent from elsewhere (their own Message-IDs).
        to_jane = message(
            subject="Would you have 20 minutes for a Westbrook student?",
            message_id="<setup-intro@example.edu>",
        )
        assert send(server, to_jane) == {}
        intro = message(
            to="Taro Tanaka <taro@kyoto-energy.example.jp>",
            subject="Question about internships",
            message_id="<tanaka-intro-2026@example.edu>",
        )
        assert send(server, intro) == {}
        before = set(CapturedMessage.objects.values_list("pk", flat=True))

        assert send(server, eml(name)) == {}  # accepted: 250

    [row] = CapturedMessage.objects.exclude(pk__in=before)
    assert (row.kind, row.moved_to) == EXPECTED[name]
    assert row.owner == alice
    if name == "thunderbird_latin1_intro.eml":
        assert row.status == CaptureStatus.PROPOSED
        assert row.counterpart_name == "José Álvarez"
    else:
        assert row.status == CaptureStatus.LOGGED
        assert Interaction.objects.filter(contact=row.contact, note__contains=row.subject[:20])
    assert drops() == {}


def test_the_pipeline_moves_through_a_whole_conversation_by_email(alice, server):
    """Intro sent → their reply (Today: schedule it?) → their invitation (scheduled) →
    held → thank-you (thanked), each step an email the student Bcc'd or forwarded."""
    contact = jane(alice)
    with time_machine.travel(AFTER_REPLY - dt.timedelta(hours=18), tick=False):
        send(server, eml("gmail_bcc_intro.eml"))
        conversation = Conversation.objects.get(contact=contact)
        assert conversation.status == S.REQUESTED
        assert today_page(user=alice).replies == []
    with time_machine.travel(AFTER_REPLY, tick=False):
        send(server, eml("gmail_forward_reply.eml"))
        assert today_page(user=alice).replies == [conversation]
        send(server, eml("gmail_reply_quoted.eml"))
        send(server, eml("outlook_meeting_invitation.eml"))
        conversation.refresh_from_db()
        assert (conversation.status, conversation.scheduled_at) == (S.SCHEDULED, MEETING)
        assert today_page(user=alice).replies == []
    with time_machine.travel(AFTER_MEETING, tick=False):
        conversation_mark_held(conversation=conversation, held_at=MEETING)
        send(server, eml("apple_html_only_thank_you.eml"))
    conversation.refresh_from_db()
    assert conversation.status == S.THANKED
    assert list(
        CapturedMessage.objects.order_by("sent_at").values_list("kind", "conversation")
    ) == [
        (CaptureKind.INTRO, conversation.pk),
        (CaptureKind.REPLY, conversation.pk),
        (CaptureKind.EMAIL, conversation.pk),
        (CaptureKind.INVITATION, conversation.pk),
        (CaptureKind.THANK_YOU, conversation.pk),
    ]
    # Each email logged once on Jane (the held conversation logs its own interaction).
    assert Interaction.objects.filter(contact=contact).count() == 6


# --- Refusals ---------------------------------------------------------------------------------


def _nothing_stored():
    assert not CapturedMessage.objects.exists()
    assert not Interaction.objects.exists()
    assert not Conversation.objects.exists()


def test_another_domain_is_refused_at_rcpt_as_a_relay(alice, server):
    jane(alice)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(server, eml("gmail_bcc_intro.eml"), to=["jane.doe@northwind.example"])
    [(code, text)] = refused.value.recipients.values()
    assert (code, text) == (550, b"5.7.1 Relaying denied")
    _nothing_stored()
    assert drops() == {DropReason.RELAY: 1}


def test_an_unknown_address_is_accepted_then_dropped_without_a_trace(alice, server):
    """250, as for any address at the capture domain: a prober learns nothing."""
    jane(alice)
    unknown = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz@capture.example.edu"
    with time_machine.travel(AFTER_REPLY, tick=False):
        assert send(server, eml("gmail_bcc_intro.eml"), to=[unknown]) == {}
    _nothing_stored()
    assert drops() == {DropReason.NO_ADDRESS: 1}


def test_a_sender_who_is_not_the_student_is_accepted_then_dropped(alice, server):
    jane(alice)
    forged = eml("gmail_bcc_intro.eml").replace(b"<alice@example.edu>", b"<mallory@evil.example>")
    with time_machine.travel(AFTER_REPLY, tick=False):
        assert send(server, forged, sender="mallory@evil.example") == {}
    _nothing_stored()
    assert drops() == {DropReason.SENDER: 1}
    assert CaptureAddress.objects.get(owner=alice).refused_count == 1


def test_a_message_over_the_size_limit_is_refused_with_552(alice, settings, start_server):
    settings.CAPTURE_MAX_BYTES = 4096
    server = start_server()
    ContactFactory(owner=alice, name="Sam Lee", email="sam.lee@fabrikam.example")
    # smtplib announces the size in MAIL FROM: refused there, before any data is sent.
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        send(server, eml("gmail_intro_with_pdf.eml"))
    assert refused.value.smtp_code == 552
    # A client that does not announce it is refused at the end of DATA.
    with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
        client.helo("old-client.example.org")  # HELO: no SIZE extension
        client.mail(ALICE)
        client.rcpt(ADDRESS)
        code, _ = client.data(eml("gmail_intro_with_pdf.eml"))
    assert code == 552
    _nothing_stored()
    assert drops() == {DropReason.TOO_BIG: 2}


def test_over_the_rate_limit_the_sender_is_told_to_try_later(alice, settings, server):
    settings.CAPTURE_RATE_PER_ADDRESS = 2
    contact = jane(alice)
    with time_machine.travel(AFTER_REPLY, tick=False):
        for number in range(2):
            send(server, message(message_id=f"<note-{number}@example.edu>"))
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(server, message(message_id="<note-2@example.edu>"))
    [(code, _text)] = refused.value.recipients.values()
    assert code == 450  # temporary: the sending server keeps it and tries again
    assert Interaction.objects.filter(contact=contact).count() == 2
    assert drops() == {DropReason.RATE: 1}


def test_a_message_delivered_twice_logs_once_and_counts_the_copy_once(alice, server):
    contact = jane(alice)
    with time_machine.travel(AFTER_REPLY, tick=False):
        send(server, eml("gmail_bcc_intro.eml"))
        # The same message again, and once more to the same address twice in one session.
        send(server, eml("gmail_bcc_intro.eml"))
    assert CapturedMessage.objects.count() == 1
    assert Interaction.objects.filter(contact=contact).count() == 1
    assert drops() == {DropReason.DUPLICATE: 1}


def test_the_same_recipient_twice_in_one_session_is_one_delivery(alice, server):
    jane(alice)
    with time_machine.travel(AFTER_REPLY, tick=False):
        send(server, eml("gmail_bcc_intro.eml"), to=[ADDRESS, ADDRESS.upper()])
    assert CapturedMessage.objects.count() == 1
    assert drops() == {}


def test_a_database_failure_answers_451_and_the_retry_logs_it(alice, server, monkeypatch):
    """Nothing is acknowledged before it is committed: the sender keeps the message."""
    contact = jane(alice)
    real = capture_services.capture_ingest

    def broken(**kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr("contacts.capture.smtp.capture_ingest", broken)
    with time_machine.travel(AFTER_REPLY, tick=False):
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            send(server, eml("gmail_bcc_intro.eml"))
        assert deferred.value.smtp_code == 451
        _nothing_stored()
        monkeypatch.setattr("contacts.capture.smtp.capture_ingest", real)
        assert send(server, eml("gmail_bcc_intro.eml")) == {}
    assert Conversation.objects.get(contact=contact).status == S.REQUESTED


def test_a_full_work_queue_answers_451(alice, server):
    server.handler.pending = server.handler.max_pending
    try:
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            send(server, eml("gmail_bcc_intro.eml"))
    finally:
        server.handler.pending = 0
    assert deferred.value.smtp_code == 451
    assert not Contact.objects.exists()


def test_servers_in_two_processes_share_the_port(alice):
    """`capture_smtpd --processes 2`: each process listens on the same port (SO_REUSEPORT)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    servers = []
    try:
        for _ in range(2):
            handler = CaptureHandler(workers=1)
            controller = CaptureController(handler, port=port, reuse_port=True)
            controller.start()
            servers.append((controller, handler))
        contact = jane(alice)
        with time_machine.travel(AFTER_REPLY, tick=False):
            for number in range(4):
                send(servers[0][0], message(message_id=f"<shared-{number}@example.edu>"))
        assert Interaction.objects.filter(contact=contact).count() == 4
    finally:
        for controller, handler in servers:
            controller.stop()
            handler.close(timeout=5)


def test_the_command_refuses_to_start_without_a_capture_domain(settings):
    settings.CAPTURE_DOMAIN = ""
    with pytest.raises(CommandError, match="CAPTURE_DOMAIN"):
        call_command("capture_smtpd", "--port", "0")


def test_copies_delivered_at_the_same_moment_log_once(alice):
    """Four copies of one intro ingested at once (two MX servers, a retry racing the first
    try): one moves the pipeline and logs; the others find it logged, or roll back whole."""
    contact = jane(alice)
    raw = eml("gmail_bcc_intro.eml")
    start = threading.Barrier(4)
    outcomes = []

    def deliver():
        start.wait()
        try:
            outcomes.append(ingest(raw).outcome)
        finally:
            connection.close()

    with time_machine.travel(AFTER_REPLY, tick=False):
        threads = [threading.Thread(target=deliver) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "logged"]
    assert CapturedMessage.objects.count() == 1
    assert Interaction.objects.filter(contact=contact).count() == 1
    assert Conversation.objects.get(contact=contact).status == S.REQUESTED
    assert drops() == {DropReason.DUPLICATE: 3}


def test_starttls_when_a_certificate_is_given(alice, tmp_path):
    """`capture_smtpd --tls-cert --tls-key`: STARTTLS offered, and mail received over it."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=capture.example.edu"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = CaptureHandler(workers=1)
    controller = CaptureController(handler, port=0, tls_context=context)
    controller.start()
    contact = jane(alice)
    try:
        with (
            time_machine.travel(AFTER_REPLY, tick=False),
            smtplib.SMTP("127.0.0.1", controller.port, timeout=10) as client,
        ):
            client.ehlo("mx.example.org")
            assert client.has_extn("starttls")
            client.starttls(context=ssl._create_unverified_context())  # noqa: S323 - self-signed
            client.ehlo("mx.example.org")
            assert not client.has_extn("auth")  # nobody signs in to give mail
            client.sendmail(ALICE, [ADDRESS], eml("gmail_bcc_intro.eml"))
    finally:
        controller.stop()
        handler.close(timeout=5)
    assert Conversation.objects.get(contact=contact).status == S.REQUESTED
