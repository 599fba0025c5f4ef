"""Access rules of the calendar feeds (events.urls_feeds), merged into tests/test_access.py.

Columns: anonymous, the student, another student, the volunteer, staff.
- One event's .ics follows who may see the event: `ics_event_id` names an event for students
  only, not listed publicly, so an anonymous visitor is asked to sign in and a volunteer gets
  404 (any id: a missing one answers the same).
- The public feed is for anyone.
- The subscription page is every signed-in person's own; its actions are POST only (their POST
  is tested in tests/events/test_feeds.py).
- The personal feed is read by calendar apps, which cannot sign in: the secret token in the URL
  is the permission, so every visitor with a real token gets 200 (a rotated or revoked token,
  404: test_feeds.py).
"""

from __future__ import annotations

from events.models import Audience, CalendarFeed
from tests.events.factories import EventFactory

LOGIN = "login"
POST_ONLY = (405, 405, 405, 405, 405)

ACCESS: dict[str, tuple] = {
    "events:event_ics": (LOGIN, 200, 200, 404, 200),
    "events:feed_public": (200, 200, 200, 200, 200),
    "events:feed_settings": (LOGIN, 200, 200, 200, 200),
    "events:feed_create": POST_ONLY,
    "events:feed_rotate": POST_ONLY,
    "events:feed_revoke": POST_ONLY,
    "events:feed_personal": (200, 200, 200, 200, 200),
}


def access_objects(student, volunteer, staff) -> dict:
    event = EventFactory(is_public=False, audience=Audience.STUDENTS)
    feed, _ = CalendarFeed.objects.get_or_create(user=student)
    return {"ics_event_id": event.pk, "feed_token": feed.token}
