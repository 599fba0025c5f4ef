"""A contact's page below the contact: the timeline of interactions, conversations and their
changes of date, the people they referred the student to and the open action items.

Read after each interaction logged (the form posts back to this page), in five queries compiled
once per process (networking_app.core.prepared): built by the ORM on each request they took
some 6 ms, several times what PostgreSQL took to run them (bench/RESULTS.md).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from contacts.models import ActionItem, Contact, Conversation, ConversationChange, Interaction
from networking_app.core.prepared import PreparedQuery, RelatedRow, attach

_INTERACTION = RelatedRow(Interaction)
_CONVERSATION = RelatedRow(Conversation)
_CHANGE = RelatedRow(ConversationChange)
_REFERRAL = RelatedRow(Contact, "organization")
_ACTION_ITEM = RelatedRow(ActionItem)


def _interactions(*, contact_id: int) -> QuerySet:
    return Interaction.objects.filter(contact_id=contact_id).values_list(*_INTERACTION.columns)


def _conversations(*, contact_id: int) -> QuerySet:
    return Conversation.objects.filter(contact_id=contact_id).values_list(*_CONVERSATION.columns)


def _changes(*, contact_id: int) -> QuerySet:
    return ConversationChange.objects.filter(conversation__contact_id=contact_id).values_list(
        *_CHANGE.columns
    )


def _referrals(*, contact_id: int) -> QuerySet:
    return (
        Contact.objects.filter(referred_by_id=contact_id)
        .order_by("name")
        .values_list(*_REFERRAL.columns)
    )


def _open_action_items(*, contact_id: int) -> QuerySet:
    return ActionItem.objects.filter(contact_id=contact_id, done_at__isnull=True).values_list(
        *_ACTION_ITEM.columns
    )


_INTERACTIONS = PreparedQuery(_interactions)
_CONVERSATIONS = PreparedQuery(_conversations)
_CHANGES = PreparedQuery(_changes)
_REFERRALS = PreparedQuery(_referrals)
_OPEN_ACTION_ITEMS = PreparedQuery(_open_action_items)


def _entry(kind: str, day, at, obj, **more) -> dict:
    return {"kind": kind, "date": day, "sort": (day, at), "object": obj, **more}


def contact_timeline(*, contact: Contact) -> list[dict]:
    """Interactions, conversations and their changes, newest first."""
    pk = contact.pk
    items = [
        _entry("interaction", i.occurred_on, i.created_at, i)
        for i in attach(_INTERACTION.instances(_INTERACTIONS, contact_id=pk), contact=contact)
    ]
    conversations = {
        c.pk: c
        for c in attach(_CONVERSATION.instances(_CONVERSATIONS, contact_id=pk), contact=contact)
    }
    for conversation in conversations.values():
        day = timezone.localdate(conversation.created_at)
        items.append(_entry("conversation", day, conversation.created_at, conversation))
    for change in _CHANGE.instances(_CHANGES, contact_id=pk):
        conversation = conversations[change.conversation_id]
        attach([change], conversation=conversation)
        day = timezone.localdate(change.created_at)
        items.append(_entry("change", day, change.created_at, change, conversation=conversation))
    items.sort(key=lambda item: item["sort"], reverse=True)
    return items


def contact_detail(*, contact: Contact) -> dict:
    """Everything the contact page shows besides the contact itself."""
    pk = contact.pk
    return {
        "timeline": contact_timeline(contact=contact),
        "referrals": _REFERRAL.instances(_REFERRALS, contact_id=pk),
        "action_items": attach(
            _ACTION_ITEM.instances(_OPEN_ACTION_ITEMS, contact_id=pk), contact=contact
        ),
    }
