"""Demo cohort for the staff dashboard: students of several class years and majors at every
stage of the conversation pipeline over the last weeks, some who have not started, offers, and
an eligibility label. Idempotent: running it again changes nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from contacts.models import Contact, Conversation, Organization, Outcome, Relationship
from contacts.services.people import contact_refresh_search_text
from networking_app.accounts.models import Role, User
from networking_app.accounts.services import profile_create_for_role
from networking_app.console.models import EligibilityLabel, StudentLabel

DEMO_PASSWORD = "rapport-demo-2026"  # noqa: S105 (the demo accounts' password, as in accounts)
FIRST = ["Ava", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gabe", "Hana", "Ilya", "Jade"]
LAST = ["Nguyen", "Okafor", "Patel", "Quinn", "Reyes", "Schmidt", "Tanaka", "Usman"]
MAJORS = ["Economics", "Computer Science", "History", "Biology", "Psychology"]
ORGANIZATIONS = ["Northwind Bank", "Contoso Health", "Fabrikam Energy", "City Museum"]
COHORT = 24
NOT_STARTED = 6


def _organization(name: str) -> Organization:
    organization = Organization.objects.filter(normalized_name=name.casefold()).first()
    return organization or Organization.objects.create(name=name)


def _at(days_ago: int, hour: int = 15) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def demo_console_load() -> None:
    if User.objects.filter(email="cohort01@example.edu").exists():
        return
    rng = random.Random(7)  # noqa: S311 (demo data, not a secret)
    organizations = [_organization(name) for name in ORGANIZATIONS]
    label, _ = EligibilityLabel.objects.get_or_create(
        name="First-gen", defaults={"description": "First in their family at university"}
    )
    password = make_password(DEMO_PASSWORD)  # hashed once, not 24 times
    for i in range(1, COHORT + 1):
        email = f"cohort{i:02d}@example.edu"
        student = User.objects.create(email=email, password=password, role=Role.STUDENT)
        profile_create_for_role(
            user=student,
            role=Role.STUDENT,
            display_name=f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}",
            time_zone="America/New_York",
            class_year=2026 + i % 4,
            major=MAJORS[i % len(MAJORS)],
        )
        User.objects.filter(pk=student.pk).update(date_joined=_at(40 + i))
        if i % 3 == 0:
            StudentLabel.objects.create(label=label, student=student)
        if i > COHORT - NOT_STARTED:
            continue  # these have not added a contact yet: the nudge's audience
        for n in range(1 + i % 3):
            contact = Contact.objects.create(
                owner=student,
                name=f"Demo Contact {i}-{n}",
                organization=rng.choice(organizations),
                title="Analyst",
                relationship=rng.choice([Relationship.ALUMNI, Relationship.FAMILY_FRIEND]),
            )
            contact_refresh_search_text(contact=contact)
            Contact.objects.filter(pk=contact.pk).update(created_at=_at(rng.randint(1, 50)))
            stage = (i + n) % 5
            requested = rng.randint(8, 45)
            fields: dict = {"status": "requested", "requested_on": _at(requested).date()}
            if stage >= 1:
                fields.update(status="scheduled", scheduled_at=_at(requested - 4))
            if stage >= 2:
                fields.update(status="held", held_at=_at(requested - 5))
            if stage >= 3:
                fields.update(status="thanked", thanked_at=_at(requested - 5 - rng.randint(0, 2)))
            Conversation.objects.create(
                owner=student, contact=contact, goal="How people start in this field", **fields
            )
        if i % 7 == 0:
            Outcome.objects.create(
                owner=student,
                kind="internship" if i % 2 else "job",
                organization=rng.choice(organizations),
                decided_on=timezone.localdate() - dt.timedelta(days=i),
            )
