"""Email capture's services: each kind of message moves the pipeline through its own services
(or is logged as a plain email when the state machine refuses the move), threads by Message-ID,
logs once, proposes people who are not contacts yet, and drops (and counts) everything it
should not accept without storing any of it."""

from __future__ import annotations

import base64
import datetime as dt
import email
from email import policy

import pytest
import time_machine
from allauth.account.models import EmailAddress
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contacts.capture.models import (
    CaptureAddress,
    CapturedMessage,
    CaptureKind,
    CaptureStatus,
    Direction,
    DropReason,
)
from contacts.capture.services import (
    capture_address_for,
    capture_address_rotate,
    capture_email,
    capture_proposal_accept,
    capture_proposal_dismiss,
)
from contacts.models import (
    AskedBy,
    ChangeKind,
    Contact,
    Conversation,
    ConversationStatus,
    Interaction,
    MeetingMode,
    Source,
)
from contacts.selectors.today import today_page
from contacts.services.pipeline import conversation_mark_held, conversation_plan
from networking_app.accounts.models import Profile
from networking_app.notifications.models import Reminder, ReminderState
from tests.contacts.capture_helpers import (
    ADDRESS,
    AFTER_MEETING,
    AFTER_REPLY,
    ALICE,
    INTRO_SENT,
    MEETING,
    TOKEN,
    capture_address,
    drops,
    eml,
    ingest,
    jane,
    message,
)
from tests.contacts.factories import ContactFactory
from tests.factories import StudentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
S = ConversationStatus


@pytest.fixture
def alice(student):
    """The student, in New York like the messages' senders, with her capture address."""
    Profile.objects.filter(user=student).update(time_zone="America/New_York")
    student.refresh_from_db()
    capture_address(student)
    return student


@pytest.fixture
def clock():
    with time_machine.travel(AFTER_REPLY, tick=False) as traveller:
        yield traveller


def _only_conversation(contact) -> Conversation:
    [conversation] = Conversation.objects.filter(contact=contact)
    return conversation


def _notes(contact) -> list[str]:
    return list(Interaction.objects.filter(contact=contact).values_list("note", flat=True))


# --- The address -----------------------------------------------------------------------------


def test_an_address_is_drawn_once_and_rotated(student):
    address = capture_address_for(user=student)
    assert capture_address_for(user=student) == address
    assert len(address.token) == 32
    assert address.token.isalnum()
    assert address.token.islower()
    assert capture_email(address) == f"{address.token}@capture.example.edu"
    rotated = capture_address_rotate(user=student)
    assert rotated.pk == address.pk
    assert rotated.token != address.token
    assert rotated.rotated_at is not None


def test_the_old_address_logs_nothing_after_rotation(alice, clock):
    jane(alice)
    capture_address_rotate(user=alice)
    result = ingest("gmail_bcc_intro.eml")
    assert (result.outcome, result.reason) == ("dropped", DropReason.NO_ADDRESS)
    new = CaptureAddress.objects.get(owner=alice)
    assert ingest("gmail_bcc_intro.eml", to=capture_email(new)).outcome == "logged"


# --- Each kind of message ----------------------------------------------------------------------


def test_a_bcc_intro_creates_the_conversation_and_marks_it_requested(alice, clock):
    contact = jane(alice)
    result = ingest("gmail_bcc_intro.eml")
    assert result.outcome == "logged"
    conversation = _only_conversation(contact)
    assert conversation.status == S.REQUESTED
    assert conversation.requested_on == dt.date(2026, 12, 7)  # in Alice's zone
    assert _notes(contact) == ["Intro email: “Would you have 20 minutes for a Westbrook student?”"]
    row = CapturedMessage.objects.get()
    assert (row.kind, row.direction, row.moved_to) == (
        CaptureKind.INTRO,
        Direction.SENT,
        S.REQUESTED,
    )
    assert (row.contact, row.conversation, row.sent_at) == (contact, conversation, INTRO_SENT)
    assert row.message_id == "CAHx7mQk4F1n2b0pZ8vWq=intro01@mail.gmail.com"


