"""Reads of import batches. Every lookup filters by owner: another person's batch is a 404."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.imports.models import Decision, ImportBatch, ImportRow, RowStatus
from contacts.imports.preview import POSSIBLE, POSSIBLE_Q
from contacts.merging import MergePlan, fields_of, plan_merge
from contacts.models import Contact

SHOW_CHOICES = [
    ("", _("All rows")),
    (RowStatus.NEW, pgettext_lazy("import rows", "New")),
    (POSSIBLE, _("Possible duplicates")),
    (RowStatus.DUPLICATE, _("Duplicates")),
    (RowStatus.INVALID, pgettext_lazy("import rows", "Invalid")),
]
SHOW_VALUES = {value for value, _label in SHOW_CHOICES}


def batch_get_for_user(*, user, batch_id: int, with_file: bool = False) -> ImportBatch:
    """The student's own batch, or a plain 404. The uploaded bytes stay in the database
    unless `with_file` (reading the file again needs them; pages never do)."""
    batches = ImportBatch.objects.filter(owner=user, pk=batch_id)
    batch = (batches if with_file else batches.defer("data")).first()
    if batch is None:
        raise Http404
    return batch


def batches_for_user(*, user, limit: int = 10) -> list[ImportBatch]:
    return list(ImportBatch.objects.defer("data").filter(owner=user)[:limit])


def preview_rows(*, batch: ImportBatch, show: str = "") -> QuerySet[ImportRow]:
    rows = (
        ImportRow.objects.filter(batch=batch)
        .select_related("match_contact__organization")
        .prefetch_related("match_contact__tags")
    )
    if show == POSSIBLE:
        rows = rows.filter(POSSIBLE_Q)
    elif show in RowStatus.values:
        rows = rows.filter(status=show)
    return rows.order_by("index")


def rows_by_index(*, batch: ImportBatch, indexes) -> dict[int, ImportRow]:
    """Earlier rows of the file that rows on a page repeat: one query."""
    if not indexes:
        return {}
    return {r.index: r for r in ImportRow.objects.filter(batch=batch, index__in=set(indexes))}


def row_merge_plan(*, row: ImportRow, earlier: dict[int, ImportRow]) -> MergePlan | None:
    """What merging the row would change, computed as the commit computes it (None: nothing
    to merge into). ``earlier`` holds the rows it may repeat (rows_by_index)."""
    if row.status == RowStatus.INVALID:
        return None
    if row.match_contact is not None:
        return plan_merge(fields_of(row.match_contact), row.data)
    if row.match_row in earlier:
        return plan_merge(earlier[row.match_row].data, row.data)
    return None


def decision_counts(*, batch: ImportBatch) -> dict[str, int]:
    """How many rows committing would add, merge and skip, with the batch's default for the
    rows the student did not choose: one query."""
    default = batch.default_decision
    valid = ~Q(status=RowStatus.INVALID)
    chosen = {
        value: Q(decision=value) | (Q(decision="") if default == value else Q(pk__in=[]))
        for value in Decision.values
    }
    # A possible duplicate (a new row) is merged only when the student chose so.
    chosen[Decision.MERGE] = Q(decision=Decision.MERGE) | (
        Q(decision="", status=RowStatus.DUPLICATE) if default == Decision.MERGE else Q(pk__in=[])
    )
    can_merge = Q(match_contact__isnull=False) | Q(match_row__isnull=False)
    counts = ImportRow.objects.filter(batch=batch).aggregate(
        total=Count("pk"),
        skip=Count("pk", filter=~valid | (valid & chosen[Decision.SKIP])),
        merge=Count("pk", filter=valid & chosen[Decision.MERGE] & can_merge),
        possible=Count("pk", filter=POSSIBLE_Q),
    )
    counts["create"] = counts["total"] - counts["skip"] - counts["merge"]
    return counts


def batch_for_contact_filter(*, user, value) -> ImportBatch | None:
    """The batch named by ?batch= on the contacts list, if it is the user's; else None."""
    try:
        batch_id = int(value)
    except (TypeError, ValueError):
        return None
    return ImportBatch.objects.defer("data").filter(owner=user, pk=batch_id).first()


def undo_summary(*, batch: ImportBatch) -> dict:
    """What undoing the batch would remove or revert: the contacts (and their conversations)
    it added, and how many existing contacts it merged into."""
    added = Contact.objects.filter(owner_id=batch.owner_id, import_batch=batch).aggregate(
        contacts=Count("pk", distinct=True),
        conversations=Count("conversations", distinct=True),
    )
    merged = (
        Contact.objects.filter(
            owner_id=batch.owner_id,
            pk__in=batch.rows.filter(outcome="merged").values("contact_id"),
        )
        .exclude(import_batch=batch)
        .count()
    )
    return {"added": added, "merged": merged}
