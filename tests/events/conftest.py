from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import CalendarFeed
from tests.events.factories import EventFactory


@pytest.fixture
def event(db):
    return EventFactory(title="Alumni networking night", capacity=2)


@pytest.fixture
def past_event(db):
    starts = timezone.now() - dt.timedelta(days=2)
    return EventFactory(
        title="Fall career fair", starts_at=starts, ends_at=starts + dt.timedelta(hours=3)
    )


@pytest.fixture
def feed_url(student_client, student):
    student_client.post(reverse("events:feed_create"))
    feed = CalendarFeed.objects.get(user=student)
    return reverse("events:feed_personal", kwargs={"feed_token": feed.token})
