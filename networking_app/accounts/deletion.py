"""Closing an account: a student or a volunteer deletes themselves and everything personal.

What stays is one `ErasedAccount` row (role, class year, major, the month they joined and
counts), so the career office's totals do not shrink when someone leaves. What closing does to
each app's data is that app's own step, registered in accounts/closing.py: mentoring tells the
people they were due to meet (upcoming sessions and open requests are called off with an email
and a calendar cancellation that do not name the person who left) and takes their ids out of
match rounds, events give up their seats so the waitlist moves, notifications sweep the outbox,
the console removes their invitation, and the calendar feed's cached rendering is forgotten
once committed.

Every row with a foreign key to the user is removed by the database cascade (checked by
tests/accounts/test_deletion.py against every model); rows that only keep a SET_NULL link to
them (staff actions, changes they made to a shared session) lose the link. Accounts' own
steps, here: their name and address in the audit logs, and their login sessions on every
device.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from networking_app.accounts.closing import (
    ClosingStep,
    closing_steps,
    needles,
    register,
    scrubber,
    text_filter,
)
from networking_app.accounts.models import ErasedAccount, Role, User
from networking_app.core.models import AuditLog


def account_may_delete(user: User) -> bool:
    """Students and volunteers close their own accounts; staff accounts are closed by staff."""
    return user.is_authenticated and user.role in (Role.STUDENT, Role.VOLUNTEER)


def _cohort(user: User) -> dict:
    """Class year and major; a volunteer's major is their mentor profile's (mentoring's tally)."""
    if user.is_student:
        profile = getattr(user, "student_profile", None)
        return {
            "class_year": profile.class_year if profile else None,
            "major": profile.major if profile else "",
        }
    profile = getattr(user, "volunteer_profile", None)
    return {"class_year": profile.class_year if profile else None, "major": ""}


# --- Accounts' own steps -------------------------------------------------------------------------


def _clean_audit_log(user: User, now: dt.datetime) -> None:
    """Staff records (ours and the Django admin's) keep the action, not who it was about."""
    from django.contrib.admin.models import LogEntry

    scrub = scrubber(user)
    for entry in AuditLog.objects.filter(text_filter(["summary"], needles(user))):
        entry.summary = scrub(entry.summary)
        entry.save(update_fields=["summary"])
    admin_entries = LogEntry.objects.filter(
        text_filter(["object_repr", "change_message"], needles(user))
    )
    for entry in admin_entries:
        entry.object_repr = scrub(entry.object_repr)
        entry.change_message = scrub(entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])


def _end_login_sessions(user: User, now: dt.datetime) -> None:
    """Signed in on another device too? Those sessions end now."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    if not hasattr(store, "get_model_class"):
        return  # cache or cookie sessions: they die with the user row (no user to load)
    model = store.get_model_class()
    theirs = []
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            theirs.append(session.session_key)
    model.objects.filter(session_key__in=theirs).delete()


def register_closing_steps() -> None:
    register(ClosingStep("accounts.audit_log", order=60, run=_clean_audit_log))
    register(ClosingStep("accounts.login_sessions", order=80, run=_end_login_sessions))


# --- The service --------------------------------------------------------------------------------


def account_delete(*, user: User, now: dt.datetime | None = None) -> ErasedAccount:
    """Erase a student's or volunteer's account and everything personal, keeping only the
    anonymous tallies (ErasedAccount). The user row is locked first, so two clicks on
    "delete" cannot both run and leave two tallies."""
    if not account_may_delete(user):
        raise PermissionDenied("Staff accounts are closed by another staff member.")
    now = now or timezone.now()
    steps = closing_steps()
    with transaction.atomic():
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("profile", "student_profile", "volunteer_profile")
            .filter(pk=user.pk)
            .first()
        )
        if user is None:
            raise ValidationError("This account has already been deleted.")
        kept = _cohort(user)
        for step in steps:
            if step.tally is not None:
                kept.update(step.tally(user))
        erased = ErasedAccount.objects.create(
            role=user.role,
            # The month is enough for cohort statistics; the day would help re-identify.
            joined_on=timezone.localdate(user.date_joined, dt.UTC).replace(day=1),
            erased_at=now,
            **kept,
        )
        for step in steps:
            if step.run is not None:
                step.run(user, now)
        user_id = user.pk
        user.delete()
        for step in steps:
            if step.after_commit is not None:
                # After the commit: e.g. a calendar polling the feed before then would render
                # it again.
                transaction.on_commit(lambda step=step: step.after_commit(user_id))
    return erased
