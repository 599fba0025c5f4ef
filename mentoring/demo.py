"""Demo content for `make run`: the demo volunteer is listed, bookable, and works at one of
the demo student's target organizations (a warm path)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from mentoring.models import Mentor, Mode, StudentInterests, Topic
from mentoring.services.profiles import availability_window_add, mentor_save


@transaction.atomic
def demo_mentoring_load(*, volunteer, student) -> None:
    """Idempotent: does nothing when the volunteer already has a mentor profile. The student
    has chosen a topic the volunteer offers (and has not done the onboarding, which Today
    offers), so "Suggested for you" has someone to suggest, with reasons."""
    if Mentor.objects.filter(user=volunteer).exists():
        return
    interests, _ = StudentInterests.objects.get_or_create(student=student)
    interests.topics.set(Topic.objects.filter(slug__in=["industry-insight"]))
    mentor = mentor_save(
        user=volunteer,
        affiliation="alumni",
        class_year=2012,
        organization_name="Northwind Analytics",
        title="Director of Data Science",
        industry="Technology",
        job_function="Data science",
        location="Boston, MA",
        major="Economics",
        bio="I moved from economics into data science and like helping students find their "
        "first analytics role.",
        topics=list(Topic.objects.filter(slug__in=["industry-insight", "career-switch"])),
        modes=[Mode.VIDEO, Mode.PHONE],
        code_of_conduct=True,
        listed=True,
    )
    for weekday in range(5):
        availability_window_add(
            mentor=mentor, weekday=weekday, start_time=dt.time(9), end_time=dt.time(12)
        )
