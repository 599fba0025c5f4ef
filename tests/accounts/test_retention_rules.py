"""Retention's other rules and the run itself: the outbox's bodies, the audit log, abandoned
imports and expired login sessions each lose exactly what is past their limit, and 0 turns a
rule off; rules work through their rows in batches, a dry run changes nothing, a failing rule
does not stop the others, and the daily task and the command apply every rule.

Every test runs on a frozen clock (NOW in tests/accounts/retention_helpers.py, mid-August: the
class of 2026 has graduated), whatever TEST_CLOCK the suite runs at."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session as LoginSession
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from contacts.imports.models import BatchStatus, ImportBatch, ImportRow, RowStatus
from networking_app.accounts import retention
from networking_app.accounts.models import ErasedAccount, StudentProfile, User
from networking_app.accounts.tasks import retention as retention_task
from networking_app.core.audit import audit_record
from networking_app.core.models import AuditLog
from networking_app.notifications.models import EmailStatus, OutgoingEmail
from tests.accounts import retention_helpers
from tests.accounts.retention_helpers import DAY, NOW, graduate, run

pytestmark = pytest.mark.django_db
# Autouse: every test runs on the frozen clock and the documented limits.
clock = retention_helpers.clock
limits = retention_helpers.limits

# --- The outbox's bodies ----------------------------------------------------------------------


_numbers = itertools.count(1)


def _email(n: int | None = None, *, status: str, sent_days_ago: float | None) -> OutgoingEmail:
    n = n or next(_numbers) + 1000
    sent_at = None if sent_days_ago is None else NOW - dt.timedelta(days=sent_days_ago)
    return OutgoingEmail.objects.create(
        kind="reminder",
        from_email="rapport@example.edu",
        to=[f"person{n}@example.edu"],
        subject=f"Subject {n}",
        text=f"Body {n}",
        html=f"<p>Body {n}</p>",
        attachments=[{"filename": "a.ics", "content": "QQ==", "mimetype": "text/calendar"}],
        headers={"List-Unsubscribe": "<https://example.edu/u>"},
        message_id=f"<{n}@example.edu>",
        idempotency_key=f"key-{n}",
        status=status,
        sent_at=sent_at,
        created_at=sent_at or NOW - dt.timedelta(days=200),
    )


def test_sent_emails_lose_their_bodies_after_the_limit_and_keep_the_record():
    old = _email(1, status=EmailStatus.SENT, sent_days_ago=90.01)
    recent = _email(2, status=EmailStatus.SENT, sent_days_ago=89.99)
    failed = _email(3, status=EmailStatus.FAILED, sent_days_ago=None)
    queued = _email(4, status=EmailStatus.QUEUED, sent_days_ago=None)

    assert run()["notifications.outbox_bodies"] == {"bodies_blanked": 1}

    old.refresh_from_db()
    assert (old.text, old.html, old.attachments) == ("", "", [])
    assert (old.subject, old.to, old.status) == ("Subject 1", ["person1@example.edu"], "sent")
    assert old.headers == {"List-Unsubscribe": "<https://example.edu/u>"}
    assert old.sent_at == NOW - dt.timedelta(days=90.01)
    for n, kept in ((2, recent), (3, failed), (4, queued)):
        kept.refresh_from_db()
        assert (kept.text, kept.html) == (f"Body {n}", f"<p>Body {n}</p>")
        assert len(kept.attachments) == 1
    assert run()["notifications.outbox_bodies"] == {"bodies_blanked": 0}


def test_outbox_bodies_are_kept_at_zero(settings):
    settings.RETENTION_OUTBOX_BODY_DAYS = 0
    old = _email(1, status=EmailStatus.SENT, sent_days_ago=5000)
    assert run()["notifications.outbox_bodies"] == {}
    old.refresh_from_db()
    assert old.text == "Body 1"


# --- The audit log ----------------------------------------------------------------------------


def _audit(days_ago: float, staff) -> tuple[AuditLog, LogEntry]:
    entry = audit_record(actor=staff, action="volunteer.approve", summary=f"{days_ago} days")
    AuditLog.objects.filter(pk=entry.pk).update(created_at=NOW - dt.timedelta(days=days_ago))
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[staff], action_flag=CHANGE, change_message=str(days_ago)
    )
    admin_entry = LogEntry.objects.latest("pk")
    LogEntry.objects.filter(pk=admin_entry.pk).update(action_time=NOW - dt.timedelta(days=days_ago))
    return entry, admin_entry


def test_staff_actions_older_than_the_limit_are_deleted(staff):
    _audit(731, staff)
    _audit(730.01, staff)
    kept, kept_admin = _audit(729.99, staff)

    counts = run()["accounts.audit_log"]

    assert counts == {"audit_entries_deleted": 2, "admin_entries_deleted": 2}
    # What stays: the recent entry, and the record of this run (no names, counts only).
    run_record = AuditLog.objects.get(action="retention")
    assert set(AuditLog.objects.values_list("pk", flat=True)) == {kept.pk, run_record.pk}
    assert list(LogEntry.objects.values_list("pk", flat=True)) == [kept_admin.pk]
    assert run_record.actor is None
    assert run_record.detail["accounts.audit_log.audit_entries_deleted"] == 2
    assert "accounts.audit_log (audit entries deleted 2, admin entries deleted 2)" in (
        run_record.summary
    )


def test_the_audit_log_is_kept_at_zero(settings, staff):
    settings.RETENTION_AUDIT_DAYS = 0
    _audit(5000, staff)
    assert run()["accounts.audit_log"] == {}
    assert AuditLog.objects.count() == 1
    assert LogEntry.objects.count() == 1


def test_a_run_that_does_nothing_leaves_no_trace():
    graduate(last_login_days_ago=10)
    run()
    assert not AuditLog.objects.exists()


# --- Abandoned imports ------------------------------------------------------------------------


def _batch(owner, status: str, days_ago: float) -> ImportBatch:
    batch = ImportBatch.objects.create(
        owner=owner, filename="connections.csv", status=status, data=b"First Name\nAda\n"
    )
    ImportRow.objects.create(batch=batch, index=1, data={"name": "Ada"}, status=RowStatus.NEW)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=NOW - dt.timedelta(days=days_ago))
    return batch


def test_imports_never_committed_are_deleted_with_their_rows_after_the_limit(student):
    gone = [
        _batch(student, BatchStatus.PREVIEW, 7.01),
        _batch(student, BatchStatus.NEEDS_MAPPING, 30),
        _batch(student, BatchStatus.QUEUED, 30),
        _batch(student, BatchStatus.FAILED, 8),
    ]
    kept = [
        _batch(student, BatchStatus.PREVIEW, 6.99),
        _batch(student, BatchStatus.COMMITTED, 300),
        _batch(student, BatchStatus.UNDONE, 300),
        _batch(student, BatchStatus.COMMITTING, 30),
    ]

    assert run()["contacts.abandoned_imports"] == {"import_batches_deleted": 4}

    assert set(ImportBatch.objects.values_list("pk", flat=True)) == {b.pk for b in kept}
    assert not ImportRow.objects.filter(batch_id__in=[b.pk for b in gone]).exists()
    assert ImportRow.objects.count() == 4
    assert run()["contacts.abandoned_imports"] == {"import_batches_deleted": 0}


def test_the_import_limit_is_a_setting_and_off_at_zero(settings, student):
    settings.RETENTION_IMPORT_DAYS = 2
    two_and_a_half = _batch(student, BatchStatus.PREVIEW, 2.5)
    assert run()["contacts.abandoned_imports"] == {"import_batches_deleted": 1}
    assert not ImportBatch.objects.filter(pk=two_and_a_half.pk).exists()

    settings.RETENTION_IMPORT_DAYS = 0
    ancient = _batch(student, BatchStatus.PREVIEW, 5000)
    assert run()["contacts.abandoned_imports"] == {}
    assert ImportBatch.objects.filter(pk=ancient.pk).exists()


# --- Login sessions ---------------------------------------------------------------------------


def test_expired_login_sessions_are_deleted_and_live_ones_kept(clock):
    old_client, live_client = Client(), Client()
    old_client.force_login(graduate(last_login_days_ago=1))
    clock.move_to(NOW + 10 * DAY)
    live_client.force_login(graduate(last_login_days_ago=1))
    clock.move_to(NOW + 15 * DAY)  # the first one expired a day ago (14 days)

    assert run()["accounts.expired_sessions"] == {"sessions_deleted": 1}

    assert live_client.get(reverse("account_keep")).status_code == 200
    assert old_client.get(reverse("account_keep")).status_code == 302
    assert LoginSession.objects.count() == 1


# --- Every rule: batches, dry run, failures, the task and the command ------------------------


def _one_of_each(staff) -> dict:
    """Something past every limit."""
    return {
        "noticed": graduate(last_login_days_ago=400),
        "to_notify": graduate(last_login_days_ago=340),
        "email": _email(status=EmailStatus.SENT, sent_days_ago=100),
        "audit": _audit(800, staff),
        "import": _batch(graduate(last_login_days_ago=1), BatchStatus.PREVIEW, 8),
        "session": Client().force_login(graduate(last_login_days_ago=1)),  # expires in 14 days
    }


def _state() -> tuple:
    return (
        sorted(User.objects.values_list("pk", "last_login")),
        sorted(StudentProfile.objects.values_list("pk", "deletion_notice_sent_at")),
        sorted(OutgoingEmail.objects.values_list("pk", "text", "html")),
        AuditLog.objects.count(),
        LogEntry.objects.count(),
        ImportBatch.objects.count(),
        ImportRow.objects.count(),
        ErasedAccount.objects.count(),
        LoginSession.objects.count(),
    )


def test_rules_work_through_their_rows_in_batches(monkeypatch, staff):
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    for _ in range(5):
        _email(status=EmailStatus.SENT, sent_days_ago=100)
        _audit(800, staff)
    for _ in range(5):
        graduate(last_login_days_ago=340)
    student = graduate(last_login_days_ago=1)
    for _ in range(5):
        _batch(student, BatchStatus.PREVIEW, 8)

    results = run()

    assert results["notifications.outbox_bodies"] == {"bodies_blanked": 5}
    assert results["accounts.audit_log"] == {"audit_entries_deleted": 5, "admin_entries_deleted": 5}
    assert results["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 5}
    assert results["contacts.abandoned_imports"] == {"import_batches_deleted": 5}


def test_a_dry_run_counts_what_would_be_done_and_changes_nothing(staff, clock):
    _one_of_each(staff)
    run()  # the first notices
    clock.move_to(NOW + 31 * DAY)
    _one_of_each(staff)
    mail.outbox.clear()
    before = _state()

    dry = run(dry_run=True)

    assert _state() == before  # the audit log included: a dry run leaves no record
    assert mail.outbox == []
    assert dry == run()
    assert dry["accounts.graduates"] == {"accounts_deleted": 2, "notices_sent": 2}
    assert dry["contacts.abandoned_imports"] == {"import_batches_deleted": 1}
    assert dry["accounts.expired_sessions"] == {"sessions_deleted": 1}


def test_a_failing_rule_is_logged_and_the_others_still_run(monkeypatch, caplog, staff):
    def broken(*, now, dry_run):
        raise RuntimeError("boom")

    monkeypatch.setitem(
        retention.REGISTRY,
        "tests.broken",
        retention.RetentionRule(
            "tests.broken", order=1, setting="RETENTION_AUDIT_DAYS", apply=broken
        ),
    )
    _audit(800, staff)
    with caplog.at_level(logging.ERROR, logger="networking_app.accounts.retention"):
        results = run()
    assert results["tests.broken"] == {"failed": 1}
    assert results["accounts.audit_log"]["audit_entries_deleted"] == 1
    assert "retention rule tests.broken failed" in caplog.text


def test_beat_runs_the_retention_task_every_day(settings):
    from celery.schedules import crontab

    (entry,) = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "accounts.retention"
    ]
    assert entry["task"] == retention_task.name
    assert entry["schedule"] == crontab(hour=10, minute=0)
    # Nothing else purges imports on its own any more: one task applies every rule.
    assert "contacts.imports_purge_abandoned" not in {
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_every_rule_is_registered():
    assert [rule.name for rule in retention.retention_rules()] == [
        "accounts.graduates",
        "notifications.outbox_bodies",
        "contacts.abandoned_imports",
        "accounts.expired_sessions",
        "accounts.audit_log",
    ]


def test_the_task_applies_every_rule_and_logs_the_counts(staff, caplog):
    _one_of_each(staff)
    with caplog.at_level(logging.INFO, logger="networking_app.accounts.tasks"):
        retention_task.apply()
    assert "accounts.graduates (notices sent 2)" in caplog.text
    assert "notifications.outbox_bodies (bodies blanked 1)" in caplog.text
    assert "contacts.abandoned_imports (import batches deleted 1)" in caplog.text
    assert "accounts.audit_log (audit entries deleted 1, admin entries deleted 1)" in caplog.text
    assert len(mail.outbox) == 2


def test_the_command_prints_what_a_dry_run_would_do(settings, staff):
    _one_of_each(staff)
    settings.RETENTION_IMPORT_DAYS = 0
    before = _state()
    out = io.StringIO()

    call_command("retention", "--dry-run", stdout=out)

    assert _state() == before
    printed = out.getvalue()
    assert "Dry run" in printed
    assert (
        "accounts.graduates (RETENTION_GRADUATE_INACTIVE_DAYS=365): "
        "0 accounts deleted, 2 notices sent"
    ) in printed
    assert "notifications.outbox_bodies (RETENTION_OUTBOX_BODY_DAYS=90): 1 bodies blanked" in (
        printed
    )
    assert "contacts.abandoned_imports: off (RETENTION_IMPORT_DAYS=0)" in printed

    call_command("retention", stdout=io.StringIO())
    assert _state() != before
    assert len(mail.outbox) == 2
