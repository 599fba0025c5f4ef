"""The feeds cost the same number of queries whatever they carry (tests/querycount.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import ChangeKind, ConversationChange, ConversationStatus, MeetingMode
from events.models import CalendarFeed, EventHost, HostRole, RSVPStatus
from mentoring.models import FlashRequest, RequestStatus, Session, SessionStatus
from tests.contacts.factories import ConversationFactory
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import VolunteerFactory
from tests.querycount import assert_num_queries, assert_queries_stable

pytestmark = pytest.mark.django_db


def _session(student, volunteer, start, status=SessionStatus.SCHEDULED) -> Session:
    request = FlashRequest.objects.create(
        student=student,
        volunteer=volunteer,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        message="Hello",
        status=RequestStatus.ACCEPTED,
        expires_at=start,
    )
    return Session.objects.create(
        request=request,
        student=student,
        volunteer=volunteer,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        status=status,
    )


def test_personal_feed_query_count_is_constant(client, student):
    feed = CalendarFeed.objects.create(user=student)
    url = reverse("events:feed_personal", kwargs={"feed_token": feed.token})
    soon = timezone.now() + dt.timedelta(days=2)

    def add_rows(n: int) -> None:
        for i in range(n):
            start = soon + dt.timedelta(hours=i)
            RSVPFactory(
                event=EventFactory(time_zone=["UTC", "Europe/Paris"][i % 2]),
                user=student,
                status=RSVPStatus.GOING,
            )
            EventHost.objects.create(event=EventFactory(), user=student, role=HostRole.HOST)
            _session(
                student,
                VolunteerFactory(),
                start,
                status=[SessionStatus.SCHEDULED, SessionStatus.CANCELLED][i % 2],
            )
            conversation = ConversationFactory(
                owner=student,
                status=ConversationStatus.SCHEDULED,
                scheduled_at=start,
                mode=MeetingMode.VIDEO,
            )
            ConversationChange.objects.create(
                conversation=conversation,
                kind=ChangeKind.RESCHEDULED,
                asked_by="me",
                previous_at=start - dt.timedelta(days=1),
                new_at=start,
            )
            if i % 2:
                cancelled = ConversationFactory(owner=student, status=ConversationStatus.REQUESTED)
                ConversationChange.objects.create(
                    conversation=cancelled,
                    kind=ChangeKind.CANCELLED,
                    asked_by="them",
                    previous_at=start,
                )

    count = assert_queries_stable(lambda: client.get(url), add_rows)
    assert count == 5  # feed and owner, RSVPs, hosted events, sessions, conversations


def test_public_feed_query_count_is_constant(client):
    url = reverse("events:feed_public")

    def add_rows(n: int) -> None:
        for i in range(n):
            EventFactory(time_zone=["UTC", "America/Chicago"][i % 2])

    count = assert_queries_stable(lambda: client.get(url), add_rows)
    assert count == 1


def test_event_ics_query_count(client):
    event = EventFactory()
    url = reverse("events:event_ics", kwargs={"ics_event_id": event.pk})
    client.get(url)
    with assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
