"""Builders the events tests share (and the route table's world)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from events.models import Audience, CalendarFeed, RSVPStatus
from tests.events.factories import EventFactory, RSVPFactory


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
