"""Reading an uploaded file into a preview batch, and the student's choices on it. Nothing
here creates a contact: see contacts.imports.commit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.imports import bulk, csvfiles, vcards
from contacts.imports.files import (
    ENCODING_LABELS,
    ImportFileError,
    canonical_encoding,
    estimate_rows,
    read_text,
)
from contacts.imports.models import (
    BatchStatus,
    Decision,
    ImportBatch,
    ImportFormat,
    ImportRow,
    RowStatus,
)
from contacts.imports.planning import Known, plan_import
from contacts.imports.records import CleanRow, RawRecord, clean_record
from contacts.models import Contact
from networking_app.accounts.retention import pk_batches

# Files with more rows than this are read and committed by a Celery task, with a progress bar.
LARGE_IMPORT_ROWS = 2_000
# How long a worker may hold a batch it is reading or committing before another may claim it.
LEASE = dt.timedelta(minutes=15)


# --- Progress (in the cache: the commit runs in one transaction, invisible until the end) ---


def progress_key(batch_id: int) -> str:
    return f"contacts:import:{batch_id}:progress"


def progress_set(batch_id: int, done: int, total: int, label: str) -> None:
    cache.set(progress_key(batch_id), {"done": done, "total": total, "label": label}, 3600)


def progress_get(batch_id: int) -> dict | None:
    return cache.get(progress_key(batch_id))


# --- Reading a file ---------------------------------------------------------------------------


def import_start(*, owner, filename: str, data: bytes) -> ImportBatch:
    """Check the file (name, size, signature) and keep it in a new batch, not yet read."""
    filename = (filename or "contacts").replace("\x00", "")[-255:]
    read_text(filename, data)  # refuses what can never be imported before anything is stored
    return ImportBatch.objects.create(
        owner=owner, filename=filename, data=bytes(data), status=BatchStatus.QUEUED
    )


def is_large(batch: ImportBatch) -> bool:
    kind = "vcard" if batch.filename.lower().endswith((".vcf", ".vcard")) else "csv"
    return estimate_rows(kind, bytes(batch.data or b"")) > LARGE_IMPORT_ROWS


def commits_in_background(batch: ImportBatch) -> bool:
    return batch.total_rows > LARGE_IMPORT_ROWS


def _known_contacts(owner) -> Iterator[Known]:
    """The owner's contacts as the importer tells people apart: one query, streamed."""
    rows = Contact.objects.filter(owner=owner).values_list(
        "pk", "email", "linkedin_url", "name", "organization__normalized_name"
    )
    for pk, email, url, name, organization in rows.iterator(chunk_size=5000):
        yield Known(pk, email, url, name, organization or "")


def _raw_records(batch: ImportBatch, kind: str, text: str) -> Iterator[RawRecord | None]:
    if kind == "vcard":
        batch.format = ImportFormat.VCARD
        yield from vcards.records(batch.filename, text)
        return
    table = csvfiles.read_table(batch.filename, text)
    batch.headers = table.headers
    batch.format = table.layout or ImportFormat.CSV
    if not table.layout and not batch.mapping:
        batch.mapping = csvfiles.suggested_mapping(table.headers)
        raise _NeedsMapping
    plan = csvfiles.plan_for(table.headers, table.layout, batch.mapping or None)
    if not any(f in plan.values() for f in ("name", "first_name", "last_name")):
        if table.layout:
            raise ImportFileError(
                _("“%(filename)s” has no name column.") % {"filename": batch.filename}
            )
        batch.mapping = batch.mapping or csvfiles.suggested_mapping(table.headers)
        raise _NeedsMapping(_("Choose the column (or columns) with the person's name."))
    yield from csvfiles.records(table, plan)


class _NeedsMapping(Exception):
    pass


