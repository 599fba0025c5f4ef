"""Students who become alumni volunteers: the guide counts "give back by advising others" among
networking's benefits. Once a student's class year has passed (or whenever they ask), the
account can become a volunteer account: the private network stays theirs (User.former_student,
decorators.network_required), a mentor profile is started from what they entered as a student
(the apps' became-volunteer steps, accounts.hooks), and the career office approves them as it
approves any volunteer."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from networking_app.accounts.hooks import became_volunteer_steps_run
from networking_app.accounts.models import (
    Affiliation,
    ApprovalStatus,
    Role,
    StudentProfile,
    User,
    VolunteerProfile,
)
from networking_app.core.cache import attendee, bump_version, person


def has_graduated(profile: StudentProfile | None, today: dt.date) -> bool:
    if profile is None or not profile.class_year:
        return False
    # A class year ends on GRADUATION_DATE (the rule retention uses): from the next day on,
    # Today offers the change; anyone may ask for it sooner from their profile.
    ends = dt.date(profile.class_year, settings.GRADUATION_MONTH, settings.GRADUATION_DAY)
    return today > ends


def student_becomes_volunteer(*, user: User) -> VolunteerProfile:
    """Turn a student account into an alumni volunteer account awaiting approval."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.role != Role.STUDENT:
            raise ValidationError(gettext("Only a student account can become a volunteer account."))
        locked.role = Role.VOLUNTEER
        locked.former_student = True
        locked.save(update_fields=["role", "former_student"])
        student = StudentProfile.objects.filter(user=locked).first()
        volunteer, _ = VolunteerProfile.objects.update_or_create(
            user=locked,
            defaults={
                "affiliation": Affiliation.ALUMNI,
                "class_year": student.class_year if student else None,
                "status": ApprovalStatus.PENDING,
            },
        )
        became_volunteer_steps_run(user=locked)
        bump_version(person(locked.pk), attendee(locked.pk))
    user.role, user.former_student = locked.role, locked.former_student
    return volunteer
