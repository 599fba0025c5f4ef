"""{% upcoming_events %}: the next events for a home page (student, volunteer, staff)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from events import selectors

register = template.Library()


@register.inclusion_tag("events/_upcoming.html", takes_context=True)
def upcoming_events(context, limit: int = 5):
    user = context["user"]
    return {
        "user": user,
        "events": selectors.upcoming_events_for(user=user, limit=limit),
        "to_log": selectors.events_to_log_for(user=user),
    }


_STATUS_CLASS = {"cancelled": " ev-cancelled", "draft": " ev-draft"}


@register.simple_tag
def event_chip(event) -> str:
    """One event in a calendar cell. Built in Python rather than with an {% include %}: a busy
    month shows a few hundred of these, and the include cost most of the page's time."""
    classes = f"ev-chip ev-kind-{event.kind}{_STATUS_CLASS.get(event.status, '')}"
    status = getattr(event, "my_status", "")
    if status == "going":
        classes += " ev-mine"
    if event.status == "cancelled":
        suffix = format_html(' <span class="visually-hidden">(cancelled)</span>')
    elif event.status == "draft":
        suffix = format_html(' <span class="ev-tag">draft</span>')
    else:
        suffix = ""
    tag = {"going": "going", "waitlisted": "waitlist"}.get(status)
    if tag:
        suffix = format_html('{} <span class="ev-tag">{}</span>', suffix, tag)
    starts = timezone.localtime(event.starts_at)
    return format_html(
        '<a class="{}" href="{}"><span class="ev-chip-time">{}</span> {}{}</a>',
        classes,
        _detail_url(event.pk),
        f"{starts.hour % 12 or 12}:{starts.minute:02d} {'AM' if starts.hour < 12 else 'PM'}",
        event.title,
        suffix,
    )


def _detail_url(event_id: int) -> str:
    # reverse() once per process for the pattern, not once per chip.
    global _DETAIL_PATTERN
    if _DETAIL_PATTERN is None:
        _DETAIL_PATTERN = reverse("events:detail", kwargs={"event_id": 0}).replace("/0/", "/{}/")
    return _DETAIL_PATTERN.format(event_id)


_DETAIL_PATTERN: str | None = None
