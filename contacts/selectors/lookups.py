"""Owner lookups: each object a student owns, found only among their own, else a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    Interaction,
    Outcome,
    PreparedQuestion,
    TargetOrganization,
)


def _get_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def contact_get_for_user(*, user, contact_id: int) -> Contact:
    return _get_or_404(
        Contact.objects.select_related("organization", "referred_by").prefetch_related("tags"),
        owner=user,
        pk=contact_id,
    )


def conversation_get_for_user(*, user, conversation_id: int) -> Conversation:
    return _get_or_404(
        Conversation.objects.select_related("contact__organization", "contact__referred_by"),
        owner=user,
        pk=conversation_id,
    )


def prepared_question_get_for_user(*, user, question_id: int) -> PreparedQuestion:
    return _get_or_404(
        PreparedQuestion.objects.select_related("conversation"),
        conversation__owner=user,
        pk=question_id,
    )


def action_item_get_for_user(*, user, item_id: int) -> ActionItem:
    return _get_or_404(ActionItem.objects.all(), owner=user, pk=item_id)


def interaction_get_for_user(*, user, interaction_id: int) -> Interaction:
    return _get_or_404(Interaction.objects.select_related("contact"), owner=user, pk=interaction_id)


def target_get_for_user(*, user, target_id: int) -> TargetOrganization:
    return _get_or_404(
        TargetOrganization.objects.select_related("organization"), owner=user, pk=target_id
    )


def outcome_get_for_user(*, user, outcome_id: int) -> Outcome:
    return _get_or_404(Outcome.objects.select_related("organization"), owner=user, pk=outcome_id)
