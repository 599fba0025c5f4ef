"""Flash requests: a student's request page, the volunteer's answers (accept, decline, propose
another time), the student's (accept the proposal, withdraw), and the requests list. Sessions
are in mentoring/views/sessions.py.

Every view of a request starts from a lookup that filters by its student and its volunteer,
so anyone else (another student, another volunteer, staff) gets a plain 404. Services refuse
what no longer applies with a ValidationError, shown as a message or on the form, never a
500.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from mentoring import answer_links
from mentoring.forms.requests import (
    AcceptForm,
    DeclineForm,
    FlashRequestForm,
    ProposeForm,
    parse_start,
    slot_value,
)
from mentoring.models import (
    OPEN_REQUEST_STATUSES,
    FlashRequest,
    Mentor,
    RequestStatus,
)
from mentoring.selectors import requests as request_selectors
from mentoring.services import requests as request_services
from mentoring.services.availability import Slot, mentor_zone, open_slots, slot_is_open
from mentoring.views.participants import flash_errors, participant_required
from networking_app.accounts.decorators import student_required
from networking_app.core.form_errors import add_service_errors

SLOTS_OFFERED = 40
SLOTS_ON_REQUEST_PAGE = 8
# What the volunteer reads once they answered, on the request's page or the email's link.
ANSWER_DONE = {
    "accept": _("Accepted. %(student)s and you have a calendar invitation by email."),
    "decline": _("Declined. %(student)s is told by email."),
    "propose": _("Proposed. %(student)s can accept the new time or decline it."),
}


# --- A student asks ------------------------------------------------------------------------


def _request_slots(mentor: Mentor, start) -> tuple[bool, list[Slot]]:
    """The times the form offers: the chosen one while it is open, else the next open ones."""
    if start is not None and slot_is_open(mentor, start):
        return True, [Slot(start, start + dt.timedelta(minutes=mentor.slot_minutes))]
    return False, open_slots(mentor, limit=SLOTS_ON_REQUEST_PAGE)


@student_required
def request_new(request, mentor_id: int):
    mentor = request_selectors.mentor_get_bookable(mentor_id=mentor_id)
    volunteer = mentor.user
    raw_start = request.POST.get("start") if request.method == "POST" else request.GET.get("start")
    start = parse_start(raw_start)
    slot_open, slots = _request_slots(mentor, start)
    initial = {"start": slot_value(start)} if slot_open else {}
    # "Ask someone else" from an expired or declined request keeps what the student wrote.
    earlier = request_selectors.flash_request_message_of(
        student=request.user, request_id=request.GET.get("from")
    )
    if earlier:
        initial["message"] = earlier
    form = FlashRequestForm(request.POST or None, slots=slots, initial=initial)
    if slot_open:
        form.fields["start"].widget = forms.HiddenInput()  # the page shows the chosen time
    if request.method == "POST" and form.is_valid():
        try:
            flash_request = request_services.flash_request_create(
                student=request.user,
                mentor=mentor,
                start_at=form.cleaned_data["start"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            # The time may just have gone: offer the others, keeping what was typed.
            slot_open, slots = _request_slots(mentor, start)
            if not slot_open:
                form.fields["start"].widget = forms.RadioSelect()
            form.fields["start"].set_slots(slots)
        else:
            messages.success(
                request,
                gettext(
                    "Your request is on its way to %(name)s. They have a week to answer; we "
                    "will email you."
                )
                % {"name": volunteer.display_name},
            )
            return redirect("mentoring:request", request_id=flash_request.pk)
    open_request = request_selectors.flash_request_open_between(
        student=request.user, volunteer=volunteer
    )
    context = {
        "mentor": mentor,
        "volunteer": volunteer,
        "start": start if slot_open else None,
        "slot_open": slot_open,
        "slot_gone": bool(raw_start) and not slot_open,
        "has_slots": bool(slots),
        "volunteer_zone": mentor_zone(mentor),
        "open_request": open_request,
        "form": form,
    }
    return render(request, "mentoring/request_new.html", context)


# --- Requests: list and page ---------------------------------------------------------------


@login_required
def request_list(request):
    participant_required(request)
    flash_requests = list(request_selectors.flash_requests_for_user(user=request.user))
    return render(
        request,
        "mentoring/request_list.html",
        {
            "open_requests": [r for r in flash_requests if r.status in OPEN_REQUEST_STATUSES],
            "other_requests": [r for r in flash_requests if r.status not in OPEN_REQUEST_STATUSES],
            "is_volunteer": request.user.is_volunteer,
        },
    )


def _get_request(request, request_id: int) -> FlashRequest:
    return request_selectors.flash_request_get_for_user(user=request.user, request_id=request_id)


def _other_slots(mentor, flash_request: FlashRequest) -> list[Slot]:
    """The volunteer's next open times but the one asked for: what they may propose."""
    if mentor is None:
        return []
    slots = open_slots(mentor, limit=SLOTS_OFFERED + 1)
    return [s for s in slots if s.start_at != flash_request.start_at][:SLOTS_OFFERED]


