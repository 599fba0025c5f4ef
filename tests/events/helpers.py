"""Builders the events tests share (and the route table's world), and the calendar feeds'
readers: every calendar is parsed by vobject, independent of the icalendar library that
writes them."""

from __future__ import annotations

import datetime as dt

import vobject
from django.utils import timezone

from events.models import Audience, CalendarFeed, RSVPStatus
from tests.events.factories import EventFactory, RSVPFactory

VIDEO = "https://video.example.com/secret-room-4711"


def event_objects(student) -> dict:
    """URL parameters naming a public event under way that `student` is going to (so they may
    log who they met), an event for students only (not listed publicly: its .ics asks an
    anonymous visitor to sign in), and the student's personal calendar feed."""
    starts = timezone.now() - dt.timedelta(hours=1)
    event = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=3))
    rsvp = RSVPFactory(event=event, user=student, status=RSVPStatus.GOING)
    students_only = EventFactory(is_public=False, audience=Audience.STUDENTS)
    feed, _ = CalendarFeed.objects.get_or_create(user=student)
    return {
        "event_id": event.pk,
        "rsvp_id": rsvp.pk,
        "ics_event_id": students_only.pk,
        "feed_token": feed.token,
    }


def parse(body: bytes) -> dict[str, list]:
    """Every VEVENT of a calendar, parsed by vobject, by UID (a list: a UID must appear once)."""
    calendars = list(vobject.readComponents(body.decode("utf-8")))
    assert len(calendars) == 1
    by_uid: dict[str, list] = {}
    for vevent in calendars[0].contents.get("vevent", []):
        by_uid.setdefault(vevent.uid.value, []).append(vevent)
    return by_uid


def one(body: bytes, uid: str):
    entries = parse(body).get(uid, [])
    assert len(entries) == 1, f"{uid}: {len(entries)} entries"
    return entries[0]


def value(vevent, name: str, default=None):
    prop = getattr(vevent, name, None) if name in vevent.contents else None
    return prop.value if prop is not None else default


def alarm_triggers(vevent) -> list[dt.timedelta]:
    return [alarm.trigger.value for alarm in vevent.contents.get("valarm", [])]


def get_ics(client, url: str, **headers):
    response = client.get(url, **headers)
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/calendar")
    return response
