from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime

from contacts.views.pipeline import today_response
from networking_app.accounts.decorators import staff_required
from networking_app.accounts.forms import ProfileForm, StudentProfileForm, VolunteerProfileForm
from networking_app.accounts.models import Profile, Role
from networking_app.accounts.selectors import (
    user_counts_by_role,
    volunteer_counts_by_status,
    volunteer_profiles_pending,
)
from networking_app.accounts.staff_email_views import failed_email_count
from networking_app.cache import bump_version, person
from networking_app.tasks import HEARTBEAT_CACHE_KEY


def home(request):
    """Each role's home page; anonymous visitors go to the login page."""
    user = request.user
    if not user.is_authenticated:
        return redirect("account_login")
    if user.role == Role.STAFF:
        return redirect("staff:home")
    if user.role == Role.VOLUNTEER:
        from mentoring.selectors.directory import mentor_profile_status

        context = {
            "volunteer": user.volunteer_profile,
            "status": mentor_profile_status(user=user),
        }
        return render(request, "accounts/home_volunteer.html", context)
    return today_response(request, home=True)


def _role_form(user, data=None):
    if user.role == Role.STUDENT:
        return StudentProfileForm(data, instance=user.student_profile, prefix="role")
    if user.role == Role.VOLUNTEER:
        return VolunteerProfileForm(data, instance=user.volunteer_profile, prefix="role")
    return None


@login_required
def profile_edit(request):
    profile, _ = Profile.objects.get_or_create(
        user=request.user, defaults={"display_name": request.user.display_name}
    )
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=profile)
    role_form = _role_form(request.user, data)
    if request.method == "POST" and form.is_valid() and (role_form is None or role_form.is_valid()):
        with transaction.atomic():
            form.save()
            if role_form is not None:
                role_form.save()
                # A student's class year decides which events their calendar shows.
                bump_version(person(request.user.pk))
            if request.user.is_volunteer:
                # The directory searches the volunteer's name: keep it current.
                from mentoring.services.profiles import mentor_refresh_bookable

                mentor_refresh_bookable(user=request.user)
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form, "role_form": role_form})


@staff_required
def staff_home(request):
    heartbeat = cache.get(HEARTBEAT_CACHE_KEY)
    context = {
        "pending": list(volunteer_profiles_pending()[:50]),
        "role_counts": user_counts_by_role(),
        "volunteer_counts": volunteer_counts_by_status(),
        "heartbeat": parse_datetime(heartbeat) if heartbeat else None,
        "failed_emails": failed_email_count(),
    }
    return render(request, "accounts/staff_home.html", context)
