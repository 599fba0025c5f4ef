"""Calendar files and feeds (iCalendar, RFC 5545) for events, sessions and conversations.

Three kinds of output:
- one event as a download (`event_calendar`): no video link, whoever downloads it;
- the public feed (`public_calendar`): public events only, no links, no attendees;
- a person's subscription feed (`personal_calendar`): the events they are going to (with the
  video link: the only place a secret link leaves the site), their flash-mentoring sessions and,
  for a student, their scheduled conversations, each with a reminder (VALARM).

An item keeps one UID for its whole life and its SEQUENCE rises with every change, so a
calendar replaces its earlier copy instead of adding a second one, and a cancellation arrives
as the same UID with STATUS:CANCELLED. Sessions use the UID and SEQUENCE of the invitations
mentoring emails (mentoring.ics), so the subscribed copy and the emailed copy merge.

DTSTAMP and LAST-MODIFIED are the item's own `updated_at`, not the time of the request, so the
same data always gives the same bytes and the feed's ETag only changes when something did.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vDuration
from icalendar import Event as VEvent

from contacts.models import ChangeKind, Conversation, ConversationChange, ConversationStatus
from events.models import RSVP, Event, EventStatus, RSVPStatus
from events.selectors import events_visible_to
from mentoring.models import Mode, Session, SessionStatus
from networking_app.notifications import links

PRODID = "-//Rapport//Events calendar//EN"
# How far back a feed reaches: recent past items stay in the calendar, older ones drop out
# (a subscribed calendar keeps only what the feed still carries).
FEED_PAST = dt.timedelta(days=90)
# Calendars poll subscriptions on their own schedule; this is the hint for those that listen.
REFRESH_INTERVAL = dt.timedelta(hours=1)
EVENT_ALARM = dt.timedelta(days=-1)
MEETING_ALARM = dt.timedelta(hours=-1)
# Conversations have no counter of their own: their SEQUENCE is derived from their history
# of changes (contacts.ConversationChange), see `_conversation_sequence`.
CONVERSATION_STATUSES_SHOWN = (
    ConversationStatus.SCHEDULED,
    ConversationStatus.HELD,
    ConversationStatus.THANKED,
)


# --- What goes into the feeds --------------------------------------------------------------


def feed_since(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - FEED_PAST


def public_feed_events(*, now: dt.datetime | None = None) -> QuerySet[Event]:
    """Public events (published or cancelled) that end after the feed's window opens."""
    return (
        events_visible_to(user=None)
        .filter(ends_at__gte=feed_since(now))
        .only(
            "pk",
            "title",
            "kind",
            "description",
            "status",
            "starts_at",
            "ends_at",
            "time_zone",
            "place",
            "ics_sequence",
            "cancel_reason",
            "updated_at",
        )
        .order_by("starts_at", "pk")
    )


def personal_feed_rsvps(*, user, now: dt.datetime | None = None) -> QuerySet[RSVP]:
    """The person's seats: events they are going to, cancelled events included (so the
    calendar shows the cancellation), drafts excluded."""
    return (
        RSVP.objects.filter(
            user=user,
            status=RSVPStatus.GOING,
            event__status__in=(EventStatus.PUBLISHED, EventStatus.CANCELLED),
            event__ends_at__gte=feed_since(now),
        )
        .select_related("event")
        .order_by("event__starts_at", "event_id")
    )


def personal_feed_hosted_events(*, user, now: dt.datetime | None = None) -> QuerySet[Event]:
    """Events where the person is listed as a host or speaker (they may see the video link)."""
    return Event.objects.filter(
        host_links__user=user,
        status__in=(EventStatus.PUBLISHED, EventStatus.CANCELLED),
        ends_at__gte=feed_since(now),
    ).order_by("starts_at", "pk")


def personal_feed_sessions(*, user, now: dt.datetime | None = None) -> QuerySet[Session]:
    """Flash-mentoring sessions the person takes part in, as student or volunteer."""
    return (
        Session.objects.filter(Q(student=user) | Q(volunteer=user), end_at__gte=feed_since(now))
        .select_related("student__profile", "volunteer__profile")
        .order_by("start_at", "pk")
    )


