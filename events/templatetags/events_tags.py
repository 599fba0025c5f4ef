"""{% upcoming_events %}: the next events for a home page (student, volunteer, staff), its markup
built in Python like the calendar's (events.calendar_grid). Every value written into the markup
goes through `esc` (or is one of our own constants).
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from events import selectors
from events.calendar_grid import clock, detail_url
from events.models import EventKind
from events.signals import EVENTS_STAMP
from networking_app.pagecache import private_cached
from networking_app.rendering import day, esc, object_url

register = template.Library()

_KIND_LABELS = dict(EventKind.choices)


# The home card's lifetime: an event starting moves from "upcoming" within a minute.
HOME_EVENTS_SECONDS = 60

_MY_STATUS_BADGE = {
    "going": ' <span class="badge badge-success">Going</span>',
    "waitlisted": ' <span class="badge">Waitlist</span>',
}


@register.simple_tag(takes_context=True)
def upcoming_events(context, limit: int = 5) -> SafeString:
    """The person's next events with their RSVP, and the events they went to whose people
    they have not logged yet: one query (events.selectors.home_events_for)."""
    user = context["user"]
    # Cached for a minute under the person's data version (their RSVPs, the contacts they
    # logged) and the events' stamp (any event saved or deleted): networking_app.pagecache.
    upcoming, to_log = private_cached(
        user,
        "home-events",
        lambda: selectors.home_events_for(user=user, limit=limit),
        parts={"limit": limit, "role": getattr(user, "role", "")},
        stamp=EVENTS_STAMP,
        seconds=HOME_EVENTS_SECONDS,
    )
    zone = timezone.get_current_timezone()
    am, pm = gettext("AM"), gettext("PM")
    parts = [
        '<section class="card" id="upcoming-events" aria-labelledby="upcoming-events-heading">\n'
        '  <h2 id="upcoming-events-heading">Upcoming events</h2>\n'
    ]
    for event in to_log:
        parts.append(
            f'  <p class="ev-log-prompt">You went to <a href="{detail_url(event.pk)}">'
            f"{esc(event.title)}</a>: <a "
            f'href="{esc(object_url("events:met", "event_id", event.pk))}">'
            "log the people you met</a>.</p>\n"
        )
    if upcoming:
        parts.append('  <ul class="ev-upcoming">\n')
        for event in upcoming:
            starts = event.starts_at.astimezone(zone)
            kind = _KIND_LABELS.get(event.kind, event.kind)
            parts.append(
                f'    <li><a href="{detail_url(event.pk)}">{esc(event.title)}</a> '
                f'<span class="muted">{esc(day(starts.date(), "D j M"))}, '
                f"{esc(clock(starts, am, pm))} · {esc(kind)}</span>"
                f"{_MY_STATUS_BADGE.get(event.my_status, '')}</li>\n"
            )
        parts.append("  </ul>\n")
    else:
        parts.append('  <p class="muted">No events coming up for you right now.</p>\n')
    new_event = ""
    if user.is_authenticated and user.is_staff_member:
        new_event = f' · <a href="{esc(reverse("events:create"))}">New event</a>'
    parts.append(
        f'  <p><a href="{esc(reverse("events:agenda"))}">All events</a>{new_event}</p>\n</section>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