def test_an_intro_moves_the_planned_conversation(alice, clock):
    contact = jane(alice)
    planned = conversation_plan(contact=contact, goal="How she moved into analytics")
    ingest("gmail_bcc_intro.eml")
    assert _only_conversation(contact) == planned
    planned.refresh_from_db()
    assert planned.status == S.REQUESTED


def test_an_intro_with_a_pdf_attached_logs_the_intro_and_keeps_nothing_of_the_pdf(alice, clock):
    sam = ContactFactory(owner=alice, name="Sam Lee", email="sam.lee@fabrikam.example")
    assert ingest("gmail_intro_with_pdf.eml").outcome == "logged"
    assert _only_conversation(sam).status == S.REQUESTED
    kept = " ".join(
        str(value)
        for row in CapturedMessage.objects.values()
        for value in row.values()
        if value is not None
    ) + " ".join(_notes(sam))
    assert "Fabrikam" in kept  # the subject is kept...
    assert "PDF" not in kept
    assert "CV" not in kept
    assert "attached" not in kept


@pytest.mark.parametrize("name", ["gmail_forward_reply.eml", "outlook_forward_reply.eml"])
def test_their_forwarded_reply_asks_to_schedule_it_on_today(alice, clock, name):
    contact = jane(alice)
    ingest("gmail_bcc_intro.eml")
    result = ingest(name)
    assert result.outcome == "logged"
    row = CapturedMessage.objects.get(pk=result.captured[0])
    assert (row.kind, row.direction, row.contact) == (
        CaptureKind.REPLY,
        Direction.RECEIVED,
        contact,
    )
    # Jane's reply, dated as her client wrote it above the forward, in Alice's zone.
    assert row.sent_at == dt.datetime(2026, 12, 8, 14, 12, tzinfo=dt.UTC)
    conversation = _only_conversation(contact)
    assert conversation.status == S.REQUESTED  # a reply is not a date: the student schedules
    assert "Their reply: “Would you have 20 minutes for a Westbrook student?”" in _notes(contact)
    page = today_page(user=alice)
    assert page.replies == [conversation]
    assert page.follow_ups == []
    # Nor will a "follow up with Jane" reminder be sent: she answered.
    reminder = Reminder.objects.get(user=alice, subject_key=f"conversation:{conversation.pk}")
    assert reminder.state == ReminderState.CANCELLED
    with time_machine.travel(AFTER_REPLY + dt.timedelta(days=10), tick=False):
        page = today_page(user=alice)
        assert page.replies == [conversation]
        assert page.follow_ups == []  # she answered: no follow-up is due


def test_a_reply_threads_to_the_intros_conversation_by_its_references(alice, clock):
    contact = jane(alice)
    ingest("gmail_bcc_intro.eml")
    intro_conversation = _only_conversation(contact)
    newer = conversation_plan(contact=contact, goal="A second question, later")
    result = ingest("gmail_reply_quoted.eml")  # To: "Doe, Jane" <Jane.Doe@Northwind.example>
    row = CapturedMessage.objects.get(pk=result.captured[0])
    assert row.conversation == intro_conversation != newer
    assert (row.kind, row.moved_to) == (CaptureKind.EMAIL, "")
    # Jane's "Thank you for reaching out" is in the quoted history, not Alice's words.
    intro_conversation.refresh_from_db()
    assert intro_conversation.status == S.REQUESTED


def test_a_forwarded_attachment_threads_by_in_reply_to_whatever_the_address(alice, clock):
    """Mr. Tanaka answered from another address than the one on his contact: the reply's
    In-Reply-To names Alice's intro, which ties it to his conversation."""
    tanaka = ContactFactory(owner=alice, name="Taro Tanaka", email="taro@kyoto-energy.example.jp")
    intro = message(
        to="Taro Tanaka <taro@kyoto-energy.example.jp>",
        subject="Question about internships",
        message_id="<tanaka-intro-2026@example.edu>",
    )
    ingest(intro)
    conversation = _only_conversation(tanaka)
    result = ingest("outlook_attached_shift_jis_reply.eml")
    row = CapturedMessage.objects.get(pk=result.captured[0])
    assert (row.contact, row.conversation, row.kind) == (tanaka, conversation, CaptureKind.REPLY)
    assert row.subject == "インターンシップについての質問"
    assert row.counterpart_name == "田中 太郎"
    assert row.counterpart_email == "tanaka@kyoto-energy.example.jp"
    assert row.message_id == "20261209100500.4F2A@kyoto-energy.example.jp"
    assert today_page(user=alice).replies == [conversation]


