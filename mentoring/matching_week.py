"""People's weeks as the matcher counts them (mentoring/matching.py): hours of the week in UTC
(0 is Monday 00:00-01:00 UTC, 167 is Sunday 23:00-24:00), each person's availability converted
with their own time zone for a given week; and industries as the matcher compares them."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable, Sequence

HOURS_PER_WEEK = 7 * 24


def normalise_industry(text: str) -> str:
    return " ".join(text.casefold().split())


def parse_industries(text: str) -> frozenset[str]:
    """A comma-separated list as typed by a student ("Fintech, climate tech")."""
    return frozenset(n for n in (normalise_industry(part) for part in text.split(",")) if n)


def _week_monday(reference: dt.date) -> dt.date:
    return reference - dt.timedelta(days=reference.weekday())


def _utc_minutes(day: dt.date, minutes: int, zone: zoneinfo.ZoneInfo, monday: dt.date) -> int:
    """Minutes from `monday` 00:00 UTC to `day` + `minutes` wall-clock time in `zone`."""
    local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    utc = local.replace(tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)
    return int((utc - dt.datetime.combine(monday, dt.time())).total_seconds() // 60)


def local_spans_to_utc_hours(
    spans: Iterable[tuple[int, int, int]], *, zone: zoneinfo.ZoneInfo, reference: dt.date
) -> frozenset[int]:
    """Weekly spans (weekday 0 = Monday, start minute, end minute of the day) in `zone`, as
    the UTC hours of the week they cover entirely. Offsets are those of the week of
    `reference` (the round's first day), so daylight saving time is the one in force then."""
    monday = _week_monday(reference)
    hours: set[int] = set()
    for weekday, start_minute, end_minute in spans:
        if not 0 <= weekday <= 6 or end_minute <= start_minute:
            continue
        day = monday + dt.timedelta(days=weekday)
        start = _utc_minutes(day, start_minute, zone, monday)
        end = _utc_minutes(day, end_minute, zone, monday)
        for hour in range(math.ceil(start / 60), end // 60):
            hours.add(hour % HOURS_PER_WEEK)
    return frozenset(hours)


def blocks_to_utc_hours(
    blocks: Iterable[Sequence[int]], *, zone: zoneinfo.ZoneInfo, reference: dt.date
) -> frozenset[int]:
    """A student's stored blocks [[weekday, start_hour, end_hour]] as UTC hours of the week."""
    spans = []
    for block in blocks:
        try:
            weekday, start_hour, end_hour = (int(x) for x in block)
        except (TypeError, ValueError):
            continue
        spans.append((weekday, start_hour * 60, end_hour * 60))
    return local_spans_to_utc_hours(spans, zone=zone, reference=reference)


def windows_to_utc_hours(
    windows: Iterable[tuple[int, dt.time, dt.time]],
    *,
    zone: zoneinfo.ZoneInfo,
    reference: dt.date,
) -> frozenset[int]:
    """A volunteer's weekly windows (weekday, start time, end time) as UTC hours of the week."""
    spans = [
        (weekday, start.hour * 60 + start.minute, end.hour * 60 + end.minute)
        for weekday, start, end in windows
    ]
    return local_spans_to_utc_hours(spans, zone=zone, reference=reference)
