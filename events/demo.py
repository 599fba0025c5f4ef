"""Demo events: a mix of kinds over the next six weeks and one in the past, one nearly full, one
full with a waitlist, and the demo student going to some of them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone

from events import services
from events.models import RSVP, Audience, Event, EventKind, EventStatus, RSVPStatus
from networking_app.accounts.models import Role, User
from networking_app.accounts.services import profile_create_for_role

ZONE = zoneinfo.ZoneInfo("America/New_York")
ATTENDEES = 8  # demo.attendee1@example.edu ...


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate(timezone=ZONE) + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def _attendees() -> list[User]:
    people = []
    for i in range(1, ATTENDEES + 1):
        email = f"demo.attendee{i}@example.edu"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, role=Role.STUDENT)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            profile_create_for_role(
                user=user,
                role=Role.STUDENT,
                display_name=f"Demo Attendee {i}",
                time_zone="America/New_York",
                class_year=2026 + i % 3,
            )
        people.append(user)
    return people


def _event(staff, days, hour, hours, **fields) -> Event:
    starts = _at(days, hour)
    return services.event_create(
        created_by=staff,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        time_zone="America/New_York",
        **fields,
    )


@transaction.atomic
def demo_events_load() -> None:
    """Idempotent: does nothing once the demo events exist."""
    if Event.objects.exists():
        return
    staff = User.objects.get(email="staff@example.edu")
    student = User.objects.get(email="student@example.edu")
    volunteer = User.objects.get(email="volunteer@example.org")
    people = _attendees()

    info = _event(
        staff,
        3,
        17,
        1,
        title="Northwind Analytics info session",
        kind=EventKind.INFO_SESSION,
        description=(
            "Northwind's analytics team explains what a first year looks like, how they "
            "hire interns and what they look for.\n\n"
            "- 30 minutes of presentation\n- 30 minutes of questions"
        ),
        place="Career Center, Room 210",
        capacity=40,
        organizations=["Northwind Analytics"],
        industries=["Data and analytics"],
        tags=["internships"],
        hosts=[volunteer],
    )
    services.rsvp_create(event=info, user=student)

    panel = _event(
        staff,
        8,
        18,
        2,
        title="Alumni panel: careers in finance",
        kind=EventKind.ALUMNI_PANEL,
        description=(
            "Four alumni in banking, asset management and fintech on how they got their "
            "first job. **Bring questions.** The panel is also streamed for people who are "
            "going but cannot come in person."
        ),
        place="Alumni Hall",
        video_url="https://video.example.com/finance-panel",
        capacity=5,
        organizations=["Contoso Bank", "Woodgrove Capital"],
        industries=["Finance"],
        hosts=[volunteer],
    )
    for person in people[:5]:
        services.rsvp_create(event=panel, user=person)
    for person in people[5:7]:
        services.rsvp_create(event=panel, user=person)  # full: these two wait in line

    fair = _event(
        staff,
        15,
        10,
        5,
        title="Spring career fair",
        kind=EventKind.CAREER_FAIR,
        description="Sixty employers in the gym. Dress appropriately and bring a few resumes.",
        place="Main Gym",
        organizations=["Northwind Analytics", "Contoso Health", "Fabrikam Energy", "Contoso Bank"],
        industries=["Data and analytics", "Health care", "Energy", "Finance"],
    )
    services.rsvp_create(event=fair, user=student)
    for person in people[:3]:
        services.rsvp_create(event=fair, user=person)

    workshop = _event(
        staff,
        22,
        12,
        1,
        title="Informational interviews: a workshop",
        kind=EventKind.WORKSHOP,
        description="How to ask for a 20-minute conversation, and what to ask once you have it.",
        video_url="https://video.example.com/info-interviews",
        capacity=6,
        audience=Audience.STUDENTS,
        class_years=[2026, 2027, 2028],
        tags=["skills"],
    )
    for person in people[:5]:
        services.rsvp_create(event=workshop, user=person)  # nearly full: one seat left

    night = _event(
        staff,
        29,
        18,
        2,
        title="Networking night: health and energy",
        kind=EventKind.NETWORKING_NIGHT,
        description="An evening with professionals from health care and energy companies.",
        place="Student Center Ballroom",
        capacity=60,
        organizations=["Contoso Health", "Fabrikam Energy"],
        industries=["Health care", "Energy"],
    )
    services.rsvp_create(event=night, user=student)

    briefing = _event(
        staff,
        10,
        12,
        1,
        title="Mentor briefing for volunteers",
        kind=EventKind.OTHER,
        description="What students ask most, and how flash mentoring works this term.",
        video_url="https://video.example.com/mentor-briefing",
        audience=Audience.VOLUNTEERS,
        is_public=False,
    )
    services.rsvp_create(event=briefing, user=volunteer)

    _event(
        staff,
        38,
        14,
        2,
        title="Employer visit: Fabrikam Energy",
        kind=EventKind.EMPLOYER_VISIT,
        description="A visit of Fabrikam's operations center (draft: bus not confirmed yet).",
        place="Fabrikam Energy, operations center",
        capacity=20,
        status=EventStatus.DRAFT,
        organizations=["Fabrikam Energy"],
    )

    past = _event(
        staff,
        10,
        18,
        2,
        title="Fall networking night",
        kind=EventKind.NETWORKING_NIGHT,
        description="Alumni and employers from every industry.",
        place="Student Center Ballroom",
        organizations=["Northwind Analytics", "Contoso Health"],
    )
    # Moved into the past after creation: RSVPs cannot be made to an event that is over.
    starts = _at(-5, 18)
    Event.objects.filter(pk=past.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    RSVP.objects.create(
        event=past,
        user=student,
        status=RSVPStatus.GOING,
        queued_at=starts - dt.timedelta(days=7),
        checked_in_at=starts + dt.timedelta(minutes=10),
        checked_in_by=staff,
    )
    for i, person in enumerate(people[:4]):
        RSVP.objects.create(
            event=past,
            user=person,
            status=RSVPStatus.GOING,
            queued_at=starts - dt.timedelta(days=6, minutes=-i),
            checked_in_at=starts + dt.timedelta(minutes=15) if i % 2 else None,
            checked_in_by=staff if i % 2 else None,
        )
