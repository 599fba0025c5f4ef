"""Retention (accounts/retention.py and the rules other apps register): each rule removes or
blanks exactly what is past its limit, inactive graduates are told before their account is
deleted and keep it by signing in, 0 turns a rule off, and a dry run changes nothing.

Every test runs on a frozen clock (NOW, mid-August: the class of 2026 has graduated), whatever
TEST_CLOCK the suite runs at."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session as LoginSession
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.imports.models import BatchStatus, ImportBatch, ImportRow, RowStatus
from networking_app.accounts import retention
from networking_app.accounts.models import ErasedAccount, StudentProfile, User
from networking_app.accounts.tasks import retention as retention_task
from networking_app.core.audit import audit_record
from networking_app.core.models import AuditLog
from networking_app.notifications.models import EmailStatus, OutgoingEmail
from tests.contacts.helpers import fill_student_data
from tests.factories import PASSWORD, StaffFactory, StudentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

# Saturday 15 August 2026, 14:00 UTC: the class of 2026 graduated on 30 June.
NOW = dt.datetime(2026, 8, 15, 14, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def limits(settings):
    """The documented defaults, spelt out so that the tests read on their own."""
    settings.DEFAULT_USER_TIME_ZONE = "UTC"
    settings.GRADUATION_MONTH, settings.GRADUATION_DAY = 6, 30
    settings.RETENTION_GRADUATE_INACTIVE_DAYS = 365
    settings.RETENTION_NOTICE_DAYS = 30
    settings.RETENTION_OUTBOX_BODY_DAYS = 90
    settings.RETENTION_AUDIT_DAYS = 730
    settings.RETENTION_IMPORT_DAYS = 7
    return settings


def graduate(*, last_login_days_ago: float | None, class_year: int = 2025, **kwargs) -> User:
    """A student of `class_year` who last signed in that long before NOW (None: never, and
    joined a year and a half ago)."""
    user = StudentFactory(student_profile__class_year=class_year, **kwargs)
    joined = NOW - dt.timedelta(days=540)
    last_login = None if last_login_days_ago is None else NOW - dt.timedelta(last_login_days_ago)
    User.objects.filter(pk=user.pk).update(date_joined=joined, last_login=last_login)
    user.refresh_from_db()
    return user


def noticed_at(user: User) -> dt.datetime | None:
    return StudentProfile.objects.get(user=user).deletion_notice_sent_at


def run(**kwargs) -> dict:
    return retention.retention_apply(now=timezone.now(), **kwargs)


def exists(user: User) -> bool:
    return User.objects.filter(pk=user.pk).exists()


# --- Graduation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "zone", "last_class"),
    [
        # 30 June is still the class year; 1 July is the first day after it...
        (dt.datetime(2026, 6, 30, 23, 59, tzinfo=dt.UTC), "UTC", 2025),
        (dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC), "UTC", 2026),
        # ...in the school's zone: 03:30 UTC on 1 July is still 30 June in New York.
        (dt.datetime(2026, 7, 1, 3, 30, tzinfo=dt.UTC), "America/New_York", 2025),
        (dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC), "America/New_York", 2026),
        (dt.datetime(2027, 1, 10, 12, 0, tzinfo=dt.UTC), "UTC", 2026),
    ],
)
def test_a_class_graduates_the_day_after_its_graduation_date(settings, instant, zone, last_class):
    settings.DEFAULT_USER_TIME_ZONE = zone
    assert retention.last_graduated_class(instant) == last_class


def test_the_graduation_date_is_a_setting(settings):
    settings.GRADUATION_MONTH, settings.GRADUATION_DAY = 5, 15
    assert retention.last_graduated_class(dt.datetime(2026, 5, 15, 12, tzinfo=dt.UTC)) == 2025
    assert retention.last_graduated_class(dt.datetime(2026, 5, 16, 12, tzinfo=dt.UTC)) == 2026


# --- Inactive graduates: notice first ---------------------------------------------------------


def test_the_notice_goes_to_graduates_within_the_notice_period_of_their_limit():
    due = graduate(last_login_days_ago=336)  # deleted after day 365: 29 days from now
    on_the_day = graduate(last_login_days_ago=335)  # exactly 30 days from now
    not_yet = graduate(last_login_days_ago=334)
    never_signed_in = graduate(last_login_days_ago=None)  # joined 540 days ago
    this_year = graduate(last_login_days_ago=800, class_year=2027)  # still a student
    no_class_year = graduate(last_login_days_ago=800, class_year=None)

    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 3}

    assert {m.to[0] for m in mail.outbox} == {due.email, on_the_day.email, never_signed_in.email}
    for user in (due, on_the_day, never_signed_in):
        assert noticed_at(user) == NOW
    for user in (not_yet, this_year, no_class_year):
        assert noticed_at(user) is None
    assert User.objects.count() == 6  # a notice deletes nobody


def test_nobody_is_deleted_without_a_notice(clock):
    """Long past the limit, but never told (the rule was just turned on, or the worker was
    down): the notice goes now, and the deletion waits the whole notice period."""
    user = graduate(last_login_days_ago=1000)
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 1}
    assert exists(user)

    clock.move_to(NOW + 30 * DAY - dt.timedelta(minutes=1))
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert exists(user)

    clock.move_to(NOW + 30 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 1, "notices_sent": 0}
    assert not exists(user)


def test_the_deletion_is_the_account_closing_path(clock, volunteer):
    """The same account_delete a person uses: the anonymous tally stays, the people they were
    due to meet are told, their data goes."""
    user = graduate(last_login_days_ago=400, email="grace@example.edu")
    run()
    clock.move_to(NOW + 31 * DAY)
    fill_student_data(user, volunteer)  # with a session to come
    mail.outbox.clear()

    run()

    assert not exists(user)
    erased = ErasedAccount.objects.get()
    assert (erased.role, erased.class_year, erased.contacts) == ("student", 2025, 2)
    assert any(m.to == [volunteer.email] and "Cancelled" in m.subject for m in mail.outbox)
    assert not StudentProfile.objects.filter(user_id=user.pk).exists()


def test_a_limit_raised_after_the_notice_postpones_the_deletion(settings, clock):
    user = graduate(last_login_days_ago=335)
    run()
    settings.RETENTION_GRADUATE_INACTIVE_DAYS = 400
    clock.move_to(NOW + 65 * DAY - dt.timedelta(minutes=1))
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert exists(user)
    clock.move_to(NOW + 65 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 1, "notices_sent": 0}


def test_signing_in_after_the_notice_keeps_the_account(clock):
    user = graduate(last_login_days_ago=340)
    run()
    assert noticed_at(user) == NOW

    clock.move_to(NOW + 10 * DAY)
    Client().force_login(user)  # a real sign-in: Django records last_login
    clock.move_to(NOW + 60 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert exists(user)
    assert len(mail.outbox) == 1

    # Inactive again: a new notice once the new limit comes near, then the deletion.
    signed_in = NOW + 10 * DAY
    clock.move_to(signed_in + 334 * DAY)
    assert run()["accounts.graduates"]["notices_sent"] == 0
    clock.move_to(signed_in + 335 * DAY)
    assert run()["accounts.graduates"]["notices_sent"] == 1
    assert noticed_at(user) == signed_in + 335 * DAY
    clock.move_to(signed_in + 365 * DAY)
    assert run()["accounts.graduates"]["accounts_deleted"] == 1
    assert not exists(user)


def test_a_notice_before_the_last_sign_in_does_not_count(clock):
    """Signed in after the notice, then gone for good: the next deletion needs a new notice,
    even if no run happened in between (beat stopped for a year)."""
    user = graduate(last_login_days_ago=340)
    run()
    clock.move_to(NOW + DAY)
    Client().force_login(user)
    clock.move_to(NOW + DAY + 400 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 1}
    assert exists(user)


def test_the_keep_link_signs_in_and_keeps_the_account(clock):
    user = graduate(last_login_days_ago=340)
    run()
    clock.move_to(NOW + 2 * DAY)
    keep = reverse("account_keep")
    client = Client()
    response = client.get(keep)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    assert retention.pending_deletion(User.objects.get(pk=user.pk)) is not None

    signed_in = client.post(
        response["Location"], {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == keep
    assert "it is not due to be deleted" in signed_in.content.decode()
    assert retention.pending_deletion(User.objects.get(pk=user.pk)) is None
    clock.move_to(NOW + 40 * DAY)
    run()
    assert exists(user)


def test_someone_still_signed_in_keeps_the_account_with_the_button(clock):
    user = graduate(last_login_days_ago=340)
    run()
    client = Client()
    client.force_login(user)
    # As if the session had outlived the sign-in that the notice counts from.
    User.objects.filter(pk=user.pk).update(last_login=NOW - 340 * DAY)

    page = client.get(reverse("account_keep")).content.decode()
    assert "Keep my account" in page
    assert "due to be deleted after" in page
    assert "Mon 14 Sep 2026" in page  # the notice's 30 days

    response = client.post(reverse("account_keep"))
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).last_login == NOW
    assert "it is not due to be deleted" in client.get(reverse("account_keep")).content.decode()
    clock.move_to(NOW + 40 * DAY)
    run()
    assert exists(user)


def test_the_keep_button_changes_nothing_without_a_notice():
    user = graduate(last_login_days_ago=10)
    client = Client()
    client.force_login(user)
    before = User.objects.get(pk=user.pk).last_login
    assert client.post(reverse("account_keep")).status_code == 302
    assert User.objects.get(pk=user.pk).last_login == before


def test_volunteers_and_staff_are_never_deleted_by_the_graduates_rule(clock):
    """Not even an alumna who was a student (her student profile stays) nor anyone with a
    class year long past."""
    alumna = VolunteerFactory()
    StudentProfile.objects.create(user=alumna, class_year=2020)
    staff = StaffFactory()
    StudentProfile.objects.create(user=staff, class_year=2020)
    old = NOW - 3000 * DAY
    User.objects.filter(pk__in=[alumna.pk, staff.pk]).update(last_login=old, date_joined=old)
    for later in (0, 31, 400, 800):
        clock.move_to(NOW + later * DAY)
        assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert exists(alumna)
    assert exists(staff)
    assert mail.outbox == []


def test_a_noticed_student_who_becomes_a_volunteer_is_not_deleted(clock):
    user = graduate(last_login_days_ago=400)
    run()
    User.objects.filter(pk=user.pk).update(role="volunteer")
    clock.move_to(NOW + 40 * DAY)
    assert run()["accounts.graduates"]["accounts_deleted"] == 0
    assert exists(user)


def test_the_graduates_rule_is_off_at_zero(settings, clock):
    told = graduate(last_login_days_ago=400)
    run()
    settings.RETENTION_GRADUATE_INACTIVE_DAYS = 0
    graduate(last_login_days_ago=2000)
    clock.move_to(NOW + 60 * DAY)
    assert run()["accounts.graduates"] == {}
    assert exists(told)
    assert len(mail.outbox) == 1


def test_running_twice_does_nothing_more(clock):
    graduate(last_login_days_ago=400)
    graduate(last_login_days_ago=340)
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 2}
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    clock.move_to(NOW + 30 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 2, "notices_sent": 0}
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert len(mail.outbox) == 2


def test_one_failed_deletion_does_not_stop_the_others(clock, monkeypatch, caplog):
    first = graduate(last_login_days_ago=400)
    second = graduate(last_login_days_ago=400)
    run()
    clock.move_to(NOW + 31 * DAY)
    real_delete = retention.account_delete

    def flaky(*, user, now):
        if user.pk == first.pk:
            raise RuntimeError("boom")
        return real_delete(user=user, now=now)

    monkeypatch.setattr(retention, "account_delete", flaky)
    with caplog.at_level(logging.ERROR, logger="networking_app.accounts.retention"):
        counts = run()["accounts.graduates"]
    assert counts == {"accounts_deleted": 1, "notices_sent": 0, "failed": 1}
    assert exists(first)
    assert not exists(second)
    assert f"for user {first.pk}" in caplog.text


# --- The notice email -------------------------------------------------------------------------


def test_the_notice_tells_when_in_the_recipients_zone_and_how_to_keep_the_account(settings):
    settings.DEFAULT_USER_TIME_ZONE = "Asia/Tokyo"  # the school's zone is not the reader's
    settings.SCHOOL_NAME = "Hopper College"
    user = graduate(
        last_login_days_ago=340,
        email="grace@example.edu",
        profile__display_name="Grace Hopper",
        profile__time_zone="America/New_York",
    )
    run()
    (message,) = mail.outbox
    html = next(body for body, kind in message.alternatives if kind == "text/html")

    assert message.to == [user.email]
    assert message.subject == "Sign in to keep your Hopper College Rapport account"
    # Last sign-in 340 days before NOW (9 September 2025): day 365 would be 25 days from now,
    # but the notice's 30 days come first: 14:00 UTC, 10:00 AM in New York (EDT).
    when = "Monday 14 September 2026, 10:00 AM EDT"
    keep = "http://testserver" + reverse("account_keep")
    data = "http://testserver" + reverse("account_data")
    for body in (message.body, html):
        assert "Hello Grace Hopper" in body
        assert when in body
        assert keep in body
        assert data in body
        assert "365 days" in body
        assert "9 September 2025" in body  # the last sign-in
    assert f'href="{keep}"' in html


def test_the_notice_is_an_outbox_row_of_its_own_kind(settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    user = graduate(last_login_days_ago=340)
    run()
    row = OutgoingEmail.objects.get()
    assert (row.kind, row.user_id, row.to) == ("retention_notice", user.pk, [user.email])
    assert row.idempotency_key.startswith(f"retention_notice:{user.pk}:")


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
