"""The events app's reminder kind ("your event is tomorrow"), registered with
networking_app.notifications at start-up (EventsConfig.ready), and `sync_rsvp`, which
events.services calls after every change of an RSVP or of its event."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import RSVP, Event, EventStatus, RSVPStatus
from networking_app.core.emails import format_when
from networking_app.notifications import services as notify
from networking_app.notifications.kinds import ReminderKind, register
from networking_app.notifications.models import Reminder

MORNING = 9  # "the day before" is 9:00 in each person's own time zone
EVENT_TOMORROW = "event_tomorrow"
ROLES = ("student", "volunteer")

SUBJECT = "_prefetched_event"


def subject_key(event: Event) -> str:
    return f"event:{event.pk}"


def _id(reminder: Reminder) -> int:
    return int(reminder.subject_key.split(":")[1])


def _prefetch(reminders: list[Reminder]) -> None:
    """Two queries load the events of many reminders and whether each person is still going."""
    ids = {_id(r) for r in reminders}
    events = {e.pk: e for e in Event.objects.filter(pk__in=ids)}
    going = set(
        RSVP.objects.filter(
            event_id__in=ids,
            user_id__in={r.user_id for r in reminders},
            status=RSVPStatus.GOING,
        ).values_list("event_id", "user_id")
    )
    for reminder in reminders:
        event = events.get(_id(reminder))
        vars(reminder)[SUBJECT] = (event, (_id(reminder), reminder.user_id) in going)


def _event(reminder: Reminder) -> tuple[Event | None, bool]:
    if SUBJECT in vars(reminder):
        return vars(reminder)[SUBJECT]
    event = Event.objects.filter(pk=_id(reminder)).first()
    going = RSVP.objects.filter(
        event_id=_id(reminder), user_id=reminder.user_id, status=RSVPStatus.GOING
    ).exists()
    return event, going


def _relevant(reminder: Reminder) -> bool:
    event, going = _event(reminder)
    return (
        event is not None
        and going
        and event.status == EventStatus.PUBLISHED
        and event.starts_at > timezone.now()
    )


def _render(reminder: Reminder) -> dict:
    event, _ = _event(reminder)
    zone = notify.user_zone(reminder.user)
    local = timezone.localtime(event.starts_at, zone)
    same_day = local.date() == timezone.localdate(None, zone)
    where = event.place or (
        gettext("online (the link is on the event page)") if event.video_url else ""
    )
    values = {"title": event.title, "when": format_when(event.starts_at, zone), "where": where}
    lines = [
        gettext("%(title)s is on %(when)s, %(where)s.") % values
        if where
        else gettext("%(title)s is on %(when)s.") % values,
        gettext(
            "Dress appropriately, be on time, and bring a few questions. Afterwards, log the "
            "people you met so you can follow up."
        ),
        gettext(
            "If you can no longer go, cancel your RSVP so someone on the waitlist gets your seat."
        ),
    ]
    title = gettext("Today: %(title)s") if same_day else gettext("Tomorrow: %(title)s")
    return {
        "title": title % {"title": event.title},
        "lines": lines,
        "url": reverse("events:detail", kwargs={"event_id": event.pk}),
        "action": gettext("Open the event"),
    }


def register_kinds() -> None:
    register(
        ReminderKind(
            name=EVENT_TOMORROW,
            label=_("Event tomorrow"),
            description=_("The day before an event you are going to."),
            render=_render,
            is_relevant=_relevant,
            prefetch=_prefetch,
            roles=ROLES,
        )
    )


def _due(event: Event, user) -> dt.datetime:
    zone = notify.user_zone(user)
    local_day = timezone.localtime(event.starts_at, zone).date()
    due = notify.local_time_on(local_day - dt.timedelta(days=1), MORNING, zone)
    # RSVP'd at short notice: remind now rather than never, never after the start.
    return min(max(due, timezone.now()), event.starts_at)


def sync_rsvp(rsvp: RSVP, *, event: Event) -> None:
    """Schedule or cancel the person's reminder for the RSVP's and the event's current state."""
    key = subject_key(event)
    upcoming = (
        rsvp.status == RSVPStatus.GOING
        and event.status == EventStatus.PUBLISHED
        and event.starts_at > timezone.now()
    )
    if upcoming:
        notify.reminder_schedule(
            user=rsvp.user, kind=EVENT_TOMORROW, subject_key=key, due_at=_due(event, rsvp.user)
        )
    elif rsvp.status != RSVPStatus.GOING or event.status == EventStatus.CANCELLED:
        notify.reminder_cancel(user=rsvp.user, kind=EVENT_TOMORROW, subject_key=key)
