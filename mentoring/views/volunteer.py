"""A volunteer's own pages: the mentor profile and availability (volunteers only: anonymous
visitors go to the login page, other roles get 403)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mentoring.forms.volunteer import (
    WEEKDAYS,
    AvailabilityRulesForm,
    MentorProfileForm,
    OverrideForm,
    WindowForm,
)
from mentoring.models import Mentor, OverrideKind
from mentoring.selectors.directory import mentor_card_preview
from mentoring.selectors.profiles import (
    mentor_for_volunteer,
    mentor_profile_status,
    override_get_for_volunteer,
    upcoming_overrides,
    window_get_for_volunteer,
)
from mentoring.services import profiles as services
from mentoring.services.availability import mentor_zone, open_slots
from mentoring.services.photos import mentor_photo_set
from mentoring.services.responsiveness import volunteer_resume as volunteer_resume_listing
from networking_app.accounts.decorators import role_required
from networking_app.accounts.models import Role
from networking_app.core.form_errors import add_service_errors

volunteer_required = role_required(Role.VOLUNTEER)
PREVIEW_SLOTS = 10


@volunteer_required
def volunteer_home(request, *, extra: dict | None = None):
    """A volunteer's home page ("/" for volunteers): their approval and listing status, and
    what the project's home view adds (`extra`: the events card)."""
    context = {
        "volunteer": request.user.volunteer_profile,
        "status": mentor_profile_status(user=request.user),
        **(extra or {}),
    }
    return render(request, "mentoring/home_volunteer.html", context)


def _mentor(user) -> Mentor:
    """The volunteer's mentor profile, or an unsaved one with the defaults before the first
    save (a GET writes nothing)."""
    return mentor_for_volunteer(user=user) or Mentor(user=user)


def _window_label(window) -> str:
    return gettext("%(day)s, %(start)s to %(end)s") % {
        "day": window.get_weekday_display(),
        "start": formats.time_format(window.start_time),
        "end": formats.time_format(window.end_time),
    }


def _override_label(override) -> str:
    day = formats.date_format(override.date)
    if override.kind == OverrideKind.BLACKOUT:
        return gettext("away on %(day)s") % {"day": day}
    return gettext("%(day)s, %(start)s to %(end)s only") % {
        "day": day,
        "start": formats.time_format(override.start_time),
        "end": formats.time_format(override.end_time),
    }


def _today(mentor: Mentor) -> dt.date:
    return timezone.localdate(timezone=mentor_zone(mentor))


# --- Profile -------------------------------------------------------------------------------


@volunteer_required
def volunteer_profile(request):
    user = request.user
    mentor = _mentor(user)
    today = _today(mentor)
    if request.method == "POST":
        form = MentorProfileForm(request.POST, request.FILES, today=today)
        if form.is_valid():
            try:
                mentor = services.mentor_save(user=user, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if form.cleaned_data["photo"]:
                    mentor_photo_set(user=user, photo=form.cleaned_data["photo"])
                if mentor.is_bookable:
                    messages.success(
                        request, gettext("Your mentor profile is saved. Students can find you.")
                    )
                else:
                    messages.success(request, gettext("Your mentor profile is saved."))
                return redirect("mentoring:volunteer_profile")
    else:
        initial = MentorProfileForm.initial_for(mentor, user.volunteer_profile, today=today)
        form = MentorProfileForm(initial=initial, today=today)
    preview = mentor_card_preview(user=user)
    context = {
        "form": form,
        "status": mentor_profile_status(user=user),
        "preview_cards": [preview] if preview else [],
        "photo_url": mentor.photo_url,
    }
    return render(request, "mentoring/volunteer_profile.html", context)


# --- Availability --------------------------------------------------------------------------


def _availability_page(request, **forms):
    mentor = _mentor(request.user)
    zone = mentor_zone(mentor)
    today = _today(mentor)
    windows = list(mentor.windows.all()) if mentor.pk else []
    preview = []
    if mentor.pk:
        preview = [
            (timezone.localtime(s.start_at, zone), timezone.localtime(s.end_at, zone))
            for s in open_slots(mentor, limit=PREVIEW_SLOTS)
        ]
    context = {
        "mentor": mentor,
        "zone": zone.key,
        "status": mentor_profile_status(user=request.user),
        "weekdays": [(label, [w for w in windows if w.weekday == day]) for day, label in WEEKDAYS],
        "has_windows": bool(windows),
        "overrides": list(upcoming_overrides(mentor=mentor)) if mentor.pk else [],
        "preview": preview,
        "rules_form": forms.get("rules_form")
        or AvailabilityRulesForm(initial=AvailabilityRulesForm.initial_for(mentor)),
        "window_form": forms.get("window_form") or WindowForm(),
        "override_form": forms.get("override_form") or OverrideForm(today=today),
    }
    return render(request, "mentoring/volunteer_availability.html", context)


@volunteer_required
def availability(request):
    """GET: the page. POST: the slot rules (length, break, notice, horizon, monthly cap)."""
    if request.method != "POST":
        return _availability_page(request)
    form = AvailabilityRulesForm(request.POST)
    if form.is_valid():
        mentor = services.mentor_get_or_create(user=request.user)
        try:
            services.mentor_rules_update(mentor=mentor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("Your booking rules are saved."))
            return redirect("mentoring:availability")
    return _availability_page(request, rules_form=form)


@require_POST
@volunteer_required
def window_add(request):
    form = WindowForm(request.POST)
    if form.is_valid():
        mentor = services.mentor_get_or_create(user=request.user)
        try:
            window = services.availability_window_add(mentor=mentor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, gettext("Added %(window)s.") % {"window": _window_label(window)}
            )
            return redirect("mentoring:availability")
    return _availability_page(request, window_form=form)


@require_POST
@volunteer_required
def window_delete(request, window_id: int):
    window = window_get_for_volunteer(user=request.user, window_id=window_id)
    label = _window_label(window)
    services.availability_window_delete(window=window)
    messages.success(request, gettext("Deleted %(window)s.") % {"window": label})
    return redirect("mentoring:availability")


@require_POST
@volunteer_required
def override_add(request):
    mentor = _mentor(request.user)
    form = OverrideForm(request.POST, today=_today(mentor))
    if form.is_valid():
        mentor = services.mentor_get_or_create(user=request.user)
        try:
            override = services.availability_override_add(mentor=mentor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, gettext("Added: %(day)s.") % {"day": _override_label(override)}
            )
            return redirect("mentoring:availability")
    return _availability_page(request, override_form=form)


@require_POST
@volunteer_required
def override_delete(request, override_id: int):
    override = override_get_for_volunteer(user=request.user, override_id=override_id)
    label = _override_label(override)
    services.availability_override_delete(override=override)
    messages.success(request, gettext("Deleted: %(day)s.") % {"day": label})
    return redirect("mentoring:availability")


@require_POST
@volunteer_required
def volunteer_resume(request):
    """Resume a listing the policy paused after unanswered requests (the email's link opens
    the home page, whose button posts here)."""
    volunteer_resume_listing(user=request.user)
    messages.success(request, gettext("Your listing is back: students can ask you again."))
    return redirect("home")
