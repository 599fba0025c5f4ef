"""Access rules of flash requests and sessions (mentoring/urls_requests.py), for
tests/test_access.py, and the objects their URLs name.

Columns: anonymous, the student, another student, the volunteer, staff. A request's or a
session's page belongs to its student and its volunteer only: anyone else gets a plain 404.
The lists are every student's and volunteer's own (another student sees their own, so 200).
Asking for a conversation is for students. POST-only actions answer a GET with 405; their POST
is checked for every kind of person in tests/mentoring/test_requests.py and test_sessions.py.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from contacts.models import Organization
from mentoring.models import AvailabilityWindow, Mentor, Mode

LOGIN = "login"
PARTICIPANTS = (LOGIN, 200, 404, 200, 404)
OWN_LIST = (LOGIN, 200, 200, 200, 404)
STUDENTS_ONLY = (LOGIN, 200, 200, 404, 404)
POST_ONLY = (405, 405, 405, 405, 405)

ACCESS: dict[str, tuple] = {
    "mentoring:request_new": STUDENTS_ONLY,
    "mentoring:requests": OWN_LIST,
    "mentoring:request": PARTICIPANTS,
    "mentoring:request_accept": POST_ONLY,
    "mentoring:request_decline": POST_ONLY,
    "mentoring:request_propose": POST_ONLY,
    "mentoring:request_accept_proposal": POST_ONLY,
    "mentoring:request_withdraw": POST_ONLY,
    "mentoring:sessions": OWN_LIST,
    "mentoring:session": PARTICIPANTS,
    "mentoring:session_ics": PARTICIPANTS,
    "mentoring:session_reschedule": POST_ONLY,
    "mentoring:session_cancel": POST_ONLY,
    "mentoring:session_place": POST_ONLY,
    "mentoring:session_no_show": POST_ONLY,
    "mentoring:session_complete": POST_ONLY,
    "mentoring:session_feedback": POST_ONLY,
}

# What a volunteer who is neither side of the request gets (a sixth column, checked in
# tests/mentoring/test_requests.py).
OTHER_VOLUNTEER: dict[str, int] = {
    name: {STUDENTS_ONLY: 404, OWN_LIST: 200, PARTICIPANTS: 404, POST_ONLY: 405}[row]
    for name, row in ACCESS.items()
}

EVERY_DAY = range(7)


def bookable_mentor(
    volunteer,
    *,
    weekdays=EVERY_DAY,
    start: dt.time = dt.time(8),
    end: dt.time = dt.time(20),
    organization: str = "Northwind Analytics",
    **fields,
) -> Mentor:
    """The volunteer's Mentor, approved-and-listed as the directory would make it bookable,
    with a weekly window on each of `weekdays` (in the volunteer's own time zone)."""
    values = {
        "organization": Organization.objects.get_or_create(
            normalized_name=organization.casefold(), defaults={"name": organization}
        )[0]
        if organization
        else None,
        "title": "Data analyst",
        "industry": "Analytics",
        "modes": [Mode.VIDEO, Mode.PHONE],
        "code_of_conduct_accepted_at": timezone.now(),
        "listed": True,
        "is_bookable": True,
        "slot_minutes": 30,
        "buffer_minutes": 15,
        "min_notice_hours": 24,
        "booking_window_days": 30,
        "monthly_capacity": 4,
        **fields,
    }
    mentor, _ = Mentor.objects.update_or_create(user=volunteer, defaults=values)
    mentor.windows.all().delete()
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(mentor=mentor, weekday=day, start_time=start, end_time=end)
        for day in weekdays
    )
    return mentor


def request_objects(student, volunteer) -> dict:
    """URL parameters naming a pending request and an accepted session between `student` and
    `volunteer` (and the volunteer's mentor page for asking)."""
    from mentoring.services.availability import open_slots
    from mentoring.services.requests import flash_request_accept, flash_request_create

    mentor = bookable_mentor(volunteer, monthly_capacity=10)
    first, second = open_slots(mentor, limit=2)
    accepted = flash_request_create(
        student=student, mentor=mentor, start_at=first.start_at, message="Your first year"
    )
    session = flash_request_accept(flash_request=accepted, by=volunteer)
    pending = flash_request_create(
        student=student, mentor=mentor, start_at=second.start_at, message="Career switch"
    )
    return {"mentor_id": mentor.pk, "request_id": pending.pk, "session_id": session.pk}
