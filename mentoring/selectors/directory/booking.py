"""A volunteer's open times as a booking page shows them: one week at a time, Monday to
Sunday, in the time zone the student chose (theirs or the volunteer's)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from mentoring.services.availability import Slot


@dataclass(frozen=True)
class DaySlot:
    start: dt.datetime  # in the page's zone
    end: dt.datetime
    value: str  # the request form's value for this time (Slot.value)


@dataclass
class WeekDay:
    date: dt.date
    slots: list[DaySlot] = field(default_factory=list)


@dataclass(frozen=True)
class BookingWeek:
    monday: dt.date
    days: list[WeekDay]
    previous: dt.date | None  # the Monday of the week before, if it can hold open times
    next: dt.date | None
    count: int  # open times this week

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def booking_week(
    slots: list[Slot], *, zone: zoneinfo.ZoneInfo, week: dt.date | None, today: dt.date
) -> BookingWeek:
    """The week of `week` (any day of it), kept between this week and the week of the last
    open time; without `week`, the week of the first open time."""
    local = [
        DaySlot(s.start_at.astimezone(zone), s.end_at.astimezone(zone), s.value) for s in slots
    ]
    first = monday_of(today)
    last = monday_of(local[-1].start.date()) if local else first
    if week is None:
        monday = monday_of(local[0].start.date()) if local else first
    else:
        monday = min(max(monday_of(week), first), last)
    days = [WeekDay(monday + dt.timedelta(days=i)) for i in range(7)]
    for slot in local:
        offset = (slot.start.date() - monday).days
        if 0 <= offset < 7:
            days[offset].slots.append(slot)
    return BookingWeek(
        monday=monday,
        days=days,
        previous=monday - dt.timedelta(days=7) if monday > first else None,
        next=monday + dt.timedelta(days=7) if monday < last else None,
        count=sum(len(d.slots) for d in days),
    )
