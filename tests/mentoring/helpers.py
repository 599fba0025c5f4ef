"""Builders the mentoring tests share (and the route table's world): bookable mentors,
rounds and sign-ups, a request and a session between a student and a volunteer. Also what
several test modules of a topic share: the match round scenario, a flash request's fixtures,
and reading the directory's result cards."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from contacts.models import Organization
from mentoring.models import (
    AvailabilityWindow,
    FlashRequest,
    Match,
    MatchRound,
    Mentor,
    Mode,
    RequestStatus,
    RoundStatus,
    RoundStudent,
    RoundVolunteer,
    Topic,
)
from mentoring.services import requests as request_services
from mentoring.services.availability import open_slots
from tests.contacts.factories import OrganizationFactory
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.factories import (
    AvailabilityOverrideFactory,
    AvailabilityWindowFactory,
    MentorFactory,
)

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# Monday 2 March 2026, 06:00 in New York. Daylight saving starts on Sunday 8 March.
NOW = dt.datetime(2026, 3, 2, 6, 0, tzinfo=NEW_YORK)


def mentor_in(zone: str = "America/New_York", **fields) -> Mentor:
    return MentorFactory(user=VolunteerFactory(profile__time_zone=zone), **fields)


def hold(mentor, start_at: dt.datetime, status=RequestStatus.PENDING) -> FlashRequest:
    return FlashRequest.objects.create(
        student=StudentFactory(),
        volunteer=mentor.user,
        start_at=start_at,
        end_at=start_at + dt.timedelta(minutes=mentor.slot_minutes),
        message="Hello",
        status=status,
        expires_at=start_at,
    )


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


def directory_objects(volunteer) -> dict:
    """URL parameters naming the volunteer's listed mentor profile, one of their weekly
    windows and one of their one-day changes."""
    from mentoring.models import Mentor
    from mentoring.services.profiles import mentor_refresh_bookable
    from tests.mentoring.factories import (
        AvailabilityOverrideFactory,
        AvailabilityWindowFactory,
        MentorFactory,
    )

    # request_objects() may have made it already (the route table's world).
    if Mentor.objects.filter(user=volunteer).exists():
        Mentor.objects.filter(user=volunteer).update(
            listed=True, code_of_conduct_accepted_at=timezone.now()
        )
        mentor = mentor_refresh_bookable(user=volunteer)
    else:
        mentor = MentorFactory(user=volunteer)
    assert mentor.is_bookable, "the volunteer fixture must be approved to be listed"
    window = AvailabilityWindowFactory(mentor=mentor)
    override = AvailabilityOverrideFactory(
        mentor=mentor, date=timezone.localdate() + dt.timedelta(days=3)
    )
    return {"mentor_id": mentor.pk, "window_id": window.pk, "override_id": override.pk}


# --- Match rounds: named people, the two-seat scenario, the join form ------------------------


def closed_round(**fields) -> MatchRound:
    return open_round(status=RoundStatus.CLOSED, **fields)


def named_volunteer(name: str, **mentor):
    volunteer = VolunteerFactory(profile__display_name=name)
    mentor_for(volunteer, **mentor)
    return volunteer


def named_student(name: str, **kwargs):
    return StudentFactory(profile__display_name=name, **kwargs)


def round_pairs(match_round) -> set[tuple[int, int]]:
    return set(Match.objects.filter(round=match_round).values_list("student_id", "volunteer_id"))


def round_scenario():
    """Two volunteers with one seat each; Ann prefers Carol, Ben prefers Dave."""
    match_round = closed_round()
    carol = named_volunteer("Carol", industry="Fintech", topics=("Industry insight",))
    dave = named_volunteer("Dave", industry="Health", topics=("Resume review",))
    ann, ben, cy = named_student("Ann"), named_student("Ben"), named_student("Cy")
    for v in (carol, dave):
        sign_up_volunteer(match_round, v, capacity=1)
    sign_up_student(match_round, ann, topics=("Industry insight",), preferences=[carol.pk])
    sign_up_student(match_round, ben, topics=("Resume review",), preferences=[dave.pk])
    sign_up_student(match_round, cy, availability=[[6, 20, 21]])  # Sunday night: nobody
    return match_round, carol, dave, ann, ben, cy


def round_join_post(**overrides) -> dict:
    """What a student posts to join a round (or change their answers)."""
    data = {
        "topics": [topic("Industry insight").pk],
        "industries": "Fintech, Consulting",
        "availability": ["0:morning", "2:evening"],
    }
    return {**data, **overrides}


# --- Flash requests: the volunteer's mentor and open slots, asking ---------------------------
# Test modules import the fixtures by their function names; pytest knows them as `mentor`
# and `slots`.


@pytest.fixture(name="mentor")
def mentor_fixture(volunteer) -> Mentor:
    return bookable_mentor(volunteer)


@pytest.fixture(name="slots")
def slots_fixture(mentor):
    return open_slots(mentor, limit=20)


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(student, mentor, slot, message="How do analysts spend their first year?"):
    return request_services.flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message=message
    )


def error_text(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- The directory: listed mentors, and the results read from the HTML -----------------------

DIRECTORY = reverse("mentoring:directory")
HTMX = {"HTTP_HX_REQUEST": "true"}


def mentor_url(mentor) -> str:
    return reverse("mentoring:mentor", kwargs={"mentor_id": mentor.pk})


def add_url(mentor) -> str:
    return reverse("mentoring:add_contact", kwargs={"mentor_id": mentor.pk})


def named(name: str, organization: str = "", **fields) -> Mentor:
    user = VolunteerFactory(profile__display_name=name, **fields.pop("user_fields", {}))
    if organization:
        fields["organization"] = OrganizationFactory(name=organization)
    return MentorFactory(user=user, **fields)


CARD = re.compile(r'<li class="card mentor-card">.*?</li>', re.S)
CARD_NAME = re.compile(r'<h3 class="mentor-name"><a href="[^"]*">([^<]*)</a></h3>')


# The results are read from the HTML, as students get them: a page of results may come from
# the cache (views.directory), with no card objects in its context.


def names(response) -> list[str]:
    return [html.unescape(name) for name in CARD_NAME.findall(response.content.decode())]


def cards(response) -> dict[str, str]:
    """Each volunteer's card on the page, by name."""
    found = CARD.findall(response.content.decode())
    return {html.unescape(CARD_NAME.search(card).group(1)): card for card in found}


def every_day(mentor, start=dt.time(9), end=dt.time(17)):
    for weekday in range(7):
        AvailabilityWindowFactory(mentor=mentor, weekday=weekday, start_time=start, end_time=end)


def add_mentors(count: int, organization=None, topic=None):
    """`count` listed mentors titled Analyst, each with a window today and a one-day change."""
    for _ in range(count):
        mentor = MentorFactory(
            **({"organization": organization} if organization else {}),
            topics=[topic] if topic else [],
            title="Analyst",
        )
        AvailabilityWindowFactory(mentor=mentor, weekday=timezone.localdate().weekday())
        AvailabilityOverrideFactory(mentor=mentor)
