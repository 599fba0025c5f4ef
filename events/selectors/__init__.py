"""Reads for the events calendar, in modules by subject: ``audience`` (who sees which event:
every view starts from `events_visible_to` / `event_get_visible`, so an event outside a
person's audience is a 404, and `audience_refusal` says who of those who see it may RSVP),
``calendar`` (month, week, agenda, filters, the home card), ``event_page`` (one event's page),
``attendees`` (staff: attendees and check-in) and ``feeds`` (calendar subscriptions).

New code imports from those modules; the names are also offered here for the views and the
template tag that use ``selectors.xyz``.
"""

from events.selectors.attendees import (
    ATTENDEE_ORDER,
    AttendeeCounts,
    attendee_counts,
    attendees_for,
    rsvp_for_code,
    rsvp_get_for_event,
)
from events.selectors.audience import (
    LISTED_STATUSES,
    NEEDS_CLASS_YEAR,
    audience_refusal,
    class_years_text,
    event_get_visible,
    event_outside_audience,
    events_visible_to,
    user_is_host,
    user_may_see_private_details,
)
from events.selectors.calendar import (
    EVENTS_TO_LOG,
    HOME_EVENTS_SECONDS,
    CalendarEvent,
    CalendarFilters,
    calendar_filter_choices,
    events_agenda,
    events_between,
    events_to_log_for,
    going_count,
    home_events_for,
    rsvp_statuses_for,
    upcoming_events_for,
)
from events.selectors.event_page import (
    EventWarmPath,
    event_for_page,
    met_at_event_for,
    rsvp_for,
    user_is_going,
    waitlist_position,
    warm_paths_at_event,
)
from events.selectors.feeds import (
    calendar_feed_for_user,
    calendar_feed_get_by_token,
)

__all__ = [
    "ATTENDEE_ORDER",
    "EVENTS_TO_LOG",
    "HOME_EVENTS_SECONDS",
    "LISTED_STATUSES",
    "NEEDS_CLASS_YEAR",
    "AttendeeCounts",
    "CalendarEvent",
    "CalendarFilters",
    "EventWarmPath",
    "attendee_counts",
    "attendees_for",
    "audience_refusal",
    "calendar_feed_for_user",
    "calendar_feed_get_by_token",
    "calendar_filter_choices",
    "class_years_text",
    "event_for_page",
    "event_get_visible",
    "event_outside_audience",
    "events_agenda",
    "events_between",
    "events_to_log_for",
    "events_visible_to",
    "going_count",
    "home_events_for",
    "met_at_event_for",
    "rsvp_for",
    "rsvp_for_code",
    "rsvp_get_for_event",
    "rsvp_statuses_for",
    "upcoming_events_for",
    "user_is_going",
    "user_is_host",
    "user_may_see_private_details",
    "waitlist_position",
    "warm_paths_at_event",
]
