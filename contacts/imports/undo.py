"""Undoing a committed import: what it added goes, what it merged is taken back where it is
unchanged since."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import reminders
from contacts.imports.apply import CHUNK, MERGED_COLUMNS, search_text_for
from contacts.imports.files import ImportFileError
from contacts.imports.models import BatchStatus, ImportBatch, ImportRow, RowOutcome
from contacts.merging import FILLABLE
from contacts.models import Contact, Interaction
from networking_app.core.cache import bump_version, person

log = logging.getLogger(__name__)


def import_undo(*, batch: ImportBatch) -> ImportBatch:
    """Remove the contacts the import added (with whatever was added to them since) and take
    back what it merged into existing contacts: fields it filled that still hold the imported
    value, the tags and the connection dates it added, and the notes if unchanged since."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.COMMITTED:
            raise ImportFileError(_("Only an import that was committed can be undone."))
        owner = locked.owner
        undos = dict(
            ImportRow.objects.filter(batch=locked, outcome=RowOutcome.MERGED, contact__isnull=False)
            .exclude(undo={})
            .values_list("contact_id", "undo")
        )
        contacts = list(
            Contact.objects.filter(owner=owner, pk__in=list(undos))
            .exclude(import_batch=locked)
            .select_related("organization")
        )
        _take_back_merges(owner, contacts, undos)
        created = Contact.objects.filter(owner=owner, import_batch=locked)
        removed = created.count()
        created.delete()
        locked.status = BatchStatus.UNDONE
        locked.undone_at = timezone.now()
        locked.save(update_fields=["status", "undone_at"])
        bump_version(person(locked.owner_id))
        log.info("import %s undone: %s contacts removed", locked.pk, removed)
    batch.refresh_from_db()
    return batch


def _take_back_merges(owner, contacts: list[Contact], undos: dict[int, dict]) -> None:
    Interaction.objects.filter(
        owner=owner, pk__in=[i for u in undos.values() for i in u.get("interactions", [])]
    ).delete()
    Through = Contact.tags.through
    for contact in contacts:
        tag_ids = undos[contact.pk].get("tags") or []
        if tag_ids:
            Through.objects.filter(contact_id=contact.pk, tag_id__in=tag_ids).delete()
    ids = [c.pk for c in contacts]
    latest = dict(
        Interaction.objects.filter(contact_id__in=ids)
        .values("contact_id")
        .annotate(latest=Max("occurred_on"))
        .values_list("contact_id", "latest")
    )
    names: dict[int, set[str]] = defaultdict(set)
    for contact_id, name in Through.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "tag__name"
    ):
        names[contact_id].add(name)
    for contact in contacts:
        _revert(contact, undos[contact.pk])
        contact.last_interaction_on = latest.get(contact.pk)
        organization = contact.organization.name if contact.organization else ""
        contact.search_text = search_text_for(contact, organization, names[contact.pk])
    Contact.objects.bulk_update(contacts, MERGED_COLUMNS, batch_size=CHUNK)
    for contact in contacts:
        if contact.cadence_days or undos[contact.pk].get("cadence_days"):
            reminders.sync_contact(contact)


def _revert(contact: Contact, undo: dict) -> None:
    """Put back what the merge changed, where the student has not changed it since."""
    for name, value in undo.get("fields", {}).items():
        if name in FILLABLE and getattr(contact, name) == value:
            setattr(contact, name, "")
    if undo.get("organization_id") and contact.organization_id == undo["organization_id"]:
        contact.organization = None
    if undo.get("cadence_days") and contact.cadence_days == undo["cadence_days"]:
        contact.cadence_days = 0
    if contact.notes == undo.get("notes_after"):
        contact.notes = undo.get("notes_before", "")
