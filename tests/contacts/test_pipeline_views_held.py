"""Marking a conversation held (and saying when it happened: issue 15) or thanked, saving its
notes at any time, and the other status moves, nonsensical ones refused."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from contacts.models import ConversationStatus, Interaction
from tests.contacts.factories import PreparedQuestionFactory
from tests.contacts.helpers import contacts_url as _url
from tests.contacts.helpers import make_conversation as _conversation
from tests.contacts.helpers import messages_of as _messages
from tests.contacts.helpers import set_time_zone as _set_time_zone

pytestmark = pytest.mark.django_db

S = ConversationStatus


def test_held_saves_notes_takeaways_and_answers(student_client, student):
    conversation = _conversation(student, S.SCHEDULED)
    first = PreparedQuestionFactory(conversation=conversation, text="Q1")
    second = PreparedQuestionFactory(conversation=conversation, text="Q2")
    response = student_client.post(
        _url("conversation_held", conversation_id=conversation.pk),
        {
            "notes": "Warm and generous",
            "takeaways": "Learn SQL",
            f"answer-{first.pk}": "Through a friend",
            f"answer-{second.pk}": "Be curious",
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == S.HELD
    assert (conversation.notes, conversation.takeaways) == ("Warm and generous", "Learn SQL")
    assert [q.answer for q in conversation.questions.all()] == ["Through a friend", "Be curious"]
    assert Interaction.objects.filter(contact=conversation.contact).count() == 1
    conversation.contact.refresh_from_db()
    assert conversation.contact.last_interaction_on == timezone.localdate()


def test_held_on_a_planned_conversation_keeps_the_notes(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    question = PreparedQuestionFactory(conversation=conversation)
    response = student_client.post(
        _url("conversation_held", conversation_id=conversation.pk),
        {"notes": "Typed during the call", f"answer-{question.pk}": "An answer I typed"},
    )
    assert response.status_code == 200
    assert "A conversation that is “Planned” cannot become “Held”." in response.text
    assert "Typed during the call</textarea>" in response.text
    assert "An answer I typed</textarea>" in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.PLANNED
    assert conversation.notes == ""
    question.refresh_from_db()
    assert question.answer == ""


def test_save_notes_at_any_time(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    question = PreparedQuestionFactory(conversation=conversation)
    response = student_client.post(
        _url("conversation_notes", conversation_id=conversation.pk),
        {"notes": "Prep notes", "takeaways": "", f"answer-{question.pk}": "Draft answer"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#during")
    conversation.refresh_from_db()
    question.refresh_from_db()
    assert (conversation.status, conversation.notes, question.answer) == (
        S.PLANNED,
        "Prep notes",
        "Draft answer",
    )


def test_thanked(student_client, student):
    conversation = _conversation(student, S.HELD)
    response = student_client.post(_url("conversation_thanked", conversation_id=conversation.pk))
    assert response["Location"] == _url("conversation", conversation_id=conversation.pk)
    conversation.refresh_from_db()
    assert conversation.status == S.THANKED


def test_thanked_on_a_planned_conversation_is_a_clear_error(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    response = student_client.post(
        _url("conversation_thanked", conversation_id=conversation.pk), follow=True
    )
    assert response.status_code == 200
    assert "A conversation that is “Planned” cannot become “Thanked”." in _messages(response)
    assert 'class="message message-error" role="alert"' in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.PLANNED
    assert conversation.thanked_at is None


@pytest.mark.parametrize(
    ("source", "target"),
    [(S.REQUESTED, S.DECLINED), (S.REQUESTED, S.NO_RESPONSE), (S.THANKED, S.CLOSED)],
)
def test_status_moves(student_client, student, source, target):
    conversation = _conversation(student, source)
    student_client.post(
        _url("conversation_status", conversation_id=conversation.pk), {"status": target}
    )
    conversation.refresh_from_db()
    assert conversation.status == target


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        (S.CLOSED, S.DECLINED, "A conversation that is “Closed” cannot become “Declined”."),
        (S.PLANNED, S.NO_RESPONSE, "cannot become “No response”"),
        (S.SCHEDULED, "held", "Choose one of the moves offered."),
        (S.SCHEDULED, "nonsense", "Choose one of the moves offered."),
    ],
)
def test_nonsensical_status_moves_are_refused(student_client, student, source, target, message):
    conversation = _conversation(student, source)
    response = student_client.post(
        _url("conversation_status", conversation_id=conversation.pk),
        {"status": target},
        follow=True,
    )
    assert response.status_code == 200
    assert any(message in m for m in _messages(response))
    conversation.refresh_from_db()
    assert conversation.status == source


# --- "Save and mark as held" says when it happened (issue 15) ----------------------------------

TUESDAY_8_DEC = dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def on_tuesday_8_dec(time_machine):
    """The clock stopped before the student's client signs in (a session started at another
    date may have expired by then)."""
    time_machine.move_to(TUESDAY_8_DEC, tick=False)
    return time_machine


def test_mark_held_offers_the_scheduled_time_once_past_else_now(
    on_tuesday_8_dec, student_client, student
):
    _set_time_zone(student, "America/New_York")
    past = _conversation(student, S.SCHEDULED, scheduled_at=TUESDAY_8_DEC - dt.timedelta(days=1))
    page = student_client.get(_url("conversation", conversation_id=past.pk)).text
    # 15:00 UTC on Monday 7 Dec is 10:00 in New York.
    assert 'name="held_at" value="2026-12-07T10:00"' in page
    assert "When it happened" in page
    later = _conversation(
        student, S.SCHEDULED, scheduled_at=TUESDAY_8_DEC + dt.timedelta(days=2, seconds=30)
    )
    page = student_client.get(_url("conversation", conversation_id=later.pk)).text
    assert 'name="held_at" value="2026-12-08T10:00"' in page


def test_mark_held_stores_the_time_given_not_now(on_tuesday_8_dec, student_client, student):
    _set_time_zone(student, "America/New_York")
    scheduled = TUESDAY_8_DEC - dt.timedelta(days=3)  # Saturday 5 Dec, 10:00 in New York
    conversation = _conversation(student, S.SCHEDULED, scheduled_at=scheduled)
    response = student_client.post(
        _url("conversation_held", conversation_id=conversation.pk),
        {"notes": "It went well", "held_at": "2026-12-05T10:30"},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert conversation.status == S.HELD
    assert conversation.held_at == dt.datetime(2026, 12, 5, 10, 30, tzinfo=new_york)
    assert conversation.scheduled_at == scheduled
    interaction = Interaction.objects.get(contact=conversation.contact)
    assert interaction.occurred_on == dt.date(2026, 12, 5)


def test_mark_held_in_the_hour_the_clocks_go_back_takes_its_first_pass(time_machine, student):
    """1:30 happens twice in New York on 1 Nov 2026: the first pass (EDT) is meant, and it is
    not refused as ambiguous (it was, by Django's own field)."""
    time_machine.move_to(dt.datetime(2026, 11, 1, 5, 45, tzinfo=dt.UTC), tick=False)  # 1:45 EDT
    from django.test import Client

    client = Client()
    client.force_login(student)
    _set_time_zone(student, "America/New_York")
    conversation = _conversation(
        student, S.SCHEDULED, scheduled_at=dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC)
    )
    response = client.post(
        _url("conversation_held", conversation_id=conversation.pk),
        {"notes": "Late call", "held_at": "2026-11-01T01:30"},
    )
    assert response.status_code == 302, response.content
    conversation.refresh_from_db()
    assert conversation.status == S.HELD
    assert conversation.held_at == dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)


