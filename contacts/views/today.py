"""The Today page: what is due, what is coming, who to stay in touch with (a student's home
page too, with the events card the project's home view hands it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from contacts import selectors
from contacts.briefs import briefs_starting_soon, may_start_soon
from contacts.models import ConversationStatus
from contacts.selectors.today import DueActionItem, StartedData
from contacts.this_week import has_something_this_week
from networking_app.accounts.alumni import has_graduated
from networking_app.accounts.decorators import network_required
from networking_app.core.cache import cache_key, cached, person, viewer_parts
from networking_app.core.jinja import render_fragment

S = ConversationStatus


# --- Today ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodayLists:
    """What Today shows of the student's data: the lists but the action items, as rendered,
    whether all are empty, and plain values for the rest (the action items, whose forms carry
    the request's CSRF token, are rendered for each request)."""

    html: SafeString  # pickled as such: the cache keeps it safe
    empty: bool
    started: StartedData | None  # students only
    # When the scheduled conversations start, looked up until `scheduled_until`: whether one
    # is starting soon (the minute matters) without a query (contacts.briefs.may_start_soon).
    scheduled_times: tuple[dt.datetime, ...]
    scheduled_until: dt.datetime | None
    # Due by the day in the key; their forms (with the CSRF token) are rendered per request.
    action_items: list[DueActionItem]


def today_response(request, *, home: bool = False, extra: dict | None = None) -> HttpResponse:
    """The Today page; a student's home page shows it too, with a welcome and what the
    project's home view adds (`extra`: the events card)."""
    user = request.user
    today_date = timezone.localdate()

    def lists() -> TodayLists:
        page = selectors.today_page(user=user, with_action_items=False)
        # A format in a filter's argument is not read by makemessages in a Jinja2 template.
        due_format = gettext("D j M, g:i A")
        html = render_fragment(
            "contacts/today_lists.html", {"page": page, "due_format": due_format}
        )
        return TodayLists(
            html=html,
            empty=page.is_empty,
            started=selectors.started_data(user=user) if user.is_student else None,
            scheduled_times=page.scheduled_times,
            scheduled_until=page.scheduled_until,
            action_items=selectors.action_item_rows_due(user=user, today=today_date),
        )

    # Kept under the student's version (networking_app.core.cache), which every write to their
    # conversations, contacts, action items and targets raises, for their zone, language and
    # day; the lifetime bounds what the clock moves (a thank-you falling due).
    cached_lists = cached(
        cache_key("today", user.pk, *viewer_parts()),
        lists,
        timeout=settings.PRIVATE_PAGE_CACHE_SECONDS,
        scopes=[person(user.pk)],
    )
    action_items = cached_lists.action_items
    is_empty = cached_lists.empty and not action_items
    context = {
        "page": {"is_empty": is_empty, "action_items": action_items},
        "lists_html": cached_lists.html,
        "home": home,
        "today_date": today_date,
        # The all-clear must not say "no conversation this week" above a flash mentoring
        # session that is (the sessions card loads on its own).
        "session_this_week": is_empty and has_something_this_week(user=user),
    }
    # Not kept with the lists: it depends on the minute (contacts.briefs); asked only when one
    # of the lists' scheduled conversations may be starting soon.
    now = timezone.now()
    if may_start_soon(
        now=now,
        scheduled_times=cached_lists.scheduled_times,
        seen_until=cached_lists.scheduled_until,
    ):
        context["starting_soon"] = briefs_starting_soon(user=user, now=now)
    if home:
        context["student"] = getattr(user, "student_profile", None)
    if user.is_student:
        started = selectors.getting_started(user=user, data=cached_lists.started)
        if not started.finished:
            context["getting_started"] = started
        # Graduated: give back by advising others (networking_app.accounts.alumni).
        context["alumni_offer"] = has_graduated(getattr(user, "student_profile", None), today_date)
    context.update(extra or {})
    return render(request, "contacts/today.html", context)


@network_required
def today(request):
    return today_response(request)
