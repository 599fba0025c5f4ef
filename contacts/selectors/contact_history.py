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
from networking_app.core.prepared import PreparedQuery, RelatedRow

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


def _of_contact(contact: Contact, rows: list) -> list:
    """`rows` with their contact known, as `contact.interactions.all()` gives them."""
    for row in rows:
        type(row).contact.field.set_cached_value(row, contact)
    return rows


def contact_timeline(*, contact: Contact) -> list[dict]:
    """Interactions, conversations and their changes, newest first."""
    pk = contact.pk
    items: list[dict] = []
    for interaction in _of_contact(contact, _INTERACTION.instances(_INTERACTIONS, contact_id=pk)):
        items.append(
            {
                "kind": "interaction",
                "date": interaction.occurred_on,
                "sort": (interaction.occurred_on, interaction.created_at),
                "object": interaction,
            }
        )
    conversations = {}
    for conversation in _of_contact(
        contact, _CONVERSATION.instances(_CONVERSATIONS, contact_id=pk)
    ):
        conversations[conversation.pk] = conversation
        day = timezone.localdate(conversation.created_at)
        items.append(
            {
                "kind": "conversation",
                "date": day,
                "sort": (day, conversation.created_at),
                "object": conversation,
            }
        )
    for change in _CHANGE.instances(_CHANGES, contact_id=pk):
        conversation = conversations[change.conversation_id]
        ConversationChange.conversation.field.set_cached_value(change, conversation)
        day = timezone.localdate(change.created_at)
        items.append(
            {
                "kind": "change",
                "date": day,
                "sort": (day, change.created_at),
                "object": change,
                "conversation": conversation,
            }
        )
    items.sort(key=lambda item: item["sort"], reverse=True)
    return items


def contact_detail(*, contact: Contact) -> dict:
    """Everything the contact page shows besides the contact itself."""
    pk = contact.pk
    return {
        "timeline": contact_timeline(contact=contact),
        "referrals": _REFERRAL.instances(_REFERRALS, contact_id=pk),
        "action_items": _of_contact(
            contact, _ACTION_ITEM.instances(_OPEN_ACTION_ITEMS, contact_id=pk)
        ),
    }
