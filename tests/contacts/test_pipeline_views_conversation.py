"""A conversation's page, in the student's time zone and with what matters now first and open
(issue 17), and its scheduling: intro sent, schedule, reschedule and cancel, with bad input
and nonsensical moves refused and the typed input kept."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone

from contacts.models import ConversationChange, ConversationStatus
from tests.contacts.factories import PreparedQuestionFactory
from tests.contacts.helpers import contacts_url as _url
from tests.contacts.helpers import make_conversation as _conversation
from tests.contacts.helpers import messages_of as _messages
from tests.contacts.helpers import set_time_zone as _set_time_zone

pytestmark = pytest.mark.django_db

S = ConversationStatus


def test_conversation_page_has_prep_during_and_after(student_client, student):
    conversation = _conversation(student, S.SCHEDULED)
    question = PreparedQuestionFactory(conversation=conversation, text="How did you start?")
    response = student_client.get(_url("conversation", conversation_id=conversation.pk))
    assert response.status_code == 200
    text = response.text
    for heading in ["Prep", "During", "After", "Things to remember"]:
        assert f">{heading}</h" in text
    # The guide's whole list, the same on an event's page (contacts/advice.py).
    for advice in ["Be on time.", "Dress appropriately.", "Listen carefully and take good notes."]:
        assert advice in text
    assert "Be patient: meetings may be cancelled several times." in text
    assert "Relationships are built over time, not in one interaction: stay in touch." in text
    assert "How did you start?" in text
    assert f'name="answer-{question.pk}"' in text
    assert _url("conversation_held", conversation_id=conversation.pk) in text
    assert _url("conversation_reschedule", conversation_id=conversation.pk) in text
    assert _url("conversation_cancel", conversation_id=conversation.pk) in text
    # A scheduled conversation offers no "schedule" or "intro sent" form.
    assert _url("conversation_schedule", conversation_id=conversation.pk) not in text
    assert _url("conversation_requested", conversation_id=conversation.pk) not in text


def test_conversation_page_shows_the_time_in_the_students_zone(student_client, student):
    _set_time_zone(student, "America/New_York")
    when = dt.datetime(2030, 1, 15, 19, 30, tzinfo=dt.UTC)
    conversation = _conversation(student, S.SCHEDULED, scheduled_at=when)
    text = student_client.get(_url("conversation", conversation_id=conversation.pk)).text
    assert "Tue 15 Jan 2030, 2:30 PM EST" in text
    assert "America/New_York" in text


def test_intro_sent_form(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    sent_on = timezone.localdate() - dt.timedelta(days=1)
    response = student_client.post(
        _url("conversation_requested", conversation_id=conversation.pk),
        {"requested_on": sent_on.isoformat()},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _url("conversation", conversation_id=conversation.pk)
    assert any("Intro sent" in m for m in _messages(response))
    conversation.refresh_from_db()
    assert (conversation.status, conversation.requested_on) == (S.REQUESTED, sent_on)


def test_intro_sent_in_the_future_is_refused(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = student_client.post(
        _url("conversation_requested", conversation_id=conversation.pk), {"requested_on": future}
    )
    assert response.status_code == 200
    assert "cannot have been sent in the future" in response.text
    assert f'value="{future}"' in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.PLANNED


def test_schedule_reads_the_time_in_the_students_zone(student_client, student):
    _set_time_zone(student, "America/New_York")
    conversation = _conversation(student, S.REQUESTED)
    response = student_client.post(
        _url("conversation_schedule", conversation_id=conversation.pk),
        {
            "scheduled_at": "2030-07-04T14:30",
            "mode": "in_person",
            "location": "Blue Bottle",
            "duration_minutes": "20",
        },
        follow=True,
    )
    conversation.refresh_from_db()
    assert conversation.status == S.SCHEDULED
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert conversation.scheduled_at == dt.datetime(2030, 7, 4, 14, 30, tzinfo=new_york)
    assert conversation.scheduled_at == dt.datetime(2030, 7, 4, 18, 30, tzinfo=dt.UTC)
    assert (conversation.mode, conversation.location, conversation.duration_minutes) == (
        "in_person",
        "Blue Bottle",
        20,
    )
    assert any("Thu 4 Jul 2030, 2:30 PM EDT" in m for m in _messages(response))


def test_schedule_in_the_past_keeps_the_typed_input(student_client, student):
    conversation = _conversation(student, S.REQUESTED)
    response = student_client.post(
        _url("conversation_schedule", conversation_id=conversation.pk),
        {
            "scheduled_at": "2020-01-01T10:00",
            "mode": "phone",
            "location": "+1 555 0100",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 200
    assert "Choose a date and time in the future." in response.text
    assert 'value="2020-01-01T10:00"' in response.text
    assert 'value="+1 555 0100"' in response.text
    conversation.refresh_from_db()
    assert (conversation.status, conversation.scheduled_at) == (S.REQUESTED, None)


def test_schedule_with_garbage_is_a_form_error(student_client, student):
    conversation = _conversation(student, S.REQUESTED)
    response = student_client.post(
        _url("conversation_schedule", conversation_id=conversation.pk),
        {"scheduled_at": "next tuesday", "mode": "carrier-pigeon", "duration_minutes": "-4"},
    )
    assert response.status_code == 200
    assert "Enter a valid date/time." in response.text
    assert "Select a valid choice" in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.REQUESTED


def test_schedule_a_closed_conversation_is_refused_clearly(student_client, student):
    conversation = _conversation(student, S.CLOSED)
    response = student_client.post(
        _url("conversation_schedule", conversation_id=conversation.pk),
        {"scheduled_at": "2030-07-04T14:30", "mode": "phone", "duration_minutes": "30"},
    )
    assert response.status_code == 200
    assert "A conversation that is “Closed” cannot become “Scheduled”." in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.CLOSED


def test_reschedule_and_cancel_show_in_the_history(student_client, student):
    conversation = _conversation(student, S.SCHEDULED)
    student_client.post(
        _url("conversation_reschedule", conversation_id=conversation.pk),
        {"scheduled_at": "2031-02-03T09:00", "asked_by": "them", "reason": "Board meeting"},
    )
    student_client.post(
        _url("conversation_cancel", conversation_id=conversation.pk),
        {"asked_by": "me", "reason": "Exam moved"},
    )
    conversation.refresh_from_db()
    assert conversation.status == S.REQUESTED
    assert [c.kind for c in conversation.changes.all()] == ["rescheduled", "cancelled"]
    text = student_client.get(_url("conversation", conversation_id=conversation.pk)).text
    assert "Reschedules and cancellations" in text
    assert "Board meeting" in text
    assert "Exam moved" in text
    assert "Maya Chen</td>" in text
    assert "I did</td>" in text
    assert "Mon 3 Feb 2031, 9:00 AM UTC" in text  # the new time
    assert "No new date yet" in text  # the cancellation


def test_reschedule_into_the_past_keeps_the_typed_reason(student_client, student):
    conversation = _conversation(student, S.SCHEDULED)
    before = conversation.scheduled_at
    response = student_client.post(
        _url("conversation_reschedule", conversation_id=conversation.pk),
        {"scheduled_at": "2001-02-03T09:00", "asked_by": "them", "reason": "Snow day"},
    )
    assert response.status_code == 200
    assert "Choose a date and time in the future." in response.text
    assert 'value="Snow day"' in response.text
    assert 'id="reschedule" class="pl-details" open' in response.text
    conversation.refresh_from_db()
    assert conversation.scheduled_at == before
    assert not conversation.changes.exists()


def test_cancel_needs_who_asked(student_client, student):
    conversation = _conversation(student, S.SCHEDULED)
    response = student_client.post(
        _url("conversation_cancel", conversation_id=conversation.pk), {"reason": "Why not"}
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.SCHEDULED


def test_cancel_a_planned_conversation_is_refused_clearly(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    response = student_client.post(
        _url("conversation_cancel", conversation_id=conversation.pk), {"asked_by": "me"}
    )
    assert response.status_code == 200
    assert "Only a scheduled conversation can be cancelled." in response.text
    assert not ConversationChange.objects.exists()


# --- The page by stage (issue 17) -------------------------------------------------------------


def _parts(html: str) -> list[tuple[str, bool]]:
    """The prep, during and after parts in page order, each with whether it is open."""
    found = re.findall(
        r'<section id="(prep|during|after)" class="card pl-stage[^"]*"[^>]*>\s*'
        r'<details class="pl-stage-body"( open)?>',
        html,
    )
    return [(name, bool(is_open)) for name, is_open in found]


@pytest.mark.parametrize(
    ("status", "fields", "expected"),
    [
        (S.PLANNED, {}, [("prep", True), ("during", False), ("after", False)]),
        (S.REQUESTED, {}, [("prep", True), ("during", False), ("after", False)]),
        # Three days ahead: still preparing.
        (S.SCHEDULED, {}, [("prep", True), ("during", False), ("after", False)]),
        # About to start, or past its time but not marked held: notes first.
        (
            S.SCHEDULED,
            {"scheduled_at_in": dt.timedelta(minutes=20)},
            [("during", True), ("prep", False), ("after", False)],
        ),
        (
            S.SCHEDULED,
            {"scheduled_at_in": -dt.timedelta(hours=3)},
            [("during", True), ("prep", False), ("after", False)],
        ),
        (S.HELD, {}, [("after", True), ("during", False), ("prep", False)]),
        (S.DECLINED, {}, [("after", True), ("during", False), ("prep", False)]),
    ],
)
def test_what_matters_now_comes_first_and_open(student_client, student, status, fields, expected):
    offset = fields.pop("scheduled_at_in", None)
    if offset is not None:
        fields["scheduled_at"] = timezone.now() + offset
    conversation = _conversation(student, status, **fields)
    html = student_client.get(_url("conversation", conversation_id=conversation.pk)).text
    assert _parts(html) == expected
    # The guide's advice sits in the part that is open for the meeting itself.
    assert html.count("<h3>Things to remember</h3>") == 1
    where = "during" if expected[0][0] == "during" else "prep"
    section = html.split(f'<section id="{where}"')[1].split("</section>")[0]
    assert "Things to remember" in section


def test_a_form_shown_again_with_errors_is_open_in_its_part(student_client, student):
    conversation = _conversation(student, S.HELD)
    response = student_client.post(
        _url("question_add", conversation_id=conversation.pk), {"text": ""}
    )
    assert dict(_parts(response.text))["prep"] is True
