"""A volunteer's open times a week at a time (mentoring.selectors.directory.booking)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from mentoring.selectors.directory.booking import booking_week, monday_of
from mentoring.services.availability import Slot
from tests.factories import VolunteerFactory
from tests.mentoring.helpers import NOW, bookable_mentor

UTC = dt.UTC
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _slot(day: dt.date, hour: int) -> Slot:
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)
    return Slot(start, start + dt.timedelta(minutes=30))


TODAY = dt.date(2026, 3, 4)  # a Wednesday
SLOTS = [
    _slot(dt.date(2026, 3, 5), 14),
    _slot(dt.date(2026, 3, 12), 9),
    _slot(dt.date(2026, 3, 27), 23),
]


def test_without_a_week_the_first_open_times_week_is_shown():
    week = booking_week(SLOTS, zone=UTC, week=None, today=TODAY)
    assert week.monday == dt.date(2026, 3, 2)
    assert week.sunday == dt.date(2026, 3, 8)
    assert [d.date.weekday() for d in week.days] == list(range(7))
    assert [len(d.slots) for d in week.days] == [0, 0, 0, 1, 0, 0, 0]
    assert week.count == 1
    assert week.previous is None
    assert week.next == dt.date(2026, 3, 9)


def test_a_week_is_kept_between_this_week_and_the_last_open_time():
    assert booking_week(SLOTS, zone=UTC, week=dt.date(2020, 1, 1), today=TODAY).monday == (
        dt.date(2026, 3, 2)
    )
    last = booking_week(SLOTS, zone=UTC, week=dt.date(2027, 1, 1), today=TODAY)
    assert last.monday == dt.date(2026, 3, 23)
    assert last.next is None
    assert last.previous == dt.date(2026, 3, 16)
    empty = booking_week(SLOTS, zone=UTC, week=dt.date(2026, 3, 18), today=TODAY)
    assert empty.count == 0
    assert empty.previous is not None
    assert empty.next is not None


def test_times_fall_on_the_day_of_the_zone_shown():
    # 23:00 UTC on Friday 27 March is Saturday 08:00 in Tokyo.
    week = booking_week(SLOTS, zone=TOKYO, week=dt.date(2026, 3, 27), today=TODAY)
    [saturday] = [d for d in week.days if d.slots]
    assert saturday.date == dt.date(2026, 3, 28)
    assert saturday.slots[0].start.hour == 8
    assert saturday.slots[0].value == SLOTS[2].value


def test_no_open_time_gives_an_empty_week():
    week = booking_week([], zone=UTC, week=None, today=TODAY)
    assert week.monday == monday_of(TODAY)
    assert week.count == 0
    assert week.previous is None
    assert week.next is None


@pytest.mark.django_db
def test_the_page_pages_through_weeks_and_keeps_the_zone(student, student_client):
    student.profile.time_zone = "Asia/Tokyo"
    student.profile.save()
    with time_machine.travel(NOW, tick=False):
        mentor = bookable_mentor(VolunteerFactory(profile__time_zone="America/New_York"))
        url = reverse("mentoring:mentor", kwargs={"mentor_id": mentor.pk})
        first = student_client.get(url)
        week = first.context["week"]
        assert week.next is not None
        assert f'href="?week={week.next.isoformat()}#open-times"' in first.text
        later = student_client.get(url, {"week": week.next.isoformat(), "zone": "theirs"})
        assert later.context["week"].monday == week.next
        assert later.context["in_theirs"] is True
        assert "Show in your time zone" in later.text
        assert f"?week={later.context['week'].next.isoformat()}&amp;zone=theirs" in later.text
        # A week that is no date is the first week.
        assert student_client.get(url, {"week": "soon"}).context["week"].monday == week.monday
