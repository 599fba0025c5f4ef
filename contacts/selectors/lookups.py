"""Owner lookups: each object a student owns, found only among their own, else a 404."""

from __future__ import annotations

from django.db.models import QuerySet, prefetch_related_objects
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
from networking_app.core.prepared import PreparedQuery, RelatedRow, attach


def _get_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


# The contact and the conversation pages, and every write to one of them, open with these two
# lookups: their joins compiled once per process (networking_app.core.prepared).
_CONTACT = RelatedRow(Contact, "organization", "referred_by")
_CONVERSATION = RelatedRow(Conversation, "contact__organization", "contact__referred_by")


def _contact_row(*, owner_id: int, contact_id: int) -> QuerySet:
    return Contact.objects.filter(owner_id=owner_id, pk=contact_id).values_list(*_CONTACT.columns)


def _conversation_row(*, owner_id: int, conversation_id: int) -> QuerySet:
    return Conversation.objects.filter(owner_id=owner_id, pk=conversation_id).values_list(
        *_CONVERSATION.columns
    )


_CONTACT_ROW = PreparedQuery(_contact_row)
_CONVERSATION_ROW = PreparedQuery(_conversation_row)


def _one_or_404(query: PreparedQuery, related: RelatedRow, **params):
    rows = query.rows(**params)
    if not rows:
        raise Http404
    return related.instance(rows[0])


def contact_get_for_user(*, user, contact_id: int) -> Contact:
    """The contact with its organization, who referred them and its tags."""
    contact = _one_or_404(_CONTACT_ROW, _CONTACT, owner_id=user.pk, contact_id=contact_id)
    prefetch_related_objects([contact], "tags")
    # Found among the student's own: their owner, with no query to read it.
    return attach([contact], owner=user)[0]


def conversation_get_for_user(*, user, conversation_id: int) -> Conversation:
    """The conversation with its contact, their organization and who referred them."""
    conversation = _one_or_404(
        _CONVERSATION_ROW, _CONVERSATION, owner_id=user.pk, conversation_id=conversation_id
    )
    attach([conversation.contact], owner=user)
    return attach([conversation], owner=user)[0]


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
