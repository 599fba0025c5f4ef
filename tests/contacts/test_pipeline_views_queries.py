"""The pipeline pages' query counts (board, Today, a conversation's page, outcomes) do not
grow with the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from contacts.models import (
    ActionItem,
    AskedBy,
    Contact,
    Conversation,
    ConversationChange,
    ConversationStatus,
    Outcome,
    PreparedQuestion,
    Relationship,
)
from tests.contacts.factories import OrganizationFactory, OutcomeFactory
from tests.contacts.helpers import HTMX
from tests.contacts.helpers import contacts_url as _url
from tests.contacts.helpers import make_conversation as _conversation
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

S = ConversationStatus


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
