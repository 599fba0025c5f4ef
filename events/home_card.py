"""The events card of every home page (templates/events/_upcoming_events.html#card): the next
few events with the person's RSVP on each, and the events they went to whose people they have
not logged. Rendered and kept for a minute under the events' version and the person's
`attendee` version (their RSVPs, role and class year, and the people they log as met at an
event): networking_app.core.cache. A change to their other contacts or conversations leaves it
alone, so Today after logging a call does not build it again; a deleted contact that was met at
an event asks for that event again within the minute. It holds no form, so no per-request
token."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from events.selectors.calendar import HOME_EVENTS_SECONDS, home_events_for
from networking_app.core.cache import EVENTS, attendee, cache_key, cached, viewer_parts


def home_events_card_html(user, *, limit: int = 5) -> SafeString:
    def render_card() -> SafeString:
        upcoming, to_log = home_events_for(user=user, limit=limit)
        context = {"user": user, "upcoming": upcoming, "to_log": to_log}
        return render_to_string("events/_upcoming_events.html#card", context)

    signed_in = user.is_authenticated
    return cached(
        # A visitor's card (public events) is the same for every visitor.
        cache_key(
            "home-events-card",
            user.pk if signed_in else None,
            user.role if signed_in else "",
            limit,
            *viewer_parts(),
        ),
        render_card,
        timeout=min(HOME_EVENTS_SECONDS, settings.PRIVATE_PAGE_CACHE_SECONDS),
        scopes=[EVENTS, attendee(user.pk)] if signed_in else [EVENTS],
    )
