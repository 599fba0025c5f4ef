"""Writes of the import flow, in one place for the views, the Celery task and other apps:
reading a file into a preview (contacts.imports.preview), committing it (contacts.imports.commit:
a pure plan from contacts.imports.planning, written by contacts.imports.apply), undoing it
(contacts.imports.undo), and handing large files to the worker (here)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.imports.apply import search_text_for  # noqa: F401 - the public API
from contacts.imports.commit import import_commit
from contacts.imports.files import ImportFileError
from contacts.imports.models import BatchStatus, ImportBatch
from contacts.imports.planning import effective_decision  # noqa: F401 - the public API
from contacts.imports.preview import (  # noqa: F401 - the public API
    LARGE_IMPORT_ROWS,
    LEASE,
    can_discard,
    check_decision,
    commits_in_background,
    import_discard,
    import_parse,
    import_preview,
    import_set_decisions,
    import_set_encoding,
    import_set_mapping,
    import_start,
    imports_purge_abandoned,
    is_large,
    progress_get,
    progress_key,
    progress_set,
)
from contacts.imports.undo import import_undo  # noqa: F401 - the public API

log = logging.getLogger(__name__)


def import_parse_at_once(*, batch: ImportBatch) -> ImportBatch:
    """Read a small file while the student waits. A file that cannot be imported leaves
    nothing behind: the ImportFileError goes back to the upload form."""
    batch.status = BatchStatus.PARSING
    try:
        return import_parse(batch=batch)
    except ImportFileError:
        batch.delete()
        raise


# --- Background (contacts/tasks.py) --------------------------------------------------------


def import_queue_commit(*, batch: ImportBatch, default: str) -> ImportBatch:
    """Hand a large commit to the worker; the page shows its progress."""
    check_decision(default)
    updated = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.PREVIEW).update(
        status=BatchStatus.COMMIT_QUEUED, default_decision=default
    )
    if not updated:
        raise ImportFileError(_("This import is no longer waiting to be committed."))
    _enqueue(batch)
    batch.refresh_from_db()
    return batch


def import_queue_parse(*, batch: ImportBatch) -> None:
    _enqueue(batch)


def _enqueue(batch: ImportBatch) -> None:
    """The worker writes the rows' reasons and errors in the language of the page that asked
    (the student's choice, else their browser's), as a small import does in the request."""
    from contacts.tasks import import_process

    language = translation.get_language()
    transaction.on_commit(lambda: import_process.delay(batch.pk, language))


def import_run_queued(*, batch_id: int, language: str | None = None) -> str:
    """The worker's side: claim the batch with a conditional update (a duplicate delivery of
    the task finds nothing to claim), then read or commit it, in `language` (the page's that
    queued it; the site's default for a task queued without one)."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return _run_queued(batch_id)


def _run_queued(batch_id: int) -> str:
    now = timezone.now()
    # A worker that died mid-way leaves its batch "parsing" or "committing": once the lease
    # has run out, a redelivered task may claim it again (the commit rolled back with it).
    stale = Q(started_at__lt=now - LEASE)
    if ImportBatch.objects.filter(
        Q(status=BatchStatus.QUEUED) | (Q(status=BatchStatus.PARSING) & stale), pk=batch_id
    ).update(status=BatchStatus.PARSING, started_at=now):
        batch = ImportBatch.objects.select_related("owner").get(pk=batch_id)
        try:
            import_parse(batch=batch)
        except ImportFileError:
            return "failed"
        except Exception:
            log.exception("import %s could not be read", batch_id)
            ImportBatch.objects.filter(pk=batch_id).update(
                status=BatchStatus.FAILED,
                error=_(
                    "Something went wrong while reading the file. Nothing was imported; try "
                    "again, or import a smaller file."
                ),
            )
            raise
        return "parsed"
    if ImportBatch.objects.filter(
        Q(status=BatchStatus.COMMIT_QUEUED) | (Q(status=BatchStatus.COMMITTING) & stale),
        pk=batch_id,
    ).update(status=BatchStatus.COMMITTING, started_at=now):
        batch = ImportBatch.objects.select_related("owner").get(pk=batch_id)
        try:
            import_commit(batch=batch, default=batch.default_decision)
        except Exception as error:
            log.exception("import %s could not be committed", batch_id)
            ImportBatch.objects.filter(pk=batch_id).update(
                status=BatchStatus.PREVIEW,
                error=(
                    _("The import failed and nothing was added: %(reason)s You can try again.")
                    % {"reason": error.messages[0]}
                    if isinstance(error, ValidationError)
                    else _("The import failed and nothing was added. You can try again.")
                ),
            )
            if not isinstance(error, ValidationError):
                raise
            return "failed"
        return "committed"
    return "nothing to do"
