"""Reads of a volunteer's own mentor profile: the profile, their availability's windows and
one-day changes, and how complete the profile is and whether students can find them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext

from mentoring.models import (
    AvailabilityOverride,
    AvailabilityWindow,
    Mentor,
)
from mentoring.services.availability import (
    mentor_zone,
)
from networking_app.accounts.models import ApprovalStatus, User

# --- A volunteer's own profile -------------------------------------------------------------


def mentor_for_volunteer(*, user: User) -> Mentor | None:
    return (
        Mentor.objects.filter(user=user)
        .select_related("organization", "user__profile", "user__volunteer_profile")
        .prefetch_related("topics")
        .first()
    )


def window_get_for_volunteer(*, user: User, window_id: int) -> AvailabilityWindow:
    return get_object_or_404(AvailabilityWindow, mentor__user=user, pk=window_id)


def override_get_for_volunteer(*, user: User, override_id: int) -> AvailabilityOverride:
    return get_object_or_404(AvailabilityOverride, mentor__user=user, pk=override_id)


def upcoming_overrides(*, mentor: Mentor) -> QuerySet[AvailabilityOverride]:
    today = timezone.localdate(timezone=mentor_zone(mentor))
    return mentor.overrides.filter(date__gte=today)


@dataclass
class ProfileStatus:
    """How complete a volunteer's mentor profile is and whether students can find them."""

    checklist: list[tuple[str, bool]]
    approval: str  # ApprovalStatus value
    code_of_conduct: bool
    listed: bool
    on_leave_until: dt.date | None
    bookable: bool
    has_availability: bool
    paused_unanswered: bool = False

    @property
    def percent(self) -> int:
        done = sum(1 for _, ok in self.checklist if ok)
        return round(100 * done / len(self.checklist))

    @property
    def missing(self) -> list[str]:
        return [label for label, ok in self.checklist if not ok]

    @property
    def reasons_not_listed(self) -> list[str]:
        reasons = []
        if self.approval == ApprovalStatus.PAUSED:
            reasons.append(gettext("the career office has paused your listing"))
        elif self.approval != ApprovalStatus.APPROVED:
            reasons.append(gettext("the career office has not approved your account yet"))
        if not self.code_of_conduct:
            reasons.append(gettext("you have not accepted the code of conduct"))
        if not self.listed:
            reasons.append(gettext("you have not asked to be listed"))
        if self.on_leave_until:
            day = formats.date_format(self.on_leave_until, pgettext("date format", "d F Y"))
            reasons.append(gettext("you are on leave until %(day)s") % {"day": day})
        if self.paused_unanswered:
            reasons.append(gettext("your listing is paused after requests expired unanswered"))
        return reasons


def mentor_profile_status(*, user: User) -> ProfileStatus:
    mentor = mentor_for_volunteer(user=user)
    approval = user.volunteer_profile.status
    if mentor is None:
        mentor = Mentor(user=user)
        has_windows = False
        topic_count = 0
    else:
        has_windows = (
            mentor.windows.exists()
            or upcoming_overrides(mentor=mentor).filter(kind="window").exists()
        )
        topic_count = len(mentor.topics.all())
    today = timezone.localdate(timezone=mentor_zone(mentor))
    on_leave = (
        mentor.on_leave_until if mentor.on_leave_until and mentor.on_leave_until >= today else None
    )
    checklist = [
        (gettext("Organization"), bool(mentor.organization_id)),
        (gettext("Job title"), bool(mentor.title)),
        (gettext("Industry"), bool(mentor.industry)),
        (gettext("Job function"), bool(mentor.job_function)),
        (gettext("Location"), bool(mentor.location)),
        (gettext("About you"), bool(mentor.bio)),
        (gettext("Topics you can help with"), topic_count > 0),
        (gettext("How you can meet"), bool(mentor.modes)),
        (gettext("LinkedIn profile"), bool(mentor.linkedin_url)),
        (gettext("Code of conduct accepted"), bool(mentor.code_of_conduct_accepted_at)),
        (gettext("Weekly availability"), has_windows),
    ]
    return ProfileStatus(
        checklist=checklist,
        approval=approval,
        code_of_conduct=bool(mentor.code_of_conduct_accepted_at),
        listed=mentor.listed,
        on_leave_until=on_leave,
        bookable=bool(mentor.pk and mentor.is_bookable),
        has_availability=has_windows,
        paused_unanswered=mentor.paused_unanswered_at is not None,
    )
