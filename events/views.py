"""The calendar (month, week, agenda), an event's page, RSVPs and "log the people you met".

Anonymous visitors see public events only, without links or attendee information; every
lookup goes through events.selectors, so an event outside a person's audience is a 404.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_POST, require_safe

from contacts.advice import THINGS_TO_REMEMBER
from events import selectors, services
from events.forms import CalendarFilterForm, MetPeopleFormSet
from events.models import Event, EventKind, EventStatus, RSVPStatus
from events.qr import check_in_url, qr_code
from events.selectors.calendar import CalendarEvent
from networking_app.accounts.decorators import student_required
from networking_app.core.cache import EVENTS, attendee, cache_key, cached, viewer_parts
from networking_app.core.form_errors import error_text
from networking_app.core.fragments import render_fragment_or_page, wants_fragment
from networking_app.core.jinja import render_fragment
from networking_app.core.rendering import url_of

AGENDA_PER_PAGE = 30
# Kinds where the seeds' "things to remember" apply: meeting people face to face.
NETWORKING_KINDS = {
    EventKind.CAREER_FAIR,
    EventKind.ALUMNI_PANEL,
    EventKind.NETWORKING_NIGHT,
    EventKind.INFO_SESSION,
    EventKind.EMPLOYER_VISIT,
}


# --- Calendar --------------------------------------------------------------------------------


# Events shown in one day of the month grid before "+N more".
MONTH_CELL_EVENTS = 4
# How long the month and week grids are kept (any event saved renews them at once).
CALENDAR_SECONDS = 60


def _zone():
    return timezone.get_current_timezone()


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=_zone())


def _parse_month(value: str | None, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 1900 <= year <= 2200 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _parse_day(value: str | None, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(value or "")
        if 1900 <= day.year <= 2200:
            return day
    except ValueError:
        pass
    return today


def _days(start: dt.date, count: int, events: list[CalendarEvent], today, month=None):
    """One entry per day with the events that overlap it (an event over several days shows on
    each of them), in the viewer's time zone."""
    by_day: dict[dt.date, list[CalendarEvent]] = {}
    zone = _zone()
    last = start + dt.timedelta(days=count - 1)
    one_day = dt.timedelta(days=1)
    for event in events:
        first_day = max(event.starts_at.astimezone(zone).date(), start)
        end_day = min((event.ends_at - dt.timedelta(microseconds=1)).astimezone(zone).date(), last)
        day = first_day
        while day <= end_day:
            by_day.setdefault(day, []).append(event)
            day += one_day
    days = []
    for day in (start + dt.timedelta(days=i) for i in range(count)):
        on_day = by_day.get(day, [])
        # A month cell shows its first few events and a link to the rest (the week view):
        # readable on a phone, and a busy month stays a light page.
        shown = on_day if month is None else on_day[:MONTH_CELL_EVENTS]
        days.append(
            {
                "date": day,
                "events": shown,
                "more": len(on_day) - len(shown),
                "is_today": day == today,
                "in_month": month is None or day.month == month,
            }
        )
    return days


def grid_labels() -> dict[str, str]:
    """The words with a context of the month's and the week's Jinja2 templates
    (templates/jinja2/events/chips.html): makemessages reads pgettext only in Python."""
    return {
        "long_day_format": pgettext("date format", "l j F"),
        "day_format": pgettext("date format", "D j M"),
        "draft": pgettext("event tag", "draft"),
        "going": pgettext("event tag", "going"),
        "waitlist": pgettext("event tag", "waitlist"),
    }


def _cached_grid(request, context: dict, name: str, first: dt.date, end: dt.date, build):
    """The grid of the days from `first` to `end` (exclusive) as HTML, built by `build(events)`,
    and whether it shows any event. Kept for a minute under the events' version (raised by
    events.services on any change to an event, its hosts, labels or organizations) and what
    the calendar shows of the person (`attendee`: their RSVPs, role and class year; not
    their contacts), for their time zone, language and today's date
    (networking_app.core.cache)."""
    filters = context["filter_form"].filters()
    user = request.user
    user_id = user.pk if user.is_authenticated else None

    def compute() -> tuple[SafeString, bool]:
        events = selectors.events_between(
            user=user,
            start=_local_midnight(first),
            end=_local_midnight(end),
            filters=filters,
        )
        return build(events), bool(events)

    return cached(
        cache_key(name, user_id, first, end, repr(filters), *viewer_parts()),
        compute,
        timeout=min(CALENDAR_SECONDS, settings.PRIVATE_PAGE_CACHE_SECONDS),
        scopes=[EVENTS] if user_id is None else [EVENTS, attendee(user_id)],
    )


