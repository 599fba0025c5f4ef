"""Calendar files (iCalendar, RFC 5545 and iTIP, RFC 5546): the one place that writes them.

Each app says what goes into a file in plain values: `CalendarItem` (one VEVENT), with its
`Person`s and `Attendee`s and an `Alarm`; events maps its events (`events/ics.py`), mentoring
its sessions (`mentoring/ics.py`), contacts a student's conversations (`contacts/ics.py`).
`calendar_file` writes the bytes: the VCALENDAR header, the items, and a VTIMEZONE for every
zone an item is written in. The same values always give the same bytes (properties are
written in icalendar's canonical order, not the order they were added).
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
import enum
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache

import icalendar
from django.conf import settings
from django.utils import timezone

# Subscribed calendars remind people of a meeting (a session, a conversation) this long before.
MEETING_ALARM = dt.timedelta(hours=-1)


class Method(enum.StrEnum):
    """What a file asks of the calendar that reads it (iTIP)."""

    PUBLISH = "PUBLISH"  # a feed or a download: nothing to answer
    REQUEST = "REQUEST"  # an invitation: add or update the item
    CANCEL = "CANCEL"  # remove the item


class Status(enum.StrEnum):
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class Attendee(Person):
    # A participant who has already accepted: calendars ask them for no reply.
    accepted: bool = False


@dataclass(frozen=True)
class Alarm:
    """A display reminder at `trigger` from the start (negative: before)."""

    trigger: dt.timedelta
    text: str


@dataclass(frozen=True)
class CalendarItem:
    """One VEVENT. An item keeps one `uid` for its whole life and its `sequence` rises with
    every change, so a calendar replaces its copy instead of adding a second one.

    `time_zone`: write the times in this zone (DTSTART;TZID=...) when a VTIMEZONE can describe
    it (see `writable_zone`), else, and without one, in UTC."""

    uid: str
    start: dt.datetime
    end: dt.datetime
    summary: str
    stamp: dt.datetime  # DTSTAMP
    sequence: int | None = None
    last_modified: dt.datetime | None = None
    time_zone: str = ""
    description: str = ""
    location: str = ""
    url: str = ""
    video_url: str = ""  # CONFERENCE
    categories: tuple[str, ...] = ()
    status: Status = Status.CONFIRMED
    organizer: Person | None = None
    attendees: tuple[Attendee, ...] = ()
    alarm: Alarm | None = None


def site_organizer() -> Person:
    """Rapport itself (DEFAULT_FROM_EMAIL), the organizer of the invitations it sends: neither
    participant's calendar treats the item as one they own and must send out themselves."""
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Person(email=email, name=name or "Rapport")


