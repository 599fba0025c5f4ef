"""Open slots of a volunteer: weekly windows and one-day overrides in the volunteer's time
zone, minus what is already booked, within minimum notice and booking window, and only in
months where the volunteer still has capacity (direct requests and rounds count alike)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from mentoring.models import (
    OPEN_REQUEST_STATUSES,
    AvailabilityOverride,
    AvailabilityWindow,
    FlashRequest,
    Mentor,
    OverrideKind,
    RequestStatus,
)

# Requests that hold a slot and count against the volunteer's monthly capacity.
HOLDING = [*OPEN_REQUEST_STATUSES, RequestStatus.ACCEPTED]


@dataclass(frozen=True, order=True)
class Slot:
    start_at: dt.datetime  # aware, UTC
    end_at: dt.datetime


def mentor_zone(mentor: Mentor) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(mentor.user.profile.time_zone)
    except Exception:
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def _aware(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """Wall-clock time in `zone`, or None if a daylight-saving change skips it."""
    naive = dt.datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return aware


def month_key(when: dt.datetime, zone: zoneinfo.ZoneInfo) -> tuple[int, int]:
    local = when.astimezone(zone)
    return local.year, local.month


def booked_per_month(mentor: Mentor, zone: zoneinfo.ZoneInfo) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for start_at in FlashRequest.objects.filter(
        volunteer_id=mentor.user_id, status__in=HOLDING
    ).values_list("start_at", flat=True):
        counts[month_key(start_at, zone)] += 1
    return counts


def _busy(mentor: Mentor, start: dt.datetime, end: dt.datetime) -> list[tuple]:
    buffer = dt.timedelta(minutes=mentor.buffer_minutes)
    rows = FlashRequest.objects.filter(
        volunteer_id=mentor.user_id,
        status__in=HOLDING,
        start_at__lt=end + buffer,
        end_at__gt=start - buffer,
    ).values_list("start_at", "end_at")
    return [(s - buffer, e + buffer) for s, e in rows]


def open_slots(
    mentor: Mentor,
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    until: dt.datetime | None = None,
) -> list[Slot]:
    """Every bookable slot from now + minimum notice to the end of the booking window."""
    now = now or timezone.now()
    zone = mentor_zone(mentor)
    earliest = now + dt.timedelta(hours=mentor.min_notice_hours)
    latest = now + dt.timedelta(days=mentor.booking_window_days)
    if until is not None:
        latest = min(latest, until)
    if earliest >= latest:
        return []
    windows: dict[int, list[AvailabilityWindow]] = defaultdict(list)
    for window in mentor.windows.all():
        windows[window.weekday].append(window)
    overrides: dict[dt.date, list[AvailabilityOverride]] = defaultdict(list)
    for override in mentor.overrides.filter(
        date__gte=earliest.astimezone(zone).date(), date__lte=latest.astimezone(zone).date()
    ):
        overrides[override.date].append(override)
    busy = _busy(mentor, earliest, latest)
    booked = booked_per_month(mentor, zone)
    length = dt.timedelta(minutes=mentor.slot_minutes)
    step = length + dt.timedelta(minutes=mentor.buffer_minutes)

    slots: list[Slot] = []
    day = earliest.astimezone(zone).date()
    last_day = latest.astimezone(zone).date()
    while day <= last_day:
        if mentor.on_leave_until and day <= mentor.on_leave_until:
            day += dt.timedelta(days=1)
            continue
        todays = overrides.get(day, [])
        if any(o.kind == OverrideKind.BLACKOUT for o in todays):
            spans = []
        elif todays:
            spans = [(o.start_time, o.end_time) for o in todays if o.start_time and o.end_time]
        else:
            spans = [(w.start_time, w.end_time) for w in windows.get(day.weekday(), [])]
        for start_time, end_time in spans:
            start = _aware(day, start_time, zone)
            stop = _aware(day, end_time, zone)
            if start is None or stop is None:
                continue
            t = start
            while t + length <= stop:
                slot_end = t + length
                in_range = earliest <= t and slot_end <= latest + length
                has_capacity = booked.get(month_key(t, zone), 0) < mentor.monthly_capacity
                free = not any(b_start < slot_end and t < b_end for b_start, b_end in busy)
                if in_range and has_capacity and free:
                    slots.append(Slot(t.astimezone(dt.UTC), slot_end.astimezone(dt.UTC)))
                    if limit is not None and len(slots) >= limit:
                        return sorted(set(slots))
                t += step
        day += dt.timedelta(days=1)
    return sorted(set(slots))


def slot_is_open(mentor: Mentor, start_at: dt.datetime, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    horizon = start_at + dt.timedelta(minutes=mentor.slot_minutes)
    return any(s.start_at == start_at for s in open_slots(mentor, now=now, until=horizon))


def has_open_slots_filter(now: dt.datetime) -> Q:
    """A cheap pre-filter for the directory: bookable mentors with at least one weekly window.
    The exact slots are computed per mentor on their page."""
    return Q(is_bookable=True, windows__isnull=False)
