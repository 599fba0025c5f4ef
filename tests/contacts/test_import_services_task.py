"""The import task and a batch's life: large files parsed and committed by the worker, failed
files and the language of their error, the lease of a dead worker, discarding, purging."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from contacts.imports import ImportFileError, import_commit
from contacts.imports import services as import_services
from contacts.imports.models import BatchStatus, ImportBatch
from contacts.models import Contact
from contacts.tasks import import_process
from tests.contacts.import_helpers import DATA, preview

pytestmark = pytest.mark.django_db


def test_large_files_go_through_the_task(student, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("contacts.imports.preview.LARGE_IMPORT_ROWS", 3)
    sent = []
    monkeypatch.setattr(import_process, "delay", lambda batch_id, language: sent.append(batch_id))
    batch = import_services.import_start(
        owner=student,
        filename="Connections.csv",
        data=(DATA / "linkedin_connections.csv").read_bytes(),
    )
    assert import_services.is_large(batch)
    with django_capture_on_commit_callbacks(execute=True):
        import_services.import_queue_parse(batch=batch)
    assert sent == [batch.pk]
    assert import_process.apply(args=[batch.pk]).get() == "parsed"
    assert import_process.apply(args=[batch.pk]).get() == "nothing to do"  # claimed once
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW
    with django_capture_on_commit_callbacks(execute=True):
        import_services.import_queue_commit(batch=batch, default="skip")
    assert import_process.apply(args=[batch.pk]).get() == "committed"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert batch.skipped_count == 9
    assert not Contact.objects.exists()


def test_a_bad_file_in_the_task_is_recorded_as_failed(student):
    batch = ImportBatch.objects.create(
        owner=student,
        filename="bad.csv",
        data=b"Name,Email\r\n\x81\x00\x00\x8d,x\r\n",
        status=BatchStatus.QUEUED,
    )
    assert import_process.apply(args=[batch.pk]).get() == "failed"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "not a text file Rapport can read" in batch.error


def test_the_task_writes_in_the_language_of_the_page_that_queued_it(
    student, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(import_process, "delay", lambda *args: sent.append(args))
    batch = ImportBatch.objects.create(
        owner=student,
        filename="bad.csv",
        data=b"Name,Email\r\n\x81\x00\x00\x8d,x\r\n",
        status=BatchStatus.QUEUED,
    )
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        import_services.import_queue_parse(batch=batch)
    assert sent == [(batch.pk, "es")]
    assert import_process.apply(args=sent[0]).get() == "failed"
    batch.refresh_from_db()
    assert "no es un archivo de texto que Rapport pueda leer" in batch.error


def test_a_task_queued_without_a_language_writes_in_the_sites(student, settings):
    batch = ImportBatch.objects.create(
        owner=student, filename="bad.csv", data=b"\x81\x00\x00\x8d", status=BatchStatus.QUEUED
    )
    with translation.override("es"):  # whatever the worker had active
        assert import_process.apply(args=[batch.pk, "xx"]).get() == "failed"
    batch.refresh_from_db()
    assert "not a text file Rapport can read" in batch.error


def test_a_batch_left_behind_by_a_dead_worker_is_claimed_again_after_the_lease(student):
    from django.utils import timezone

    batch = import_services.import_start(
        owner=student, filename="c.csv", data=(DATA / "rapport_export.csv").read_bytes()
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.PARSING, started_at=timezone.now()
    )
    assert import_process.apply(args=[batch.pk]).get() == "nothing to do"  # still leased
    batch.refresh_from_db()
    assert not import_services.can_discard(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(
        started_at=timezone.now() - import_services.LEASE - dt.timedelta(minutes=1)
    )
    batch.refresh_from_db()
    assert import_services.can_discard(batch)
    assert import_process.apply(args=[batch.pk]).get() == "parsed"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW


def test_discard_is_refused_once_committed(student):
    batch = preview(student, "rapport_export.csv")
    import_commit(batch=batch)
    with pytest.raises(ImportFileError):
        import_services.import_discard(batch=batch)
    assert ImportBatch.objects.filter(pk=batch.pk).exists()


def test_abandoned_previews_are_purged_after_a_week(student):
    from django.utils import timezone

    from contacts.tasks import purge_abandoned_imports

    old = preview(student, "rapport_export.csv")
    kept = preview(student, "contacts_v4.vcf")
    done = preview(student, "contacts_v3.vcf")
    import_commit(batch=done)
    long_ago = timezone.now() - dt.timedelta(days=8)
    ImportBatch.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=long_ago)
    purge_abandoned_imports.apply()
    assert set(ImportBatch.objects.values_list("pk", flat=True)) == {kept.pk, done.pk}
