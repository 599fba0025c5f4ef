from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from networking_app.accounts.forms import ProfileForm, StudentProfileForm, VolunteerProfileForm
from networking_app.accounts.models import Role
from networking_app.accounts.services import profile_get_or_create, profile_save


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
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form, "role_form": role_form})
