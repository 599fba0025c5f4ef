"""The events card on every home page (templates/events/_upcoming_events.html#card, fed by
events.home_card.home_events_card_html):
its markup, escaping, time zone and what each role sees."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from events.home_card import home_events_card_html
from events.models import EventKind, RSVPStatus
from networking_app.accounts.models import User
from tests.events.factories import EventFactory, RSVPFactory
from tests.querycount import assert_num_queries

pytestmark = pytest.mark.django_db


def _card(user, zone: str = "UTC") -> str:
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        return home_events_card_html(user)


def _detail(event) -> str:
    return reverse("events:detail", kwargs={"event_id": event.pk})


def _when(event, zone: str = "America/New_York") -> str:
    """`|date:"D j M"`, `|time:"g:i A"` in the zone, written out by hand."""
    local = event.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
    clock = f"{local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"
    return f"{local:%a} {local.day} {local:%b}, {clock}"


def _tomorrow(hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def test_student_card_lists_events_with_rsvps_and_asks_to_log_people_met(student):
    going = EventFactory(
        title="Finance night", kind=EventKind.ALUMNI_PANEL, starts_at=_tomorrow(14, 5)
    )
    waiting = EventFactory(title="Tech fair", kind=EventKind.CAREER_FAIR, starts_at=_tomorrow(16))
    other = EventFactory(title="Résumé clinic", kind=EventKind.WORKSHOP, starts_at=_tomorrow(18))
    RSVPFactory(event=going, user=student, status=RSVPStatus.GOING)
    RSVPFactory(event=waiting, user=student, status=RSVPStatus.WAITLISTED)
    ended = timezone.now() - dt.timedelta(hours=2)
    past = EventFactory(
        title="Spring mixer", starts_at=ended - dt.timedelta(hours=2), ends_at=ended
    )
    RSVPFactory(event=past, user=student)

    user = User.objects.get(pk=student.pk)
    # One UNION on PostgreSQL; SQLite (a run without services) cannot slice inside a UNION,
    # so it reads the two lists apart, and the class year with a query of its own.
    with assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        card = _card(user, "America/New_York")
    met = reverse("events:met", kwargs={"event_id": past.pk})
    assert card == (
        '<section class="card" id="upcoming-events" aria-labelledby="upcoming-events-heading">\n'
        '  <h2 id="upcoming-events-heading">Upcoming events</h2>\n'
        f'  <p class="ev-log-prompt">You went to <a href="{_detail(past)}">Spring mixer</a>: '
        f'<a href="{met}">log the people you met</a>.</p>\n'
        '  <ul class="ev-upcoming">\n'
        f'    <li><a href="{_detail(going)}">Finance night</a> <span class="muted">{_when(going)}'
        " · Alumni panel</span>"
        ' <span class="badge badge-success">Going</span></li>\n'
        f'    <li><a href="{_detail(waiting)}">Tech fair</a> <span class="muted">{_when(waiting)}'
        ' · Career fair</span> <span class="badge">Waitlist</span></li>\n'
        f'    <li><a href="{_detail(other)}">Résumé clinic</a> <span class="muted">{_when(other)}'
        " · Workshop</span></li>\n"
        "  </ul>\n"
        f'  <p><a href="{reverse("events:agenda")}">All events</a></p>\n'
        "</section>"
    )


def test_staff_card_links_to_a_new_event_and_says_when_nothing_is_coming(staff, volunteer):
    card = _card(staff)
    assert '<p class="muted">No events coming up for you right now.</p>' in card
    assert f' · <a href="{reverse("events:create")}">New event</a></p>' in card
    assert "New event" not in _card(volunteer)
    assert "ev-log-prompt" not in _card(volunteer)


def test_card_escapes_titles(student):
    EventFactory(title='<img src=x onerror="alert(1)">', starts_at=_tomorrow(15))
    past = EventFactory(
        title="<b>Past</b>",
        starts_at=timezone.now() - dt.timedelta(hours=4),
        ends_at=timezone.now() - dt.timedelta(hours=2),
    )
    RSVPFactory(event=past, user=student)
    card = _card(student)
    assert "<img" not in card
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in card
    assert "&lt;b&gt;Past&lt;/b&gt;" in card
