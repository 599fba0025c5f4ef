"""Reads of the conversation pipeline: the board, finished conversations, a conversation's
page, the question bank and outcomes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from contacts.models import (
    OPEN_STATUSES,
    ActionItem,
    Contact,
    Conversation,
    ConversationChange,
    ConversationStatus,
    Outcome,
    PreparedQuestion,
    Question,
)
from networking_app.core.prepared import PreparedQuery, RelatedRow, attach

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


# What the conversation page lists, read after each move made on it: compiled once per process
# (networking_app.core.prepared).
_QUESTION = RelatedRow(PreparedQuestion)
_CHANGE = RelatedRow(ConversationChange)
_ACTION_ITEM = RelatedRow(ActionItem)
_REFERRAL = RelatedRow(Contact, "organization")


def _questions(*, conversation_id: int) -> QuerySet:
    return PreparedQuestion.objects.filter(conversation_id=conversation_id).values_list(
        *_QUESTION.columns
    )


def _changes(*, conversation_id: int) -> QuerySet:
    return ConversationChange.objects.filter(conversation_id=conversation_id).values_list(
        *_CHANGE.columns
    )


def _action_items(*, conversation_id: int) -> QuerySet:
    return ActionItem.objects.filter(conversation_id=conversation_id).values_list(
        *_ACTION_ITEM.columns
    )


def _referrals(*, owner_id: int, contact_id: int) -> QuerySet:
    return Contact.objects.filter(owner_id=owner_id, referred_by_id=contact_id).values_list(
        *_REFERRAL.columns
    )


_QUESTIONS = PreparedQuery(_questions)
_CHANGES = PreparedQuery(_changes)
_ACTION_ITEMS = PreparedQuery(_action_items)
_REFERRALS = PreparedQuery(_referrals)


def conversation_detail(*, conversation: Conversation) -> dict:
    """Its questions, its changes of date, its action items and the people its contact
    referred the student to, each in its model's order."""
    pk, its = conversation.pk, {"conversation": conversation}
    return {
        "questions": attach(_QUESTION.instances(_QUESTIONS, conversation_id=pk), **its),
        "changes": attach(_CHANGE.instances(_CHANGES, conversation_id=pk), **its),
        "action_items": attach(_ACTION_ITEM.instances(_ACTION_ITEMS, conversation_id=pk), **its),
        "referrals": _REFERRAL.instances(
            _REFERRALS, owner_id=conversation.owner_id, contact_id=conversation.contact_id
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
