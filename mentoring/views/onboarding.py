"""A new student's onboarding, once their email is verified (AccountAdapter sends them here
after sign-up): about you, interests, strengths and goals, target organizations, time zone,
and it ends on the volunteers suggested for them. Each step is one page and one form that
works without JavaScript; every step can be skipped, and the student can stop anywhere and go
on later from Today."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from contacts.models import Organization, Priority, TargetOrganization
from contacts.services.people import target_organization_add, target_organization_delete
from mentoring.forms.onboarding import (
    AboutForm,
    GoalsForm,
    InterestsForm,
    OrganizationForm,
    TimeZoneForm,
)
from mentoring.models import Mentor
from mentoring.selectors.suggestions import suggested_volunteers
from mentoring.services import onboarding as services
from networking_app.accounts.decorators import student_required
from networking_app.accounts.models import User
from networking_app.core.form_errors import add_service_errors
from networking_app.core.fragments import render_fragment_or_page

ORGANIZATION_SUGGESTIONS = 12
FORMS = {
    "about": AboutForm,
    "interests": InterestsForm,
    "goals": GoalsForm,
    "time-zone": TimeZoneForm,
}


def _instance(user: User, slug: str):
    return user.profile if slug == "time-zone" else services.student_profile_for(user)


def _zone_chosen(user: User) -> bool:
    """Whether the person's zone is one they set (a student coming back to the step sees theirs,
    not the browser's)."""
    return user.profile.time_zone != settings.DEFAULT_USER_TIME_ZONE


def _form(user: User, slug: str, data=None):
    form_class = FORMS[slug]
    form = form_class(data, instance=_instance(user, slug))
    if slug == "interests" and data is None:
        form.initial["topics"] = services.student_topic_ids(user=user)
    if slug == "time-zone" and data is None and not _zone_chosen(user):
        # Offer the browser's zone (static/js/rapport.js) while the default is still set.
        form.fields["time_zone"].widget.attrs["data-detect-time-zone"] = "true"
    return form


def _step_url(slug: str) -> str:
    return reverse("mentoring:onboarding_step", kwargs={"step": slug})


def _context(user: User, slug: str, **extra) -> dict:
    index = services.step_index(slug)
    return {
        "steps": services.STEPS,
        "step": services.STEPS[index],
        "number": index + 1,
        "next_url": _step_url(services.next_step(slug)),
        **extra,
    }


@require_safe
@student_required
def onboarding(request):
    """/welcome/: where the student left off (the first step the first time)."""
    profile = services.student_profile_for(request.user)
    if profile.onboarded_at:
        return redirect(_step_url(services.LAST))
    return redirect(_step_url(profile.onboarding_step or services.SLUGS[0]))


@student_required
def onboarding_step(request, step: str):
    if step not in services.SLUGS:
        raise Http404
    user = request.user
    if request.method == "POST" and "skip" in request.POST:
        services.onboarding_reach(user=user, slug=services.next_step(step))
        return redirect(_step_url(services.next_step(step)))
    if step == "organizations":
        return _organizations(request)
    if step == services.LAST:
        if request.method == "POST":
            return redirect("home")
        services.onboarding_reach(user=user, slug=step)
        context = _context(user, step, suggestions=suggested_volunteers(user=user))
        return render(request, "mentoring/onboarding/volunteers.html", context)

    services.onboarding_reach(user=user, slug=step)
    form = _form(user, step, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.onboarding_save(user=user, form=form)
        return redirect(_step_url(services.next_step(step)))
    return render(request, "mentoring/onboarding/step.html", _context(user, step, form=form))


def _organizations(request):
    """Add target organizations one at a time (the list grows on the same page); suggestions
    as you type come from `organization_suggestions`."""
    user = request.user
    services.onboarding_reach(user=user, slug="organizations")
    form = OrganizationForm(request.POST if "add" in request.POST else None)
    if request.method == "POST" and "remove" in request.POST:
        target = TargetOrganization.objects.filter(
            owner=user, pk=request.POST.get("remove") or 0
        ).first()
        if target is not None:
            target_organization_delete(target=target)
            messages.success(
                request,
                gettext("%(organization)s is off your list.")
                % {"organization": target.organization.name},
            )
        return redirect(_step_url("organizations"))
    if request.method == "POST" and "add" in request.POST and form.is_valid():
        try:
            target = target_organization_add(
                owner=user, name=form.cleaned_data["name"], priority=Priority.MEDIUM
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("%(organization)s is on your list.")
                % {"organization": target.organization.name},
            )
            return redirect(_step_url("organizations"))
    elif request.method == "POST" and "add" not in request.POST:
        return redirect(_step_url(services.next_step("organizations")))
    context = _context(
        user,
        "organizations",
        form=form,
        targets=TargetOrganization.objects.filter(owner=user)
        .select_related("organization")
        .order_by("organization__name"),
        suggestions=_organization_names(""),
    )
    return render(request, "mentoring/onboarding/organizations.html", context)


def _organization_names(typed: str) -> list[str]:
    """With nothing typed: where listed volunteers work, most volunteers first. Else the known
    organizations whose name contains what was typed, those that start with it first."""
    if not typed:
        return list(
            Mentor.objects.filter(is_bookable=True, organization__isnull=False)
            .values_list("organization__name", flat=True)
            .annotate(volunteers=Count("pk"))
            .order_by("-volunteers", "organization__name")[:ORGANIZATION_SUGGESTIONS]
        )
    return list(
        Organization.objects.filter(name__icontains=typed)
        .annotate(starts=Case(When(name__istartswith=typed, then=0), default=1))
        .order_by("starts", "name")
        .values_list("name", flat=True)[:ORGANIZATION_SUGGESTIONS]
    )


@require_safe
@student_required
def organization_suggestions(request):
    """The <datalist> of the organization field, for what has been typed so far (htmx)."""
    typed = request.GET.get("name", "").strip()[:200]
    return render(
        request,
        "mentoring/onboarding/organizations.html#suggestions",
        {"suggestions": _organization_names(typed)},
    )


@require_safe
@student_required
def suggestions(request):
    """Volunteers suggested for the student: a card that Today and the directory load with
    htmx (the pages themselves stay as fast as before), or a page of its own without it."""
    context = {"suggestions": suggested_volunteers(user=request.user)}
    return render_fragment_or_page(
        request,
        fragment="mentoring/_suggested_card.html",
        page="mentoring/suggestions.html",
        context=context,
    )
