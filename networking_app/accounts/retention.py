"""Retention: how long Rapport keeps what (docs/privacy.md), applied every day by beat
(`accounts.retention` in accounts/tasks.py) and by hand with `manage.py retention [--dry-run]`.

Each rule is one function, `(*, now, dry_run) -> {what: count}`, that removes or blanks what
is past its limit and nothing else. Rules are idempotent (a second run finds nothing left to
do), work through their rows a batch of primary keys at a time (never a whole table in
memory), and with `dry_run` only count. A limit of 0 days turns a rule off.

Rules are registered like the closing steps (accounts/closing.py): accounts registers its own
and the shared core's audit log below; notifications (the outbox's bodies) and contacts
(abandoned imports) register theirs in their AppConfig.ready(), so accounts imports none of the
apps above it.

The graduates' rule deletes an account through the one way accounts are closed
(deletion.account_delete), and only after a notice email sent RETENTION_NOTICE_DAYS before,
recorded on StudentProfile.deletion_notice_sent_at. A sign-in after the notice (User.last_login,
or "Keep my account", which records one) calls the deletion off; the next notice then waits
for a new period of inactivity.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from networking_app.accounts.deletion import account_delete
from networking_app.accounts.models import Role, StudentProfile, User
from networking_app.core.audit import audit_record
from networking_app.core.emails import send_templated_email
from networking_app.core.models import AuditLog

log = logging.getLogger(__name__)

BATCH_SIZE = 500
NOTICE_TEMPLATE = "retention_notice"

Counts = dict[str, int]


@dataclass(frozen=True)
class RetentionRule:
    name: str  # "accounts.graduates"
    order: int
    setting: str | None  # the setting holding its limit in days (0: off); None: always on
    apply: Callable[..., Counts]  # (*, now, dry_run) -> counts


REGISTRY: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> RetentionRule:
    REGISTRY[rule.name] = rule
    return rule


def retention_rules() -> list[RetentionRule]:
    return sorted(REGISTRY.values(), key=lambda rule: (rule.order, rule.name))


def days_setting(name: str) -> int:
    return int(getattr(settings, name))


def pk_batches(queryset: QuerySet, size: int | None = None) -> Iterator[list[int]]:
    """The primary keys of `queryset` in ascending order, `size` (BATCH_SIZE) at a time, each
    batch read when the previous one has been dealt with (rows it removed no longer match)."""
    size = size or BATCH_SIZE
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        batch = list(page.values_list("pk", flat=True)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1]


def delete_in_batches(queryset: QuerySet, *, dry_run: bool) -> int:
    """Delete the rows of `queryset` a batch at a time; how many there were."""
    count = 0
    for batch in pk_batches(queryset):
        if not dry_run:
            queryset.model._base_manager.filter(pk__in=batch).delete()
        count += len(batch)
    return count


# --- Running every rule -------------------------------------------------------------------------


def retention_apply(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, Counts]:
    """Apply every registered rule in order (with `dry_run`, count what each would do). A rule
    that fails is logged with its traceback and the others still run."""
    now = now or timezone.now()
    results: dict[str, Counts] = {}
    for rule in retention_rules():
        if rule.setting is not None and days_setting(rule.setting) == 0:
            results[rule.name] = {}
            continue
        try:
            results[rule.name] = rule.apply(now=now, dry_run=dry_run)
        except Exception:
            log.exception("retention rule %s failed", rule.name)
            results[rule.name] = {"failed": 1}
    if not dry_run and any(any(counts.values()) for counts in results.values()):
        audit_record(
            actor=None,
            action="retention",
            summary="Retention: " + describe(results),
            **{
                f"{name}.{what}": n
                for name, counts in results.items()
                for what, n in counts.items()
            },
        )
    return results


def describe(results: dict[str, Counts]) -> str:
    """ "accounts.graduates (accounts deleted 1, notices sent 2); ..." (what is not 0)"""
    parts = []
    for name, counts in results.items():
        done = ", ".join(f"{what.replace('_', ' ')} {n}" for what, n in counts.items() if n)
        if done:
            parts.append(f"{name} ({done})")
    return "; ".join(parts) or "nothing to do"


# --- Inactive graduates ---------------------------------------------------------------------------


def last_graduated_class(now: dt.datetime) -> int:
    """The latest class year that has graduated at `now`: a class year ends on GRADUATION_DATE
    (MM-DD) of that year, in the school's zone (DEFAULT_USER_TIME_ZONE)."""
    today = timezone.localdate(now, zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE))
    ends = dt.date(today.year, settings.GRADUATION_MONTH, settings.GRADUATION_DAY)
    return today.year if today > ends else today.year - 1


