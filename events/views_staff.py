"""Staff pages of the events calendar: create, edit, cancel, the attendee list and its CSV,
and check-in at the door (search by name, a scanned QR code, one click, or the phone's camera:
each code it reads checks its person in at once)."""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from events import selectors, services
from events.export import attendee_rows
from events.forms import CheckInCodeForm, CheckInSearchForm, EventCancelForm, EventForm
from events.models import RSVP, Event, EventStatus
from events.selectors.attendees import event_for_code
from networking_app.accounts.decorators import staff_reauthentication_required, staff_required
from networking_app.core.form_errors import add_service_errors
from networking_app.core.fragments import render_fragment_or_page


def _event_for_staff(request, event_id: int) -> Event:
    return selectors.event_get_visible(user=request.user, event_id=event_id)


@staff_required
def event_create(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(created_by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, gettext("%(title)s is on the calendar.") % {"title": event.title}
            )
            return redirect("events:detail", event_id=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": None})


@staff_required
def event_edit(request, event_id: int):
    event = _event_for_staff(request, event_id)
    if event.status == EventStatus.CANCELLED:
        messages.error(request, gettext("This event was cancelled; it can no longer be changed."))
        return redirect("events:detail", event_id=event.pk)
    form = EventForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_update(event=event, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, gettext("Saved. People going or waitlisted were told of changes.")
            )
            return redirect("events:detail", event_id=event.pk)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@staff_required
@staff_reauthentication_required(allow_get=True)
def event_cancel(request, event_id: int):
    event = _event_for_staff(request, event_id)
    form = EventCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(event=event, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("%(title)s is cancelled; everyone going was told.")
                % {"title": event.title},
            )
            return redirect("events:detail", event_id=event.pk)
    counts = selectors.attendee_counts(event=event)
    return render(
        request, "events/event_cancel.html", {"form": form, "event": event, "counts": counts}
    )


@staff_required
def attendees(request, event_id: int):
    event = _event_for_staff(request, event_id)
    search = CheckInSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    context = {
        "event": event,
        "search": search,
        "q": q,
        "rsvps": list(selectors.attendees_for(event=event, q=q)),
        "counts": selectors.attendee_counts(event=event),
    }
    return render_fragment_or_page(
        request,
        fragment="events/_attendee_rows.html",
        page="events/attendees.html",
        context=context,
    )


@staff_required
@staff_reauthentication_required
def attendees_csv(request, event_id: int):
    event = _event_for_staff(request, event_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="event-{event.pk}-attendees-{stamp}.csv"'
    )
    writer = csv.writer(response)
    for row in attendee_rows(selectors.attendees_for(event=event)):
        writer.writerow(row)
    return response


@staff_required
def check_in(request, event_id: int):
    """The door: search by name, or a scanned code (the QR's URL opens this page with ?code=)."""
    event = _event_for_staff(request, event_id)
    search = CheckInSearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    code_form = CheckInCodeForm(request.GET)
    code = code_form.cleaned_data["code"] if code_form.is_valid() else ""
    scanned = None
    if code:
        scanned = selectors.rsvp_for_code(event=event, code=code)
        if scanned is None:
            code_form.add_error("code", gettext("No RSVP of this event has that code."))
    rsvps = list(selectors.attendees_for(event=event, q=q)) if q else []
    # At the door: after a scan the cursor waits in the code field for the next one.
    focus = code_form if code else search
    focus.fields["code" if code else "q"].widget.attrs["autofocus"] = True
    context = {
        "event": event,
        "poll_seconds": CHECK_IN_POLL_SECONDS,
        "search": search,
        "code_form": _fresh_code_form() if scanned else code_form,
        "q": q,
        "scanned": scanned,
        "rsvps": rsvps,
        "counts": selectors.attendee_counts(event=event),
    }
    return render_fragment_or_page(
        request,
        fragment="events/_check_in_results.html",
        page="events/check_in.html",
        context=context,
    )


def _fresh_code_form() -> CheckInCodeForm:
    form = CheckInCodeForm()
    form.fields["code"].widget.attrs["autofocus"] = True
    return form


def _back_to_check_in(request, event: Event):
    q = request.POST.get("q", "")[:100]
    url = reverse("events:check_in", kwargs={"event_id": event.pk})
    return redirect(f"{url}?{urlencode({'q': q})}" if q else url)


def _check_in_response(request, event: Event, rsvp_id: int, error: str = ""):
    """The person's row, and the page's counts swapped out of band so "Checked in" follows."""
    context = {
        "event": event,
        "rsvp": selectors.rsvp_get_for_event(event=event, rsvp_id=rsvp_id),
        "error": error,
        "q": request.POST.get("q", "")[:100],
        "counts": selectors.attendee_counts(event=event),
    }
    return render(request, "events/_check_in_response.html", context)


@require_POST
@staff_required
def check_in_rsvp(request, event_id: int, rsvp_id: int):
    event = _event_for_staff(request, event_id)
    rsvp = selectors.rsvp_get_for_event(event=event, rsvp_id=rsvp_id)
    error = ""
    try:
        rsvp = services.rsvp_check_in(rsvp=rsvp, by=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return _check_in_response(request, event, rsvp_id, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, gettext("%(name)s is checked in.") % {"name": rsvp.user.display_name}
        )
    return _back_to_check_in(request, event)


@require_POST
@staff_required
def check_in_undo(request, event_id: int, rsvp_id: int):
    event = _event_for_staff(request, event_id)
    rsvp = selectors.rsvp_get_for_event(event=event, rsvp_id=rsvp_id)
    services.rsvp_check_in_undo(rsvp=rsvp, by=request.user)
    if request.htmx:
        return _check_in_response(request, event, rsvp_id)
    messages.success(
        request,
        gettext("%(name)s's check-in was taken back.") % {"name": rsvp.user.display_name},
    )
    return _back_to_check_in(request, event)


# --- The camera at the door ------------------------------------------------------------------

# How often the check-in page asks for the counts, so staff at two doors see each other's
# check-ins (the page's own check-ins update them at once).
CHECK_IN_POLL_SECONDS = 10


class ScanOutcome(models.TextChoices):
    CHECKED_IN = "checked_in", _("Checked in")
    ALREADY = "already", _("Already checked in")
    REFUSED = "refused", _("Refused")
    UNKNOWN = "unknown", _("Unknown code")


@dataclass(frozen=True)
class Scan:
    """What one scanned code did, for templates/events/_check_in_scan.html."""

    outcome: ScanOutcome
    rsvp: RSVP | None = None
    error: str = ""
    other_event: Event | None = None

    @property
    def message(self) -> str:
        """The outcome in one sentence, for the messages of a form sent without JavaScript."""
        name = self.rsvp.user.display_name if self.rsvp else ""
        if self.outcome == ScanOutcome.CHECKED_IN:
            return gettext("%(name)s checked in.") % {"name": name}
        if self.outcome == ScanOutcome.ALREADY:
            when = formats.time_format(timezone.localtime(self.rsvp.checked_in_at), "TIME_FORMAT")
            by = self.rsvp.checked_in_by
            if by:
                return gettext("%(name)s was already checked in at %(when)s by %(by)s.") % {
                    "name": name,
                    "when": when,
                    "by": by.display_name,
                }
            return gettext("%(name)s was already checked in at %(when)s.") % {
                "name": name,
                "when": when,
            }
        if self.outcome == ScanOutcome.REFUSED:
            return gettext("%(name)s: %(why)s") % {"name": name, "why": self.error}
        if self.other_event:
            return gettext("That code is for another event: %(title)s.") % {
                "title": self.other_event.title
            }
        return gettext("No RSVP of this event has that code.")


def _scan(*, event: Event, code: str, by) -> Scan:
    rsvp = selectors.rsvp_for_code(event=event, code=code)
    if rsvp is None:
        return Scan(ScanOutcome.UNKNOWN, other_event=event_for_code(code=code))
    # Read without a lock: two doors scanning one code at the same instant may both say
    # "checked in"; the service's row lock keeps the first time and who it was.
    if rsvp.checked_in_at is not None:
        return Scan(ScanOutcome.ALREADY, rsvp=rsvp)
    try:
        rsvp = services.rsvp_check_in(rsvp=rsvp, by=by)
    except ValidationError as exc:
        return Scan(ScanOutcome.REFUSED, rsvp=rsvp, error=" ".join(exc.messages))
    return Scan(ScanOutcome.CHECKED_IN, rsvp=rsvp)


@require_POST
@staff_required
def check_in_scan(request, event_id: int):
    """A code the camera read (or a form sent it): its person is checked in at once. htmx gets
    the scan's line and the counts out of band; a plain form, the check-in page and a message."""
    event = _event_for_staff(request, event_id)
    scan = _scan(event=event, code=request.POST.get("code", "")[:500], by=request.user)
    if request.htmx:
        context = {"event": event, "scan": scan, "counts": selectors.attendee_counts(event=event)}
        return render(request, "events/_check_in_scan.html", context)
    level = {
        ScanOutcome.CHECKED_IN: messages.SUCCESS,
        ScanOutcome.ALREADY: messages.WARNING,
    }.get(scan.outcome, messages.ERROR)
    messages.add_message(request, level, scan.message)
    return redirect("events:check_in", event_id=event.pk)


@require_GET
@staff_required
def check_in_counts(request, event_id: int):
    """The counts alone: the check-in page asks for them every CHECK_IN_POLL_SECONDS."""
    event = _event_for_staff(request, event_id)
    context = {"event": event, "counts": selectors.attendee_counts(event=event)}
    return render(request, "events/_attendee_counts.html", context)
