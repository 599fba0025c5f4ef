"""Owner isolation: another student gets 404 on every pipeline page and changes nothing, and
never sees a student's conversations, contacts or outcomes in their own lists."""

from __future__ import annotations

import pytest

from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    ConversationChange,
    ConversationStatus,
    Interaction,
    Outcome,
    PreparedQuestion,
)
from tests.contacts.factories import (
    ActionItemFactory,
    ContactFactory,
    OutcomeFactory,
    PreparedQuestionFactory,
)
from tests.contacts.helpers import contacts_url as _url
from tests.contacts.helpers import fill_today as _fill_today
from tests.contacts.helpers import make_conversation as _conversation

pytestmark = pytest.mark.django_db

S = ConversationStatus


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
