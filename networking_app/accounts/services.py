from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop

from networking_app.accounts.hooks import profile_saved_steps_run
from networking_app.accounts.models import (
    Affiliation,
    Profile,
    Role,
    StudentProfile,
    User,
    VolunteerProfile,
)
from networking_app.core.cache import attendee, bump_version, person


def profile_create_for_role(
    *,
    user: User,
    role: str,
    display_name: str,
    time_zone: str,
    affiliation: str = "",
    class_year: int | None = None,
    major: str = "",
    language: str = "",
) -> Profile:
    """Give a new user their role and the profile rows that role needs."""
    with transaction.atomic():
        user.role = role
        user.save(update_fields=["role"])
        profile = Profile.objects.create(
            user=user,
            display_name=display_name.strip(),
            time_zone=time_zone,
            language=language if language in dict(settings.LANGUAGES) else "",
        )
        if role == Role.STUDENT:
            StudentProfile.objects.create(user=user, class_year=class_year, major=major.strip())
        elif role == Role.VOLUNTEER:
            VolunteerProfile.objects.create(
                user=user,
                affiliation=affiliation or Affiliation.FRIEND,
                class_year=class_year,
            )
    return profile


def user_finish_staff_setup(*, user: User) -> None:
    """Staff accounts are created by people, not by sign-up: their address counts as verified."""
    with transaction.atomic():
        Profile.objects.get_or_create(
            user=user, defaults={"display_name": user.email.split("@", 1)[0]}
        )
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )


EMAIL_TAKEN = gettext_noop("Someone already has an account with this address.")


def staff_user_create(
    *, email: str, display_name: str, created_by: User, request: HttpRequest | None = None
) -> User:
    """A staff member adds a colleague, who then chooses a password through the reset email.
    ValidationError (on "email") when the address is taken, even by a request racing this one."""
    from allauth.account.forms import ResetPasswordForm

    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, role=Role.STAFF, is_staff=True)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user_finish_staff_setup(user=user)
            user.profile.display_name = display_name.strip() or user.profile.display_name
            user.profile.save(update_fields=["display_name"])
    except IntegrityError:
        # Two requests for the same new address both pass the form's check; the unique email
        # lets one insert through and the other gets the form's answer, not a 500.
        raise ValidationError({"email": gettext(EMAIL_TAKEN)}) from None
    if request is not None:
        form = ResetPasswordForm(data={"email": user.email})
        if form.is_valid():
            form.save(request)
    return user


def profile_get_or_create(*, user: User) -> Profile:
    """The user's profile; an account made without one (createsuperuser) gets it now."""
    profile, _ = Profile.objects.get_or_create(
        user=user, defaults={"display_name": user.display_name}
    )
    return profile


def profile_save(*, user: User, form, role_form=None) -> None:
    """Save the profile page's valid forms (the profile, and the student's or volunteer's
    part), then let the other apps follow (accounts.hooks: a volunteer's directory entry)."""
    with transaction.atomic():
        form.save()
        if role_form is not None:
            role_form.save()
            # A student's class year decides which events their calendar shows.
            bump_version(person(user.pk), attendee(user.pk))
        profile_saved_steps_run(user=user)


def profile_update(*, profile: Profile, display_name: str, time_zone: str) -> Profile:
    profile.display_name = display_name.strip()
    profile.time_zone = time_zone
    profile.full_clean()
    profile.save(update_fields=["display_name", "time_zone", "updated_at"])
    return profile
