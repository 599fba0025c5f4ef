"""Access rules of the match-round routes (mentoring/urls_rounds.py), for tests/test_access.py,
and the small builders the round tests share.

Round administration is staff's only (other roles get 403, as every staff page); a student's
sign-up page is students' (404 for other roles); a volunteer's sign-up page is volunteers'
(403 for other roles); a published match page is its student's and its volunteer's only, a
plain 404 for anyone else. POST-only actions answer a GET with 405; their POST is tested for
every role in tests/mentoring/test_rounds.py.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.text import slugify

from mentoring.models import (
    AvailabilityWindow,
    Match,
    MatchRound,
    Mentor,
    RoundStatus,
    RoundStudent,
    RoundVolunteer,
    Topic,
)

LOGIN = "login"
STAFF_ONLY = (LOGIN, 403, 403, 403, 200)
POST_ONLY = (405, 405, 405, 405, 405)

# name: (anonymous, student, other student, volunteer, staff)
ACCESS: dict[str, tuple] = {
    "mentoring:rounds": STAFF_ONLY,
    "mentoring:round_new": STAFF_ONLY,
    "mentoring:round": STAFF_ONLY,
    "mentoring:round_edit": STAFF_ONLY,
    "mentoring:round_status": POST_ONLY,
    "mentoring:round_review": STAFF_ONLY,
    "mentoring:round_run": POST_ONLY,
    "mentoring:round_match_lock": POST_ONLY,
    "mentoring:round_match_remove": POST_ONLY,
    "mentoring:round_swap": POST_ONLY,
    "mentoring:round_publish": STAFF_ONLY,
    "mentoring:rounds_open": (LOGIN, 200, 200, 200, 403),
    "mentoring:round_join": (LOGIN, 200, 200, 404, 404),
    "mentoring:round_leave": POST_ONLY,
    "mentoring:round_volunteer_join": (LOGIN, 403, 403, 200, 403),
    "mentoring:round_volunteer_leave": POST_ONLY,
    "mentoring:round_match": (LOGIN, 200, 404, 200, 404),
    "mentoring:round_match_book": POST_ONLY,
}


# --- Builders --------------------------------------------------------------------------------

WORKDAYS = [(day, dt.time(9), dt.time(17)) for day in range(5)]
WEEKDAY_MORNINGS = [[day, 9, 12] for day in range(5)]


def topic(name: str) -> Topic:
    found, _ = Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    return found


def mentor_for(
    volunteer,
    *,
    industry: str = "",
    topics: tuple[str, ...] = (),
    windows=WORKDAYS,
    bookable: bool = True,
    organization: str = "",
) -> Mentor:
    """A mentor profile with weekly windows (volunteer's zone), bookable by default: the
    matcher pairs a student only with a volunteer they could book in the round's dates."""
    from contacts.services.people import organization_get_or_create

    org = organization_get_or_create(name=organization) if organization else None
    mentor = Mentor.objects.create(user=volunteer, industry=industry, organization=org)
    if bookable:
        Mentor.objects.filter(pk=mentor.pk).update(is_bookable=True, listed=True)
        mentor.refresh_from_db()
    mentor.topics.set([topic(name) for name in topics])
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(mentor=mentor, weekday=d, start_time=s, end_time=e)
        for d, s, e in windows
    )
    return mentor


def open_round(*, created_by=None, name: str = "Spring flash mentoring", **fields) -> MatchRound:
    today = timezone.localdate()
    values = {
        "signup_deadline": timezone.now() + dt.timedelta(days=7),
        "window_start": today + dt.timedelta(days=10),
        "window_end": today + dt.timedelta(days=40),
        "status": RoundStatus.OPEN,
        **fields,
    }
    return MatchRound.objects.create(name=name, created_by=created_by, **values)


def sign_up_student(
    match_round: MatchRound,
    student,
    *,
    topics: tuple[str, ...] = (),
    industries: str = "",
    preferences: list[int] | None = None,
    excluded: list[int] | None = None,
    availability=WEEKDAY_MORNINGS,
) -> RoundStudent:
    signup = RoundStudent.objects.create(
        round=match_round,
        student=student,
        industries=industries,
        preferences=preferences or [],
        excluded=excluded or [],
        availability=[list(b) for b in availability],
    )
    signup.topics.set([topic(name) for name in topics])
    return signup


def sign_up_volunteer(match_round: MatchRound, volunteer, *, capacity: int = 2) -> RoundVolunteer:
    return RoundVolunteer.objects.create(round=match_round, volunteer=volunteer, capacity=capacity)


def round_objects(staff, student, volunteer) -> dict:
    """URL parameters for the round routes: an open round everyone may see (and the student
    may join), and a published match of `student` with `volunteer` in an earlier round."""
    current = open_round(created_by=staff)
    if not Mentor.objects.filter(user=volunteer).exists():
        mentor_for(volunteer, industry="Fintech", topics=("Industry insight",))
    earlier = open_round(created_by=staff, name="Autumn round", status=RoundStatus.PUBLISHED)
    match = Match.objects.create(
        round=earlier, student=student, volunteer=volunteer, published=True
    )
    return {"round_id": current.pk, "match_id": match.pk}