def import_parse(*, batch: ImportBatch, keep_on_error: bool = False) -> ImportBatch:
    """Read the batch's file into rows, each new, a duplicate or invalid, in the batch's
    encoding if it has one (the one found when it was first read, or the student's choice),
    else the one detected. Raises ImportFileError (and marks the batch failed, unless
    ``keep_on_error``: then the batch and its rows are left as they were) when the file cannot
    be imported."""
    try:
        kind, text, encoding = read_text(
            batch.filename, bytes(batch.data or b""), batch.encoding or None
        )
        batch.encoding = encoding
        rows = _classified_rows(batch, _raw_records(batch, kind, text))
        with transaction.atomic():
            ImportRow.objects.filter(batch=batch).delete()
            bulk.insert(ImportRow, rows, returning=False)
            batch.status = BatchStatus.PREVIEW
            batch.error = ""
            batch.save()
    except _NeedsMapping as need:
        batch.status = BatchStatus.NEEDS_MAPPING
        batch.error = str(need)
        batch.save()
    except ImportFileError as error:
        if keep_on_error:
            raise
        batch.status = BatchStatus.FAILED
        batch.error = error.messages[0]
        batch.data = None
        batch.save()
        raise
    return batch


def _cleaned(batch: ImportBatch, raws: Iterable[RawRecord | None]) -> Iterator[CleanRow | None]:
    today = timezone.localdate()
    position = 0
    for raw in raws:
        if raw is None:
            yield None
            continue
        position += 1
        if position % 2000 == 0:
            progress_set(batch.pk, position, 0, _("Reading the file"))
        yield clean_record(raw, today)


def _classified_rows(batch: ImportBatch, raws: Iterable[RawRecord | None]) -> list[dict]:
    """The file's rows as planned (contacts.imports.planning.plan_import), ready to store."""
    plan = plan_import(_cleaned(batch, raws), _known_contacts(batch.owner))
    if not plan.rows:
        raise ImportFileError(
            _("“%(filename)s” has no contacts in it.") % {"filename": batch.filename}
        )
    batch.total_rows = len(plan.rows)
    batch.new_count = plan.count(RowStatus.NEW)
    batch.duplicate_count = plan.count(RowStatus.DUPLICATE)
    batch.invalid_count = plan.count(RowStatus.INVALID)
    batch.empty_count = plan.empty
    return [
        {
            "batch_id": batch.pk,
            "index": row.index,
            "line": row.line,
            "data": row.data,
            "warnings": row.warnings,
            "status": row.status,
            "reason": row.reason,
            "match_contact_id": row.match_contact_id,
            "match_row": row.match_row,
        }
        for row in plan.rows
    ]


def import_preview(
    *, owner, filename: str, data: bytes, mapping: dict | None = None
) -> ImportBatch:
    """Read a file into a preview batch; nothing becomes a contact before import_commit.
    Raises ImportFileError with a message for the student when the file cannot be imported
    (and keeps nothing of it)."""
    batch = import_start(owner=owner, filename=filename, data=data)
    if mapping:
        batch.mapping = {str(k): v for k, v in mapping.items()}
    try:
        return import_parse(batch=batch)
    except ImportFileError:
        batch.delete()
        raise


