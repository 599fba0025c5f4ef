"""The pipeline's pages: happy paths, bad input, nonsensical moves, owner isolation, htmx,
and query counts that do not grow with the number of rows."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from contacts import services
from contacts.models import (
    ActionItem,
    AskedBy,
    Contact,
    Conversation,
    ConversationChange,
    ConversationStatus,
    DraftKind,
    EmailTemplate,
    Interaction,
    MeetingMode,
    Outcome,
    PreparedQuestion,
    Question,
    Relationship,
    TargetOrganization,
)
from tests.contacts.factories import (
    ActionItemFactory,
    ContactFactory,
    ConversationFactory,
    OrganizationFactory,
    OutcomeFactory,
    PreparedQuestionFactory,
)
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

S = ConversationStatus
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "board"}


def _url(name: str, **kwargs) -> str:
    return reverse(f"contacts:{name}", kwargs=kwargs)


def _conversation(owner, status=S.PLANNED, **fields):
    if status == S.SCHEDULED:
        fields.setdefault("scheduled_at", timezone.now() + dt.timedelta(days=3))
        fields.setdefault("mode", MeetingMode.VIDEO)
    if status in (S.REQUESTED, S.NO_RESPONSE):
        fields.setdefault("requested_on", timezone.localdate() - dt.timedelta(days=2))
    if status == S.HELD:
        fields.setdefault("held_at", timezone.now() - dt.timedelta(hours=30))
    contact = fields.pop("contact", None) or ContactFactory(
        owner=owner, name="Maya Chen", organization=OrganizationFactory(name="Globex")
    )
    return ConversationFactory(owner=owner, contact=contact, status=status, **fields)


def _set_time_zone(user, name: str) -> None:
    user.profile.time_zone = name
    user.profile.save()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Plan ----------------------------------------------------------------------------------


def test_plan_page_offers_the_question_bank(student_client, student, other_student):
    contact = ContactFactory(owner=student, name="Maya Chen")
    Question.objects.create(owner=student, text="My own question?")
    Question.objects.create(owner=other_student, text="Bob's secret question?")
    response = student_client.get(_url("conversation_plan", contact_id=contact.pk))
    assert response.status_code == 200
    assert "Plan a conversation with Maya Chen" in response.text
    assert "How did you find your job?" in response.text  # a starter question
    assert "My own question?" in response.text
    assert "secret question" not in response.text
    assert 'name="new_question_3"' in response.text


def test_plan_creates_the_conversation_with_questions(student_client, student):
    contact = ContactFactory(owner=student)
    starters = list(Question.objects.filter(owner=None).order_by("id")[:2])
    response = student_client.post(
        _url("conversation_plan", contact_id=contact.pk),
        {
            "goal": "How analysts spend their first year",
            "bank_questions": [q.pk for q in starters],
            "new_question_1": "What surprised you most?",
            "new_question_2": "",
            "new_question_3": f"  {starters[0].text}  ",  # already chosen: not repeated
            "save_to_bank": "on",
        },
    )
    conversation = Conversation.objects.get(contact=contact)
    assert response.status_code == 302
    assert response["Location"] == _url("conversation", conversation_id=conversation.pk)
    assert conversation.owner == student
    assert conversation.status == S.PLANNED
    assert conversation.goal == "How analysts spend their first year"
    assert [q.text for q in conversation.questions.all()] == [
        starters[0].text,
        starters[1].text,
        "What surprised you most?",
    ]
    # Only the genuinely new question joins the student's bank.
    assert list(Question.objects.filter(owner=student).values_list("text", flat=True)) == [
        "What surprised you most?"
    ]


def test_plan_without_saving_to_the_bank_keeps_the_bank_as_is(student_client, student):
    contact = ContactFactory(owner=student)
    student_client.post(
        _url("conversation_plan", contact_id=contact.pk),
        {"goal": "Learn", "new_question_1": "Just this once?"},
    )
    assert Conversation.objects.get(contact=contact).questions.count() == 1
    assert not Question.objects.filter(owner=student).exists()


def test_plan_without_a_goal_keeps_what_was_typed(student_client, student):
    contact = ContactFactory(owner=student)
    response = student_client.post(
        _url("conversation_plan", contact_id=contact.pk),
        {"goal": "  ", "new_question_1": "What surprised you most?"},
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert 'value="What surprised you most?"' in response.text
    assert "Nothing was saved" in response.text
    assert not Conversation.objects.exists()


def test_plan_cannot_use_another_students_bank_question(student_client, student, other_student):
    contact = ContactFactory(owner=student)
    theirs = Question.objects.create(owner=other_student, text="Private")
    response = student_client.post(
        _url("conversation_plan", contact_id=contact.pk),
        {"goal": "Learn", "bank_questions": [theirs.pk]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Conversation.objects.exists()


# --- Board ---------------------------------------------------------------------------------


def test_board_shows_each_column_and_the_finished(student_client, student, other_student):
    for status in [S.PLANNED, S.REQUESTED, S.SCHEDULED, S.HELD, S.THANKED]:
        _conversation(student, status, contact=ContactFactory(owner=student, name=f"In {status}"))
    _conversation(student, S.DECLINED, contact=ContactFactory(owner=student, name="Gone Quiet"))
    _conversation(
        other_student, S.PLANNED, contact=ContactFactory(owner=other_student, name="Bobs")
    )
    response = student_client.get(_url("board"))
    assert response.status_code == 200
    text = response.text
    for status in [S.PLANNED, S.REQUESTED, S.SCHEDULED, S.HELD, S.THANKED]:
        assert f"In {status}" in text
        assert f'id="column-{status}"' in text
    assert "Recently finished" in text
    assert "Gone Quiet" in text
    assert "Bobs" not in text
    assert 'id="board"' in text
    assert "Mark thanked" in text
    assert "No response" in text
    assert "Mark intro sent" in text


def test_board_move_without_javascript_redirects_back(student_client, student):
    conversation = _conversation(student, S.HELD)
    response = student_client.post(
        _url("conversation_thanked", conversation_id=conversation.pk), {"return_to": "board"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("board")
    conversation.refresh_from_db()
    assert conversation.status == S.THANKED


def test_board_move_with_htmx_returns_the_board_fragment(student_client, student):
    conversation = _conversation(student, S.REQUESTED)
    response = student_client.post(
        _url("conversation_status", conversation_id=conversation.pk),
        {"return_to": "board", "status": "no_response"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="board"')
    assert "<html" not in response.text
    assert "Maya Chen: now “No response”." in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.NO_RESPONSE


def test_board_htmx_refused_move_shows_the_error_in_the_fragment(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    response = student_client.post(
        _url("conversation_thanked", conversation_id=conversation.pk),
        {"return_to": "board"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'class="message message-error" role="alert"' in response.text
    assert "cannot become “Thanked”" in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.PLANNED


def test_board_htmx_get_returns_the_fragment(student_client, student):
    _conversation(student, S.PLANNED)
    response = student_client.get(_url("board"), **HTMX)
    assert response.text.lstrip().startswith('<div id="board"')
    assert "Maya Chen" in response.text


def test_board_intro_sent_in_one_click(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    response = student_client.post(
        _url("conversation_requested", conversation_id=conversation.pk),
        {"return_to": "board"},
        **HTMX,
    )
    assert "Marked “Intro sent”" in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.REQUESTED
    assert conversation.requested_on == timezone.localdate()


# --- The conversation page and its moves -----------------------------------------------------


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


def test_questions_add_and_remove(student_client, student):
    conversation = _conversation(student)
    student_client.post(
        _url("question_add", conversation_id=conversation.pk), {"text": "What next?"}
    )
    question = conversation.questions.get()
    assert question.text == "What next?"
    response = student_client.post(_url("question_delete", question_id=question.pk))
    assert response["Location"].endswith("#prep")
    assert not conversation.questions.exists()


def test_question_add_blank_is_a_form_error(student_client, student):
    conversation = _conversation(student)
    response = student_client.post(
        _url("question_add", conversation_id=conversation.pk), {"text": "   "}
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not conversation.questions.exists()


def test_action_items_add_and_toggle(student_client, student):
    conversation = _conversation(student)
    due = timezone.localdate() + dt.timedelta(days=2)
    student_client.post(
        _url("action_item_add", conversation_id=conversation.pk),
        {"text": "Send my resume", "due_on": due.isoformat()},
    )
    item = ActionItem.objects.get()
    assert (item.owner, item.conversation, item.contact, item.due_on) == (
        student,
        conversation,
        conversation.contact,
        due,
    )
    response = student_client.post(_url("action_item_toggle", item_id=item.pk))
    assert response["Location"] == (
        _url("conversation", conversation_id=conversation.pk) + "#action-items"
    )
    item.refresh_from_db()
    assert item.done_at is not None
    student_client.post(_url("action_item_toggle", item_id=item.pk))
    item.refresh_from_db()
    assert item.done_at is None


def test_action_item_add_with_a_bad_date_keeps_the_text(student_client, student):
    conversation = _conversation(student)
    response = student_client.post(
        _url("action_item_add", conversation_id=conversation.pk),
        {"text": "Read the annual report", "due_on": "someday"},
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.text
    assert 'value="Read the annual report"' in response.text
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/my/today/", "/my/today/"),
        ("https://evil.example.com/", "/my/today/"),
        ("//evil.example.com/", "/my/today/"),
    ],
)
def test_action_item_toggle_only_follows_local_next(student_client, student, next_url, expected):
    item = ActionItemFactory(owner=student, contact=ContactFactory(owner=student))
    response = student_client.post(_url("action_item_toggle", item_id=item.pk), {"next": next_url})
    assert response["Location"] == expected


def test_referral_add_creates_a_linked_contact(student_client, student):
    conversation = _conversation(student, S.HELD)
    response = student_client.post(
        _url("referral_add", conversation_id=conversation.pk),
        {
            "name": "Sam Ortiz",
            "email": "sam@example.com",
            "organization_name": "Initech",
            "title": "Designer",
            "may_use_name": "on",
            "note": "Runs design",
        },
        follow=True,
    )
    referral = Contact.objects.get(name="Sam Ortiz")
    assert (referral.owner, referral.referred_by, referral.may_use_referrer_name) == (
        student,
        conversation.contact,
        True,
    )
    assert referral.relationship == Relationship.REFERRAL
    assert _url("detail", contact_id=referral.pk) in response.text
    assert "may use Maya Chen\u2019s name" in response.text


def test_referral_with_a_bad_email_keeps_the_typed_name(student_client, student):
    conversation = _conversation(student, S.HELD)
    response = student_client.post(
        _url("referral_add", conversation_id=conversation.pk),
        {"name": "Sam Ortiz", "email": "sam at example"},
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert 'value="Sam Ortiz"' in response.text
    assert not Contact.objects.filter(name="Sam Ortiz").exists()


# --- Drafts --------------------------------------------------------------------------------


def test_draft_page_shows_subject_body_and_mailto(student_client, student):
    conversation = _conversation(student, S.PLANNED, goal="consulting")
    contact = conversation.contact
    response = student_client.get(
        _url("draft", contact_id=contact.pk, kind="intro") + f"?conversation={conversation.pk}"
    )
    assert response.status_code == 200
    draft = response.context["draft"]
    assert draft.subject == "Could I ask you about your work at Globex?"
    assert "I am interested in consulting" in draft.body
    assert f'href="{draft.mailto}"'.replace("&", "&amp;") in response.text
    assert "Open in my email app" in response.text
    # Editable in place (the link follows the edits: static/js/pipeline.js).
    assert '<textarea id="draft-body" rows="16">' in response.text
    assert 'data-mailto-body="draft-body"' in response.text
    assert 'data-copy-target="draft-body"' in response.text
    assert f'name="conversation" value="{conversation.pk}"' in response.text
    assert "has no email address" not in response.text


def test_draft_for_a_contact_without_email_says_so(student_client, student):
    contact = ContactFactory(owner=student, email="", name="No Mail")
    response = student_client.get(_url("draft", contact_id=contact.pk, kind="stay_in_touch"))
    assert "No Mail has no email address in Rapport." in response.text
    assert 'href="mailto:?subject=' in response.text


@pytest.mark.parametrize("query", ["?conversation=abc", "?outcome=1.5", "?conversation=999999"])
def test_draft_with_a_bad_reference_is_404(student_client, student, query):
    contact = ContactFactory(owner=student)
    assert (
        student_client.get(_url("draft", contact_id=contact.pk, kind="intro") + query).status_code
        == 404
    )


def test_draft_unknown_kind_is_404(student_client, student):
    contact = ContactFactory(owner=student)
    assert student_client.get(_url("draft", contact_id=contact.pk, kind="spam")).status_code == 404
    response = student_client.post(_url("draft_sent", contact_id=contact.pk, kind="spam"))
    assert response.status_code == 404
    assert student_client.get(_url("template_edit", kind="spam")).status_code == 404


def test_draft_about_another_contacts_conversation_is_404(student_client, student):
    conversation = _conversation(student)
    someone_else = ContactFactory(owner=student)
    url = _url("draft", contact_id=someone_else.pk, kind="intro")
    assert student_client.get(f"{url}?conversation={conversation.pk}").status_code == 404
    response = student_client.post(
        _url("draft_sent", contact_id=someone_else.pk, kind="intro"),
        {"conversation": conversation.pk},
    )
    assert response.status_code == 404
    conversation.refresh_from_db()
    assert conversation.status == S.PLANNED


def test_draft_about_another_students_conversation_or_outcome_is_404(
    student_client, student, other_student
):
    contact = ContactFactory(owner=student)
    theirs = _conversation(other_student)
    their_outcome = OutcomeFactory(owner=other_student)
    url = _url("draft", contact_id=contact.pk, kind="outcome")
    assert student_client.get(f"{url}?conversation={theirs.pk}").status_code == 404
    assert student_client.get(f"{url}?outcome={their_outcome.pk}").status_code == 404


def test_intro_marked_sent_moves_the_conversation(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    response = student_client.post(
        _url("draft_sent", contact_id=conversation.contact_id, kind="intro"),
        {"conversation": conversation.pk},
    )
    assert response["Location"] == _url("conversation", conversation_id=conversation.pk)
    conversation.refresh_from_db()
    assert conversation.status == S.REQUESTED


def test_thank_you_marked_sent_on_a_planned_conversation_is_refused(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    url = _url("draft_sent", contact_id=conversation.contact_id, kind="thank_you")
    response = student_client.post(url, {"conversation": conversation.pk}, follow=True)
    assert response.redirect_chain[0][0] == (
        _url("draft", contact_id=conversation.contact_id, kind="thank_you")
        + f"?conversation={conversation.pk}"
    )
    assert "cannot become “Thanked”" in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.PLANNED


def test_intro_for_a_scheduled_conversation_does_not_move_it_back(student_client, student):
    conversation = _conversation(student, S.SCHEDULED)
    contact_id = conversation.contact_id
    page = student_client.get(
        _url("draft", contact_id=contact_id, kind="intro") + f"?conversation={conversation.pk}"
    )
    assert "so this email does not move it on" in page.text
    assert 'name="conversation"' not in page.text
    response = student_client.post(
        _url("draft_sent", contact_id=contact_id, kind="intro"),
        {"conversation": conversation.pk},
        follow=True,
    )
    assert any("is already scheduled" in m for m in _messages(response))
    conversation.refresh_from_db()
    assert conversation.status == S.SCHEDULED


def test_stay_in_touch_marked_sent_logs_an_email(student_client, student):
    contact = ContactFactory(owner=student)
    response = student_client.post(_url("draft_sent", contact_id=contact.pk, kind="stay_in_touch"))
    assert response["Location"] == _url("detail", contact_id=contact.pk)
    assert Interaction.objects.filter(contact=contact, kind="email").count() == 1


def test_outcome_update_marked_sent_goes_back_to_outcomes(student_client, student):
    contact = ContactFactory(owner=student)
    outcome = OutcomeFactory(owner=student)
    response = student_client.post(
        _url("draft_sent", contact_id=contact.pk, kind="outcome"), {"outcome": outcome.pk}
    )
    assert response["Location"] == _url("outcomes")
    assert Interaction.objects.filter(contact=contact).count() == 1


# --- Templates -------------------------------------------------------------------------------


def test_templates_list_every_kind(student_client, student):
    services.email_template_save(owner=student, kind="follow_up", subject="Nudge", body="Hi")
    response = student_client.get(_url("templates"))
    for kind in DraftKind:
        assert kind.label in response.text
        assert _url("template_edit", kind=kind.value) in response.text
    assert response.text.count("Your own") == 1
    assert "Nudge" in response.text


def test_template_edit_saves_and_warns_about_unknown_fields(student_client, student):
    url = _url("template_edit", kind="intro")
    response = student_client.get(url)
    assert "{contact_first_name}" in response.text  # the list of merge fields
    assert 'id="unknown-fields"' not in response.text
    response = student_client.post(
        url,
        {"subject": "Coffee,\r\n {contact_first_name}?", "body": "Hi {contact_frist_name}"},
        follow=True,
    )
    template = EmailTemplate.objects.get(owner=student, kind="intro")
    assert template.subject == "Coffee, {contact_first_name}?"
    assert template.body == "Hi {contact_frist_name}"
    assert 'id="unknown-fields"' in response.text
    assert "{contact_frist_name}" in response.text
    assert "Restore the default wording" in response.text


def test_template_edit_empty_keeps_the_typed_body(student_client, student):
    response = student_client.post(
        _url("template_edit", kind="thank_you"), {"subject": "", "body": "My own words"}
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "My own words</textarea>" in response.text
    assert not EmailTemplate.objects.exists()


def test_template_reset(student_client, student, other_student):
    services.email_template_save(owner=student, kind="intro", subject="Mine", body="x")
    services.email_template_save(owner=other_student, kind="intro", subject="Bob", body="y")
    response = student_client.post(_url("template_reset", kind="intro"))
    assert response["Location"] == _url("template_edit", kind="intro")
    assert list(EmailTemplate.objects.values_list("subject", flat=True)) == ["Bob"]


# --- Outcomes --------------------------------------------------------------------------------


def test_record_an_outcome_and_write_to_the_helpers(student_client, student):
    helper = ContactFactory(owner=student, name="Maya Chen")
    ContactFactory(owner=student, name="Not Involved")
    response = student_client.post(
        _url("outcomes"),
        {
            "kind": "internship",
            "organization_name": "Initech",
            "title": "Data analyst",
            "decided_on": "2025-04-01",
            "helped_by": [helper.pk],
            "notes": "",
        },
        follow=True,
    )
    outcome = Outcome.objects.get()
    assert (outcome.owner, outcome.kind, outcome.organization.name, outcome.title) == (
        student,
        "internship",
        "Initech",
        "Data analyst",
    )
    assert list(outcome.helped_by.all()) == [helper]
    draft_link = _url("draft", contact_id=helper.pk, kind="outcome") + f"?outcome={outcome.pk}"
    assert draft_link in response.text
    assert any("Let the people who helped you know" in m for m in _messages(response))
    draft = student_client.get(draft_link)
    assert "I have accepted the Data analyst internship at Initech." in draft.context["draft"].body


def test_outcome_helpers_are_only_the_students_own(student_client, student, other_student):
    theirs = ContactFactory(owner=other_student, name="Bobs Contact")
    page = student_client.get(_url("outcomes"))
    assert "Bobs Contact" not in page.text
    response = student_client.post(
        _url("outcomes"),
        {
            "kind": "job",
            "organization_name": "Initech",
            "decided_on": "2025-04-01",
            "helped_by": [theirs.pk],
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert 'value="Initech"' in response.text
    assert not Outcome.objects.exists()


def test_outcome_delete(student_client, student):
    outcome = OutcomeFactory(owner=student)
    response = student_client.post(_url("outcome_delete", outcome_id=outcome.pk))
    assert response["Location"] == _url("outcomes")
    assert not Outcome.objects.exists()


# --- Today -----------------------------------------------------------------------------------


def test_today_when_all_is_done_gives_real_next_steps(student_client):
    response = student_client.get(_url("today"))
    assert response.status_code == 200
    assert "You are all caught up" in response.text
    assert _url("create") in response.text  # add a contact
    assert _url("list") in response.text  # plan a conversation from a contact
    assert _url("board") in response.text


def _fill_today(student):
    now = timezone.now()
    today = timezone.localdate()
    thank = _conversation(
        student,
        S.HELD,
        held_at=now - dt.timedelta(hours=30),
        contact=ContactFactory(owner=student, name="Thank Me"),
    )
    follow = _conversation(
        student,
        S.REQUESTED,
        requested_on=today - dt.timedelta(days=8),
        contact=ContactFactory(owner=student, name="Follow Me"),
    )
    upcoming = _conversation(
        student,
        S.SCHEDULED,
        scheduled_at=now + dt.timedelta(days=2),
        contact=ContactFactory(owner=student, name="Meet Me"),
    )
    PreparedQuestionFactory(conversation=upcoming, text="What does a typical week look like?")
    quiet = ContactFactory(
        owner=student,
        name="Quiet Friend",
        cadence_days=30,
        last_interaction_on=today - dt.timedelta(days=45),
    )
    item = ActionItemFactory(
        owner=student, contact=quiet, text="Send the article", due_on=today - dt.timedelta(days=1)
    )
    return thank, follow, upcoming, quiet, item


def test_today_lists_what_needs_doing(student_client, student):
    thank, follow, _upcoming, quiet, item = _fill_today(student)
    # Held an hour ago: its thank-you is due now, within the day (issue 17), not yet overdue.
    _conversation(
        student,
        S.HELD,
        held_at=timezone.now() - dt.timedelta(hours=1),
        contact=ContactFactory(owner=student, name="Just Met"),
    )
    response = student_client.get(_url("today"))
    text = response.text
    assert "You are all caught up" not in text
    thank_draft = _url("draft", contact_id=thank.contact_id, kind="thank_you")
    assert f"{thank_draft}?conversation={thank.pk}" in text
    follow_draft = _url("draft", contact_id=follow.contact_id, kind="follow_up")
    assert f"{follow_draft}?conversation={follow.pk}" in text
    assert "Meet Me" in text
    assert "What does a typical week look like?" in text
    assert _url("draft", contact_id=quiet.pk, kind="stay_in_touch") in text
    assert _url("detail", contact_id=quiet.pk) in text
    assert "Send the article" in text
    assert "overdue since" in text
    assert _url("action_item_toggle", item_id=item.pk) in text
    just_met = text.split(">Just Met</a>")[1].split("</li>")[0]
    assert "due by" in just_met
    assert "Overdue" not in just_met


def test_today_done_toggle_comes_back_to_today(student_client, student):
    *_, item = _fill_today(student)
    response = student_client.post(
        _url("action_item_toggle", item_id=item.pk), {"next": _url("today")}, follow=True
    )
    assert response.redirect_chain[-1][0] == _url("today")
    assert "Send the article" not in response.text.split("Done: Send the article")[-1]
    item.refresh_from_db()
    assert item.done_at is not None


def test_student_home_is_the_today_page(student_client, student):
    _fill_today(student)
    response = student_client.get("/")
    assert response.status_code == 200
    assert "Welcome, Alice Student" in response.text
    assert "Thank-you notes to write" in response.text
    assert "Your profile" in response.text


# --- Owner isolation -------------------------------------------------------------------------


def _state():
    """Everything a request could change, to check that a refused one changed nothing."""
    return {
        "conversations": list(Conversation.objects.values().order_by("pk")),
        "questions": list(PreparedQuestion.objects.values().order_by("pk")),
        "items": list(ActionItem.objects.values().order_by("pk")),
        "contacts": Contact.objects.count(),
        "interactions": Interaction.objects.count(),
        "changes": ConversationChange.objects.count(),
        "outcomes": Outcome.objects.count(),
    }


def _isolation_routes(student):
    conversation = _conversation(student, S.SCHEDULED)
    contact = conversation.contact
    question = PreparedQuestionFactory(conversation=conversation)
    item = ActionItemFactory(owner=student, conversation=conversation, contact=contact)
    outcome = OutcomeFactory(owner=student)
    c = {"conversation_id": conversation.pk}
    later = "2031-01-01T10:00"
    return [
        ("get", _url("conversation_plan", contact_id=contact.pk), {}),
        ("post", _url("conversation_plan", contact_id=contact.pk), {"goal": "Steal"}),
        ("get", _url("conversation", **c), {}),
        ("post", _url("conversation_notes", **c), {"notes": "x"}),
        ("post", _url("conversation_requested", **c), {}),
        (
            "post",
            _url("conversation_schedule", **c),
            {"scheduled_at": later, "mode": "phone", "duration_minutes": 30},
        ),
        ("post", _url("conversation_reschedule", **c), {"scheduled_at": later, "asked_by": "me"}),
        ("post", _url("conversation_cancel", **c), {"asked_by": "me"}),
        ("post", _url("conversation_held", **c), {"notes": "x"}),
        ("post", _url("conversation_thanked", **c), {}),
        ("post", _url("conversation_status", **c), {"status": "closed"}),
        ("post", _url("question_add", **c), {"text": "x"}),
        ("post", _url("question_delete", question_id=question.pk), {}),
        ("post", _url("action_item_add", **c), {"text": "x"}),
        ("post", _url("action_item_toggle", item_id=item.pk), {}),
        ("post", _url("referral_add", **c), {"name": "x"}),
        ("get", _url("draft", contact_id=contact.pk, kind="intro"), {}),
        ("post", _url("draft_sent", contact_id=contact.pk, kind="stay_in_touch"), {}),
        ("post", _url("outcome_delete", outcome_id=outcome.pk), {}),
    ]


def test_another_student_gets_404_everywhere_and_changes_nothing(other_student_client, student):
    routes = _isolation_routes(student)
    before = _state()
    for method, url, data in routes:
        response = getattr(other_student_client, method)(url, data)
        assert response.status_code == 404, f"{method.upper()} {url}: {response.status_code}"
    assert _state() == before


def test_another_student_cannot_use_my_conversation_in_their_draft(
    other_student_client, other_student, student
):
    mine = _conversation(student, S.PLANNED)
    their_contact = ContactFactory(owner=other_student)
    url = _url("draft_sent", contact_id=their_contact.pk, kind="intro")
    assert other_student_client.post(url, {"conversation": mine.pk}).status_code == 404
    mine.refresh_from_db()
    assert mine.status == S.PLANNED


def test_lists_show_only_the_students_own(other_student_client, student):
    _fill_today(student)
    _conversation(student, S.PLANNED, contact=ContactFactory(owner=student, name="Alices Contact"))
    OutcomeFactory(owner=student, organization__name="Alices Employer")
    for name in ["today", "board", "outcomes"]:
        text = other_student_client.get(_url(name)).text
        for secret in ["Alices Contact", "Thank Me", "Quiet Friend", "Alices Employer"]:
            assert secret not in text, (name, secret)


# --- Query counts ----------------------------------------------------------------------------


def _bulk_contacts(owner, n: int, **fields) -> list[Contact]:
    organization = OrganizationFactory()
    start = Contact.objects.count()
    return Contact.objects.bulk_create(
        [
            Contact(
                owner=owner,
                name=f"Bulk Person {start + i}",
                relationship=Relationship.ALUMNI,
                organization=organization,
                **fields,
            )
            for i in range(n)
        ]
    )


def _bulk_conversations(owner, n: int, **fields) -> list[Conversation]:
    return Conversation.objects.bulk_create(
        [
            Conversation(owner=owner, contact=contact, goal="Learn", **fields)
            for contact in _bulk_contacts(owner, n)
        ]
    )


def test_board_queries_do_not_grow(student_client, student):
    now = timezone.now()

    def add_rows(n):
        each = max(1, n // 6)
        _bulk_conversations(student, each, status=S.PLANNED)
        _bulk_conversations(student, each, status=S.REQUESTED, requested_on=now.date())
        _bulk_conversations(
            student, each, status=S.SCHEDULED, scheduled_at=now + dt.timedelta(days=1)
        )
        _bulk_conversations(student, each, status=S.HELD, held_at=now)
        _bulk_conversations(student, each, status=S.THANKED, thanked_at=now)
        _bulk_conversations(student, each, status=S.CLOSED)

    assert_queries_stable(lambda: student_client.get(_url("board")), add_rows, small=5, large=500)
    assert_queries_stable(
        lambda: student_client.get(_url("board"), **HTMX), add_rows, small=5, large=500
    )


def test_today_queries_do_not_grow(student_client, student):
    now = timezone.now()
    today = timezone.localdate()

    def add_rows(n):
        _bulk_conversations(student, n, status=S.HELD, held_at=now - dt.timedelta(days=2))
        _bulk_conversations(
            student, n, status=S.REQUESTED, requested_on=today - dt.timedelta(days=10)
        )
        upcoming = _bulk_conversations(
            student, n, status=S.SCHEDULED, scheduled_at=now + dt.timedelta(days=1)
        )
        PreparedQuestion.objects.bulk_create(
            [PreparedQuestion(conversation=c, text="Why?") for c in upcoming]
        )
        quiet = _bulk_contacts(
            student, n, cadence_days=30, last_interaction_on=today - dt.timedelta(days=60)
        )
        ActionItem.objects.bulk_create(
            [ActionItem(owner=student, contact=c, text="Call", due_on=today) for c in quiet]
        )

    count = assert_queries_stable(
        lambda: student_client.get(_url("today")), add_rows, small=5, large=500
    )
    assert count < 20
    assert_queries_stable(lambda: student_client.get("/"), add_rows, small=5, large=500)


def test_conversation_page_queries_do_not_grow(student_client, student):
    conversation = _conversation(student, S.SCHEDULED)

    def add_rows(n):
        PreparedQuestion.objects.bulk_create(
            [PreparedQuestion(conversation=conversation, text=f"Q{i}") for i in range(n)]
        )
        ConversationChange.objects.bulk_create(
            [
                ConversationChange(
                    conversation=conversation,
                    kind="rescheduled",
                    asked_by=AskedBy.THEM,
                    previous_at=conversation.scheduled_at,
                    new_at=conversation.scheduled_at,
                )
                for _ in range(n)
            ]
        )
        ActionItem.objects.bulk_create(
            [ActionItem(owner=student, conversation=conversation, text=f"Do {i}") for i in range(n)]
        )
        _bulk_contacts(student, n, referred_by=conversation.contact)

    assert_queries_stable(
        lambda: student_client.get(_url("conversation", conversation_id=conversation.pk)),
        add_rows,
        small=5,
        large=500,
    )


def test_outcomes_queries_do_not_grow(student_client, student):
    def add_rows(n):
        helpers = _bulk_contacts(student, n)
        for helper in helpers[:3]:
            outcome = OutcomeFactory(owner=student)
            outcome.helped_by.add(helper)
        Outcome.objects.bulk_create(
            [
                Outcome(owner=student, kind="job", organization=helpers[0].organization)
                for _ in range(n)
            ]
        )

    assert_queries_stable(
        lambda: student_client.get(_url("outcomes")), add_rows, small=5, large=500
    )


def test_the_all_clear_does_not_hide_a_flash_session_this_week(student_client, student, volunteer):
    """Caught up on the pipeline, with a flash mentoring session in two days: the all-clear
    must not say that no conversation is coming up."""
    from mentoring.models import Session, SessionStatus
    from tests.mentoring.helpers import request_objects

    ids = request_objects(student, volunteer)
    Session.objects.filter(pk=ids["session_id"]).update(
        start_at=timezone.now() + dt.timedelta(days=2),
        end_at=timezone.now() + dt.timedelta(days=2, minutes=30),
        status=SessionStatus.SCHEDULED,
    )
    html = student_client.get(reverse("contacts:today")).content.decode()
    assert "You are all caught up" in html
    assert "no conversation is coming up this week" not in html
    assert "Your flash mentoring conversation this week" in html


def test_today_keeps_each_list_in_order_and_to_twenty(student):
    """The three conversation lists come from one query: each is cut to 20, most urgent
    first, and a long list of one kind never crowds out the others."""
    from contacts.selectors.today import today_page
    from tests.factories import StudentFactory

    now = timezone.now()
    held = [
        _conversation(student, S.HELD, held_at=now - dt.timedelta(days=2 + n % 7, minutes=n))
        for n in range(25)
    ]
    requested = [
        _conversation(
            student, S.REQUESTED, requested_on=timezone.localdate() - dt.timedelta(days=8 + n)
        )
        for n in range(3)
    ]
    scheduled = [
        _conversation(student, S.SCHEDULED, scheduled_at=now + dt.timedelta(days=3 - n))
        for n in range(3)
    ]
    _conversation(StudentFactory(), S.HELD, held_at=now - dt.timedelta(days=3))

    page = today_page(user=student)

    expected = sorted(held, key=lambda c: (c.held_at, c.pk))[:20]
    assert [c.pk for c in page.thank_yous] == [c.pk for c in expected]
    assert [c.pk for c in page.follow_ups] == [c.pk for c in reversed(requested)]
    assert [c.pk for c in page.upcoming] == [c.pk for c in reversed(scheduled)]


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


def test_today_lists_thank_yous_due_now_and_marks_the_overdue(student_client, student):
    now = timezone.now()
    fresh = _conversation(student, S.HELD, held_at=now - dt.timedelta(hours=2))
    late = _conversation(
        student,
        S.HELD,
        held_at=now - dt.timedelta(hours=30),
        contact=ContactFactory(owner=student, name="Omar Late"),
    )
    html = student_client.get(_url("today")).text
    section = html.split('id="today-thank-yous"')[1].split("</section>")[0]
    items = section.split("<li>")[1:]
    # The oldest first: the overdue one leads.
    assert "Omar Late" in items[0]
    assert '<span class="badge badge-warning">Overdue</span>' in items[0]
    due = timezone.localtime(fresh.held_at + dt.timedelta(hours=24))
    assert "Maya Chen" in items[1]
    assert f"due by {formats.date_format(due, 'D j M, g:i A')}" in items[1]
    assert "Overdue" not in items[1]
    assert late.pk != fresh.pk


def test_today_walks_a_new_student_through_the_first_steps_until_done(
    student_client, student, settings
):
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0  # rows made here without the services
    profile = student.student_profile
    profile.class_year, profile.major = None, ""
    profile.save()
    html = student_client.get(_url("today")).text
    card = html.split('id="getting-started"')[1].split("</section>")[0]
    assert "0 of 5 done." in card
    for link in (
        reverse("mentoring:onboarding"),
        reverse("profile"),
        _url("targets"),
        _url("create"),
        _url("list"),
    ):
        assert f'href="{link}"' in card

    profile.class_year, profile.major = 2027, "Economics"
    profile.save()
    contact = ContactFactory(owner=student)
    card = student_client.get(_url("today")).text.split('id="getting-started"')[1]
    assert "2 of 5 done." in card
    assert card.count('class="pl-done"') == 2

    TargetOrganization.objects.create(owner=student, organization=contact.organization)
    ConversationFactory(owner=student, contact=contact)
    assert "4 of 5 done." in student_client.get(_url("today")).text
    profile.onboarded_at = timezone.now()
    profile.save()
    assert 'id="getting-started"' not in student_client.get(_url("today")).text
