"""Times in emails, in the active zone (render_email activates the recipient's) with the zone
named: `{{ session.start_at|local_when }}`, `{{ event.starts_at|local_span:event.ends_at }}`."""

from __future__ import annotations

import datetime as dt

from django import template

from networking_app.core.emails import format_span, format_when

register = template.Library()


# Like Django's own date filters, anything but a datetime renders as nothing.


@register.filter
def local_when(value: dt.datetime | None) -> str:
    return format_when(value) if isinstance(value, dt.datetime) else ""


@register.filter
def local_span(start: dt.datetime | None, end: dt.datetime | None) -> str:
    if not isinstance(start, dt.datetime):
        return ""
    return format_span(start, end) if isinstance(end, dt.datetime) else format_when(start)
