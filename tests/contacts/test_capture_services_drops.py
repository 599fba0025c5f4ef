"""Email capture's services, what they refuse: a message logs once whatever the number of
copies, and everything capture should not accept is dropped and counted without storing any of
it, whatever the bytes."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contacts.capture.models import CaptureAddress, CapturedMessage, DropReason
from contacts.models import Conversation, Interaction
from tests.contacts.capture_helpers import (
    ADDRESS,
    ALICE,
    TOKEN,
    capture_address,
    drops,
    eml,
    ingest,
    jane,
    message,
)

# The fixtures `alice` and `clock`, which pytest finds by those names in this module.
from tests.contacts.capture_helpers import alice_fixture as alice_fixture
from tests.contacts.capture_helpers import clock_fixture as clock_fixture
from tests.factories import StudentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


# --- Once, whatever the number of copies -----------------------------------------------------


def test_the_same_message_twice_logs_once_and_counts_the_copy(alice, clock):
    contact = jane(alice)
    assert ingest("gmail_bcc_intro.eml").outcome == "logged"
    assert ingest("gmail_bcc_intro.eml").outcome == "duplicate"
    assert CapturedMessage.objects.count() == 1
    assert Interaction.objects.filter(contact=contact).count() == 1
    assert drops() == {DropReason.DUPLICATE: 1}


def test_a_copy_logged_meanwhile_rolls_the_other_back_whole(alice, clock, monkeypatch):
    """The copy that loses the race (it looked before the other committed) moves the pipeline,
    then meets the unique key: its whole transaction is rolled back."""
    contact = jane(alice)
    ingest("gmail_bcc_intro.eml")
    monkeypatch.setattr("contacts.capture.services._logged_before", lambda owner, key: set())
    assert ingest("gmail_bcc_intro.eml").outcome == "duplicate"
    assert Interaction.objects.filter(contact=contact).count() == 1
    assert Conversation.objects.filter(contact=contact).count() == 1
    assert drops() == {DropReason.DUPLICATE: 1}


def test_the_same_inline_forward_twice_logs_once(alice, clock):
    jane(alice)
    ingest("gmail_forward_reply.eml")
    again = eml("gmail_forward_reply.eml").replace(b"fwd02@", b"fwd02-again@")
    assert ingest(again).outcome == "duplicate"
    assert CapturedMessage.objects.count() == 1


# --- Refused: dropped, counted, never stored -------------------------------------------------


def _nothing_stored() -> None:
    assert not CapturedMessage.objects.exists()
    assert not Interaction.objects.exists()
    assert not Conversation.objects.exists()


def test_an_unknown_token_is_dropped(alice, clock):
    jane(alice)
    result = ingest(
        "gmail_bcc_intro.eml", to="zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz@capture.example.edu"
    )
    assert (result.outcome, result.reason) == ("dropped", DropReason.NO_ADDRESS)
    assert ingest("gmail_bcc_intro.eml", to="postmaster@capture.example.edu").reason == (
        DropReason.NO_ADDRESS
    )
    assert ingest("gmail_bcc_intro.eml", to=f"{TOKEN}@elsewhere.example").reason == (
        DropReason.RELAY
    )
    _nothing_stored()
    assert drops() == {DropReason.NO_ADDRESS: 2, DropReason.RELAY: 1}


def test_the_token_is_read_whatever_its_case_and_tag(alice, clock):
    jane(alice)
    assert ingest("gmail_bcc_intro.eml", to=f"{TOKEN.upper()}+jobs@Capture.Example.EDU").accepted


def test_a_sender_who_is_not_a_verified_address_of_the_owner_is_dropped(alice, clock):
    jane(alice)
    EmailAddress.objects.create(user=alice, email="alice.other@gmail.example", verified=False)
    for sender in ("alice.other@gmail.example", "mallory@evil.example"):
        forged = eml("gmail_bcc_intro.eml").replace(b"<alice@example.edu>", f"<{sender}>".encode())
        result = ingest(forged, sender=sender)
        assert (result.outcome, result.reason) == ("dropped", DropReason.SENDER)
    _nothing_stored()
    address = CaptureAddress.objects.get(owner=alice)
    assert address.refused_count == 2
    assert address.last_refused_at is not None
    assert drops() == {DropReason.SENDER: 2}


def test_the_envelope_sender_alone_does_not_make_a_message_acceptable(alice, clock):
    jane(alice)
    forged = eml("gmail_bcc_intro.eml").replace(b"<alice@example.edu>", b"<mallory@evil.example>")
    assert ingest(forged, sender=ALICE).reason == DropReason.SENDER


def test_a_message_over_the_size_limit_is_dropped(alice, clock, settings):
    jane(alice)
    settings.CAPTURE_MAX_BYTES = 4096
    assert ingest("gmail_intro_with_pdf.eml").reason == DropReason.TOO_BIG
    _nothing_stored()


def test_a_message_that_names_nobody_else_is_dropped(alice, clock):
    note_to_self = message(to=ADDRESS, subject="Reminder")
    assert ingest(note_to_self).reason == DropReason.NO_COUNTERPART
    _nothing_stored()


def test_an_address_whose_owner_cannot_keep_a_network_logs_nothing(clock):
    volunteer = VolunteerFactory(email=ALICE)
    capture_address(volunteer)
    assert ingest("gmail_bcc_intro.eml").reason == DropReason.NO_ADDRESS
    inactive = StudentFactory(email="inactive@example.edu")
    inactive.is_active = False
    inactive.save()
    CaptureAddress.objects.create(owner=inactive, token="b" * 32)
    assert (
        ingest("gmail_bcc_intro.eml", to="b" * 32 + "@capture.example.edu").reason
        == DropReason.NO_ADDRESS
    )


def test_unreadable_bytes_are_dropped(alice, clock):
    assert ingest(b"\x00\xff garbage without headers").reason == DropReason.UNREADABLE
    _nothing_stored()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=st.binary(max_size=3000))
@example(raw=b"From: \r\n\r\n")
@example(raw=b"From: alice@example.edu\r\nContent-Type: multipart/mixed\r\n\r\n--")
@example(raw=b"From: =?x-unknown?b?////?= <alice@example.edu>\r\n\r\n")
def test_random_bytes_never_raise_and_are_never_stored(alice, raw):
    """Whatever arrives, ingesting it returns an outcome; bytes that do not come from Alice
    with someone to log them for store nothing (the drop counters aside)."""
    result = ingest(raw)
    assert result.outcome in ("logged", "proposed", "duplicate", "dropped")
    assert not Interaction.objects.exists()
    assert not Conversation.objects.exists()
    assert not CapturedMessage.objects.exists()


MIME_PIECES = st.sampled_from(
    [
        "Content-Type: multipart/mixed; boundary=b\r\n",
        'Content-Type: multipart/alternative; boundary=""\r\n',
        "Content-Type: text/plain; charset=x-no-such-charset\r\n",
        "Content-Type: text/html; charset=shift_jis\r\n",
        "Content-Type: text/calendar; method=REQUEST\r\n",
        "Content-Type: message/rfc822\r\n",
        "Content-Transfer-Encoding: base64\r\n",
        "Content-Transfer-Encoding: quoted-printable\r\n",
        "Subject: =?utf-8?q?=E2=80?= Fwd: Re:\r\n",
        'To: "unterminated <jane.doe@northwind.example\r\n',
        "To: Jane Doe <jane.doe@northwind.example>, ,,, <>\r\n",
        "Cc: (comment (nested) <x@y.z>\r\n",
        "In-Reply-To: <<<>>>\r\n",
        "References: " + "<a@b> " * 50 + "\r\n",
        "Date: Mon, 99 Foo 2026 25:61:00 +9999\r\n",
        "\r\n",
        "--b\r\n",
        "--b--\r\n",
        "---------- Forwarded message ---------\r\nFrom: Jane <jane.doe@northwind.example>\r\n",
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nDTSTART:2026121\r\n",
        "Thank you so much for your time today, it helped.\r\n",
        "<html><body><blockquote><div>x",
        "=\r\n=ZZ=4\r\n",
        "////====\r\n",
    ]
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pieces=st.lists(MIME_PIECES | st.text(max_size=40), max_size=25))
def test_malformed_mime_from_the_student_never_raises(alice, pieces):
    """Alice's own messages, mangled: ingesting never raises, and whatever is stored is hers
    and about someone she named."""
    raw = ("From: Alice Student <alice@example.edu>\r\n" + "".join(pieces)).encode(
        "utf-8", "surrogateescape"
    )
    ingest(raw)
    for row in CapturedMessage.objects.all():
        assert row.owner_id == alice.pk
        assert row.counterpart_email
        assert row.counterpart_email != ALICE
    assert not Conversation.objects.exclude(owner=alice).exists()


def test_someone_elses_capture_never_touches_alices_contacts(alice, other_student, clock):
    """Bob forwards a message about Jane to his own address: Alice's Jane is untouched."""
    contact = jane(alice)
    CaptureAddress.objects.create(owner=other_student, token="c" * 32)
    bobs = eml("gmail_bcc_intro.eml").replace(b"alice@example.edu", b"bob@example.edu")
    result = ingest(bobs, sender="bob@example.edu", to="c" * 32 + "@capture.example.edu")
    assert result.outcome == "proposed"  # Jane is not one of Bob's contacts
    assert not Interaction.objects.filter(contact=contact).exists()
    assert CapturedMessage.objects.get().owner == other_student