def personal_feed_conversations(*, user, now: dt.datetime | None = None) -> QuerySet:
    """A student's conversations with a date: scheduled ones, and those already held; plus the
    ones whose meeting was cancelled (scheduled_at cleared) so calendars drop the old date."""
    if not getattr(user, "is_student", False):
        return Conversation.objects.none()
    since = feed_since(now)
    changes = ConversationChange.objects.filter(conversation=OuterRef("pk"))
    latest = changes.order_by("-created_at", "-pk")
    change_count = changes.order_by().values("conversation").annotate(n=Count("pk")).values("n")[:1]
    return (
        Conversation.objects.filter(owner=user)
        .annotate(
            last_change_kind=Subquery(latest.values("kind")[:1]),
            last_change_previous_at=Subquery(latest.values("previous_at")[:1]),
            change_count=Subquery(change_count),
        )
        .filter(
            Q(
                status__in=CONVERSATION_STATUSES_SHOWN,
                scheduled_at__isnull=False,
                scheduled_at__gte=since,
            )
            | Q(
                scheduled_at__isnull=True,
                last_change_kind=ChangeKind.CANCELLED,
                last_change_previous_at__gte=since,
            )
        )
        .select_related("contact__organization")
        .order_by("pk")
    )


# --- Writing the iCalendar -----------------------------------------------------------------


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    return calendar


def _finish(calendar: Calendar, vevents: list[VEvent], *, refresh: bool = False) -> bytes:
    if refresh:
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for name in sorted({_tzid(vevent) for vevent in vevents} - {None}):
        calendar.add_component(vtimezone(name))
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar.to_ical()


def _tzid(vevent: VEvent) -> str | None:
    tzid = vevent["DTSTART"].params.get("TZID")
    return str(tzid) if tzid else None


# --- Time zones ----------------------------------------------------------------------------
# An event is written in its own time zone (DTSTART;TZID=Europe/Paris:...) with a VTIMEZONE
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


def _zone(name: str) -> dt.tzinfo:
    """The zone to write an event in: its own when a VTIMEZONE can describe it, else UTC."""
    if not name or name in ("UTC", "Etc/UTC"):
        return dt.UTC
    if _zone_rule(name, timezone.now().year) is None:
        return dt.UTC
    return zoneinfo.ZoneInfo(name)


