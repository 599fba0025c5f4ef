"""Demo content for the demo student: enough to see every part of the pipeline at once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from contacts.models import (
    Cadence,
    Contact,
    Conversation,
    InteractionKind,
    MeetingMode,
    Priority,
    Relationship,
)
from contacts.services.people import contact_create, interaction_log, target_organization_add
from contacts.services.pipeline import (
    conversation_mark_held,
    conversation_mark_requested,
    conversation_plan,
    conversation_schedule,
)
from contacts.services.preparation import action_item_create, referral_create

STARTER = [
    "How did you find your job?",
    "What advice do you have for someone looking to enter this field?",
]


@transaction.atomic
def demo_contacts_load(*, student) -> None:
    """Idempotent: does nothing when the student already has contacts."""
    if Contact.objects.filter(owner=student).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    for name, priority in [
        ("Northwind Analytics", Priority.HIGH),
        ("Contoso Health", Priority.MEDIUM),
        ("Fabrikam Energy", Priority.LOW),
    ]:
        target_organization_add(owner=student, name=name, priority=priority)

    maya = contact_create(
        owner=student,
        name="Maya Chen",
        email="maya.chen@example.com",
        organization_name="Northwind Analytics",
        title="Senior Data Analyst",
        industry="Technology",
        relationship=Relationship.ALUMNI,
        how_met="Alumni panel, spring semester",
        cadence_days=Cadence.ONE_MONTH,
        tags=["data", "alumni"],
    )
    omar = contact_create(
        owner=student,
        name="Omar Haddad",
        email="omar.haddad@example.com",
        organization_name="Contoso Health",
        title="Product Manager",
        industry="Health care",
        relationship=Relationship.FAMILY_FRIEND,
        how_met="Friend of my aunt",
        tags=["product"],
    )
    prof = contact_create(
        owner=student,
        name="Prof. Elena Ruiz",
        email="e.ruiz@example.edu",
        title="Professor of Economics",
        relationship=Relationship.PROFESSOR,
        how_met="Econometrics office hours",
        cadence_days=Cadence.THREE_MONTHS,
    )
    lena = contact_create(
        owner=student,
        name="Lena Park",
        email="lena.park@example.com",
        organization_name="Fabrikam Energy",
        title="Policy Associate",
        industry="Energy",
        relationship=Relationship.RECENT_GRADUATE,
        tags=["climate"],
    )
    contact_create(
        owner=student,
        name="Jordan Blake",
        organization_name="Northwind Analytics",
        title="Recruiter",
        relationship=Relationship.MET_AT_EVENT,
        how_met="Fall career fair",
        cadence_days=Cadence.TWO_WEEKS,
    )
    interaction_log(
        contact=prof,
        kind=InteractionKind.IN_PERSON,
        occurred_on=today - dt.timedelta(days=120),
        note="Talked about research assistant roles.",
    )

    # Held two days ago, not thanked yet: the Today page asks for the thank-you.
    held = conversation_plan(
        contact=maya, goal="how analysts grow into data science roles", questions=STARTER
    )
    conversation_mark_requested(conversation=held, requested_on=today - dt.timedelta(days=12))
    conversation_schedule(
        conversation=held,
        scheduled_at=now + dt.timedelta(minutes=1),
        mode=MeetingMode.VIDEO,
        location="Video link from Maya",
    )
    conversation_mark_held(
        conversation=held,
        held_at=now - dt.timedelta(days=2),
        notes="Learn SQL window functions; the team hires interns in January.",
        takeaways="Build a small public portfolio project.\nApply in early January.",
    )
    # The schedule service only accepts future times; the demo's meeting was two days ago.
    Conversation.objects.filter(pk=held.pk).update(scheduled_at=now - dt.timedelta(days=2))
    action_item_create(
        owner=student,
        conversation=held,
        text="Finish the portfolio project Maya suggested",
        due_on=today,
    )
    referral_create(
        referrer=maya,
        name="Dev Patel",
        email="dev.patel@example.com",
        organization_name="Northwind Analytics",
        title="Data Science Manager",
        may_use_name=True,
        note="Maya says he mentors new analysts.",
    )

    # Intro sent nine days ago with no answer: a follow-up is due.
    waiting = conversation_plan(contact=omar, goal="what product managers do in health care")
    conversation_mark_requested(conversation=waiting, requested_on=today - dt.timedelta(days=9))

    # Coming up tomorrow, with prepared questions.
    upcoming = conversation_plan(
        contact=lena,
        goal="how to start a career in energy policy",
        questions=[*STARTER, "Which skills matter most in your first year?"],
    )
    conversation_mark_requested(conversation=upcoming, requested_on=today - dt.timedelta(days=3))
    conversation_schedule(
        conversation=upcoming,
        scheduled_at=(now + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0),
        mode=MeetingMode.IN_PERSON,
        location="Campus coffee shop",
    )
