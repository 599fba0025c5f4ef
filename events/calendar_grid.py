"""The calendar's month grid and week, built in Python: a month shows a few hundred event chips
in 42 cells, and {% for %}, {% include %}, {% url %} and |date there cost most of the page's
time. Every value written into the markup goes through `esc` (or is one of our own constants).
The views keep what these return in the cache (events.views)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from networking_app.rendering import day, esc, object_url


def clock(local: dt.datetime, am: str, pm: str) -> str:
    """`|time:"g:i A"` of a datetime already in the viewer's time zone."""
    return f"{local.hour % 12 or 12}:{local.minute:02d} {am if local.hour < 12 else pm}"


_STATUS_CLASS = {"cancelled": " ev-cancelled", "draft": " ev-draft"}
_STATUS_SUFFIX = {
    "cancelled": ' <span class="visually-hidden">(cancelled)</span>',
    "draft": ' <span class="ev-tag">draft</span>',
}
_MY_STATUS_TAG = {
    "going": ' <span class="ev-tag">going</span>',
    "waitlisted": ' <span class="ev-tag">waitlist</span>',
}


def detail_url(event_id: int) -> str:
    return esc(object_url("events:detail", "event_id", event_id))


def _chip(event, zone, am: str, pm: str) -> str:
    classes = f"ev-chip ev-kind-{event.kind}{_STATUS_CLASS.get(event.status, '')}"
    if event.my_status == "going":
        classes += " ev-mine"
    starts = event.starts_at.astimezone(zone)
    return (
        f'<a class="{esc(classes)}" href="{detail_url(event.pk)}">'
        f'<span class="ev-chip-time">{esc(clock(starts, am, pm))}</span> {esc(event.title)}'
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
