"""The demo events: a mix of kinds, a past one, a full one with a waitlist, the student going."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import RSVP, Event, EventStatus, RSVPStatus
from events.selectors.calendar import events_to_log_for, upcoming_events_for
from networking_app.accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_events(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    now = timezone.now()
    events = Event.objects.all()
    assert events.count() == 8
    assert len({e.kind for e in events}) >= 6
    assert events.filter(ends_at__lt=now).count() == 1
    assert events.filter(status=EventStatus.DRAFT).count() == 1
    full = Event.objects.get(title="Alumni panel: careers in finance")
    assert RSVP.objects.filter(event=full, status=RSVPStatus.GOING).count() == full.capacity
    assert RSVP.objects.filter(event=full, status=RSVPStatus.WAITLISTED).count() == 2
    student = User.objects.get(email="student@example.edu")
    upcoming = upcoming_events_for(user=student)
    assert sum(e.my_status == RSVPStatus.GOING for e in upcoming) >= 2
    assert [e.title for e in events_to_log_for(user=student)] == ["Fall networking night"]