def test_mark_held_before_the_meeting_keeps_its_time_unless_told_otherwise(
    on_tuesday_8_dec, student_client, student
):
    """The student marks a future meeting held: it happened earlier than planned, at the
    time they give; a time still to come is refused with the notes kept."""
    scheduled = TUESDAY_8_DEC + dt.timedelta(days=2)
    conversation = _conversation(student, S.SCHEDULED, scheduled_at=scheduled)
    url = _url("conversation_held", conversation_id=conversation.pk)
    for held_at, error in (
        ("2026-12-09T10:00", "That time is still to come"),
        ("", "Say when the conversation happened."),
        ("next tuesday", "Enter a valid date/time."),
    ):
        response = student_client.post(url, {"notes": "Typed during the call", "held_at": held_at})
        assert response.status_code == 200
        assert error in response.text
        assert "Typed during the call</textarea>" in response.text
        conversation.refresh_from_db()
        assert conversation.status == S.SCHEDULED
        assert conversation.scheduled_at == scheduled
    student_client.post(url, {"notes": "x", "held_at": "2026-12-08T14:00"})
    conversation.refresh_from_db()
    assert conversation.status == S.HELD
    assert conversation.held_at == dt.datetime(2026, 12, 8, 14, 0, tzinfo=dt.UTC)
