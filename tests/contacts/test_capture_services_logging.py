"""Email capture's services, what they log: the capture address and its rotation, each kind of
message moving the pipeline through its own services (or logged as a plain email when the state
machine refuses the move), threading by Message-ID, and people proposed before they are
contacts."""

from __future__ import annotations

import base64
import datetime as dt
import email
from email import policy

import pytest
import time_machine

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
from networking_app.notifications.models import Reminder, ReminderState
from tests.contacts.capture_helpers import (
    AFTER_MEETING,
    AFTER_REPLY,
    INTRO_SENT,
    MEETING,
    eml,
    ingest,
    jane,
    message,
)

# The fixtures `alice` and `clock`, which pytest finds by those names in this module.
from tests.contacts.capture_helpers import alice_fixture as alice_fixture
from tests.contacts.capture_helpers import clock_fixture as clock_fixture
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db
S = ConversationStatus


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
