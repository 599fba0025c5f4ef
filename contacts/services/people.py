"""Writes to a student's people: shared organizations and their targets, contacts and their
tags, and the interactions that keep each contact's stay-in-touch clock."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import merging, reminders
from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    Interaction,
    Organization,
    Outcome,
    Source,
    Tag,
    TargetOrganization,
    normalize_organization_name,
)
from contacts.services.common import owner_changed
from networking_app.accounts.models import User

# --- Organizations and targets -------------------------------------------------------------


def organization_get_or_create(*, name: str) -> Organization | None:
    """The shared organization with this name, ignoring case and spacing; None for blank."""
    normalized = normalize_organization_name(name or "")
    if not normalized:
        return None
    organization = Organization.objects.filter(normalized_name=normalized).first()
    if organization is None:
        with transaction.atomic():
            organization, _created = Organization.objects.get_or_create(
                normalized_name=normalized, defaults={"name": name}
            )
    return organization


def target_organization_add(
    *, owner: User, name: str, priority: int, notes: str = ""
) -> TargetOrganization:
    organization = organization_get_or_create(name=name)
    if organization is None:
        raise ValidationError({"name": _("Enter the organization's name.")})
    target, created = TargetOrganization.objects.get_or_create(
        owner=owner, organization=organization, defaults={"priority": priority, "notes": notes}
    )
    if not created:
        raise ValidationError(
            {
                "name": _("%(organization)s is already one of your targets.")
                % {"organization": organization.name}
            }
        )
    owner_changed(owner.pk)  # Today's first steps
    return target


def target_organization_update(
    *, target: TargetOrganization, priority: int, notes: str
) -> TargetOrganization:
    target.priority = priority
    target.notes = notes
    target.save(update_fields=["priority", "notes"])
    owner_changed(target.owner_id)
    return target


def target_organization_delete(*, target: TargetOrganization) -> None:
    """Stop targeting the organization; it stays shared, and contacts there are untouched."""
    owner_id = target.owner_id
    target.delete()
    owner_changed(owner_id)


# --- Contacts ------------------------------------------------------------------------------

CONTACT_FIELDS = [
    "name",
    "email",
    "phone",
    "linkedin_url",
    "title",
    "industry",
    "relationship",
    "how_met",
    "notes",
    "cadence_days",
    "referred_by",
    "may_use_referrer_name",
]


def _tag_objects(*, owner: User, names: list[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = " ".join(raw.split())[:40]
        if name:
            tag, _created = Tag.objects.get_or_create(owner=owner, name=name.lower())
            tags.append(tag)
    return tags


def contact_refresh_search_text(*, contact: Contact) -> None:
    parts = [
        contact.name,
        contact.organization.name if contact.organization_id else "",
        contact.title,
        contact.industry,
        " ".join(t.name for t in contact.tags.all()),
        contact.notes,
        contact.email,
    ]
    text = "\n".join(p for p in parts if p)
    Contact.objects.filter(pk=contact.pk).update(search_text=text)
    contact.search_text = text


def contact_refresh_conversation_text(*, contact_id: int) -> None:
    """The notes and takeaways of the contact's conversations, which its search also reads
    (the migration that added the column backfills the same text)."""
    parts: list[str] = []
    rows = Conversation.objects.filter(contact_id=contact_id).order_by("id")
    for notes, takeaways in rows.values_list("notes", "takeaways"):
        parts.extend(part for part in (notes, takeaways) if part)
    Contact.objects.filter(pk=contact_id).update(conversation_text="\n".join(parts))


def contact_create(
    *,
    owner: User,
    organization_name: str = "",
    tags: list[str] | None = None,
    source: str = Source.MANUAL,
    **fields,
) -> Contact:
    """Add a contact; the organization is matched or created by name."""
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown contact fields: {sorted(unknown)}")
    if fields.get("referred_by") is not None and fields["referred_by"].owner_id != owner.pk:
        raise ValidationError({"referred_by": _("Choose one of your own contacts.")})
    with transaction.atomic():
        contact = Contact(
            owner=owner,
            organization=organization_get_or_create(name=organization_name),
            source=source,
            **fields,
        )
        contact.full_clean(exclude=["owner", "tags"])
        contact.save()
        if tags:  # (a new contact has none to replace)
            contact.tags.add(*_tag_objects(owner=owner, names=tags))
        contact_refresh_search_text(contact=contact)
        reminders.sync_contact(contact)
        owner_changed(owner.pk)
    return contact


def contact_update(
    *, contact: Contact, organization_name: str = "", tags: list[str] | None = None, **fields
) -> Contact:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown contact fields: {sorted(unknown)}")
    referrer = fields.get("referred_by")
    if referrer is not None and (referrer.owner_id != contact.owner_id or referrer == contact):
        raise ValidationError({"referred_by": _("Choose another of your own contacts.")})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(contact, name, value)
        contact.organization = organization_get_or_create(name=organization_name)
        contact.full_clean(exclude=["owner", "tags"])
        contact.save()
        if tags is not None:
            contact.tags.set(_tag_objects(owner=contact.owner, names=tags))
        contact_refresh_search_text(contact=contact)
        reminders.sync_contact(contact)
        owner_changed(contact.owner_id)
    return contact


def contact_delete(*, contact: Contact) -> None:
    contact.delete()
    owner_changed(contact.owner_id)


def contact_recompute_last_interaction(*, contact: Contact) -> None:
    latest = contact.interactions.aggregate(latest=Max("occurred_on"))["latest"]
    Contact.objects.filter(pk=contact.pk).update(last_interaction_on=latest)
    contact.last_interaction_on = latest
    reminders.sync_contact(contact)
    owner_changed(contact.owner_id)


def contact_merge(*, keep: Contact, remove: Contact) -> Contact:
    """Fold `remove` into `keep`: its interactions, conversations, referrals, action items,
    outcomes and tags move over, its details merge as contacts.merging plans (empty fields
    filled, differing ones kept in the notes under a label), and `remove` is deleted."""
    if keep.owner_id != remove.owner_id or keep.pk == remove.pk:
        raise ValidationError(_("Choose two different contacts of your own to merge."))
    with transaction.atomic():
        # Lock both rows so a concurrent edit of either cannot be lost in the merge.
        locked = {
            c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[keep.pk, remove.pk])
        }
        keep, remove = locked[keep.pk], locked[remove.pk]
        Interaction.objects.filter(contact=remove).update(contact=keep)
        Conversation.objects.filter(contact=remove).update(contact=keep)
        Contact.objects.filter(referred_by=remove).exclude(pk=keep.pk).update(referred_by=keep)
        ActionItem.objects.filter(contact=remove).update(contact=keep)
        for outcome in Outcome.objects.filter(helped_by=remove):
            outcome.helped_by.remove(remove)
            outcome.helped_by.add(keep)
        plan = merging.plan_merge(merging.fields_of(keep), merging.fields_of(remove))
        keep.tags.add(*remove.tags.all())
        for name, value in plan.fills.items():
            if name in merging.FILLABLE or name == "cadence_days":
                setattr(keep, name, value)
            elif name == "organization":
                keep.organization_id = remove.organization_id
        keep.notes = plan.notes_after(keep.notes)
        if keep.referred_by_id is None and merging.merged_referrer(keep, remove) is not None:
            keep.referred_by_id = remove.referred_by_id
            keep.may_use_referrer_name = remove.may_use_referrer_name
        keep.save()
        remove.delete()
        contact_recompute_last_interaction(contact=keep)
        contact_refresh_search_text(contact=keep)
        contact_refresh_conversation_text(contact_id=keep.pk)
    return keep


# --- Interactions --------------------------------------------------------------------------


def interaction_log(
    *,
    contact: Contact,
    kind: str,
    occurred_on: dt.date | None = None,
    note: str = "",
    conversation: Conversation | None = None,
) -> Interaction:
    """Log a touchpoint; it resets the contact's stay-in-touch clock."""
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"occurred_on": _("An interaction cannot be in the future.")})
    with transaction.atomic():
        interaction = Interaction.objects.create(
            owner_id=contact.owner_id,
            contact=contact,
            kind=kind,
            occurred_on=occurred_on,
            note=note,
            conversation=conversation,
        )
        contact_recompute_last_interaction(contact=contact)
    return interaction


def interaction_delete(*, interaction: Interaction) -> None:
    contact = interaction.contact
    with transaction.atomic():
        interaction.delete()
        contact_recompute_last_interaction(contact=contact)