def _calendar_context(request, view: str) -> dict:
    form = CalendarFilterForm(request.GET)
    return {
        "filter_form": form,
        "filter_query": form.query(),
        "view": view,
        "kinds": EventKind.choices,
    }


def _filters_html(request, form: CalendarFilterForm) -> SafeString:
    """The calendar's filter form for this view and these filters, rendered: the same for
    everyone, kept under the events' version (their industries and organizations are its
    choices) so that a page from the cache reads no choices."""
    asked = sorted((name, request.GET.getlist(name)) for name in form.fields if name in request.GET)
    return cached(
        cache_key("calendar-filters", request.path, asked, translation.get_language()),
        lambda: render_to_string(
            "events/_calendar_nav.html#filters", {"filter_form": form, "path": request.path}
        ),
        timeout=min(CALENDAR_SECONDS, settings.PRIVATE_PAGE_CACHE_SECONDS),
        scopes=[EVENTS],
    )


def _render_calendar(request, template: str, context: dict):
    if not wants_fragment(request):  # the htmx fragment is the calendar's body alone
        context["filters_html"] = _filters_html(request, context["filter_form"])
    return render_fragment_or_page(
        request, fragment="events/_calendar_body.html", page=template, context=context
    )


@require_safe
def calendar_month(request):
    today = timezone.localdate()
    first = _parse_month(request.GET.get("month"), today)
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    grid_start = first - dt.timedelta(days=first.weekday())
    last = first.replace(day=days_in_month)
    grid_end = last + dt.timedelta(days=7 - last.weekday())
    context = _calendar_context(request, "month")

    def build(events: list[CalendarEvent]) -> SafeString:
        days = _days(grid_start, (grid_end - grid_start).days, events, today, first.month)
        weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
        return render_fragment(
            "events/month_rows.html",
            {
                "weeks": weeks,
                "filter_query": context["filter_query"],
                "week_url": url_of("events:week"),
                "labels": grid_labels(),
            },
        )

    rows, has_events = _cached_grid(request, context, "calendar-month", grid_start, grid_end, build)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    context.update(
        month=first,
        month_rows=rows,
        previous_param=f"month={previous:%Y-%m}",
        next_param=f"month={following:%Y-%m}",
        today_param="",
        has_events=has_events,
    )
    return _render_calendar(request, "events/calendar_month.html", context)


@require_safe
def calendar_week(request):
    today = timezone.localdate()
    day = _parse_day(request.GET.get("start"), today)
    monday = day - dt.timedelta(days=day.weekday())
    context = _calendar_context(request, "week")
    end = monday + dt.timedelta(days=7)
    days, has_events = _cached_grid(
        request,
        context,
        "calendar-week",
        monday,
        end,
        lambda events: render_fragment(
            "events/week_days.html",
            {"days": _days(monday, 7, events, today), "labels": grid_labels()},
        ),
    )
    context.update(
        week_start=monday,
        week_end=monday + dt.timedelta(days=6),
        week_days=days,
        previous_param=f"start={monday - dt.timedelta(days=7):%Y-%m-%d}",
        next_param=f"start={end:%Y-%m-%d}",
        has_events=has_events,
    )
    return _render_calendar(request, "events/calendar_week.html", context)


