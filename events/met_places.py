"""The events a student may name on contacts' "People I met" page (contacts/met/places.py,
registered in EventsConfig.ready()): those they are going to, from a fortnight back to the
next day and a half, so the morning's copy of the page already offers the evening's event."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext

from contacts.met.places import MetPlaces, register
from contacts.models import Contact
from events.models import Event, EventStatus, MetAtEvent, RSVPStatus
from networking_app.accounts.models import User
from networking_app.core.cache import attendee, bump_version, person
from networking_app.notifications.services import user_zone

DAYS_BACK = 14
HOURS_AHEAD = 36
MAX_CHOICES = 20


def _going(student: User) -> QuerySet[Event]:
    return Event.objects.filter(
        status=EventStatus.PUBLISHED, rsvps__user=student, rsvps__status=RSVPStatus.GOING
    )


def _describe(title: str, starts_at: dt.datetime, zone) -> str:
    """As the event's own "log the people you met" writes it (events.services.met_people_log)."""
    day = formats.date_format(timezone.localtime(starts_at, zone))
    return f"{title}, {day}"[:300]


def met_event_choices(student: User) -> list[tuple[str, str]]:
    now = timezone.now()
    rows = (
        _going(student)
        .filter(
            ends_at__gt=now - dt.timedelta(days=DAYS_BACK),
            starts_at__lt=now + dt.timedelta(hours=HOURS_AHEAD),
        )
        .order_by("-starts_at", "-pk")
        .values_list("pk", "title", "starts_at")[:MAX_CHOICES]
    )
    zone = timezone.get_current_timezone()  # the student's, in their request
    return [(str(pk), _describe(title, starts_at, zone)) for pk, title, starts_at in rows]


def _event_of(student: User, value: str) -> Event:
    event = _going(student).filter(pk=int(value)).first() if value.isdigit() else None
    if event is None:
        raise ValidationError(
            {
                "event": gettext(
                    "That event is not one you are going to (or it was cancelled): choose "
                    "another, or none."
                )
            }
        )
    return event


def met_event_how_met(student: User, value: str) -> str:
    event = _event_of(student, value)
    return _describe(event.title, event.starts_at, user_zone(student))


def met_event_record(student: User, value: str, contact: Contact) -> None:
    MetAtEvent.objects.create(event=_event_of(student, value), contact=contact)
    # The home card stops asking to log the people met there.
    bump_version(person(student.pk), attendee(student.pk))


def register_met_places() -> None:
    register(
        MetPlaces(choices=met_event_choices, how_met=met_event_how_met, record=met_event_record)
    )
