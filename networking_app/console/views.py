"""The staff console: volunteers, invitations, eligibility labels, nudge emails, attendance and
the audit log (the dashboard is in views_dashboard.py). Every page is `staff_required` (TOTP)."""

from __future__ import annotations

import secrets

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from mentoring.models import Mentor, Session
from mentoring.services import attendance
from mentoring.services.responsiveness import paused_unanswered_ids, response_stats
from networking_app.accounts.decorators import staff_reauthentication_required, staff_required
from networking_app.accounts.models import ApprovalStatus
from networking_app.accounts.selectors import staff_members, volunteer_profile_get_for_review
from networking_app.console import selectors, services
from networking_app.console.forms import (
    AuditFilterForm,
    InvitationForm,
    LabelForm,
    LabelStudentsForm,
    NudgeConfirmForm,
    NudgeForm,
    VolunteerDecisionForm,
)
from networking_app.console.models import (
    EligibilityLabel,
    VolunteerInvitation,
)
from networking_app.core.form_errors import error_text

PAGE_SIZE = 50


# --- Volunteers ------------------------------------------------------------------------------


@staff_required
def volunteers(request):
    status = request.GET.get("status", "")
    if status not in ApprovalStatus.values:
        status = ""
    q = request.GET.get("q", "")[:100]
    page = Paginator(selectors.volunteers_for_staff(status=status, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "q": q,
        "statuses": ApprovalStatus.choices,
        "counts": selectors.volunteer_status_counts(),
    }
    context["has_pending"] = any(vp.status == ApprovalStatus.PENDING for vp in page.object_list)
    # How each answers students (mentoring.services.responsiveness): two queries a page.
    ids = [vp.user_id for vp in page.object_list]
    stats = response_stats(volunteer_ids=ids)
    paused = paused_unanswered_ids(volunteer_ids=ids)
    for vp in page.object_list:
        vp.response = stats.get(vp.user_id)
        vp.paused_unanswered = vp.user_id in paused
    return render(request, "console/volunteers.html", context)


@require_POST
@staff_required
@staff_reauthentication_required
def volunteer_decide(request, volunteer_id: int):
    profile = volunteer_profile_get_for_review(user_id=volunteer_id)
    form = VolunteerDecisionForm(request.POST)
    back = reverse("console:volunteers")
    if request.POST.get("back") == "home":  # the staff home page's queue of pending volunteers
        back = reverse("staff:home")
    elif request.POST.get("status_filter") in ApprovalStatus.values:
        back += f"?status={request.POST['status_filter']}"
    if not form.is_valid():
        messages.error(request, _("Choose approve, turn down, pause or resume."))
        return redirect(back)
    decision = form.cleaned_data["decision"]
    try:
        services.volunteer_decide(
            profile=profile, staff=request.user, decision=decision, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(back)
    done = {
        "approve": _("%(name)s is approved and has been told by email."),
        "reject": _("%(name)s was turned down and has been told by email."),
        "pause": _("%(name)s is paused: not listed or bookable until you resume them."),
        "resume": _("%(name)s is active again."),
    }
    messages.success(request, done[decision] % {"name": profile.user.display_name})
    return redirect(back)


@require_POST
@staff_required
@staff_reauthentication_required
def volunteers_approve(request):
    """Approve the volunteers ticked on the volunteers page."""
    user_ids = [int(value) for value in request.POST.getlist("volunteer") if value.isdigit()]
    back = f"{reverse('console:volunteers')}?status={ApprovalStatus.PENDING}"
    if not user_ids:
        messages.error(request, _("Tick the volunteers to approve first."))
        return redirect(back)
    result = services.volunteers_approve(
        user_ids=user_ids, staff=request.user, note=request.POST.get("note", "")[:500]
    )
    if result.approved:
        names = ", ".join(profile.user.display_name for profile in result.approved)
        count = len(result.approved)
        messages.success(
            request,
            ngettext(
                "%(count)d volunteer approved and told by email: %(names)s.",
                "%(count)d volunteers approved and told by email: %(names)s.",
                count,
            )
            % {"count": count, "names": names},
        )
    for reason in result.refused:
        messages.error(request, reason)
    return redirect(back)


# --- Invitations -----------------------------------------------------------------------------


@staff_required
@staff_reauthentication_required(allow_get=True)
def invitations(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                email=form.cleaned_data["email"],
                staff=request.user,
                days=form.cleaned_data.get("days") or services.INVITATION_DAYS,
            )
        except ValidationError as error:
            form.add_error("email", error_text(error))
        else:
            messages.success(
                request,
                _("The invitation link is on its way to %(email)s.") % {"email": invitation.email},
            )
            return redirect("console:invitations")
    page = Paginator(selectors.invitations_for_staff(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/invitations.html", {"form": form, "page": page})


@require_POST
@staff_required
def invitation_revoke(request, invitation_id: int):
    invitation = get_object_or_404(VolunteerInvitation, pk=invitation_id)
    services.invitation_revoke(invitation=invitation, staff=request.user)
    messages.info(
        request, _("The invitation for %(email)s no longer works.") % {"email": invitation.email}
    )
    return redirect("console:invitations")


def invitation_accept(request, invite_token: str):
    """The link in the invitation email: remembers the invitation for the sign-up form, with
    the address pre-filled and counted as verified (the link proves it), then goes to sign-up."""
    invitation = selectors.invitation_get_by_token(token=invite_token)
    if invitation is None or not invitation.is_usable():
        state = invitation.state if invitation is not None else "unknown"
        return render(request, "console/invitation_invalid.html", {"state": state}, status=404)
    if request.user.is_authenticated:
        # Never sign someone out from a link: they choose to sign out, then open it again.
        return render(request, "console/invitation_invalid.html", {"state": "signed_in"})
    request.session[services.INVITATION_SESSION_KEY] = invitation.token
    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect(reverse("account_signup") + "?role=volunteer")


# --- Eligibility labels ----------------------------------------------------------------------


@staff_required
def labels(request):
    form = LabelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            label = services.label_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                staff=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("The label “%(name)s” is ready: add students to it.") % {"name": label.name},
            )
            return redirect("console:label_detail", eligibility_id=label.pk)
    context = {"form": form, "labels": list(selectors.labels_with_counts())}
    return render(request, "console/labels.html", context)


@staff_required
def label_detail(request, eligibility_id: int):
    label = get_object_or_404(EligibilityLabel, pk=eligibility_id)
    form = LabelStudentsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added, unknown = services.label_add_students(
            label=label, emails=form.cleaned_data["emails"], staff=request.user
        )
        messages.success(
            request,
            ngettext("%(count)d student labelled.", "%(count)d students labelled.", added)
            % {"count": added},
        )
        if unknown:
            shown = ", ".join(unknown[:10])
            if len(unknown) > 10:
                shown = _("%(shown)s and %(more)d more") % {
                    "shown": shown,
                    "more": len(unknown) - 10,
                }
            messages.warning(
                request, _("No student account has these addresses: %(shown)s.") % {"shown": shown}
            )
        return redirect("console:label_detail", eligibility_id=label.pk)
    page = Paginator(selectors.label_students(label=label), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "console/label_detail.html", {"label": label, "form": form, "page": page}
    )


@require_POST
@staff_required
def label_remove(request, eligibility_id: int):
    label = get_object_or_404(EligibilityLabel, pk=eligibility_id)
    try:
        student_id = int(request.POST.get("student", ""))
    except ValueError:
        messages.error(request, _("Choose a student to remove."))
        return redirect("console:label_detail", eligibility_id=label.pk)
    if services.label_remove_student(label=label, student_id=student_id, staff=request.user):
        messages.info(
            request, _("The student no longer has the label “%(name)s”.") % {"name": label.name}
        )
    return redirect("console:label_detail", eligibility_id=label.pk)


# --- Nudges ----------------------------------------------------------------------------------


def _nudge_preview_context(form: NudgeForm) -> dict:
    spec = form.spec()
    recipients = services.nudge_recipients(spec)
    count = recipients.count()
    first = recipients.first()
    subject, text, _ = services.nudge_render(spec, first)
    return {
        "preview": {"subject": subject, "text": text, "count": count},
        "confirm": NudgeConfirmForm(
            initial={"expected": count, "nonce": secrets.token_urlsafe(16)}
        ),
    }


@staff_required
def nudges(request):
    """GET: the form. POST: the preview (the rendered email and the exact recipient count),
    with a confirmation button that posts to nudge_send."""
    choices = selectors.cohort_choices()
    form = NudgeForm(request.POST or None, choices=choices)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        context.update(_nudge_preview_context(form))
    return render(request, "console/nudges.html", context)


@require_POST
@staff_required
@staff_reauthentication_required
def nudge_send(request):
    form = NudgeForm(request.POST, choices=selectors.cohort_choices())
    confirm = NudgeConfirmForm(request.POST)
    if not (form.is_valid() and confirm.is_valid()):
        messages.error(request, _("Preview the email again before sending it."))
        return render(request, "console/nudges.html", {"form": form}, status=400)
    try:
        sent = services.nudge_send(
            spec=form.spec(),
            staff=request.user,
            expected=confirm.cleaned_data["expected"],
            nonce=confirm.cleaned_data["nonce"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        context = {"form": form, **_nudge_preview_context(form)}
        return render(request, "console/nudges.html", context, status=409)
    messages.success(
        request,
        ngettext(
            "%(count)d email queued in the outbox. Failed deliveries show on the email delivery "
            "page.",
            "%(count)d emails queued in the outbox. Failed deliveries show on the email "
            "delivery page.",
            sent,
        )
        % {"count": sent},
    )
    return redirect("console:nudges")


# --- Audit log -------------------------------------------------------------------------------


@staff_required
def audit(request):
    form = AuditFilterForm(
        request.GET or None, actions=selectors.audit_actions(), staff=list(staff_members())
    )
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entries(
        action=filters.get("action") or "",
        actor_id=filters.get("actor"),
        start=filters.get("start"),
        end=filters.get("end"),
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "now": timezone.now()}
    return render(request, "console/audit.html", context)


@require_safe
@staff_required
def attendance_page(request):
    """Shows that count: disputed sessions to decide, the people who miss sessions, no-shows
    month by month, and volunteers the policy paused (mentoring.services.attendance)."""
    context = {
        "disputed": list(attendance.disputed_sessions()),
        "leaders": attendance.no_show_leaders(),
        "months": attendance.no_shows_by_month(),
        "paused": list(attendance.paused_for_no_shows()),
    }
    return render(request, "console/attendance.html", context)


@require_POST
@staff_required
@staff_reauthentication_required
def attendance_resolve(request, session_id: int):
    session = get_object_or_404(Session, pk=session_id)
    try:
        attendance.dispute_resolve(
            session=session, staff=request.user, outcome=request.POST.get("outcome", "")
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Decided."))
    return redirect("console:attendance")


@require_POST
@staff_required
@staff_reauthentication_required
def attendance_resume(request, volunteer_id: int):
    mentor = get_object_or_404(Mentor.objects.select_related("user"), user_id=volunteer_id)
    attendance.volunteer_resume_after_no_shows(volunteer=mentor.user, staff=request.user)
    messages.success(request, _("%(name)s is listed again.") % {"name": mentor.user.display_name})
    return redirect("console:attendance")
