"""Reads of the conversation pipeline: the board, finished conversations, a conversation's
page, the question bank and outcomes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from contacts.models import (
    OPEN_STATUSES,
    Contact,
    Conversation,
    ConversationStatus,
    Outcome,
    Question,
)

S = ConversationStatus


def question_bank(*, user) -> QuerySet[Question]:
    return Question.objects.filter(Q(owner__isnull=True) | Q(owner=user))


# --- Pipeline board ------------------------------------------------------------------------

BOARD_COLUMNS = [S.PLANNED, S.REQUESTED, S.SCHEDULED, S.HELD, S.THANKED]


def pipeline_board(*, user) -> list[tuple[ConversationStatus, list[Conversation]]]:
    conversations = (
        Conversation.objects.filter(owner=user, status__in=BOARD_COLUMNS)
        .select_related("contact__organization")
        .order_by("scheduled_at", "-updated_at")
    )
    columns: dict[str, list[Conversation]] = {status: [] for status in BOARD_COLUMNS}
    for conversation in conversations:
        columns[conversation.status].append(conversation)
    return [(S(status), columns[status]) for status in BOARD_COLUMNS]


def conversations_finished(*, user, limit: int = 20) -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(owner=user, status__in=[S.CLOSED, S.DECLINED, S.NO_RESPONSE])
        .select_related("contact__organization")
        .order_by("-updated_at")[:limit]
    )


# A scheduled conversation is "during" from this long before it starts: notes open first.
DURING_FROM = dt.timedelta(minutes=30)
AFTER_STATUSES = {
    ConversationStatus.HELD,
    ConversationStatus.THANKED,
    ConversationStatus.CLOSED,
    ConversationStatus.DECLINED,
    ConversationStatus.NO_RESPONSE,
}


def conversation_stage(conversation: Conversation, *, now: dt.datetime | None = None) -> str:
    """What matters now on the conversation's page: "before" (prepare), "during" (a scheduled
    meeting about to start or past its time: take notes, mark it held) or "after" (thank,
    act, follow the referrals)."""
    if conversation.status in AFTER_STATUSES:
        return "after"
    now = now or timezone.now()
    if (
        conversation.status == ConversationStatus.SCHEDULED
        and conversation.scheduled_at is not None
        and now >= conversation.scheduled_at - DURING_FROM
    ):
        return "during"
    return "before"


def conversation_detail(*, conversation: Conversation) -> dict:
    return {
        "questions": list(conversation.questions.all()),
        "changes": list(conversation.changes.all()),
        "action_items": list(conversation.action_items.all()),
        "referrals": list(
            Contact.objects.filter(
                owner_id=conversation.owner_id, referred_by=conversation.contact
            ).select_related("organization")
        ),
    }


def outcomes_for_user(*, user) -> QuerySet[Outcome]:
    return (
        Outcome.objects.filter(owner=user)
        .select_related("organization")
        .prefetch_related("helped_by")
    )


def open_conversation_count(*, user) -> int:
    return Conversation.objects.filter(owner=user, status__in=OPEN_STATUSES).count()