def test_an_outlook_invitation_schedules_the_conversation_at_its_time_and_place(alice, clock):
    contact = jane(alice)
    ingest("gmail_bcc_intro.eml")
    result = ingest("outlook_meeting_invitation.eml")
    row = CapturedMessage.objects.get(pk=result.captured[0])
    assert (row.kind, row.moved_to, row.direction) == (
        CaptureKind.INVITATION,
        S.SCHEDULED,
        Direction.RECEIVED,
    )
    conversation = _only_conversation(contact)
    assert conversation.status == S.SCHEDULED
    assert conversation.scheduled_at == MEETING
    assert conversation.duration_minutes == 30
    assert (conversation.location, conversation.mode) == (
        "Microsoft Teams Meeting",
        MeetingMode.VIDEO,
    )
    assert "Calendar invitation: “Coffee chat: Alice / Jane”" in _notes(contact)
    assert today_page(user=alice).replies == []  # scheduled: nothing left to ask
    # The same invitation again logs nothing; a new time reschedules, asked by Jane.
    assert ingest("outlook_meeting_invitation.eml").outcome == "duplicate"
    new_time = _invitation_at(
        eml("outlook_meeting_invitation.eml"), "20261211T150000", "20261211T153000"
    )
    assert ingest(new_time).outcome == "logged"
    conversation.refresh_from_db()
    assert conversation.scheduled_at == dt.datetime(2026, 12, 11, 20, 0, tzinfo=dt.UTC)
    change = conversation.changes.get()
    assert (change.kind, change.asked_by, change.previous_at) == (
        ChangeKind.RESCHEDULED,
        AskedBy.THEM,
        MEETING,
    )