def vtimezone(name: str) -> Timezone:
    """The VTIMEZONE of a zone that `_zone` accepted: yearly RRULEs, or one fixed offset."""
    zone = zoneinfo.ZoneInfo(name)
    now = timezone.now()
    onsets = _zone_rule(name, now.year) or []
    component = Timezone()
    component.add("tzid", name)
    if not onsets:
        standard = TimezoneStandard()
        offset = _offset(now, zone)
        standard.add("dtstart", dt.datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", now.astimezone(zone).tzname() or name)
        component.add_component(standard)
        return component
    largest = max(onset.offset_to for onset in onsets)
    for onset in onsets:
        part = TimezoneDaylight() if onset.offset_to == largest else TimezoneStandard()
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


# --- Items ---------------------------------------------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _second_occurrence(value: dt.datetime, zone: dt.tzinfo) -> bool:
    """A local time in the hour that repeats when clocks go back, the second time round:
    iCalendar reads such a local time as the first occurrence (RFC 5545 3.3.5)."""
    local = value.astimezone(zone)
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


def _alarm(trigger: dt.timedelta, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", trigger)
    alarm.add("description", text)
    return alarm


def _stamp(vevent: VEvent, updated_at: dt.datetime | None) -> None:
    stamp = _utc(updated_at or timezone.now())
    vevent.add("dtstamp", stamp)
    vevent.add("last-modified", stamp)


def event_url(event: Event) -> str:
    return links.absolute(reverse("events:detail", kwargs={"event_id": event.pk}))


def event_vevent(event: Event, *, private: bool, alarm: bool) -> VEvent:
    """One event. `private` adds the video link (personal feed only)."""
    zone = _zone(event.time_zone)
    vevent = VEvent()
    vevent.add("uid", event.ics_uid)
    vevent.add("sequence", event.ics_sequence)
    _stamp(vevent, event.updated_at)
    if any(_second_occurrence(moment, zone) for moment in (event.starts_at, event.ends_at)):
        zone = dt.UTC
    vevent.add("dtstart", event.starts_at.astimezone(zone).replace(microsecond=0))
    vevent.add("dtend", event.ends_at.astimezone(zone).replace(microsecond=0))
    cancelled = event.status == EventStatus.CANCELLED
    vevent.add("summary", f"Cancelled: {event.title}" if cancelled else event.title)
    page = event_url(event)
    lines = []
    if cancelled:
        lines.append(
            "This event is cancelled." + (f" {event.cancel_reason}" if event.cancel_reason else "")
        )
    if event.description:
        lines.append(event.description.strip())
    if private and event.video_url:
        lines.append(f"Video link (for you only, do not share): {event.video_url}")
    lines.append(f"Event page: {page}")
    vevent.add("description", "\n\n".join(lines))
    location = event.place
    if private and event.video_url and not location:
        location = event.video_url
    if location:
        vevent.add("location", location)
    if private and event.video_url:
        vevent.add("conference", event.video_url, parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
    vevent.add("url", page)
    vevent.add("categories", [event.get_kind_display()])
    vevent.add(
        "status",
        {EventStatus.CANCELLED: "CANCELLED", EventStatus.DRAFT: "TENTATIVE"}.get(
            event.status, "CONFIRMED"
        ),
    )
    vevent.add("transp", "OPAQUE")
    if alarm and not cancelled:
        vevent.add_component(_alarm(EVENT_ALARM, f"Tomorrow: {event.title}"))
    return vevent


def session_vevent(session: Session, *, for_user) -> VEvent:
    """A flash-mentoring session with the same UID and SEQUENCE as its emailed invitation."""
    other = session.volunteer if for_user.pk == session.student_id else session.student
    programme = settings.MENTORING_PROGRAMME_NAME
    vevent = VEvent()
    vevent.add("uid", session.ics_uid)
    vevent.add("sequence", session.ics_sequence)
    _stamp(vevent, session.updated_at)
    vevent.add("dtstart", _utc(session.start_at))
    vevent.add("dtend", _utc(session.end_at))
    cancelled = session.status == SessionStatus.CANCELLED
    summary = f"{programme} with {other.display_name}"
    vevent.add("summary", f"Cancelled: {summary}" if cancelled else summary)
    page = links.absolute(reverse("mentoring:session", kwargs={"session_id": session.pk}))
    mode = Mode(session.mode).label if session.mode in Mode.values else ""
    lines = [f"A {programme.lower()} conversation ({mode.lower()}) with {other.display_name}."]
    if session.location:
        lines.append(f"Place or link: {session.location}")
    lines.append(f"Details, changes and cancellation: {page}")
    vevent.add("description", "\n".join(lines))
    if session.location or mode:
        vevent.add("location", session.location or mode)
    vevent.add("url", page)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if session.status == SessionStatus.SCHEDULED:
        vevent.add_component(_alarm(MEETING_ALARM, f"In one hour: {summary}"))
    return vevent


def conversation_uid(conversation: Conversation) -> str:
    return f"conversation-{conversation.pk}@rapport"


def _conversation_sequence(conversation) -> int:
    """Every change (reschedule, cancellation) is a ConversationChange row; scheduling again
    after a cancellation writes none. Two steps per change, plus one while the conversation is
    scheduled again after its last cancellation, keeps the number rising at every step."""
    changes = conversation.change_count or 0
    rescheduled_after_cancel = (
        conversation.scheduled_at is not None
        and conversation.last_change_kind == ChangeKind.CANCELLED
    )
    return 2 * changes + (1 if rescheduled_after_cancel else 0)


def conversation_vevent(conversation) -> VEvent:
    contact = conversation.contact
    cancelled = conversation.scheduled_at is None
    start = conversation.scheduled_at or conversation.last_change_previous_at
    organization = getattr(contact, "organization", None)
    who = contact.name + (f" ({organization.name})" if organization else "")
    summary = f"Conversation with {who}"
    vevent = VEvent()
    vevent.add("uid", conversation_uid(conversation))
    vevent.add("sequence", _conversation_sequence(conversation))
    _stamp(vevent, conversation.updated_at)
    vevent.add("dtstart", _utc(start))
    vevent.add("dtend", _utc(start + dt.timedelta(minutes=conversation.duration_minutes or 30)))
    vevent.add("summary", f"Cancelled: {summary}" if cancelled else summary)
    page = links.absolute(
        reverse("contacts:conversation", kwargs={"conversation_id": conversation.pk})
    )
    lines = []
    if conversation.goal:
        lines.append(f"What I want to learn: {conversation.goal.strip()}")
    lines.append(f"Questions and notes: {page}")
    vevent.add("description", "\n\n".join(lines))
    if conversation.location:
        vevent.add("location", conversation.location)
    elif conversation.mode:
        vevent.add("location", conversation.get_mode_display())
    vevent.add("url", page)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if conversation.status == ConversationStatus.SCHEDULED and not cancelled:
        vevent.add_component(_alarm(MEETING_ALARM, f"In one hour: {summary}"))
    return vevent


def event_calendar(event: Event) -> bytes:
    """One event as a download, for anyone who may see it: never the video link."""
    calendar = _calendar(event.title)
    return _finish(calendar, [event_vevent(event, private=False, alarm=False)])


def public_calendar(events: Iterable[Event]) -> bytes:
    calendar = _calendar(f"{settings.SCHOOL_NAME}: networking events")
    calendar.add("x-wr-caldesc", f"Public events of the {settings.CAREER_OFFICE_NAME}.")
    vevents = [event_vevent(event, private=False, alarm=False) for event in events]
    return _finish(calendar, vevents, refresh=True)


def personal_calendar(
    *,
    user,
    rsvps: Iterable[RSVP],
    sessions: Iterable[Session],
    conversations: Iterable[Conversation],
    hosted: Iterable[Event] = (),
) -> bytes:
    calendar = _calendar(f"Rapport: {user.display_name}")
    calendar.add(
        "x-wr-caldesc",
        "Your events, mentoring sessions and conversations from Rapport. Private: this "
        "calendar includes your video links.",
    )
    events = {rsvp.event.pk: rsvp.event for rsvp in rsvps}
    for event in hosted:
        events.setdefault(event.pk, event)
    ordered = sorted(events.values(), key=lambda event: (event.starts_at, event.pk))
    vevents = [event_vevent(event, private=True, alarm=True) for event in ordered]
    vevents += [session_vevent(session, for_user=user) for session in sessions]
    vevents += [conversation_vevent(conversation) for conversation in conversations]
    return _finish(calendar, vevents, refresh=True)


def event_filename(event: Event) -> str:
    return f"event-{event.pk}.ics"


# --- Caching: the same rows give the same bytes --------------------------------------------
# Rendering is the expensive part of a feed (icalendar folds every line character by
# character), and calendars poll feeds that rarely change. A feed's cache key is a hash of
# every value the rendering reads: each row as loaded (its fields, annotations and the related
# rows loaded with it) plus what else shapes the output. Any change to any of them is a new key,
# so nothing needs invalidating; the hash is also the ETag.

FORMAT_VERSION = "rapport-ics-3"


def _row_values(obj, seen: set[int]) -> list:
    if obj is None or id(obj) in seen:
        return [None]
    seen.add(id(obj))
    values: list = [type(obj).__name__]
    values += sorted((k, repr(v)) for k, v in vars(obj).items() if not k.startswith("_"))
    for name, related in sorted(obj._state.fields_cache.items()):
        values.append((name, _row_values(related, seen)))
    return values


def feed_fingerprint(kind: str, *parts, rows: Iterable = ()) -> str:
    digest = hashlib.sha256()
    head = (FORMAT_VERSION, kind, settings.SITE_URL, timezone.now().year, *map(repr, parts))
    digest.update(repr(head).encode())
    for row in rows:
        digest.update(repr(_row_values(row, set())).encode())
    return digest.hexdigest()
