"""Access rules of the events calendar (events/urls.py, feeds aside), for tests/test_access.py.

Columns: anonymous, the student, another student, the volunteer, staff. The calendar and a
public event's page are open to everyone (anonymous visitors without links or attendees);
creating, editing, cancelling, the attendee list, its CSV and check-in are for staff (403 for
other roles). "Log the people you met" is for the student who was going: another student gets
a plain 404. POST-only actions answer a GET with 405; their POST is tested in test_views.py.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from events.models import RSVPStatus
from tests.events.factories import EventFactory, RSVPFactory

LOGIN = "login"
EVERYONE = (200, 200, 200, 200, 200)
STAFF_ONLY = (LOGIN, 403, 403, 403, 200)
POST_ONLY = (405, 405, 405, 405, 405)

ACCESS: dict[str, tuple] = {
    "events:calendar": EVERYONE,
    "events:week": EVERYONE,
    "events:agenda": EVERYONE,
    "events:detail": EVERYONE,
    "events:create": STAFF_ONLY,
    "events:edit": STAFF_ONLY,
    "events:cancel": STAFF_ONLY,
    "events:attendees": STAFF_ONLY,
    "events:attendees_csv": STAFF_ONLY,
    "events:check_in": STAFF_ONLY,
    "events:rsvp": POST_ONLY,
    "events:rsvp_cancel": POST_ONLY,
    "events:check_in_rsvp": POST_ONLY,
    "events:check_in_undo": POST_ONLY,
    "events:met": (LOGIN, 200, 404, 404, 404),
}


def access_objects(student, volunteer, staff) -> dict:
    """A public event under way that `student` is going to (so they may log who they met)."""
    starts = timezone.now() - dt.timedelta(hours=1)
    event = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=3))
    rsvp = RSVPFactory(event=event, user=student, status=RSVPStatus.GOING)
    return {"event_id": event.pk, "rsvp_id": rsvp.pk}
