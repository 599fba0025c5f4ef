from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from networking_app.accounts.decorators import staff_reauthentication_required, staff_required
from networking_app.accounts.forms import StaffCreateForm, VolunteerReviewForm
from networking_app.accounts.models import VolunteerProfile
from networking_app.accounts.selectors import (
    staff_members,
    volunteer_profile_get_for_review,
)
from networking_app.accounts.services import staff_user_create, volunteer_review
from networking_app.core.audit import audit_record


@require_POST
@staff_required
@staff_reauthentication_required
def volunteer_review_view(request, user_id: int):
    try:
        profile = volunteer_profile_get_for_review(user_id=user_id)
    except VolunteerProfile.DoesNotExist:
        raise Http404 from None
    form = VolunteerReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to approve or turn down this volunteer.")
        return redirect("staff:home")
    approve = form.cleaned_data["decision"] == "approve"
    with transaction.atomic():
        volunteer_review(
            profile=profile, reviewer=request.user, approve=approve, note=form.cleaned_data["note"]
        )
        decision = "approve" if approve else "reject"
        audit_record(
            actor=request.user,
            action=f"volunteer.{decision}",
            summary=f"{decision.capitalize()} volunteer {profile.user.email}",
            target=profile.user,
            volunteer_id=profile.user_id,
        )
    name = profile.user.display_name
    if approve:
        messages.success(request, f"{name} is approved and has been told by email.")
    else:
        messages.info(request, f"{name} was turned down and has been told by email.")
    return redirect("staff:home")


@staff_required
@staff_reauthentication_required(allow_get=True)
def staff_team(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_user_create(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                created_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return _team_page(request, form)
        audit_record(
            actor=request.user,
            action="staff.create",
            summary=f"Added staff member {user.email}",
            target=user,
            user_id=user.pk,
        )
        messages.success(
            request,
            f"{user.email} can now choose a password from the email we sent, "
            "then set up two-factor authentication.",
        )
        return redirect("staff:team")
    return _team_page(request, form)


def _team_page(request, form: StaffCreateForm):
    return render(request, "accounts/staff_team.html", {"form": form, "team": staff_members()})