def import_set_mapping(*, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    """The student matched the columns of an unknown CSV: read it again with that mapping."""
    if batch.status not in (BatchStatus.NEEDS_MAPPING, BatchStatus.PREVIEW) or not batch.data:
        raise ImportFileError(_("This import can no longer be changed."))
    batch.mapping = {str(k): v for k, v in mapping.items() if v}
    batch.status = BatchStatus.PARSING
    batch.save(update_fields=["mapping", "status"])
    return import_parse(batch=batch)


def import_set_encoding(*, batch: ImportBatch, encoding: str) -> ImportBatch:
    """The student says which encoding the file is in: read the kept file again with it (the
    choices made on the rows are read again too). A file that encoding cannot read leaves the
    preview as it was and raises ImportFileError."""
    if batch.status not in (BatchStatus.NEEDS_MAPPING, BatchStatus.PREVIEW) or not batch.data:
        raise ImportFileError(_("This import can no longer be changed."))
    chosen = canonical_encoding(encoding)
    if chosen is None or chosen not in ENCODING_LABELS:
        raise ImportFileError(_("Unknown encoding “%(encoding)s”.") % {"encoding": encoding[:40]})
    read_text(batch.filename, bytes(batch.data), chosen)  # refuses before anything changes
    if is_large(batch):
        updated = ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(
            encoding=chosen, status=BatchStatus.QUEUED
        )
        if not updated:
            raise ImportFileError(_("This import can no longer be changed."))
        from contacts.imports.services import import_queue_parse

        import_queue_parse(batch=batch)
        batch.refresh_from_db()
        return batch
    previous = batch.encoding
    batch.encoding = chosen
    try:
        return import_parse(batch=batch, keep_on_error=True)
    except ImportFileError:
        batch.refresh_from_db()
        batch.encoding = previous
        raise


def can_discard(batch: ImportBatch) -> bool:
    """A batch being read or committed by a worker is left alone, unless its lease ran out."""
    if batch.status in (BatchStatus.COMMITTED, BatchStatus.UNDONE, BatchStatus.COMMIT_QUEUED):
        return False
    if batch.status in (BatchStatus.PARSING, BatchStatus.COMMITTING):
        return batch.started_at is not None and batch.started_at < timezone.now() - LEASE
    return True


def import_discard(*, batch: ImportBatch) -> None:
    """Forget a batch that was never committed."""
    if not can_discard(batch):
        raise ImportFileError(_("This import cannot be cancelled now."))
    # Conditional, so a worker claiming it at the same moment keeps it (or finds it gone).
    ImportBatch.objects.filter(pk=batch.pk, status=batch.status).delete()


ABANDONED_STATUSES = [
    BatchStatus.QUEUED,
    BatchStatus.NEEDS_MAPPING,
    BatchStatus.PREVIEW,
    BatchStatus.FAILED,
]


def imports_purge_abandoned(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Imports nobody committed within RETENTION_IMPORT_DAYS (0: kept) are deleted with the file
    and the rows they kept; how many batches. A retention rule (contacts/retention.py)."""
    days = settings.RETENTION_IMPORT_DAYS
    if not days:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    abandoned = ImportBatch.objects.filter(status__in=ABANDONED_STATUSES, created_at__lt=cutoff)
    deleted = 0
    for batch in pk_batches(abandoned):
        if not dry_run:
            # Conditional, like import_discard: a batch a worker claimed meanwhile stays. Only
            # the ids are loaded, not the files (up to IMPORT_MAX_BYTES each); their rows go in
            # one DELETE.
            ImportBatch.objects.filter(pk__in=batch, status__in=ABANDONED_STATUSES).only(
                "pk"
            ).delete()
        deleted += len(batch)
    return deleted


# --- Choices ------------------------------------------------------------------------------


def check_decision(value: str) -> str:
    if value not in Decision.values:
        raise ValidationError(
            _("Unknown choice “%(value)s”: use skip, merge or create.") % {"value": value}
        )
    return value


def import_set_decisions(
    *, batch: ImportBatch, decisions: dict[int, str] | None = None, status: str = "", all: str = ""
) -> int:
    """Record the student's choice for some rows, or for every row of one status."""
    if batch.status != BatchStatus.PREVIEW:
        raise ImportFileError(_("This import is no longer waiting for your choices."))
    changed = 0
    grouped: dict[str, list[int]] = defaultdict(list)
    for index, value in (decisions or {}).items():
        grouped[check_decision(value)].append(int(index))
    rows = ImportRow.objects.filter(batch=batch).exclude(status=RowStatus.INVALID)
    for value, indexes in grouped.items():
        changed += rows.filter(index__in=indexes).update(decision=value)
    if all:
        check_decision(all)
        if status == POSSIBLE:
            chosen = rows.filter(POSSIBLE_Q)
        else:
            chosen = rows.filter(status=status) if status else rows
        changed += chosen.update(decision=all)
    return changed


# A possible duplicate: a new row that shares a name and organization with a contact or an
# earlier row but not their email or LinkedIn profile.
POSSIBLE = "possible"
POSSIBLE_Q = Q(status=RowStatus.NEW) & (Q(match_contact__isnull=False) | Q(match_row__isnull=False))
