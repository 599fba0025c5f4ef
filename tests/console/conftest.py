"""Hand-built programme data for the dashboard tests, with every expected number worked out in
`Expected` below (the period is the last 30 days, ending today)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from contacts.models import Contact, ConversationChange, Outcome
from events.models import RSVP, Event, RSVPStatus
from mentoring.models import Feedback, FlashRequest, RequestStatus, Session, SessionStatus
from networking_app.accounts.models import ErasedAccount, Role
from tests.contacts.factories import ContactFactory, ConversationFactory, OrganizationFactory
from tests.factories import StudentFactory
from tests.mentoring.factories import MentorFactory

_slot = itertools.count()


def noon(days_ago: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def flash_request(student, volunteer, *, status, start, created=None) -> FlashRequest:
    # Each request gets its own minute so the one-holder-per-slot constraint never bites.
    start = start + dt.timedelta(minutes=next(_slot))
    request = FlashRequest.objects.create(
        student=student,
        volunteer=volunteer,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        message="(not read by staff)",
        status=status,
        expires_at=start,
    )
    if created is not None:
        FlashRequest.objects.filter(pk=request.pk).update(created_at=created)
    return request


def session_for(request, status) -> Session:
    return Session.objects.create(
        request=request,
        student=request.student,
        volunteer=request.volunteer,
        start_at=request.start_at,
        end_at=request.end_at,
        status=status,
    )


def add_student_activity(student, *, days_ago: int = 3) -> None:
    """A student who added a contact and held a conversation (used to grow the data)."""
    contact = ContactFactory(owner=student)
    ConversationFactory(
        owner=student,
        contact=contact,
        status="held",
        requested_on=timezone.localdate() - dt.timedelta(days=days_ago + 2),
        held_at=noon(days_ago),
    )


class Expected:
    students = 4
    active = 2
    not_started = 1
    contacts_added = 2
    requested, scheduled, held, thanked = 3, 2, 1, 1
    held_in_period = 2
    thanked_in_period = 2
    median_days_to_thank = 1.5
    rescheduled, cancelled = 1, 1
    requests, accepted, declined, expired = 5, 2, 1, 1
    acceptance_rate = 0.5
    capacity_used = 3
    sessions_held, no_shows = 1, 1
    no_show_rate = 0.5
    feedback_average = 3.0
    event_rsvps, going, waitlisted, cancelled_rsvps = 3, 2, 1, 1
    attendance_rate = 0.5
    outcomes, internships, jobs, with_contacts = 1, 1, 0, 1
    erased_contacts = 5
    all_time_contacts = 3 + 5


@pytest.fixture
def programme(db, volunteer):
    today = timezone.localdate()
    s1 = StudentFactory(student_profile__class_year=2027, student_profile__major="Economics")
    s2 = StudentFactory(student_profile__class_year=2027, student_profile__major="History")
    s3 = StudentFactory(student_profile__class_year=2028, student_profile__major="Economics")
    s4 = StudentFactory(student_profile__class_year=2028, student_profile__major="")
    c1 = ContactFactory(owner=s1)
    c2 = ContactFactory(owner=s2)
    c4 = ContactFactory(owner=s4)
    Contact.objects.filter(pk=c4.pk).update(created_at=noon(100), updated_at=noon(100))

    a = ConversationFactory(
        owner=s1,
        contact=c1,
        status="thanked",
        requested_on=today - dt.timedelta(days=20),
        scheduled_at=noon(15),
        held_at=noon(14),
        thanked_at=noon(12),
    )
    ConversationFactory(
        owner=s1, contact=c1, status="requested", requested_on=today - dt.timedelta(days=5)
    )
    ConversationFactory(
        owner=s1,
        contact=c1,
        status="thanked",
        requested_on=today - dt.timedelta(days=60),
        held_at=noon(3),
        thanked_at=noon(2),
    )
    ConversationFactory(
        owner=s2,
        contact=c2,
        status="scheduled",
        requested_on=today - dt.timedelta(days=2),
        scheduled_at=noon(-3),
    )
    ConversationChange.objects.create(conversation=a, kind="rescheduled", asked_by="them")
    ConversationChange.objects.create(conversation=a, kind="cancelled", asked_by="me")

    MentorFactory(user=volunteer, monthly_capacity=4)
    r1 = flash_request(s1, volunteer, status=RequestStatus.ACCEPTED, start=noon(5))
    flash_request(s1, volunteer, status=RequestStatus.DECLINED, start=noon(4))
    flash_request(s2, volunteer, status=RequestStatus.EXPIRED, start=noon(4))
    flash_request(s2, volunteer, status=RequestStatus.PENDING, start=noon(1))
    r5 = flash_request(s2, volunteer, status=RequestStatus.ACCEPTED, start=noon(6))
    held = session_for(r1, SessionStatus.COMPLETED)
    session_for(r5, SessionStatus.NO_SHOW)
    Feedback.objects.create(session=held, author=s1, rating=4, comments="(private)")
    Feedback.objects.create(session=held, author=volunteer, rating=2, comments="(private)")

    past = Event.objects.create(
        title="Alumni panel", starts_at=noon(7), ends_at=noon(7) + dt.timedelta(hours=2)
    )
    RSVP.objects.create(event=past, user=s1, status=RSVPStatus.GOING, checked_in_at=noon(7))
    RSVP.objects.create(event=past, user=s2, status=RSVPStatus.GOING)
    RSVP.objects.create(event=past, user=s3, status=RSVPStatus.CANCELLED)
    RSVP.objects.create(event=past, user=s4, status=RSVPStatus.WAITLISTED)
    # s3 and s4 answered before the period: that does not make them active in it.
    RSVP.objects.filter(user__in=[s3, s4]).update(created_at=noon(40))
    upcoming = Event.objects.create(
        title="Career fair",
        starts_at=noon(-7),
        ends_at=noon(-7) + dt.timedelta(hours=3),
        capacity=1,
    )
    RSVP.objects.create(event=upcoming, user=s2, status=RSVPStatus.GOING)
    RSVP.objects.create(event=upcoming, user=s1, status=RSVPStatus.WAITLISTED)

    internship = Outcome.objects.create(
        owner=s1,
        kind="internship",
        organization=OrganizationFactory(),
        decided_on=today - dt.timedelta(days=3),
    )
    internship.helped_by.add(c1)
    Outcome.objects.create(
        owner=s2,
        kind="job",
        organization=OrganizationFactory(),
        decided_on=today - dt.timedelta(days=100),
    )
    ErasedAccount.objects.create(
        role=Role.STUDENT,
        class_year=2027,
        major="Economics",
        joined_on=today - dt.timedelta(days=400),
        contacts=5,
        conversations=3,
        conversations_held=2,
        conversations_thanked=1,
        outcomes=1,
    )
    return {"students": [s1, s2, s3, s4], "volunteer": volunteer}
