from celery import shared_task

from contacts.imports.services import import_run_queued, imports_purge_abandoned


@shared_task(name="contacts.import_process", ignore_result=True, acks_late=True)
def import_process(batch_id: int, language: str | None = None) -> str:
    """Read or commit a large import (the batch row says which) in `language`, the page's that
    queued it; a second delivery of the same task finds the batch already claimed and does
    nothing."""
    return import_run_queued(batch_id=batch_id, language=language)


@shared_task(name="contacts.imports_purge_abandoned", ignore_result=True)
def purge_abandoned_imports() -> int:
    """Imports never committed within RETENTION_IMPORT_DAYS are deleted with their file. Beat
    no longer schedules this task: the daily accounts.retention applies the same rule."""
    return imports_purge_abandoned()
