from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from networking_app.accounts.alumni import has_graduated, student_becomes_volunteer
from networking_app.accounts.decorators import student_required
from networking_app.accounts.forms import (
    BecomeVolunteerForm,
    ProfileForm,
    StudentProfileForm,
    VolunteerProfileForm,
)
from networking_app.accounts.models import Role
from networking_app.accounts.services import profile_get_or_create, profile_save
from networking_app.core.form_errors import add_service_errors


def _role_form(user, data=None):
    if user.role == Role.STUDENT:
        return StudentProfileForm(data, instance=user.student_profile, prefix="role")
    if user.role == Role.VOLUNTEER:
        return VolunteerProfileForm(data, instance=user.volunteer_profile, prefix="role")
    return None


@login_required
def profile_edit(request):
    profile = profile_get_or_create(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=profile)
    role_form = _role_form(request.user, data)
    if request.method == "POST" and form.is_valid() and (role_form is None or role_form.is_valid()):
        profile_save(user=request.user, form=form, role_form=role_form)
        # Said in the language just chosen (blank: the browser's, which this request is in).
        if profile.language:
            translation.activate(profile.language)
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form, "role_form": role_form})


@student_required
def become_volunteer(request):
    """A student (graduated, or asking) turns their account into an alumni volunteer's."""
    form = BecomeVolunteerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            student_becomes_volunteer(user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Welcome, volunteer. Finish your mentor profile and add your availability: "
                    "students can ask you once the career office has approved you."
                ),
            )
            return redirect("mentoring:volunteer_profile")
    student = getattr(request.user, "student_profile", None)
    return render(
        request,
        "accounts/become_volunteer.html",
        {"form": form, "graduated": has_graduated(student, timezone.localdate())},
    )
