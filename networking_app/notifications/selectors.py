"""Reads of reminders (a person's own, looked up by owner so another's is a plain 404) and of
the outbox (for staff: envelopes only, recipient, subject and error; staff never see what an
email said)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, QuerySet
from django.http import Http404

from networking_app.notifications.kinds import get_kind
from networking_app.notifications.models import EmailStatus, OutgoingEmail, Reminder, ReminderState

OPEN_STATES = (ReminderState.PENDING, ReminderState.DIGEST)


def reminder_get_for_user(*, user, reminder_id: int) -> Reminder:
    """The user's own reminder, or a plain 404."""
    reminder = Reminder.objects.filter(pk=reminder_id, user=user).first()
    if reminder is None:
        raise Http404
    return reminder


def reminder_from_link(*, reminder_id: int) -> Reminder | None:
    """A reminder named by a signed link from an email (the link is the proof), with its
    owner's profile for the time zone; None when it is gone."""
    return Reminder.objects.select_related("user__profile").filter(pk=reminder_id).first()


def reminders_open_for(*, user) -> QuerySet[Reminder]:
    """What the reminders page lists: due or sent, not yet done or cancelled."""
    return Reminder.objects.filter(
        user=user, state__in=[*OPEN_STATES, ReminderState.SENT]
    ).order_by("due_at")


def reminders_about(*, user_id: int, kind: str, subject_prefix: str, states) -> list[Reminder]:
    """The user's reminders of one kind whose subject starts with `subject_prefix`."""
    return list(
        Reminder.objects.filter(
            user_id=user_id, kind=kind, subject_key__startswith=subject_prefix, state__in=states
        ).order_by("due_at", "pk")
    )


def reminder_about(*, user, kind: str, subject_prefix: str, reminder_id: int) -> Reminder:
    """One of the user's reminders of `kind` about the subject, or a plain 404."""
    reminder = Reminder.objects.filter(
        pk=reminder_id, user=user, kind=kind, subject_key__startswith=subject_prefix
    ).first()
    if reminder is None:
        raise Http404
    return reminder


def reminder_items(reminders: list[Reminder]) -> list[dict]:
    """What each reminder says, for a page: the subjects of each kind are loaded in one query,
    and a reminder whose subject is gone or no longer relevant is left out."""
    by_kind: dict[str, list[Reminder]] = {}
    for reminder in reminders:
        by_kind.setdefault(reminder.kind, []).append(reminder)
    for name, group in by_kind.items():
        kind = get_kind(name)
        if kind is not None and kind.prefetch is not None:
            kind.prefetch(group)
    rows = []
    for reminder in reminders:
        kind = get_kind(reminder.kind)
        if kind is None:
            continue
        try:
            rendered = kind.render(reminder) if kind.is_relevant(reminder) else None
        except Exception:  # the subject was deleted since: nothing to show
            rendered = None
        if rendered is not None:
            rows.append({"reminder": reminder, "kind": kind, **rendered})
    return rows


def outbox_latest(*, limit: int) -> list[OutgoingEmail]:
    """The newest emails in the outbox, whatever their state (the development mailbox shows
    them: with no worker running, mail waits there)."""
    columns = ("to", "subject", "status", "attempts", "last_error", "created_at")
    return list(OutgoingEmail.objects.only(*columns).order_by("-created_at", "-pk")[:limit])


# --- The outbox, for staff -----------------------------------------------------------------

ENVELOPE = ("pk", "kind", "to", "subject", "attempts", "last_error", "created_at", "status")


def email_counts_by_status() -> dict[str, int]:
    counts = dict.fromkeys(EmailStatus.values, 0)
    rows = OutgoingEmail.objects.order_by().values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    return counts


def failed_email_count() -> int:
    return OutgoingEmail.objects.filter(status=EmailStatus.FAILED).count()


def failed_emails(*, limit: int) -> list[OutgoingEmail]:
    return list(
        OutgoingEmail.objects.filter(status=EmailStatus.FAILED)
        .only(*ENVELOPE)
        .order_by("-created_at", "-pk")[:limit]
    )


def oldest_queued_at() -> dt.datetime | None:
    return OutgoingEmail.objects.filter(status=EmailStatus.QUEUED).aggregate(
        oldest=Min("created_at")
    )["oldest"]


def email_envelope_get(*, email_id: int) -> OutgoingEmail | None:
    return OutgoingEmail.objects.only(*ENVELOPE).filter(pk=email_id).first()