def _render_request(request, flash_request: FlashRequest, **forms) -> HttpResponse:
    user = request.user
    is_volunteer = user.pk == flash_request.volunteer_id
    context = {
        "flash_request": flash_request,
        "is_volunteer": is_volunteer,
        "other": flash_request.student if is_volunteer else flash_request.volunteer,
        "is_open": flash_request.status in OPEN_REQUEST_STATUSES,
        "expires_at": request_services.request_expires_at(flash_request),
        "session": getattr(flash_request, "session", None),
    }
    if is_volunteer and flash_request.status == RequestStatus.PENDING:
        mentor = request_selectors.mentor_of(flash_request.volunteer_id)
        slots = _other_slots(mentor, flash_request)
        context["accept_form"] = forms.get("accept_form") or AcceptForm(
            modes=mentor.modes if mentor else None
        )
        context["decline_form"] = forms.get("decline_form") or DeclineForm()
        propose_form = forms.get("propose_form") or ProposeForm()
        propose_form.fields["start"].set_slots(slots)
        context["propose_form"] = propose_form
        context["open_form"] = next((name for name in forms if forms[name] is not None), "")
    if is_volunteer and flash_request.status == RequestStatus.PROPOSED:
        context["decline_form"] = forms.get("decline_form") or DeclineForm()
    return render(request, "mentoring/request_detail.html", context)


@login_required
def request_detail(request, request_id: int):
    return _render_request(request, _get_request(request, request_id))


def _back_to(flash_request: FlashRequest):
    return redirect("mentoring:request", request_id=flash_request.pk)


@require_POST
@login_required
def request_accept(request, request_id: int):
    flash_request = _get_request(request, request_id)
    mentor = request_selectors.mentor_of(flash_request.volunteer_id)
    form = AcceptForm(request.POST, modes=mentor.modes if mentor else None)
    if not form.is_valid():
        return _render_request(request, flash_request, accept_form=form)
    try:
        session = request_services.flash_request_accept(
            flash_request=flash_request,
            by=request.user,
            mode=form.cleaned_data["mode"],
            location=form.cleaned_data["location"],
        )
    except ValidationError as error:
        flash_errors(request, error)
        return _back_to(flash_request)
    messages.success(
        request, ANSWER_DONE["accept"] % {"student": flash_request.student.display_name}
    )
    return redirect("mentoring:session", session_id=session.pk)


