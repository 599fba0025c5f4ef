"""Calendar files and feeds (iCalendar, RFC 5545) of events, written by
`networking_app.core.calendar_files`.

Three kinds of output:
- one event as a download (`event_calendar`): no video link, whoever downloads it;
- the public feed (`public_calendar`): public events only, no links, no attendees;
- a person's subscription feed (`personal_calendar`): the events they are going to (with the
  video link: the only place a secret link leaves the site), their flash-mentoring sessions and,
  for a student, their scheduled conversations, each with a reminder (VALARM).

An item keeps one UID for its whole life and its SEQUENCE rises with every change, so a
calendar replaces its earlier copy instead of adding a second one, and a cancellation arrives
as the same UID with STATUS:CANCELLED. Mentoring says how a session looks in the personal
feed (`mentoring.ics.session_feed_item`, with the UID and SEQUENCE of the invitations it emails,
so the subscribed copy and the emailed copy merge), contacts how a conversation does
(`contacts.ics.conversation_feed_item`).

DTSTAMP and LAST-MODIFIED are the item's own `updated_at`, not the time of the request, so the
same data always gives the same bytes and the feed's ETag only changes when something did.

The words are in English (ICS_LANGUAGE), whoever asks: a download is cached for everyone who
may see the event and the feeds by what they show, and a calendar app that polls a feed says
nothing of its reader's language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from contacts import ics as contacts_ics
from events.models import RSVP, Event, EventStatus, RSVPStatus
from events.selectors.audience import events_visible_to
from mentoring import ics as mentoring_ics
from mentoring.selectors.sessions import sessions_for_calendar
from networking_app.core.calendar_files import Alarm, CalendarItem, Method, Status, calendar_file
from networking_app.notifications import links

PRODID = "-//Rapport//Events calendar//EN"
# How far back a feed reaches: recent past items stay in the calendar, older ones drop out
# (a subscribed calendar keeps only what the feed still carries).
FEED_PAST = dt.timedelta(days=90)
# Calendars poll subscriptions on their own schedule; this is the hint for those that listen.
REFRESH_INTERVAL = dt.timedelta(hours=1)
EVENT_ALARM = dt.timedelta(days=-1)
# The language of every calendar file this module writes (module docstring).
ICS_LANGUAGE = "en"


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


def personal_feed_sessions(*, user, now: dt.datetime | None = None) -> QuerySet:
    """Flash-mentoring sessions the person takes part in, as student or volunteer."""
    return sessions_for_calendar(user=user, since=feed_since(now))


def personal_feed_conversations(*, user, now: dt.datetime | None = None) -> QuerySet:
    """A student's conversations with a date (and those whose meeting was called off)."""
    return contacts_ics.conversations_for_calendar(user=user, since=feed_since(now))


# --- Writing the iCalendar -----------------------------------------------------------------


def event_url(event: Event) -> str:
    return links.absolute(reverse("events:detail", kwargs={"event_id": event.pk}))


EVENT_STATUSES = {EventStatus.CANCELLED: Status.CANCELLED, EventStatus.DRAFT: Status.TENTATIVE}


def event_item(event: Event, *, private: bool, alarm: bool) -> CalendarItem:
    """One event, in its own time zone. `private` adds the video link (personal feed only)."""
    cancelled = event.status == EventStatus.CANCELLED
    page = event_url(event)
    video = event.video_url if private else ""
    lines = []
    if cancelled:
        lines.append(
            "This event is cancelled." + (f" {event.cancel_reason}" if event.cancel_reason else "")
        )
    if event.description:
        lines.append(event.description.strip())
    if video:
        lines.append(f"Video link (for you only, do not share): {video}")
    lines.append(f"Event page: {page}")
    stamp = event.updated_at or timezone.now()
    return CalendarItem(
        uid=event.ics_uid,
        sequence=event.ics_sequence,
        stamp=stamp,
        last_modified=stamp,
        start=event.starts_at,
        end=event.ends_at,
        time_zone=event.time_zone,
        summary=f"Cancelled: {event.title}" if cancelled else event.title,
        description="\n\n".join(lines),
        location=event.place or video,
        video_url=video,
        url=page,
        categories=(event.get_kind_display(),),
        status=EVENT_STATUSES.get(event.status, Status.CONFIRMED),
        alarm=(
            Alarm(trigger=EVENT_ALARM, text=f"Tomorrow: {event.title}")
            if alarm and not cancelled
            else None
        ),
    )


def _feed(items: Iterable[CalendarItem], *, name: str, description: str = "") -> bytes:
    return calendar_file(
        items,
        prodid=PRODID,
        method=Method.PUBLISH,
        name=name,
        description=description,
        refresh=REFRESH_INTERVAL,
    )


def event_calendar(event: Event) -> bytes:
    """One event as a download, for anyone who may see it: never the video link."""
    with translation.override(ICS_LANGUAGE):
        return calendar_file(
            [event_item(event, private=False, alarm=False)],
            prodid=PRODID,
            method=Method.PUBLISH,
            name=event.title,
        )


def public_calendar(events: Iterable[Event]) -> bytes:
    with translation.override(ICS_LANGUAGE):
        return _feed(
            [event_item(event, private=False, alarm=False) for event in events],
            name=f"{settings.SCHOOL_NAME}: networking events",
            description=f"Public events of the {settings.CAREER_OFFICE_NAME}.",
        )


def personal_calendar(
    *,
    user,
    rsvps: Iterable[RSVP],
    sessions: Iterable,
    conversations: Iterable,
    hosted: Iterable[Event] = (),
) -> bytes:
    """The person's events (with their video links), then their sessions (from
    `personal_feed_sessions`) and conversations (`personal_feed_conversations`)."""
    events = {rsvp.event.pk: rsvp.event for rsvp in rsvps}
    for event in hosted:
        events.setdefault(event.pk, event)
    ordered = sorted(events.values(), key=lambda event: (event.starts_at, event.pk))
    with translation.override(ICS_LANGUAGE):
        items = [event_item(event, private=True, alarm=True) for event in ordered]
        items += [mentoring_ics.session_feed_item(session, for_user=user) for session in sessions]
        items += [contacts_ics.conversation_feed_item(c) for c in conversations]
        return _feed(
            items,
            name=f"Rapport: {user.display_name}",
            description=(
                "Your events, mentoring sessions and conversations from Rapport. Private: this "
                "calendar includes your video links."
            ),
        )


def event_filename(event: Event) -> str:
    return f"event-{event.pk}.ics"


# --- Caching: the same rows give the same bytes --------------------------------------------
# Rendering is the expensive part of a feed (icalendar folds every line character by
# character), and calendars poll feeds that rarely change. A feed's cache key is a hash of
# every value the rendering reads: each row as loaded (its fields, annotations and the related
# rows loaded with it) plus what else shapes the output. Any change to any of them is a new key,
# so nothing needs invalidating; the hash is also the ETag.

# Raise it when what a row looks like in a feed changes (here, in mentoring.ics or contacts.ics,
# or in networking_app.core.calendar_files), so no calendar keeps an old rendering.
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
