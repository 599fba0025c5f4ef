"""What a conversation gathers: prepared questions, action items (and where their toggle goes
back to) and referrals made into contacts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts.models import ActionItem, Contact, ConversationStatus, Relationship
from tests.contacts.factories import ActionItemFactory, ContactFactory
from tests.contacts.helpers import contacts_url as _url
from tests.contacts.helpers import make_conversation as _conversation

pytestmark = pytest.mark.django_db

S = ConversationStatus


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
