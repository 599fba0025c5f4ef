"""Staff: the staff home page (who is waiting for approval, is email going out, are the
background jobs alive) and the team page where staff add colleagues."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from events.home_card import home_events_card_html
from networking_app.accounts.decorators import staff_reauthentication_required, staff_required
from networking_app.accounts.forms import StaffCreateForm
from networking_app.accounts.selectors import (
    staff_members,
    user_counts_by_role,
    volunteer_counts_by_status,
)
from networking_app.accounts.services import staff_user_create
from networking_app.console.selectors import volunteers_awaiting_approval
from networking_app.core.audit import audit_record
from networking_app.core.tasks import HEARTBEAT_CACHE_KEY
from networking_app.notifications.selectors import failed_email_count


@staff_required
def staff_home(request):
    heartbeat = cache.get(HEARTBEAT_CACHE_KEY)
    context = {
        "pending": list(volunteers_awaiting_approval()[:50]),
        "role_counts": user_counts_by_role(),
        "volunteer_counts": volunteer_counts_by_status(),
        "heartbeat": parse_datetime(heartbeat) if heartbeat else None,
        "failed_emails": failed_email_count(),
    }
    context["events_card_html"] = home_events_card_html(request.user)
    return render(request, "console/staff_home.html", context)


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
            _(
                "%(email)s can now choose a password from the email we sent, then set up "
                "two-factor authentication."
            )
            % {"email": user.email},
        )
        return redirect("staff:team")
    return _team_page(request, form)


def _team_page(request, form: StaffCreateForm):
    return render(request, "console/staff_team.html", {"form": form, "team": staff_members()})