@require_safe
def calendar_agenda(request):
    context = _calendar_context(request, "agenda")
    events = selectors.events_agenda(user=request.user, filters=context["filter_form"].filters())
    page = Paginator(events, AGENDA_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    statuses = selectors.rsvp_statuses_for(
        user=request.user, event_ids=[e.pk for e in page.object_list]
    )
    for event in page.object_list:
        event.my_status = statuses.get(event.pk, "")
        event.seats_left = (
            max(event.capacity - event.going_count, 0) if event.capacity is not None else None
        )
    context.update(page=page, events=page.object_list, has_events=bool(page.object_list))
    return _render_calendar(request, "events/calendar_agenda.html", context)


# --- One event -------------------------------------------------------------------------------


def _rsvp_context(request, event: Event) -> dict:
    user = request.user
    rsvp = selectors.rsvp_for(user=user, event=event)
    now = timezone.now()
    active = rsvp is not None and rsvp.status != RSVPStatus.CANCELLED
    refusal = "" if active else services.rsvp_refusal(event=event, user=user, now=now)
    outside, _ = selectors.audience_refusal(event=event, user=user)
    going = rsvp is not None and rsvp.status == RSVPStatus.GOING
    full = event.capacity is not None and event.going_count >= event.capacity
    return {
        "event": event,
        "rsvp": rsvp if active else None,
        "waitlist_position": selectors.waitlist_position(rsvp=rsvp) if active else None,
        "rsvp_refusal": refusal,
        "needs_class_year": not active and outside == selectors.NEEDS_CLASS_YEAR,
        "class_years_text": selectors.class_years_text(event),
        "can_rsvp": user.is_authenticated and not active and not refusal,
        "event_full": full,
        "can_cancel_rsvp": active and now < event.ends_at and rsvp.checked_in_at is None,
        # Once checked in, there is no code left to show at the door.
        "qr_code": qr_code(check_in_url(rsvp))
        if going and now < event.ends_at and rsvp.checked_in_at is None
        else None,
    }


@require_safe
def event_detail(request, event_id: int):
    user = request.user
    try:
        event = selectors.event_for_page(user=user, event_id=event_id)
    except Http404:
        why = selectors.event_outside_audience(user=user, event_id=event_id)
        if not why:
            raise
        return render(request, "events/event_not_for_you.html", {"why": why}, status=404)
    now = timezone.now()
    context = _rsvp_context(request, event)
    started = now >= event.starts_at
    going = context["rsvp"] is not None and context["rsvp"].status == RSVPStatus.GOING
    context.update(
        is_staff=user.is_authenticated and user.is_staff_member,
        show_private=selectors.user_may_see_private_details(user=user, event=event),
        show_counts=user.is_authenticated,
        hosts=list(event.host_links.all()),
        labels=list(event.labels.all()),
        organizations=list(event.organizations.all()),
        warm_paths=selectors.warm_paths_at_event(user=user, event=event),
        things_to_remember=THINGS_TO_REMEMBER
        if event.kind in NETWORKING_KINDS and not started
        else [],
        is_over=now >= event.ends_at,
        can_log_met=user.is_authenticated and user.is_student and going and started,
        met_contacts=selectors.met_at_event_for(user=user, event=event),
    )
    return render(request, "events/event_detail.html", context)


def _after_rsvp(request, event: Event):
    if request.htmx:
        event = selectors.event_for_page(user=request.user, event_id=event.pk)
        context = _rsvp_context(request, event)
        context["show_private"] = selectors.user_may_see_private_details(
            user=request.user, event=event
        )
        return render(request, "events/_rsvp.html", context)
    return redirect("events:detail", event_id=event.pk)


def _login_or_404(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return None


@require_POST
def rsvp_create(request, event_id: int):
    refused = _login_or_404(request)
    if refused:
        return refused
    event = selectors.event_get_visible(user=request.user, event_id=event_id)
    try:
        rsvp = services.rsvp_create(event=event, user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if rsvp.status == RSVPStatus.GOING:
            messages.success(
                request, gettext("You are going to %(title)s.") % {"title": event.title}
            )
        else:
            messages.success(
                request,
                gettext(
                    "%(title)s is full: you are on the waitlist. If a seat opens up, it is "
                    "yours in the order people joined, and we will email you."
                )
                % {"title": event.title},
            )
    return _after_rsvp(request, event)


@require_POST
def rsvp_cancel(request, event_id: int):
    refused = _login_or_404(request)
    if refused:
        return refused
    event = selectors.event_get_visible(user=request.user, event_id=event_id)
    rsvp = selectors.rsvp_for(user=request.user, event=event)
    if rsvp is None:
        raise Http404("No RSVP.")
    try:
        services.rsvp_cancel(rsvp=rsvp)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, gettext("Your RSVP is cancelled. Thank you for freeing your place.")
        )
    return _after_rsvp(request, event)


# --- After the event -------------------------------------------------------------------------


@student_required
def met_people(request, event_id: int):
    """ "Log the people you met": students who were going, once the event has started."""
    event = selectors.event_get_visible(user=request.user, event_id=event_id)
    going = selectors.user_is_going(user=request.user, event=event)
    if not going or event.status != EventStatus.PUBLISHED or timezone.now() < event.starts_at:
        raise Http404("Nothing to log for this event.")
    formset = MetPeopleFormSet(request.POST or None, prefix="met")
    service_error = ""
    if request.method == "POST" and formset.is_valid():
        people = [form.cleaned_data for form in formset if form.cleaned_data.get("name")]
        try:
            contacts = services.met_people_log(event=event, student=request.user, people=people)
        except ValidationError as error:
            service_error = error_text(error)
        else:
            names = ", ".join(c.name for c in contacts)
            messages.success(
                request,
                gettext(
                    "Added to your contacts: %(names)s. Follow up within a day or two while "
                    "they still remember you."
                )
                % {"names": names},
            )
            return redirect(reverse("events:detail", kwargs={"event_id": event.pk}) + "#met")
    return render(
        request,
        "events/met_people.html",
        {"event": event, "formset": formset, "service_error": service_error},
    )
