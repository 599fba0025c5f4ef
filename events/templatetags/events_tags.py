"""The calendar's repeated markup, built in Python: a month shows a few hundred event chips in
42 cells, and {% for %}, {% include %}, {% url %} and |date there cost most of the page's time.
Every value written into the markup goes through `esc` (or is one of our own constants).

{% upcoming_events %}: the next events for a home page (student, volunteer, staff).
{% month_rows weeks filter_query %}, {% week_days days %}: the month grid and the week.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from events import selectors
from events.models import EventKind
from events.signals import EVENTS_STAMP
from networking_app.pagecache import private_cached
from networking_app.rendering import day, esc, object_url

register = template.Library()

_KIND_LABELS = dict(EventKind.choices)


def _clock(local: dt.datetime, am: str, pm: str) -> str:
    """`|time:"g:i A"` of a datetime already in the viewer's time zone."""
    return f"{local.hour % 12 or 12}:{local.minute:02d} {am if local.hour < 12 else pm}"


# --- Home pages ------------------------------------------------------------------------------


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
            f'  <p class="ev-log-prompt">You went to <a href="{_detail_url(event.pk)}">'
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
                f'    <li><a href="{_detail_url(event.pk)}">{esc(event.title)}</a> '
                f'<span class="muted">{esc(day(starts.date(), "D j M"))}, '
                f"{esc(_clock(starts, am, pm))} · {esc(kind)}</span>"
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


# --- Calendar --------------------------------------------------------------------------------

_STATUS_CLASS = {"cancelled": " ev-cancelled", "draft": " ev-draft"}
_STATUS_SUFFIX = {
    "cancelled": ' <span class="visually-hidden">(cancelled)</span>',
    "draft": ' <span class="ev-tag">draft</span>',
}
_MY_STATUS_TAG = {
    "going": ' <span class="ev-tag">going</span>',
    "waitlisted": ' <span class="ev-tag">waitlist</span>',
}


def _detail_url(event_id: int) -> str:
    return esc(object_url("events:detail", "event_id", event_id))


def _chip(event, zone, am: str, pm: str) -> str:
    classes = f"ev-chip ev-kind-{event.kind}{_STATUS_CLASS.get(event.status, '')}"
    if event.my_status == "going":
        classes += " ev-mine"
    starts = event.starts_at.astimezone(zone)
    return (
        f'<a class="{esc(classes)}" href="{_detail_url(event.pk)}">'
        f'<span class="ev-chip-time">{esc(_clock(starts, am, pm))}</span> {esc(event.title)}'
        f"{_STATUS_SUFFIX.get(event.status, '')}{_MY_STATUS_TAG.get(event.my_status, '')}</a>"
    )


class _Chips:
    """The chips of one page, in the viewer's time zone: an event over several days is built
    once."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.am, self.pm = gettext("AM"), gettext("PM")
        self.built: dict[int, str] = {}

    def items(self, events) -> str:
        built = self.built
        parts = []
        for event in events:
            chip = built.get(event.pk)
            if chip is None:
                chip = built[event.pk] = _chip(event, self.zone, self.am, self.pm)
            parts.append(f"<li>{chip}</li>")
        return "".join(parts)


@register.simple_tag
def month_rows(weeks, filter_query: str = "") -> SafeString:
    """The <tr>s of the month grid: each day's first events and "+N more" (the week view)."""
    chips = _Chips()
    week_url = esc(reverse("events:week"))
    filters = f"&amp;{esc(filter_query)}" if filter_query else ""
    rows = []
    for week in weeks:
        cells = []
        for cell in week:
            date = cell["date"]
            classes = " ".join(
                name
                for name, on in (
                    ("ev-other-month", not cell["in_month"]),
                    ("ev-today", cell["is_today"]),
                )
                if on
            )
            full = esc(day(date, "l j F"))
            html = (f'<td class="{classes}">' if classes else "<td>") + (
                f'<span class="ev-daynum"><span class="visually-hidden">{full}</span>'
                f'<span aria-hidden="true">{date.day}</span></span>'
            )
            if cell["events"]:
                more = ""
                if cell["more"]:
                    more = (
                        f'<li><a class="ev-more" href="{week_url}?start={date:%Y-%m-%d}{filters}">'
                        f'+{cell["more"]} more<span class="visually-hidden"> on {full}</span>'
                        "</a></li>"
                    )
                html += f'<ul class="ev-day-events">{chips.items(cell["events"])}{more}</ul>'
            cells.append(html + "</td>")
        rows.append("<tr>\n      " + "\n      ".join(cells) + "\n    </tr>")
    return mark_safe("\n    ".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def week_days(days) -> SafeString:
    """The <li>s of the week view, one card per day."""
    chips = _Chips()
    items = []
    for cell in days:
        today = ' <span class="badge">Today</span>' if cell["is_today"] else ""
        if cell["events"]:
            events = f'<ul class="ev-day-events">{chips.items(cell["events"])}</ul>'
        else:
            events = '<p class="muted">Nothing scheduled.</p>'
        items.append(
            f'<li class="card{" ev-today" if today else ""}">\n'
            f"    <h3>{esc(day(cell['date'], 'D j M'))}{today}</h3>\n"
            f"    {events}\n  </li>"
        )
    return mark_safe("\n  ".join(items))  # noqa: S308 - every value above is escaped
