"""Committing a preview batch, all or nothing: read the rows and the contacts they match as
plain values, plan (contacts.imports.planning.plan_commit), then write the plan
(contacts.imports.apply)."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from contacts.imports.apply import apply_commit_plan
from contacts.imports.files import ImportFileError
from contacts.imports.models import BatchStatus, ImportBatch, ImportRow
from contacts.imports.planning import CommitPlan, StoredRow, plan_commit
from contacts.imports.preview import (
    check_decision,
    import_set_decisions,
    progress_key,
    progress_set,
)
from contacts.merging import fields_of
from contacts.models import Contact
from networking_app.core.cache import bump_version, person

COMMITTABLE = (BatchStatus.PREVIEW, BatchStatus.COMMIT_QUEUED, BatchStatus.COMMITTING)


def import_commit(
    *, batch: ImportBatch, decisions: dict[int, str] | None = None, default: str = "create"
) -> ImportBatch:
    """Turn the preview into contacts, all or nothing.

    ``decisions`` (row index -> "skip", "merge" or "create") override the choices saved from
    the preview page; ``default`` applies to every row with neither. "create" on a duplicate
    adds a second contact; "merge" merges the row into the existing contact as
    contacts.merging plans it (and on a new row simply adds the person); "skip" leaves the row
    out. Invalid rows are always skipped.
    """
    check_decision(default)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in COMMITTABLE:
            raise ImportFileError(
                _("This import is “%(status)s”; it cannot be committed.")
                % {"status": locked.get_status_display().lower()}
            )
        if decisions:
            locked.status = BatchStatus.PREVIEW
            import_set_decisions(batch=locked, decisions=decisions)
        plan, contacts = commit_plan_for(batch=locked, default=default)
        apply_commit_plan(batch=locked, plan=plan, contacts=contacts, default=default)
        bump_version(person(locked.owner_id))
    cache.delete(progress_key(locked.pk))
    batch.refresh_from_db()
    return batch


def commit_plan_for(*, batch: ImportBatch, default: str) -> tuple[CommitPlan, dict[int, Contact]]:
    """The plan of committing ``batch`` now, and the contacts its rows merge into."""
    rows = [
        StoredRow(**values)
        for values in ImportRow.objects.filter(batch=batch)
        .order_by("index")
        .values("id", "index", "data", "status", "match_contact_id", "match_row", "decision")
    ]
    progress_set(batch.pk, 0, len(rows), _("Sorting the rows"))
    match_ids = {r.match_contact_id for r in rows if r.match_contact_id}
    contacts = {
        contact.pk: contact
        for contact in Contact.objects.filter(owner=batch.owner, pk__in=match_ids)
        .select_related("organization")
        .prefetch_related("tags")
    }
    fields = {pk: fields_of(contact) for pk, contact in contacts.items()}
    return plan_commit(rows=rows, contacts=fields, default=default), contacts
