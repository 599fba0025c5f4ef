"""Open slots of a volunteer: weekly windows and one-day overrides in the volunteer's time
zone, minus what is already booked, within minimum notice and booking window, and only in
months where the volunteer still has capacity (direct requests and rounds count alike)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
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
# Every request of a calendar month that the booking range touches must be loaded to count the
# month's capacity: a month starts at most 31 days before, and ends at most 31 days after.
MONTH_MARGIN = dt.timedelta(days=32)


def slot_value(start_at: dt.datetime) -> str:
    """A slot's start as forms and links carry it (mentoring.forms.requests.parse_start reads
    it back): ISO 8601 in UTC, to the second."""
    return start_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, order=True)
class Slot:
    start_at: dt.datetime  # aware, UTC
    end_at: dt.datetime

    @property
    def value(self) -> str:
        return slot_value(self.start_at)


class WindowRow(NamedTuple):
    """A weekly window as slots_from reads it, from a row rather than a model instance (the
    directory's cards: building twenty AvailabilityWindow instances cost more than the
    query that read them)."""

    weekday: int
    start_time: dt.time
    end_time: dt.time


class OverrideRow(NamedTuple):
    """A one-day change as slots_from reads it (see WindowRow)."""

    date: dt.date
    kind: str
    start_time: dt.time | None
    end_time: dt.time | None


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """A stored time zone's name as a zone; the default zone for an empty or unknown one."""
    try:
        return zoneinfo.ZoneInfo(name or settings.DEFAULT_USER_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def mentor_zone(mentor: Mentor) -> zoneinfo.ZoneInfo:
    return zone_named(mentor.user.profile.time_zone)


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


def _bounds(
    mentor: Mentor,
    now: dt.datetime,
    until: dt.datetime | None,
    since: dt.datetime | None = None,
) -> tuple[dt.datetime, dt.datetime]:
    earliest = now + dt.timedelta(hours=mentor.min_notice_hours)
    latest = now + dt.timedelta(days=mentor.booking_window_days)
    if until is not None:
        latest = min(latest, until)
    if since is not None:
        earliest = max(earliest, since)
    return earliest, latest


def period_bounds(
    first_day: dt.date, last_day: dt.date, zone: zoneinfo.ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """From midnight starting `first_day` to midnight ending `last_day`, in `zone`."""
    start = dt.datetime.combine(first_day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


def _holding_requests(volunteer_ids: Iterable[int], earliest, latest):
    """(volunteer id, start, end) of every request holding a slot in the months concerned."""
    return FlashRequest.objects.filter(
        volunteer_id__in=list(volunteer_ids),
        status__in=HOLDING,
        start_at__gte=earliest - MONTH_MARGIN,
        start_at__lt=latest + MONTH_MARGIN,
    ).values_list("volunteer_id", "start_at", "end_at")


def slots_from(
    mentor: Mentor,
    *,
    zone: zoneinfo.ZoneInfo,
    windows: Sequence[AvailabilityWindow | WindowRow],
    overrides: Sequence[AvailabilityOverride | OverrideRow],
    holding: Sequence[tuple[dt.datetime, dt.datetime]],
    now: dt.datetime,
    limit: int | None = None,
    until: dt.datetime | None = None,
    since: dt.datetime | None = None,
) -> list[Slot]:
    """The open slots computed from rows already loaded: `holding` must hold every request
    of the months the booking range touches (see `_holding_requests`). No query. `since` and
    `until` narrow the range to slots starting in [since, until)."""
    earliest, latest = _bounds(mentor, now, until, since)
    if earliest >= latest:
        return []
    by_weekday: dict[int, list[AvailabilityWindow | WindowRow]] = defaultdict(list)
    for window in sorted(windows, key=lambda w: (w.weekday, w.start_time)):
        by_weekday[window.weekday].append(window)
    by_date: dict[dt.date, list[AvailabilityOverride | OverrideRow]] = defaultdict(list)
    for override in sorted(overrides, key=lambda o: (o.date, o.start_time or dt.time.min)):
        by_date[override.date].append(override)
    booked: dict[tuple[int, int], int] = defaultdict(int)
    for start_at, _ in holding:
        booked[month_key(start_at, zone)] += 1
    buffer = dt.timedelta(minutes=mentor.buffer_minutes)
    busy = [(s - buffer, e + buffer) for s, e in holding]
    length = dt.timedelta(minutes=mentor.slot_minutes)
    step = length + buffer

    slots: set[Slot] = set()
    day = earliest.astimezone(zone).date()
    last_day = latest.astimezone(zone).date()
    while day <= last_day:
        if mentor.on_leave_until and day <= mentor.on_leave_until:
            day += dt.timedelta(days=1)
            continue
        todays = by_date.get(day, [])
        if any(o.kind == OverrideKind.BLACKOUT for o in todays):
            spans = []
        elif todays:
            spans = [(o.start_time, o.end_time) for o in todays if o.start_time and o.end_time]
        else:
            spans = [(w.start_time, w.end_time) for w in by_weekday.get(day.weekday(), [])]
        day_slots: list[Slot] = []
        for start_time, end_time in spans:
            start = _aware(day, start_time, zone)
            stop = _aware(day, end_time, zone)
            if start is None or stop is None:
                continue
            # Step in UTC: adding minutes to a zone-aware datetime is wall-clock arithmetic,
            # which gives overlapping or missing slots when a window spans a DST change.
            t, stop = start.astimezone(dt.UTC), stop.astimezone(dt.UTC)
            while t + length <= stop:
                slot_end = t + length
                in_range = earliest <= t and slot_end <= latest + length
                if until is not None and t >= until:
                    in_range = False
                has_capacity = booked.get(month_key(t, zone), 0) < mentor.monthly_capacity
                free = not any(b_start < slot_end and t < b_end for b_start, b_end in busy)
                if in_range and has_capacity and free:
                    day_slots.append(Slot(t, slot_end))
                t += step
        slots.update(day_slots)
        # Days are visited in order, so once a day brings the count to the limit, no later
        # day can hold an earlier slot.
        if limit is not None and len(slots) >= limit:
            return sorted(slots)[:limit]
        day += dt.timedelta(days=1)
    return sorted(slots)


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
    earliest, latest = _bounds(mentor, now, until)
    if earliest >= latest:
        return []
    overrides = mentor.overrides.filter(
        date__gte=earliest.astimezone(zone).date(), date__lte=latest.astimezone(zone).date()
    )
    holding = [(s, e) for _, s, e in _holding_requests([mentor.user_id], earliest, latest)]
    return slots_from(
        mentor,
        zone=zone,
        windows=list(mentor.windows.all()),
        overrides=list(overrides),
        holding=holding,
        now=now,
        limit=limit,
        until=until,
    )


def open_slots_for_mentors(
    mentors: Sequence[Mentor],
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> dict[int, list[Slot]]:
    """open_slots of many mentors in three queries whatever their number (a directory page).
    With `period` (first day, last day), only the slots starting on those days in each
    mentor's own time zone.

    Mentors should come with `select_related("user__profile")`; their windows are read with
    one query unless already prefetched."""
    now = now or timezone.now()
    if not mentors:
        return {}
    ranges = {
        m.pk: period_bounds(*period, mentor_zone(m)) if period else (None, None) for m in mentors
    }
    bounds = {m.pk: _bounds(m, now, ranges[m.pk][1], ranges[m.pk][0]) for m in mentors}
    earliest = min(b[0] for b in bounds.values())
    latest = max(b[1] for b in bounds.values())
    ids = [m.pk for m in mentors]
    windows: dict[int, list[AvailabilityWindow]] = defaultdict(list)
    for window in AvailabilityWindow.objects.filter(mentor_id__in=ids):
        windows[window.mentor_id].append(window)
    overrides: dict[int, list[AvailabilityOverride]] = defaultdict(list)
    # A day's margin on each side: the mentors' zones differ from UTC by less than that.
    for override in AvailabilityOverride.objects.filter(
        mentor_id__in=ids,
        date__gte=earliest.date() - dt.timedelta(days=1),
        date__lte=latest.date() + dt.timedelta(days=1),
    ):
        overrides[override.mentor_id].append(override)
    holding: dict[int, list[tuple]] = defaultdict(list)
    for volunteer_id, start_at, end_at in _holding_requests(
        [m.user_id for m in mentors], earliest, latest
    ):
        holding[volunteer_id].append((start_at, end_at))
    return {
        m.pk: slots_from(
            m,
            zone=mentor_zone(m),
            windows=windows[m.pk],
            overrides=overrides[m.pk],
            holding=holding[m.user_id],
            now=now,
            limit=limit,
            since=ranges[m.pk][0],
            until=ranges[m.pk][1],
        )
        for m in mentors
    }


def bookable_in_period(
    mentors: Sequence[Mentor], *, first_day: dt.date, last_day: dt.date, now: dt.datetime
) -> set[int]:
    """Ids of the mentors a student could book right now for a conversation on one of the days
    from `first_day` to `last_day` (in the mentor's time zone): bookable, and their windows,
    one-day changes, notice, booking window and monthly capacity leave at least one slot
    there. Four queries whatever the number of mentors (a match round's thousands)."""
    candidates = [m for m in mentors if m.is_bookable and m.user.is_active]
    slots = open_slots_for_mentors(candidates, now=now, limit=1, period=(first_day, last_day))
    return {mentor_id for mentor_id, found in slots.items() if found}


def slot_is_open(mentor: Mentor, start_at: dt.datetime, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    horizon = start_at + dt.timedelta(minutes=mentor.slot_minutes)
    return any(s.start_at == start_at for s in open_slots(mentor, now=now, until=horizon))


def has_open_slots_filter(now: dt.datetime) -> Q:
    """A cheap pre-filter for the directory: bookable mentors with at least one weekly window
    or a one-day window still to come. The exact slots are computed per mentor afterwards."""
    weekly = AvailabilityWindow.objects.filter(mentor=OuterRef("pk"))
    one_day = AvailabilityOverride.objects.filter(
        mentor=OuterRef("pk"),
        kind=OverrideKind.WINDOW,
        date__gte=now.date() - dt.timedelta(days=1),
    )
    return Q(is_bookable=True) & (Q(Exists(weekly)) | Q(Exists(one_day)))
