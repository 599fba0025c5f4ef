"""Match rounds, the staff's side: set a round up, open and close it, run the matcher, review
and publish (students' and volunteers' sign-up and match pages: round_signup.py)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contacts.exports.contacts import neutralise
from mentoring import matching
from mentoring.forms.rounds import (
    MATCHING_FIELDS,
    LockForm,
    ReviewFilterForm,
    RoundForm,
    StatusForm,
    SwapForm,
)
from mentoring.models import MatchRound, RoundStatus
from mentoring.selectors import round_review as review_selectors
from mentoring.selectors import rounds as selectors
from mentoring.services import round_intros, round_matches
from mentoring.services import rounds as services
from networking_app.accounts.decorators import (
    staff_reauthentication_required,
    staff_required,
)
from networking_app.core.form_errors import add_service_errors, error_text

STATUS_CHANGED = {
    RoundStatus.OPEN: _("%(name)s is open for sign-up."),
    RoundStatus.CLOSED: _("%(name)s is closed for sign-up."),
    RoundStatus.DRAFT: _("%(name)s is back in draft."),
}


def _staff_round(round_id: int) -> MatchRound:
    try:
        return selectors.round_get(round_id=round_id)
    except MatchRound.DoesNotExist:
        raise Http404("No such round") from None


# --- Staff: rounds ---------------------------------------------------------------------------


@staff_required
def round_list(request):
    return render(request, "mentoring/round_list.html", {"rounds": selectors.round_list()})


def _round_fields(form: RoundForm) -> dict:
    fields = {
        name: form.cleaned_data[name]
        for name in RoundForm.base_fields
        if name not in MATCHING_FIELDS
    }
    return {**fields, "matching_settings": form.matching_settings()}


@staff_required
def round_create(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            match_round = services.round_create(created_by=request.user, **_round_fields(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("%(name)s is saved as a draft. Open it when you are ready.")
                % {"name": match_round.name},
            )
            return redirect("mentoring:round", round_id=match_round.pk)
    return render(
        request,
        "mentoring/round_form.html",
        {"form": form, "heading": gettext("New match round")},
    )


@staff_required
def round_edit(request, round_id: int):
    match_round = _staff_round(round_id)
    form = RoundForm.for_round(match_round, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(match_round=match_round, **_round_fields(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("%(name)s is saved.") % {"name": match_round.name})
            return redirect("mentoring:round", round_id=match_round.pk)
    context = {
        "form": form,
        "round": match_round,
        "heading": pgettext("a match round", "Edit %(name)s") % {"name": match_round.name},
    }
    return render(request, "mentoring/round_form.html", context)


@staff_required
def round_detail(request, round_id: int):
    match_round = _staff_round(round_id)
    students, volunteers = selectors.round_signups(match_round=match_round)
    context = {
        "round": match_round,
        "students": students,
        "volunteers": volunteers,
        "seats": sum(v.capacity for v in volunteers),
        "signup_open": selectors.signup_is_open(match_round),
        "deadline_passed": timezone.now() >= match_round.signup_deadline,
    }
    return render(request, "mentoring/round_detail.html", context)


@require_POST
@staff_required
def round_status(request, round_id: int):
    match_round = _staff_round(round_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose what to do with the round."))
        return redirect("mentoring:round", round_id=round_id)
    status = form.cleaned_data["status"]
    try:
        services.round_set_status(match_round=match_round, status=status)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, STATUS_CHANGED[status] % {"name": match_round.name})
    if status == RoundStatus.CLOSED and match_round.status == RoundStatus.CLOSED:
        return redirect("mentoring:round_review", round_id=round_id)
    return redirect("mentoring:round", round_id=round_id)


# --- Staff: review ---------------------------------------------------------------------------


@staff_required
def round_review(request, round_id: int):
    match_round = _staff_round(round_id)
    filter_form = ReviewFilterForm(request.GET)
    filters = review_selectors.ReviewFilters()
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        filters = review_selectors.ReviewFilters(
            volunteer=data["volunteer"].strip(),
            min_score=data["min_score"],
            max_score=data["max_score"],
            warning=data["warning"],
        )
    review = review_selectors.round_review(
        match_round=match_round, filters=filters, page=request.GET.get("page", 1)
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "round": match_round,
        "review": review,
        "filter_form": filter_form,
        "filter_query": query.urlencode(),
        "editable": match_round.status == RoundStatus.CLOSED,
        "locked_count": review.locked_count,
        "base_points": matching.MATCH_POINTS,
    }
    return render(request, "mentoring/round_review.html", context)


CSV_HEADER = [
    "student",
    "student_email",
    "volunteer",
    "volunteer_email",
    "organization",
    "score",
    "locked",
    "published",
    "shared_topics",
    "industry",
    "preference_rank",
    "shared_hours",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required
def round_review_csv(request, round_id: int):
    match_round = _staff_round(round_id)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        for row in review_selectors.round_matches_for_export(match_round=match_round):
            student, student_email, volunteer, volunteer_email, organization = row[:5]
            score, locked, published, why = row[5:]
            why = why or {}
            cells = [
                student or "",
                student_email,
                volunteer or "",
                volunteer_email,
                organization or "",
                f"{score:g}",
                "yes" if locked else "no",
                "yes" if published else "no",
                "; ".join(why.get("shared_topic_names") or []),
                why.get("industry") or "",
                str(why.get("preference_rank") or ""),
                str(why.get("shared_hours") or 0),
            ]
            yield writer.writerow([neutralise(str(cell)) for cell in cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="round-{match_round.pk}-matches.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _back_to_review(round_id: int, anchor: str = ""):
    response = redirect("mentoring:round_review", round_id=round_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@require_POST
@staff_required
def round_run(request, round_id: int):
    match_round = _staff_round(round_id)
    try:
        run = round_matches.round_run_matcher(match_round=match_round)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        left_out = len(run.unmatched)
        proposed = ngettext(
            "The matcher proposed %(count)s match (total score %(score)s, solved in %(ms)s ms);",
            "The matcher proposed %(count)s matches (total score %(score)s, solved in %(ms)s ms);",
            run.matched,
        ) % {
            "count": run.matched,
            "score": f"{run.total_score:g}",
            "ms": f"{run.solver_seconds * 1000:.0f}",
        }
        unmatched = ngettext(
            "%(count)s student left unmatched.",
            "%(count)s students left unmatched.",
            left_out,
        ) % {"count": left_out}
        messages.success(request, f"{proposed} {unmatched}")
    return _back_to_review(round_id)


@require_POST
@staff_required
def round_match_lock(request, round_id: int, match_id: int):
    match_round = _staff_round(round_id)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose whether to lock or unlock the match."))
        return _back_to_review(round_id)
    try:
        match = round_matches.match_set_locked(
            match_round=match_round, match_id=match_id, locked=form.cleaned_data["locked"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return _back_to_review(round_id)
    pair = {"student": match.student.display_name, "volunteer": match.volunteer.display_name}
    if match.locked:
        messages.success(
            request,
            gettext("The match of %(student)s and %(volunteer)s is locked: a re-run keeps it.")
            % pair,
        )
    else:
        messages.success(
            request, gettext("The match of %(student)s and %(volunteer)s is unlocked.") % pair
        )
    return _back_to_review(round_id, f"match-{match.pk}")


@require_POST
@staff_required
def round_match_remove(request, round_id: int, match_id: int):
    match_round = _staff_round(round_id)
    try:
        match = round_matches.match_remove(match_round=match_round, match_id=match_id)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            gettext(
                "The match of %(student)s and %(volunteer)s is removed; the matcher will not "
                "pair them again in this round."
            )
            % {"student": match.student.display_name, "volunteer": match.volunteer.display_name},
        )
    return _back_to_review(round_id)


@require_POST
@staff_required
def round_swap(request, round_id: int):
    match_round = _staff_round(round_id)
    match_ids = selectors.round_match_ids(match_round=match_round)
    form = SwapForm(request.POST, match_ids=match_ids)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back_to_review(round_id)
    first_id, second_id = form.cleaned_data["match"]
    try:
        first, second = round_matches.match_swap(
            match_round=match_round, first_id=first_id, second_id=second_id
        )
    except ValidationError as error:
        messages.error(request, gettext("Not swapped. %(why)s") % {"why": error_text(error)})
    else:
        messages.success(
            request,
            gettext(
                "Swapped: %(first_student)s now meets %(first_volunteer)s and "
                "%(second_student)s meets %(second_volunteer)s. Both matches are locked, so a "
                "re-run keeps them."
            )
            % {
                "first_student": first.student.display_name,
                "first_volunteer": first.volunteer.display_name,
                "second_student": second.student.display_name,
                "second_volunteer": second.volunteer.display_name,
            },
        )
    return _back_to_review(round_id)


@staff_required
@staff_reauthentication_required(allow_get=True)
def round_publish(request, round_id: int):
    match_round = _staff_round(round_id)
    if request.method == "POST":
        try:
            sent = round_matches.round_publish(match_round=match_round, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("mentoring:round_publish", round_id=round_id)
        if sent:
            messages.success(
                request,
                ngettext(
                    "%(name)s is published: %(count)s introduction email sent, one to each pair.",
                    "%(name)s is published: %(count)s introduction emails sent, one to each pair.",
                    sent,
                )
                % {"name": match_round.name, "count": sent},
            )
        else:
            messages.info(
                request,
                gettext("%(name)s was already published: nothing sent.")
                % {"name": match_round.name},
            )
        return redirect("mentoring:round_review", round_id=round_id)
    preview = None
    first = selectors.round_matches_to_publish(match_round=match_round).first()
    if first is not None:
        subject, text, _ = round_intros.intro_render(first)
        preview = {"match": first, "subject": subject, "text": text}
    context = {
        "round": match_round,
        "preview": preview,
        "pairs": selectors.round_matches_to_publish(match_round=match_round).count(),
    }
    return render(request, "mentoring/round_publish.html", context)
