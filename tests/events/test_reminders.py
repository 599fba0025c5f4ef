"""The day-before reminder of an event: scheduled for people going, at 9:00 the day before in
their own time zone, sent through the outbox, respecting their preferences, cancelled when
they cancel or the event is cancelled."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from events import services
from events.models import RSVP
from events.reminders import EVENT_TOMORROW
from networking_app.notifications import services as notify
from networking_app.notifications.models import OutgoingEmail, Reminder, ReminderState
from tests.events.factories import EventFactory
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox_backend(settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def tokyo_student(db):
    return StudentFactory(profile__time_zone="Asia/Tokyo")


@pytest.fixture
def soon(db):
    starts = (timezone.now() + dt.timedelta(days=5)).replace(microsecond=0)
    return EventFactory(
        title="Tech mixer", starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )


def test_going_schedules_the_reminder_the_morning_before_in_their_zone(soon, tokyo_student):
    services.rsvp_create(event=soon, user=tokyo_student)
    reminder = Reminder.objects.get(user=tokyo_student, kind=EVENT_TOMORROW)
    zone = zoneinfo.ZoneInfo("Asia/Tokyo")
    due = reminder.due_at.astimezone(zone)
    assert (due.hour, due.minute) == (9, 0)
    assert due.date() == soon.starts_at.astimezone(zone).date() - dt.timedelta(days=1)


def test_waitlisted_people_get_no_reminder_until_promoted(tokyo_student):
    event = EventFactory(capacity=1)
    first = StudentFactory()
    services.rsvp_create(event=event, user=first)
    services.rsvp_create(event=event, user=tokyo_student)
    assert not Reminder.objects.filter(user=tokyo_student).exists()
    services.rsvp_cancel(rsvp=RSVP.objects.get(user=first))
    assert Reminder.objects.get(user=tokyo_student).state == ReminderState.PENDING
    assert Reminder.objects.get(user=first).state == ReminderState.CANCELLED


def test_due_reminder_is_one_email_through_the_outbox(soon, tokyo_student, outbox_backend):
    services.rsvp_create(event=soon, user=tokyo_student)
    later = soon.starts_at - dt.timedelta(hours=1)
    assert notify.reminders_dispatch(now=later) == 1
    assert notify.reminders_dispatch(now=later) == 0
    row = OutgoingEmail.objects.get(kind=EVENT_TOMORROW)
    assert row.to == [tokyo_student.email]
    assert "Tech mixer" in row.subject
    assert f"/events/{soon.pk}/" in row.text


def test_preference_off_sends_nothing(soon, tokyo_student, outbox_backend):
    notify.settings_update(
        user=tokyo_student, digest_hour=8, delivery={EVENT_TOMORROW: "off"}, timing={}
    )
    services.rsvp_create(event=soon, user=tokyo_student)
    notify.reminders_dispatch(now=soon.starts_at - dt.timedelta(hours=1))
    assert not OutgoingEmail.objects.filter(kind=EVENT_TOMORROW).exists()


def test_cancelled_event_cancels_the_reminder(soon, tokyo_student, staff, outbox_backend):
    services.rsvp_create(event=soon, user=tokyo_student)
    services.event_cancel(event=soon, by=staff, reason="Venue flooded")
    assert Reminder.objects.get(user=tokyo_student).state == ReminderState.CANCELLED
    notify.reminders_dispatch(now=soon.starts_at - dt.timedelta(hours=1))
    assert not OutgoingEmail.objects.filter(kind=EVENT_TOMORROW).exists()
    assert OutgoingEmail.objects.filter(kind="event_cancelled", to=[tokyo_student.email]).exists()


def test_moved_event_moves_the_reminder(soon, tokyo_student, staff):
    services.rsvp_create(event=soon, user=tokyo_student)
    before = Reminder.objects.get(user=tokyo_student).due_at
    services.event_update(
        event=soon,
        by=staff,
        starts_at=soon.starts_at + dt.timedelta(days=2),
        ends_at=soon.ends_at + dt.timedelta(days=2),
    )
    assert Reminder.objects.get(user=tokyo_student).due_at == before + dt.timedelta(days=2)
