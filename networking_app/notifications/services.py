"""Reminders: scheduling, snooze and done, and turning due reminders into outbox emails."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from networking_app.accounts.models import User
from networking_app.core.emails import recipient_language, send_templated_email
from networking_app.notifications import links, outbox
from networking_app.notifications.kinds import REGISTRY, get_kind
from networking_app.notifications.models import (
    Delivery,
    DigestLog,
    NotificationSettings,
    Reminder,
    ReminderState,
)

logger = logging.getLogger(__name__)
OPEN = [ReminderState.PENDING, ReminderState.DIGEST]
DIGEST_KIND = "digest"


# --- Time ----------------------------------------------------------------------------------


def user_zone(user) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.profile.time_zone)
    except Exception:
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def local_time_on(day: dt.date, hour: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """`hour`:00 on `day` in `zone`, as an aware datetime; a time skipped by a daylight-saving
    change becomes the first valid time after it."""
    naive = dt.datetime.combine(day, dt.time(hour))
    aware = naive.replace(tzinfo=zone)
    # A wall time in the spring-forward gap does not survive a round trip through UTC.
    roundtrip = aware.astimezone(dt.UTC).astimezone(zone)
    if roundtrip.replace(tzinfo=None) != naive:
        aware = (naive + dt.timedelta(hours=1)).replace(tzinfo=zone)
    return aware


# --- Settings ------------------------------------------------------------------------------


def settings_for(user) -> NotificationSettings:
    found, _ = NotificationSettings.objects.get_or_create(user=user)
    return found


def delivery_for(user_settings: NotificationSettings, kind: str) -> str:
    chosen = user_settings.delivery.get(kind)
    if chosen in Delivery.values:
        return chosen
    definition = get_kind(kind)
    return definition.default_delivery if definition else Delivery.IMMEDIATE


def timing_for(user, kind: str) -> int:
    definition = get_kind(kind)
    default = definition.timing.default if definition and definition.timing else 0
    value = settings_for(user).timing.get(kind, default)
    return value if isinstance(value, int) else default


def settings_update(
    *, user, digest_hour: int, delivery: dict[str, str], timing: dict[str, int]
) -> NotificationSettings:
    current = settings_for(user)
    current.digest_hour = digest_hour
    current.delivery = {k: v for k, v in delivery.items() if k in REGISTRY and v in Delivery.values}
    current.timing = {k: v for k, v in timing.items() if k in REGISTRY}
    current.save()
    return current


def unsubscribe(*, user, kind: str) -> None:
    """Stop emails of one kind (or all reminder emails with kind "all")."""
    current = settings_for(user)
    kinds = [*REGISTRY, DIGEST_KIND] if kind == "all" else [kind]
    delivery = dict(current.delivery)
    for name in kinds:
        delivery[name] = Delivery.OFF
    current.delivery = delivery
    current.save(update_fields=["delivery", "updated_at"])


# --- Scheduling ----------------------------------------------------------------------------


def reminder_schedule(
    *,
    user,
    kind: str,
    subject_key: str,
    due_at: dt.datetime,
    text: str = "",
    repeat_days: int | None = None,
) -> Reminder:
    """Make sure one open reminder of this kind exists for the subject, due at `due_at`."""
    with transaction.atomic():
        # A reminder already sent about the same subject is superseded by this one.
        Reminder.objects.filter(
            user=user, kind=kind, subject_key=subject_key, state=ReminderState.SENT
        ).update(state=ReminderState.CANCELLED)
        reminder = (
            Reminder.objects.select_for_update()
            .filter(user=user, kind=kind, subject_key=subject_key, state__in=OPEN)
            .first()
        )
        if reminder is None:
            try:
                with transaction.atomic():
                    return Reminder.objects.create(
                        user=user,
                        kind=kind,
                        subject_key=subject_key,
                        due_at=due_at,
                        text=text,
                        repeat_days=repeat_days,
                    )
            except IntegrityError:  # created concurrently: update that one instead
                reminder = Reminder.objects.select_for_update().get(
                    user=user, kind=kind, subject_key=subject_key, state__in=OPEN
                )
        reminder.due_at = due_at
        reminder.state = ReminderState.PENDING
        reminder.snoozed = False
        reminder.text = text or reminder.text
        reminder.repeat_days = repeat_days
        reminder.save(update_fields=["due_at", "state", "snoozed", "text", "repeat_days"])
    return reminder


def reminder_cancel(*, user, kind: str, subject_key: str) -> int:
    return Reminder.objects.filter(
        user=user,
        kind=kind,
        subject_key=subject_key,
        state__in=[*OPEN, ReminderState.SENT],
    ).update(state=ReminderState.CANCELLED)


def reminder_snooze(*, reminder: Reminder, days: int) -> Reminder:
    with transaction.atomic():
        # Another open reminder for the same subject may exist (rescheduled meanwhile).
        if (
            Reminder.objects.filter(
                user_id=reminder.user_id,
                kind=reminder.kind,
                subject_key=reminder.subject_key,
                state__in=OPEN,
            )
            .exclude(pk=reminder.pk)
            .exists()
        ):
            reminder.state = ReminderState.CANCELLED
            reminder.save(update_fields=["state", "updated_at"])
            return reminder
        reminder.due_at = timezone.now() + dt.timedelta(days=days)
        reminder.state = ReminderState.PENDING
        reminder.snoozed = True
        reminder.save(update_fields=["due_at", "state", "snoozed", "updated_at"])
    return reminder


def reminder_done(*, reminder: Reminder) -> Reminder:
    definition = get_kind(reminder.kind)
    with transaction.atomic():
        if definition is not None and definition.on_done is not None:
            definition.on_done(reminder)
        reminder.state = ReminderState.DONE
        reminder.save(update_fields=["state", "updated_at"])
    return reminder


# --- Emails --------------------------------------------------------------------------------


def _reminder_item(reminder: Reminder, reader) -> dict | None:
    """What the reminder says, written in its reader's zone and language: a kind's `render`
    formats times in the active zone and words in the active language (the reminders page has
    the reader's active already)."""
    definition = get_kind(reminder.kind)
    if definition is None:
        return None
    with timezone.override(user_zone(reader)), translation.override(recipient_language(reader)):
        item = definition.render(reminder)
    item["url"] = links.absolute(item.get("url", "/"))
    item["snooze_day"] = links.reminder_link(reminder_id=reminder.pk, action="snooze1")
    item["snooze_week"] = links.reminder_link(reminder_id=reminder.pk, action="snooze7")
    item["done"] = links.reminder_link(reminder_id=reminder.pk, action="done")
    item["kind_label"] = definition.label
    return item


def _send(*, user, kind: str, template: str, context: dict, idempotency_key: str) -> None:
    unsubscribe_url = links.unsubscribe_link(user_id=user.pk, kind=kind)
    context = {
        **context,
        "user": user,
        "unsubscribe_url": unsubscribe_url,
        "reminders_url": links.absolute("/reminders/"),
    }
    send_templated_email(
        template,
        context=context,
        recipient=user,
        key=idempotency_key,
        kind=kind,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def _after_sent(reminder: Reminder, now: dt.datetime) -> None:
    reminder.state = ReminderState.SENT
    reminder.last_sent_at = now
    reminder.lease_until = None
    reminder.save(update_fields=["state", "last_sent_at", "lease_until", "updated_at"])
    if reminder.repeat_days:
        next_due = reminder.due_at + dt.timedelta(days=reminder.repeat_days)
        while next_due <= now:
            next_due += dt.timedelta(days=reminder.repeat_days)
        reminder_schedule(
            user=reminder.user,
            kind=reminder.kind,
            subject_key=reminder.subject_key,
            due_at=next_due,
            text=reminder.text,
            repeat_days=reminder.repeat_days,
        )


def reminders_dispatch(*, now: dt.datetime | None = None, batch_size: int = 200) -> int:
    """Turn due reminders into emails (or digest entries). Safe to run in several processes
    at once: each batch is claimed with SKIP LOCKED, and an email's idempotency key is
    derived from the reminder and its due time."""
    now = now or timezone.now()
    handled = 0
    while True:
        # The batch's emails go to the workers together once it commits.
        with outbox.enqueue_together(), transaction.atomic():
            batch = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user__profile")
                .filter(state=ReminderState.PENDING, due_at__lte=now)
                .order_by("due_at", "pk")[:batch_size]
            )
            if not batch:
                break
            _prefetch_subjects(batch)
            cache: dict[int, NotificationSettings] = {}
            for reminder in batch:
                handled += 1
                _dispatch_one(reminder, now, cache)
    return handled


def _prefetch_subjects(reminders: list[Reminder]) -> None:
    """Load what the reminders are about with one query per kind, not two per reminder
    (relevance, then wording): at 10,000 due reminders those queries were half the tick."""
    by_kind: dict[str, list[Reminder]] = {}
    for reminder in reminders:
        by_kind.setdefault(reminder.kind, []).append(reminder)
    for name, group in by_kind.items():
        # get_kind() is None for a kind no longer registered: _dispatch_one cancels those.
        prefetch = getattr(get_kind(name), "prefetch", None)
        if prefetch is not None:
            prefetch(group)


def _dispatch_one(reminder: Reminder, now: dt.datetime, cache: dict) -> None:
    definition = get_kind(reminder.kind)
    if definition is None or not reminder.user.is_active or not definition.is_relevant(reminder):
        reminder.state = ReminderState.CANCELLED
        reminder.save(update_fields=["state", "updated_at"])
        return
    if reminder.user_id not in cache:
        cache[reminder.user_id] = settings_for(reminder.user)
    delivery = delivery_for(cache[reminder.user_id], reminder.kind)
    if delivery == Delivery.DIGEST:
        reminder.state = ReminderState.DIGEST
        reminder.save(update_fields=["state", "updated_at"])
        return
    if delivery == Delivery.IMMEDIATE:
        item = _reminder_item(reminder, reminder.user)
        _send(
            user=reminder.user,
            kind=reminder.kind,
            template="reminder",
            context={"item": item},
            idempotency_key=f"reminder:{reminder.pk}:{reminder.due_at.timestamp():.0f}",
        )
    _after_sent(reminder, now)


def digests_dispatch(*, now: dt.datetime | None = None) -> int:
    """Send each user's daily digest once per local day, at or after their chosen hour."""
    now = now or timezone.now()
    sent = 0
    user_ids = (
        Reminder.objects.filter(state=ReminderState.DIGEST)
        .values_list("user_id", flat=True)
        .distinct()
    )
    # Every minute, for every user with a reminder waiting: their settings come in the same
    # query (it was one query per user per tick).
    users = User.objects.filter(pk__in=user_ids).select_related("profile", "notification_settings")
    with outbox.enqueue_together():
        for user in users:
            user_settings = getattr(user, "notification_settings", None) or settings_for(user)
            day = digest_day_due(now=now, zone=user_zone(user), hour=user_settings.digest_hour)
            if day is not None:
                sent += _send_digest(user, user_settings, day, now)
    return sent


def digest_day_due(*, now: dt.datetime, zone: zoneinfo.ZoneInfo, hour: int) -> dt.date | None:
    """The local day whose digest may go out at `now` (its hour has come), or None. Sent once
    per local day: _send_digest's DigestLog refuses the day's second."""
    local_now = now.astimezone(zone)
    if now < local_time_on(local_now.date(), hour, zone):
        return None
    return local_now.date()


def _send_digest(user, user_settings, local_date: dt.date, now: dt.datetime) -> int:
    with transaction.atomic():
        try:
            with transaction.atomic():
                DigestLog.objects.create(user=user, local_date=local_date)
        except IntegrityError:
            return 0  # already sent today (another tick, or the repeated hour of a DST change)
        reminders = list(
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(user=user, state=ReminderState.DIGEST)
            .order_by("due_at")
        )
        items = []
        for reminder in reminders:
            definition = get_kind(reminder.kind)
            if definition is None or not definition.is_relevant(reminder):
                reminder.state = ReminderState.CANCELLED
                reminder.save(update_fields=["state", "updated_at"])
                continue
            item = _reminder_item(reminder, user)
            if item is not None:
                items.append(item)
            _after_sent(reminder, now)
        if not items or delivery_for(user_settings, DIGEST_KIND) == Delivery.OFF:
            return 0
        _send(
            user=user,
            kind=DIGEST_KIND,
            template="reminder_digest",
            context={"items": items, "local_date": local_date},
            idempotency_key=f"digest:{user.pk}:{local_date.isoformat()}",
        )
    return 1
