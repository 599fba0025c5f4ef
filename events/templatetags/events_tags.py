"""{% upcoming_events %}: the next events for a home page (student, volunteer, staff)."""

from __future__ import annotations

from django import template

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
