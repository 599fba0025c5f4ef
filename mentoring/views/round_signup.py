"""Match rounds, the participants' side: students and volunteers sign up while a round is open;
each published pair then meets on its match page (the staff's side: rounds.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mentoring.forms.rounds import BookForm, StudentJoinForm, VolunteerJoinForm
from mentoring.models import Match, MatchRound, Mentor
from mentoring.selectors import rounds as selectors
from mentoring.services import rounds as services
from mentoring.services.availability import open_slots
from networking_app.accounts.decorators import role_required, student_required
from networking_app.core.form_errors import add_service_errors, error_text

SLOTS_SHOWN = 40


def _visible_round(round_id: int) -> MatchRound:
    """A round students and volunteers may see: anything but a draft."""
    match_round = selectors.round_get_visible(round_id=round_id)
    if match_round is None:
        raise Http404("No such round")
    return match_round


# --- Students and volunteers: sign-up --------------------------------------------------------


@role_required("student", "volunteer")
def rounds_open(request):
    context = {
        "open_rounds": selectors.rounds_open_to(user=request.user),
        "matches": selectors.published_matches_for(user=request.user),
    }
    return render(request, "mentoring/round_open.html", context)


@student_required
def round_join(request, round_id: int):
    match_round = _visible_round(round_id)
    student = request.user
    signup = selectors.round_student_get(match_round=match_round, student=student)
    ineligible = selectors.student_ineligibility(match_round=match_round, student=student)
    is_open = selectors.signup_is_open(match_round)
    volunteers = selectors.volunteers_with_choices(
        volunteers=selectors.round_volunteer_choices(match_round=match_round)
    )
    form = StudentJoinForm(
        request.POST if request.method == "POST" else None,
        volunteers=volunteers,
        initial=StudentJoinForm.initial_for(signup, student),
    )
    if request.method == "POST" and (ineligible or not is_open):
        messages.error(request, ineligible or gettext("Sign-up for this round is closed."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.round_student_join(
                match_round=match_round,
                student=student,
                topic_ids=[t.pk for t in data["topics"]],
                industries=data["industries"],
                preferences=data["preferences"],
                excluded=data["excluded"],
                availability=data["availability"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = (
                gettext(
                    "You updated your answers for %(name)s. You will hear from us by email once "
                    "the career office has made the matches."
                )
                if signup
                else gettext(
                    "You joined %(name)s. You will hear from us by email once the career office "
                    "has made the matches."
                )
            )
            messages.success(request, message % {"name": match_round.name})
            return redirect("mentoring:rounds_open")
    context = {
        "round": match_round,
        "form": form,
        "signup": signup,
        "ineligible": ineligible,
        "is_open": is_open,
        "has_volunteers": bool(volunteers),
    }
    status = 403 if ineligible and signup is None else 200
    return render(request, "mentoring/round_join.html", context, status=status)


@require_POST
@student_required
def round_leave(request, round_id: int):
    match_round = _visible_round(round_id)
    try:
        services.round_student_leave(match_round=match_round, student=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("mentoring:round_join", round_id=round_id)
    messages.success(request, gettext("You left %(name)s.") % {"name": match_round.name})
    return redirect("mentoring:rounds_open")


@role_required("volunteer")
def round_volunteer_join(request, round_id: int):
    match_round = _visible_round(round_id)
    volunteer = request.user
    offer = selectors.round_volunteer_get(match_round=match_round, volunteer=volunteer)
    ineligible = selectors.volunteer_ineligibility(volunteer=volunteer)
    is_open = selectors.signup_is_open(match_round)
    form = VolunteerJoinForm(
        request.POST if request.method == "POST" else None,
        initial={"capacity": offer.capacity} if offer else None,
    )
    if request.method == "POST" and (ineligible or not is_open):
        messages.error(request, ineligible or gettext("Sign-up for this round is closed."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.round_volunteer_join(
                match_round=match_round,
                volunteer=volunteer,
                capacity=form.cleaned_data["capacity"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext(
                    "Thank you: you are giving time in %(name)s. We will email you an "
                    "introduction to each student you are matched with."
                )
                % {"name": match_round.name},
            )
            return redirect("mentoring:rounds_open")
    context = {
        "round": match_round,
        "form": form,
        "offer": offer,
        "ineligible": ineligible,
        "is_open": is_open,
        "has_windows": selectors.volunteer_has_windows(volunteer=volunteer),
    }
    return render(request, "mentoring/round_volunteer_join.html", context)


@require_POST
@role_required("volunteer")
def round_volunteer_leave(request, round_id: int):
    match_round = _visible_round(round_id)
    try:
        services.round_volunteer_leave(match_round=match_round, volunteer=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("mentoring:round_volunteer_join", round_id=round_id)
    messages.success(
        request,
        gettext("You are no longer giving time in %(name)s.") % {"name": match_round.name},
    )
    return redirect("mentoring:rounds_open")


# --- A published match: booking a conversation -----------------------------------------------


def _participant_match(request, match_id: int) -> Match:
    try:
        return selectors.match_get_for_participant(user=request.user, match_id=match_id)
    except Match.DoesNotExist:
        raise Http404("No such match") from None


def _slots_in_window(match: Match, mentor: Mentor | None, zone) -> list:
    if mentor is None or not mentor.is_bookable:
        return []
    match_round = match.round
    start = dt.datetime.combine(match_round.window_start, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(match_round.window_end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    now = timezone.now()
    if end <= now:
        return []
    slots = open_slots(mentor, now=now, until=end)
    return [s for s in slots if s.start_at >= start][:SLOTS_SHOWN]


@login_required
def round_match(request, match_id: int):
    match = _participant_match(request, match_id)
    mentor = getattr(match.volunteer, "mentor", None)
    is_student = request.user.pk == match.student_id
    booked = selectors.match_booking(match=match) if is_student else None
    slots = []
    if is_student and booked is None:
        slots = _slots_in_window(match, mentor, timezone.get_current_timezone())
    context = {
        "match": match,
        "mentor": mentor,
        "is_student": is_student,
        "booked": booked,
        "slots": slots,
        "form": BookForm(),
    }
    return render(request, "mentoring/round_match.html", context)


@require_POST
@student_required
def round_match_book(request, match_id: int):
    match = _participant_match(request, match_id)
    if match.student_id != request.user.pk:
        raise Http404("No such match")
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Pick a time and say what you would like to learn."))
        return redirect("mentoring:round_match", match_id=match_id)
    try:
        flash_request = services.match_book(
            match=match,
            student=request.user,
            start_at=form.cleaned_data["start_at"],
            message=form.cleaned_data["message"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("mentoring:round_match", match_id=match_id)
    messages.success(
        request,
        gettext("Your request is on its way to %(name)s; you will get an email when they answer.")
        % {"name": match.volunteer.display_name},
    )
    return redirect("mentoring:round_match", match_id=flash_request.match_id)