def _invitation_at(raw: bytes, start: str, end: str) -> bytes:
    """The invitation file of `raw` with another start and end (its base64 part re-encoded)."""
    parsed = email.message_from_bytes(raw, policy=policy.default)
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            ics = part.get_payload(decode=True).decode()
            ics = ics.replace("20261210T140000", start).replace("20261210T143000", end)
            encoded = base64.b64encode(ics.encode()).decode()
            part.set_payload("\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)))
    return parsed.as_bytes(policy=policy.default.clone(linesep="\r\n"))


def test_a_calendar_cancellation_sends_the_conversation_back_to_requested(alice, clock):
    contact = jane(alice)
    ingest("gmail_bcc_intro.eml")
    ingest("outlook_meeting_invitation.eml")
    result = ingest("google_calendar_cancellation.eml")
    row = CapturedMessage.objects.get(pk=result.captured[0])
    assert (row.kind, row.moved_to) == (CaptureKind.CANCELLATION, S.REQUESTED)
    conversation = _only_conversation(contact)
    assert conversation.status == S.REQUESTED
    assert conversation.scheduled_at is None
    change = conversation.changes.get()
    assert (change.kind, change.asked_by) == (ChangeKind.CANCELLED, AskedBy.THEM)


def test_an_invitation_for_a_time_already_past_is_logged_without_a_move(alice):
    contact = jane(alice)
    with time_machine.travel(AFTER_REPLY, tick=False):
        ingest("gmail_bcc_intro.eml")
    with time_machine.travel(AFTER_MEETING, tick=False):
        result = ingest("outlook_meeting_invitation.eml")
    row = CapturedMessage.objects.get(pk=result.captured[0])
    assert (row.kind, row.moved_to) == (CaptureKind.INVITATION, "")
    assert _only_conversation(contact).status == S.REQUESTED
    assert "Calendar invitation: “Coffee chat: Alice / Jane”" in _notes(contact)


def test_an_html_only_thank_you_after_the_conversation_marks_it_thanked(alice):
    contact = jane(alice)
    with time_machine.travel(AFTER_REPLY, tick=False):
        ingest("gmail_bcc_intro.eml")
        ingest("outlook_meeting_invitation.eml")
    with time_machine.travel(AFTER_MEETING, tick=False):
        conversation_mark_held(conversation=_only_conversation(contact))
        result = ingest("apple_html_only_thank_you.eml")
    row = CapturedMessage.objects.get(pk=result.captured[0])
    assert (row.kind, row.moved_to) == (CaptureKind.THANK_YOU, S.THANKED)
    conversation = _only_conversation(contact)
    assert conversation.status == S.THANKED
    assert conversation.thanked_at == AFTER_MEETING
    assert "Thank-you email: “Thank you!”" in _notes(contact)


def test_a_thank_you_before_the_conversation_is_held_is_logged_only(alice, clock):
    contact = jane(alice)
    ingest("gmail_bcc_intro.eml")
    ingest("apple_html_only_thank_you.eml")
    assert _only_conversation(contact).status == S.REQUESTED
    assert "Email sent: “Thank you!”" in _notes(contact)


def test_a_second_email_to_someone_already_asked_is_logged_as_an_email(alice, clock):
    contact = jane(alice)
    ingest("gmail_bcc_intro.eml")
    follow_up = message(subject="Following up", message_id="<follow-up@example.edu>")
    result = ingest(follow_up)
    row = CapturedMessage.objects.get(pk=result.captured[0])
    assert (row.kind, row.moved_to) == (CaptureKind.EMAIL, "")
    assert _only_conversation(contact).status == S.REQUESTED
    assert Interaction.objects.filter(contact=contact).count() == 2


def test_logging_resets_the_stay_in_touch_clock(alice, clock):
    contact = jane(alice)
    ingest(message(subject="Re: news", extra="In-Reply-To: <old@example.com>\n"))
    contact.refresh_from_db()
    assert contact.last_interaction_on == dt.date(2026, 12, 7)
    assert not Conversation.objects.exists()  # a reply outside any conversation starts none


# --- Someone who is not a contact yet --------------------------------------------------------


def test_an_intro_to_someone_new_is_proposed_then_added_in_one_click(alice, clock):
    result = ingest("thunderbird_latin1_intro.eml")
    assert result.outcome == "proposed"
    assert not Contact.objects.exists()
    assert not Interaction.objects.exists()
    row = CapturedMessage.objects.get()
    assert (row.status, row.kind) == (CaptureStatus.PROPOSED, CaptureKind.INTRO)
    assert (row.counterpart_name, row.counterpart_email) == (
        "José Álvarez",
        "jose.alvarez@contoso.example",
    )
    assert row.subject == "Petite question d'une étudiante de Westbrook"
    later = message(
        to="José Álvarez <jose.alvarez@contoso.example>",
        subject="Re: Petite question",
        message_id="<later@example.edu>",
        extra="In-Reply-To: <5d3c9a1e-7b2f-4c8d-9e0a-1f2b3c4d5e6f@example.edu>\n",
    )
    assert ingest(later).outcome == "proposed"

    contact = capture_proposal_accept(captured=row)
    assert (contact.name, contact.email, contact.source) == (
        "José Álvarez",
        "jose.alvarez@contoso.example",
        Source.EMAIL,
    )
    conversation = _only_conversation(contact)
    assert conversation.status == S.REQUESTED
    assert conversation.requested_on == dt.date(2026, 12, 7)
    # Both proposed emails are logged, the intro first; none is left proposed.
    assert CapturedMessage.objects.filter(status=CaptureStatus.PROPOSED).count() == 0
    assert len(_notes(contact)) == 2
    with pytest.raises(Exception, match="already been logged"):
        capture_proposal_accept(captured=row)


def test_a_dismissed_proposal_leaves_nothing(alice, clock):
    ingest("thunderbird_latin1_intro.eml")
    capture_proposal_dismiss(captured=CapturedMessage.objects.get())
    assert not CapturedMessage.objects.exists()
    assert not Contact.objects.exists()


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
