"""Reads behind the console's administration pages and the filter forms' choices."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.utils import timezone

from networking_app.accounts.models import (
    ApprovalStatus,
    StudentProfile,
    VolunteerProfile,
)
from networking_app.console.models import (
    EligibilityLabel,
    StudentLabel,
    VolunteerInvitation,
)
from networking_app.core.models import AuditLog


def cohort_years_and_majors() -> dict:
    """The class years and the most common majors of the student profiles (2 queries)."""
    years = (
        StudentProfile.objects.exclude(class_year=None)
        .values_list("class_year", flat=True)
        .distinct()
        .order_by("class_year")
    )
    majors = (
        StudentProfile.objects.exclude(major="")
        .values("major")
        .annotate(n=Count("pk"))
        .order_by("-n", "major")[:60]
    )
    return {
        "class_years": list(years),
        "majors": sorted({row["major"].strip() for row in majors}, key=str.casefold),
    }


def label_choices() -> list[EligibilityLabel]:
    return list(EligibilityLabel.objects.only("pk", "name").order_by("name"))


def cohort_choices() -> dict:
    """Class years, majors and labels for the filter form (3 queries)."""
    return {**cohort_years_and_majors(), "labels": label_choices()}


# --- Administration lists --------------------------------------------------------------------


def volunteers_for_staff(*, status: str = "", q: str = "") -> QuerySet[VolunteerProfile]:
    """Volunteers for the staff's review, with the mentor profile they wrote (organization,
    topics) so that staff decide on the whole of it."""
    profiles = (
        VolunteerProfile.objects.filter(user__is_active=True)
        .select_related("user__profile", "user__mentor__organization")
        .prefetch_related("user__mentor__topics")
    )
    if status:
        profiles = profiles.filter(status=status)
    if q:
        profiles = profiles.filter(
            Q(user__email__icontains=q.strip())
            | Q(user__profile__display_name__icontains=q.strip())
        )
    return profiles.order_by("status", "-created_at", "-pk")


def volunteers_awaiting_approval() -> QuerySet[VolunteerProfile]:
    """The staff home's queue: pending volunteers, the longest waiting first."""
    return volunteers_for_staff(status=ApprovalStatus.PENDING).order_by("created_at", "pk")


def volunteer_status_counts() -> dict[str, int]:
    counts = dict.fromkeys(ApprovalStatus.values, 0)
    rows = (
        VolunteerProfile.objects.filter(user__is_active=True)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def invitations_for_staff() -> QuerySet[VolunteerInvitation]:
    return VolunteerInvitation.objects.select_related("created_by__profile", "used_by")


def invitation_get_by_token(*, token: str) -> VolunteerInvitation | None:
    return VolunteerInvitation.objects.filter(token=token).first()


def labels_with_counts() -> QuerySet[EligibilityLabel]:
    return EligibilityLabel.objects.annotate(n_students=Count("links")).order_by("name")


def label_students(*, label: EligibilityLabel) -> QuerySet[StudentLabel]:
    return (
        StudentLabel.objects.filter(label=label)
        .select_related("student__profile", "student__student_profile")
        .order_by("student__profile__display_name", "student__email")
    )


def audit_entries(
    *, action: str = "", actor_id: int | None = None, start=None, end=None
) -> QuerySet[AuditLog]:
    entries = AuditLog.objects.select_related("actor__profile")
    if action:
        entries = entries.filter(action=action)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if start:
        entries = entries.filter(
            created_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        )
    if end:
        entries = entries.filter(
            created_at__lt=timezone.make_aware(
                dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
            )
        )
    return entries.order_by("-created_at", "-pk")


def audit_actions() -> list[str]:
    return list(AuditLog.objects.order_by("action").values_list("action", flat=True).distinct())