@require_POST
@login_required
def request_decline(request, request_id: int):
    flash_request = _get_request(request, request_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _render_request(request, flash_request, decline_form=form)
    try:
        request_services.flash_request_decline(
            flash_request=flash_request, by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request, ANSWER_DONE["decline"] % {"student": flash_request.student.display_name}
        )
    return _back_to(flash_request)


@require_POST
@login_required
def request_propose(request, request_id: int):
    flash_request = _get_request(request, request_id)
    mentor = request_selectors.mentor_of(flash_request.volunteer_id)
    slots = open_slots(mentor, limit=SLOTS_OFFERED + 1) if mentor else []
    form = ProposeForm(request.POST, slots=slots)
    if not form.is_valid():
        return _render_request(request, flash_request, propose_form=form)
    try:
        request_services.flash_request_propose(
            flash_request=flash_request, by=request.user, start_at=form.cleaned_data["start"]
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_request(request, flash_request, propose_form=form)
    messages.success(
        request, ANSWER_DONE["propose"] % {"student": flash_request.student.display_name}
    )
    return _back_to(flash_request)


@require_POST
@login_required
def request_accept_proposal(request, request_id: int):
    flash_request = _get_request(request, request_id)
    try:
        session = request_services.flash_request_accept_proposal(
            flash_request=flash_request, by=request.user
        )
    except ValidationError as error:
        flash_errors(request, error)
        return _back_to(flash_request)
    messages.success(request, gettext("Booked. You both have a calendar invitation by email."))
    return redirect("mentoring:session", session_id=session.pk)


@require_POST
@login_required
def request_withdraw(request, request_id: int):
    flash_request = _get_request(request, request_id)
    was_proposed = flash_request.status == RequestStatus.PROPOSED
    try:
        request_services.flash_request_withdraw(flash_request=flash_request, by=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request,
            gettext("You declined the proposed time; the request is closed.")
            if was_proposed
            else gettext("Your request is withdrawn."),
        )
    return _back_to(flash_request)


# --- Answering from the request's email ------------------------------------------------------


def _invalid_answer_link(request, what: str) -> HttpResponse:
    context = {"what": what, "max_days": answer_links.LINK_MAX_AGE // (24 * 60 * 60)}
    return render(request, "mentoring/request_answer_invalid.html", context, status=400)


def _answer_form(answer: str, flash_request: FlashRequest, mentor, data=None):
    if answer == "accept":
        return AcceptForm(data, modes=mentor.modes if mentor else None)
    if answer == "decline":
        return DeclineForm(data)
    form = ProposeForm(data, slots=_other_slots(mentor, flash_request))
    return form


def request_answer(request, token: str):
    """Accept, decline or propose another time from the request's email, signed in or not:
    GET shows the request and the answer's form (mail scanners follow links), POST answers as
    the volunteer the link was made for, through the same services as the request's page."""
    try:
        request_id, volunteer_id, answer = answer_links.read_answer_token(token)
    except signing.SignatureExpired:
        return _invalid_answer_link(request, "expired")
    except signing.BadSignature:
        return _invalid_answer_link(request, "tampered")
    flash_request = request_selectors.flash_request_from_link(
        request_id=request_id, volunteer_id=volunteer_id
    )
    if flash_request is None:
        return _invalid_answer_link(request, "gone")
    volunteer = flash_request.volunteer
    mentor = request_selectors.mentor_of(volunteer.pk)
    student = flash_request.student.display_name
    context = {
        "flash_request": flash_request,
        "answer": answer,
        "student": flash_request.student,
        "student_profile": getattr(flash_request.student, "student_profile", None),
        "waiting": flash_request.status == RequestStatus.PENDING,
    }
    # Opened from an email, often without signing in: in the volunteer's time zone.
    with timezone.override(mentor_zone(mentor) if mentor else timezone.get_current_timezone()):
        if not context["waiting"]:
            return render(request, "mentoring/request_answer.html", context)
        form = _answer_form(answer, flash_request, mentor, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                _answer(answer, flash_request, volunteer, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                context["done"] = ANSWER_DONE[answer] % {"student": student}
                return render(request, "mentoring/request_answer.html", context)
        context["form"] = form
        return render(request, "mentoring/request_answer.html", context)


def _answer(answer: str, flash_request: FlashRequest, volunteer, data: dict) -> None:
    if answer == "accept":
        request_services.flash_request_accept(
            flash_request=flash_request, by=volunteer, mode=data["mode"], location=data["location"]
        )
    elif answer == "decline":
        request_services.flash_request_decline(
            flash_request=flash_request, by=volunteer, note=data["note"]
        )
    else:
        request_services.flash_request_propose(
            flash_request=flash_request, by=volunteer, start_at=data["start"]
        )
