"""{% upcoming_events %}: the next events for a home page (student, volunteer, staff), rendered
from templates/events/_upcoming_events.html. The events come from events.selectors."""

from __future__ import annotations

from django import template

from events import selectors

register = template.Library()


@register.inclusion_tag("events/_upcoming_events.html#card", takes_context=True)
def upcoming_events(context, limit: int = 5) -> dict:
    """The person's next events with their RSVP, and the events they went to whose people
    they have not logged yet (events.selectors.home_events_card)."""
    user = context["user"]
    upcoming, to_log = selectors.home_events_card(user=user, limit=limit)
    return {"user": user, "upcoming": upcoming, "to_log": to_log}