def _graduates(now: dt.datetime) -> QuerySet[User]:
    """Student accounts (never volunteers' or staff's) of a class year that has ended, with the
    last time they signed in (or joined, if they never have)."""
    return User.objects.filter(
        role=Role.STUDENT, student_profile__class_year__lte=last_graduated_class(now)
    ).annotate(last_active=Coalesce("last_login", "date_joined"))


def _notice_due(now: dt.datetime) -> QuerySet[User]:
    inactive = days_setting("RETENTION_GRADUATE_INACTIVE_DAYS")
    notice = days_setting("RETENTION_NOTICE_DAYS")
    noticed = "student_profile__deletion_notice_sent_at"
    return _graduates(now).filter(
        Q(**{f"{noticed}__isnull": True}) | Q(**{f"{noticed}__lte": F("last_active")}),
        last_active__lte=now - dt.timedelta(days=inactive - notice),
    )


def _deletion_due(now: dt.datetime) -> QuerySet[User]:
    inactive = days_setting("RETENTION_GRADUATE_INACTIVE_DAYS")
    notice = days_setting("RETENTION_NOTICE_DAYS")
    noticed = "student_profile__deletion_notice_sent_at"
    return _graduates(now).filter(
        **{
            # Told, and not signed in since: the notice is still the last thing that happened
            # (a sign-in at the very instant of the notice counts as after it).
            f"{noticed}__gt": F("last_active"),
            f"{noticed}__lte": now - dt.timedelta(days=notice),
        },
        last_active__lte=now - dt.timedelta(days=inactive),
    )


def deletion_after(*, last_active: dt.datetime, noticed_at: dt.datetime) -> dt.datetime:
    """The earliest time an account last used at `last_active` and told at `noticed_at` can
    be deleted: never sooner than RETENTION_NOTICE_DAYS after the notice."""
    inactive = dt.timedelta(days=days_setting("RETENTION_GRADUATE_INACTIVE_DAYS"))
    notice = dt.timedelta(days=days_setting("RETENTION_NOTICE_DAYS"))
    return max(last_active + inactive, noticed_at + notice)


def pending_deletion(user: User) -> dt.datetime | None:
    """When this account will be deleted for inactivity, if a notice is pending; else None."""
    if not user.is_authenticated or not user.is_student:
        return None
    profile = StudentProfile.objects.filter(user=user).first()
    noticed_at = profile.deletion_notice_sent_at if profile else None
    if noticed_at is None or days_setting("RETENTION_GRADUATE_INACTIVE_DAYS") == 0:
        return None
    last_active = user.last_login or user.date_joined
    if last_active >= noticed_at:
        return None
    return deletion_after(last_active=last_active, noticed_at=noticed_at)


def _locked(queryset: QuerySet[User], pk: int) -> User | None:
    """The user, locked, if they still match `queryset` (they may have signed in meanwhile:
    a login's write waits for this lock, and one that came first is seen here)."""
    return (
        queryset.select_for_update(of=("self",))
        .select_related("profile", "student_profile")
        .filter(pk=pk)
        .first()
    )


