"""A new student's onboarding (mentoring.views.onboarding): the steps, how far the student got,
and saving each step. Every step can be skipped and the student can stop at any point: the
step they reached is kept on their StudentProfile and Today offers to go on from there."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.models import StudentInterests
from networking_app.accounts.models import StudentProfile, User
from networking_app.core.cache import bump_version, person


@dataclass(frozen=True)
class Step:
    slug: str
    title: str


STEPS = (
    Step("about", _("About you")),
    Step("interests", _("Your interests")),
    Step("goals", _("Strengths and goals")),
    Step("organizations", _("Organizations")),
    Step("time-zone", _("Time zone")),
    Step("volunteers", _("Suggested volunteers")),
)
SLUGS = [step.slug for step in STEPS]
LAST = STEPS[-1].slug


def step_index(slug: str) -> int:
    return SLUGS.index(slug) if slug in SLUGS else 0


def next_step(slug: str) -> str:
    return SLUGS[min(step_index(slug) + 1, len(SLUGS) - 1)]


def student_profile_for(user: User) -> StudentProfile:
    profile, _ = StudentProfile.objects.get_or_create(user=user)
    return profile


def onboarding_reach(*, user: User, slug: str) -> StudentProfile:
    """Record that the student reached `slug`, if it is further than before; reaching the
    suggested volunteers finishes the onboarding."""
    profile = student_profile_for(user)
    fields = []
    if not profile.onboarding_step or step_index(slug) > step_index(profile.onboarding_step):
        profile.onboarding_step = slug
        fields.append("onboarding_step")
    if slug == LAST and profile.onboarded_at is None:
        profile.onboarded_at = timezone.now()
        fields.append("onboarded_at")
    if fields:
        with transaction.atomic():
            profile.save(update_fields=fields)
            bump_version(person(user.pk))  # Today's checklist
    return profile


def onboarding_save(*, user: User, form) -> None:
    """Save one step's valid form (a StudentProfile or Profile form; the interests form's
    topics too)."""
    with transaction.atomic():
        form.save()
        if "topics" in form.cleaned_data:
            interests, _ = StudentInterests.objects.get_or_create(student=user)
            interests.topics.set(form.cleaned_data["topics"])
            interests.save(update_fields=["updated_at"])
        # Class year decides which events the student sees; the zone, every date shown.
        bump_version(person(user.pk))


def student_topic_ids(*, user: User) -> list[int]:
    return list(
        StudentInterests.topics.through.objects.filter(studentinterests__student=user).values_list(
            "topic_id", flat=True
        )
    )
