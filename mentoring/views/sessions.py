"""Flash-mentoring sessions: the session page and its moves (reschedule, cancel, change the
place, report a no-show, mark it held), feedback, the calendar file, and the sessions list of
both home pages.

Every view of a session starts from a lookup that filters by its student and its volunteer,
so anyone else (another student, another volunteer, staff) gets a plain 404. Services refuse
what no longer applies with a ValidationError, shown as a message or on the form, never a
500.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mentoring import attendance_links, ics
from mentoring.forms.requests import CancelForm, FeedbackForm, PlaceForm, RescheduleForm
from mentoring.models import Session, SessionStatus
from mentoring.selectors import requests as request_selectors
from mentoring.selectors import rounds as round_selectors
from mentoring.selectors import sessions as session_selectors
from mentoring.services import attendance
from mentoring.services import sessions as session_services
from mentoring.views.participants import flash_errors, participant_required
from networking_app.core.form_errors import error_text

# --- Sessions -------------------------------------------------------------------------------


@login_required
def session_list(request):
    """The sessions list; for htmx (the home pages load it this way) just the fragment."""
    participant_required(request)
    user = request.user
    lists = session_selectors.sessions_for_user(user=user)
    context = {
        "sessions_loaded": True,
        "upcoming": lists.upcoming,
        "past": lists.past,
        "waiting_count": (
            request_selectors.flash_requests_waiting_count(volunteer=user)
            if user.is_volunteer
            else None
        ),
        "my_requests": (
            request_selectors.student_requests_for_home(student=user) if user.is_student else None
        ),
        # Rounds this person may still join, announced where they look every day.
        "open_rounds": [
            item for item in round_selectors.rounds_open_to(user=user) if not item.joined
        ],
    }
    if request.htmx:
        return render(request, "mentoring/_session_list.html", context)
    return render(request, "mentoring/session_list.html", context)


def _get_session(request, session_id: int) -> Session:
    return session_selectors.session_get_for_user(user=request.user, session_id=session_id)


def _render_session(request, session: Session, **forms) -> HttpResponse:
    user = request.user
    now = timezone.now()
    mentor = request_selectors.mentor_of(session.volunteer_id)
    can_change = session_services.session_can_change(session, mentor, now)
    started = session_services.session_has_started(session, now)
    context = {
        "session": session,
        "is_volunteer": user.pk == session.volunteer_id,
        "other": session_selectors.other_person(session, user),
        "mentor": mentor,
        "changes": session_selectors.session_changes(session=session),
        "can_change": can_change,
        "started": started,
        # What this person said of it (mentoring.services.attendance); "" until they do.
        "i_said": session.student_said if user.pk == session.student_id else session.volunteer_said,
        "min_notice_hours": int(session_services.min_notice(mentor).total_seconds() // 3600),
        "is_link": session.location.startswith(("https://", "http://")),
        "open_form": next((name for name in forms if forms[name] is not None), ""),
    }
    if can_change:
        slots = session_services.reschedule_choices(session=session, mentor=mentor)
        reschedule_form = forms.get("reschedule_form") or RescheduleForm()
        reschedule_form.fields["start"].set_slots(slots)
        context["reschedule_form"] = reschedule_form
        context["cancel_form"] = forms.get("cancel_form") or CancelForm()
    if session.status == SessionStatus.SCHEDULED and now < session.end_at:
        context["place_form"] = forms.get("place_form") or PlaceForm(
            initial={"mode": session.mode, "location": session.location},
            modes=mentor.modes if mentor else None,
        )
    if started and session.status in (SessionStatus.SCHEDULED, SessionStatus.COMPLETED):
        mine = session_selectors.feedback_for(session=session, author=user)
        context["my_feedback"] = mine
        context["feedback_form"] = forms.get("feedback_form") or FeedbackForm(
            initial=(
                {
                    "rating": mine.rating,
                    "comments": mine.comments,
                    "would_meet_again": mine.would_meet_again,
                }
                if mine
                else None
            )
        )
    return render(request, "mentoring/session_detail.html", context)


@login_required
def session_detail(request, session_id: int):
    return _render_session(request, _get_session(request, session_id))


def _session_back(session: Session, anchor: str = ""):
    url = reverse("mentoring:session", kwargs={"session_id": session.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
def session_ics(request, session_id: int):
    session = _get_session(request, session_id)
    method = ics.method_for(session)
    response = HttpResponse(
        ics.session_ics(session, for_user=request.user, method=method),
        content_type=f"text/calendar; charset=utf-8; method={method}",
    )
    response["Content-Disposition"] = f'attachment; filename="{ics.filename_for(session)}"'
    return response


@require_POST
@login_required
def session_reschedule(request, session_id: int):
    session = _get_session(request, session_id)
    mentor = request_selectors.mentor_of(session.volunteer_id)
    slots = session_services.reschedule_choices(session=session, mentor=mentor) if mentor else []
    form = RescheduleForm(request.POST, slots=slots)
    if not form.is_valid():
        return _render_session(request, session, reschedule_form=form)
    try:
        session = session_services.session_reschedule(
            session=session,
            by=request.user,
            start_at=form.cleaned_data["start"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        # Refused (too late, the time was just taken): the page says why, as it is now.
        flash_errors(request, error)
        return _session_back(session)
    messages.success(
        request, gettext("Moved. You both have an updated calendar invitation by email.")
    )
    return _session_back(session)


@require_POST
@login_required
def session_cancel(request, session_id: int):
    session = _get_session(request, session_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _render_session(request, session, cancel_form=form)
    try:
        session_services.session_cancel(
            session=session, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        # Refused (too late, the time was just taken): the page says why, as it is now.
        flash_errors(request, error)
        return _session_back(session)
    messages.success(request, gettext("Cancelled. You both have the cancellation by email."))
    return _session_back(session)


@require_POST
@login_required
def session_place(request, session_id: int):
    session = _get_session(request, session_id)
    mentor = request_selectors.mentor_of(session.volunteer_id)
    form = PlaceForm(request.POST, modes=mentor.modes if mentor else None)
    if not form.is_valid():
        return _render_session(request, session, place_form=form)
    try:
        session_services.session_update_place(
            session=session,
            by=request.user,
            mode=form.cleaned_data["mode"],
            location=form.cleaned_data["location"],
        )
    except ValidationError as error:
        # Refused (too late, the time was just taken): the page says why, as it is now.
        flash_errors(request, error)
        return _session_back(session)
    messages.success(
        request, gettext("Saved. You both have an updated calendar invitation by email.")
    )
    return _session_back(session)


@require_POST
@login_required
def session_no_show(request, session_id: int):
    session = _get_session(request, session_id)
    try:
        session = attendance.attendance_record(
            session=session, by=request.user, said=attendance_links.NO_SHOW
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _attendance_message(session, attendance_links.NO_SHOW))
    return _session_back(session)


def _attendance_message(session, said: str) -> str:
    if session.disputed_at:
        return gettext(
            "Noted. You and the other person said different things: the career office will "
            "look at it."
        )
    if said == attendance_links.NO_SHOW:
        return gettext("Noted: the session did not take place.")
    return gettext("Noted: the session took place.")


@require_POST
@login_required
def session_complete(request, session_id: int):
    session = _get_session(request, session_id)
    try:
        session = attendance.attendance_record(
            session=session, by=request.user, said=attendance_links.HELD
        )
    except ValidationError as error:
        flash_errors(request, error)
        return _session_back(session)
    if session.disputed_at:
        messages.warning(request, _attendance_message(session, attendance_links.HELD))
    elif request.user.pk == session.student_id:
        messages.success(
            request,
            gettext(
                "Marked as held. %(name)s is in your contacts with the conversation; thank "
                "them within 24 hours."
            )
            % {"name": session.volunteer.display_name},
        )
    else:
        messages.success(request, gettext("Marked as held. Thank you for your time!"))
    return _session_back(session, "feedback")


@require_POST
@login_required
def session_feedback(request, session_id: int):
    session = _get_session(request, session_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _render_session(request, session, feedback_form=form)
    try:
        _feedback, created = session_services.feedback_submit(
            session=session, author=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        flash_errors(request, error)
        return _session_back(session)
    messages.success(
        request,
        gettext("Thank you for your feedback.")
        if created
        else gettext("Your feedback is updated."),
    )
    return _session_back(session, "feedback")


def session_attendance(request, token: str):
    """ "It happened" / "They did not come" from the email after a session, signed in or not:
    GET shows the question (mail scanners follow links), POST records it for the person the
    link was made for (mentoring.services.attendance)."""
    try:
        session_id, user_id, said = attendance_links.read_attendance_token(token)
    except signing.BadSignature:
        return render(request, "mentoring/session_attendance.html", {"invalid": True}, status=400)
    session = session_selectors.session_for_attendance(session_id=session_id, user_id=user_id)
    if session is None:
        return render(request, "mentoring/session_attendance.html", {"invalid": True}, status=400)
    person = session.student if session.student_id == user_id else session.volunteer
    other = session.volunteer if person.pk == session.student_id else session.student
    context = {"session": session, "said": said, "other": other}
    with timezone.override(person.profile.zone):
        if request.method == "POST":
            try:
                session = attendance.attendance_record(session=session, by=person, said=said)
            except ValidationError as error:
                context["error"] = error_text(error)
            else:
                context["done"] = _attendance_message(session, said)
        return render(request, "mentoring/session_attendance.html", context)