def _send_notice(pk: int, now: dt.datetime) -> int:
    with transaction.atomic():
        user = _locked(_notice_due(now), pk)
        if user is None:
            return 0
        StudentProfile.objects.filter(user=user).update(deletion_notice_sent_at=now)
        site = settings.SITE_URL.rstrip("/")
        send_templated_email(
            NOTICE_TEMPLATE,
            recipient=user,
            context={
                "recipient": user,
                "last_active": user.last_active,
                "delete_after": deletion_after(last_active=user.last_active, noticed_at=now),
                "inactive_days": days_setting("RETENTION_GRADUATE_INACTIVE_DAYS"),
                "keep_url": site + reverse("account_keep"),
                "data_url": site + reverse("account_data"),
            },
            # One notice per period of inactivity, whatever runs twice.
            key=f"{NOTICE_TEMPLATE}:{user.pk}:{user.last_active.isoformat()}",
        )
    return 1


def _delete(pk: int, now: dt.datetime) -> int:
    with transaction.atomic():
        user = _locked(_deletion_due(now), pk)
        if user is None:
            return 0
        account_delete(user=user, now=now)
    return 1


def graduates_apply(*, now: dt.datetime, dry_run: bool = False) -> Counts:
    """Delete the accounts of graduates who were told RETENTION_NOTICE_DAYS ago and have not
    signed in since; tell those who will reach RETENTION_GRADUATE_INACTIVE_DAYS without a sign-in
    within RETENTION_NOTICE_DAYS. One transaction per person; one that fails is logged and the
    others go on."""
    counts = {"accounts_deleted": 0, "notices_sent": 0}
    for what, due, act in (
        ("accounts_deleted", _deletion_due, _delete),
        ("notices_sent", _notice_due, _send_notice),
    ):
        for batch in pk_batches(due(now)):
            if dry_run:
                counts[what] += len(batch)
                continue
            for pk in batch:
                try:
                    counts[what] += act(pk, now)
                except Exception:
                    log.exception("retention: %s failed for user %s", what, pk)
                    counts["failed"] = counts.get("failed", 0) + 1
    return counts


def account_keep(*, user: User, now: dt.datetime | None = None) -> None:
    """ "Keep my account" from the notice by someone already signed in: counts as a sign-in."""
    User.objects.filter(pk=user.pk).update(last_login=now or timezone.now())


# --- The audit log (the shared core's) ------------------------------------------------------------


def audit_log_apply(*, now: dt.datetime, dry_run: bool = False) -> Counts:
    """Staff actions older than RETENTION_AUDIT_DAYS: ours and the Django admin's history."""
    from django.contrib.admin.models import LogEntry

    cutoff = now - dt.timedelta(days=days_setting("RETENTION_AUDIT_DAYS"))
    return {
        "audit_entries_deleted": delete_in_batches(
            AuditLog.objects.filter(created_at__lt=cutoff), dry_run=dry_run
        ),
        "admin_entries_deleted": delete_in_batches(
            LogEntry.objects.filter(action_time__lt=cutoff), dry_run=dry_run
        ),
    }


# --- Login sessions ---------------------------------------------------------------------------


def expired_sessions_apply(*, now: dt.datetime, dry_run: bool = False) -> Counts:
    """Login sessions past their expiry (SESSION_COOKIE_AGE after the last sign-in or change):
    Django never removes them itself (`clearsessions` does what this does)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return {}  # cache or cookie sessions expire by themselves
    expired = store.get_model_class().objects.filter(expire_date__lt=now)
    return {"sessions_deleted": delete_in_batches(expired, dry_run=dry_run)}


def register_retention_rules() -> None:
    register(
        RetentionRule(
            "accounts.graduates",
            order=10,
            setting="RETENTION_GRADUATE_INACTIVE_DAYS",
            apply=graduates_apply,
        )
    )
    register(
        RetentionRule(
            "accounts.expired_sessions", order=80, setting=None, apply=expired_sessions_apply
        )
    )
    register(
        RetentionRule(
            "accounts.audit_log", order=90, setting="RETENTION_AUDIT_DAYS", apply=audit_log_apply
        )
    )
