"""Planning a conversation from a contact: the question bank, the conversation made with its
questions, and bad input kept as typed."""

from __future__ import annotations

import pytest

from contacts.models import Conversation, ConversationStatus, Question
from tests.contacts.factories import ContactFactory
from tests.contacts.helpers import contacts_url as _url

pytestmark = pytest.mark.django_db

S = ConversationStatus


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