def calendar_file(
    items: Iterable[CalendarItem],
    *,
    prodid: str,
    method: Method | None = None,
    name: str = "",
    description: str = "",
    refresh: dt.timedelta | None = None,
) -> bytes:
    """A VCALENDAR of `items`, with a VTIMEZONE for each zone they are written in. `name` and
    `description` are the calendar's (NAME, X-WR-CALNAME, X-WR-CALDESC); `refresh` is how often
    a subscribed calendar should fetch it again (REFRESH-INTERVAL, X-PUBLISHED-TTL)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", str(method))
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
    if description:
        calendar.add("x-wr-caldesc", description)
    if refresh:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(refresh))
    vevents = [_vevent(item) for item in items]
    for zone_name in sorted({_tzid(vevent) for vevent in vevents} - {None}):
        calendar.add_component(vtimezone(zone_name))
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar.to_ical()


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _address(person: Person) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = icalendar.vText(person.name)
    if isinstance(person, Attendee) and person.accepted:
        address.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
        address.params["PARTSTAT"] = icalendar.vText("ACCEPTED")
        address.params["RSVP"] = icalendar.vText("FALSE")
    return address


def _vevent(item: CalendarItem) -> icalendar.Event:
    zone = writable_zone(item.time_zone)
    if any(_second_occurrence(moment, zone) for moment in (item.start, item.end)):
        zone = dt.UTC
    vevent = icalendar.Event()
    vevent.add("uid", item.uid)
    if item.sequence is not None:
        vevent.add("sequence", item.sequence)
    vevent.add("dtstamp", _utc(item.stamp))
    if item.last_modified is not None:
        vevent.add("last-modified", _utc(item.last_modified))
    vevent.add("dtstart", item.start.astimezone(zone).replace(microsecond=0))
    vevent.add("dtend", item.end.astimezone(zone).replace(microsecond=0))
    vevent.add("summary", item.summary)
    if item.description:
        vevent.add("description", item.description)
    if item.location:
        vevent.add("location", item.location)
    if item.video_url:
        vevent.add("conference", item.video_url, parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
    if item.url:
        vevent.add("url", item.url)
    if item.categories:
        vevent.add("categories", list(item.categories))
    if item.organizer is not None:
        vevent.add("organizer", _address(item.organizer))
    for attendee in item.attendees:
        vevent.add("attendee", _address(attendee), encode=0)
    vevent.add("status", str(item.status))
    vevent.add("transp", "OPAQUE")
    if item.alarm is not None:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", item.alarm.trigger)
        alarm.add("description", item.alarm.text)
        vevent.add_component(alarm)
    return vevent


def _tzid(vevent: icalendar.Event) -> str | None:
    tzid = vevent["DTSTART"].params.get("TZID")
    return str(tzid) if tzid else None


# --- Time zones ----------------------------------------------------------------------------
# An item is written in its own time zone (DTSTART;TZID=Europe/Paris:...) with a VTIMEZONE
# that states the zone's current rule as yearly RRULEs, the form every calendar reads
# (icalendar's own VTIMEZONE lists each transition as an RDATE, which some readers, vobject
# among them, get wrong). A zone whose rule cannot be written that way (it changed in recent
# years, or follows no "nth weekday of the month" pattern) is written in UTC instead: the same
# instant, only without the zone's name.

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
RULE_YEARS = 8  # the rule must hold last year, this year and the six next ones


@dataclass(frozen=True)
class _Onset:
    """One yearly change of offset: `nth` weekday (-1: last) of `month` at `wall` local time."""

    offset_from: dt.timedelta
    offset_to: dt.timedelta
    name: str
    month: int
    weekday: int
    nth: int
    wall: dt.time


def _offset(instant: dt.datetime, zone: dt.tzinfo) -> dt.timedelta:
    return instant.astimezone(zone).utcoffset()


def _first_change(zone: dt.tzinfo, start: dt.datetime, step: dt.timedelta, steps: int):
    """The first instant in (start, start + steps*step] whose offset differs from start's,
    to the step (offsets are constant between changes, so halving finds it)."""
    before = _offset(start, zone)
    low, high = 0, steps
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(start + middle * step, zone) == before:
            low = middle
        else:
            high = middle
    return start + low * step


def _transitions(zone: dt.tzinfo, year: int) -> list[tuple[dt.datetime, dt.timedelta]]:
    """(UTC instant, offset before) of every change of offset during `year` (at most one a
    day, which every zone's rules respect)."""
    found = []
    day = dt.timedelta(days=1)
    instant = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    while instant < end:
        before = _offset(instant, zone)
        if _offset(instant + day, zone) != before:
            hour = _first_change(zone, instant, dt.timedelta(hours=1), 24)
            minute = _first_change(zone, hour, dt.timedelta(minutes=1), 60)
            found.append((minute + dt.timedelta(minutes=1), before))
        instant += day
    return found


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = dt.date(year, month, calendar_module.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _onsets(zone: dt.tzinfo, year: int) -> list[_Onset] | None:
    """The zone's yearly rule, checked over RULE_YEARS years: [] for a fixed offset, None when
    no "nth weekday of a month" rule describes it."""
    years = range(year - 1, year - 1 + RULE_YEARS)
    yearly = [_transitions(zone, y) for y in years]
    if not any(yearly):
        return []
    if any(len(changes) != 2 for changes in yearly):
        return None
    onsets = []
    for index, (instant, offset_from) in enumerate(yearly[1]):
        wall = (instant + offset_from).replace(tzinfo=None)  # local time before the change
        candidates = [(wall.day - 1) // 7 + 1]
        if wall.day + 7 > calendar_module.monthrange(wall.year, wall.month)[1]:
            candidates.append(-1)
        for nth in candidates:
            if all(
                changes[index][1] == offset_from
                and (changes[index][0] + offset_from).replace(tzinfo=None)
                == dt.datetime.combine(
                    _nth_weekday(y, wall.month, wall.weekday(), nth), wall.time()
                )
                for y, changes in zip(years, yearly, strict=True)
            ):
                onsets.append(
                    _Onset(
                        offset_from=offset_from,
                        offset_to=_offset(instant, zone),
                        name=instant.astimezone(zone).tzname() or "",
                        month=wall.month,
                        weekday=wall.weekday(),
                        nth=nth,
                        wall=wall.time(),
                    )
                )
                break
        else:
            return None
    return onsets


@lru_cache(maxsize=512)
def _zone_rule(name: str, year: int) -> list[_Onset] | None:
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return _onsets(zone, year)


def writable_zone(name: str) -> dt.tzinfo:
    """The zone to write an item in: its own when a VTIMEZONE can describe it, else UTC."""
    if not name or name in ("UTC", "Etc/UTC"):
        return dt.UTC
    if _zone_rule(name, timezone.now().year) is None:
        return dt.UTC
    return zoneinfo.ZoneInfo(name)


def _second_occurrence(value: dt.datetime, zone: dt.tzinfo) -> bool:
    """A local time in the hour that repeats when clocks go back, the second time round:
    iCalendar reads such a local time as the first occurrence (RFC 5545 3.3.5)."""
    local = value.astimezone(zone)
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


def vtimezone(name: str) -> icalendar.Timezone:
    """The VTIMEZONE of a zone that `writable_zone` accepted: yearly RRULEs, or one offset."""
    zone = zoneinfo.ZoneInfo(name)
    now = timezone.now()
    onsets = _zone_rule(name, now.year) or []
    component = icalendar.Timezone()
    component.add("tzid", name)
    if not onsets:
        standard = icalendar.TimezoneStandard()
        offset = _offset(now, zone)
        standard.add("dtstart", dt.datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", now.astimezone(zone).tzname() or name)
        component.add_component(standard)
        return component
    largest = max(onset.offset_to for onset in onsets)
    for onset in onsets:
        daylight = onset.offset_to == largest
        part = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
        first = _nth_weekday(1970, onset.month, onset.weekday, onset.nth)
        part.add("dtstart", dt.datetime.combine(first, onset.wall))
        part.add("tzoffsetfrom", onset.offset_from)
        part.add("tzoffsetto", onset.offset_to)
        part.add("tzname", onset.name)
        part.add(
            "rrule",
            {
                "freq": "yearly",
                "bymonth": onset.month,
                "byday": f"{onset.nth}{WEEKDAYS[onset.weekday]}",
            },
        )
        component.add_component(part)
    return component
