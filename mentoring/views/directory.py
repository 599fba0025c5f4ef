"""The networking directory, for students only (anonymous visitors go to the login page, other
roles get a plain 404): search and filters, warm paths, a volunteer's page, add to contacts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mentoring.forms.directory import DirectoryFilterForm
from mentoring.selectors import directory as selectors
from mentoring.selectors.directory.booking import booking_week
from mentoring.services.availability import mentor_zone, open_slots
from mentoring.services.profiles import mentor_contact_add
from networking_app.accounts.decorators import student_required
from networking_app.core.cache import DIRECTORY, cached
from networking_app.core.context_processors import school
from networking_app.core.fragments import render_fragment_or_page

DIRECTORY_PER_PAGE = 20
# Past this many matches the page says "more than" and offers the first pages only: matches
# are counted up to one more than this.
COUNT_CAP = 1000


@dataclass(frozen=True)
class _Pages:
    """Where a page of results is among them, for the pagination links."""

    number: int
    count: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def _page_number(raw: str | None) -> int:
    """?page= as Paginator.get_page reads it: 1 for anything but a whole number, and 0 for
    any number below 1 (get_page shows the last page for those)."""
    try:
        return max(int(raw), 0)
    except (TypeError, ValueError):
        return 1


def _results(
    values: dict, page_number: int, topics: list[tuple[int, str, str]], form: DirectoryFilterForm
) -> selectors.DirectoryResults:
    """Run the search and render a page of its results (the `results` partial), and the search
    form showing it (`form`'s valid values, the same for everyone making this search)."""
    filters = DirectoryFilterForm.to_filters(values)
    now = timezone.now()
    matches = selectors.directory_search(filters=filters, now=now, cap=COUNT_CAP)
    page = Paginator(matches, DIRECTORY_PER_PAGE).get_page(page_number)
    cards = selectors.directory_cards(
        page.object_list, now=now, topics=[(pk, name) for pk, _, name in topics]
    )
    if filters.has_slots:
        # The database only knows who has windows; the slots themselves say who is free.
        cards = [card for card in cards if card.next_slot]
    context = {
        **school(None),
        "page": page,
        "cards": cards,
        "filtered": bool(values),
        "count_cap": COUNT_CAP,
        "capped": matches.capped,
        # Only asked when nothing matched: tells "nobody listed yet" from "no match".
        "has_anyone": bool(cards) or selectors.directory_has_anyone(),
    }
    # Without the request: no context processor puts a CSRF token, the CSP nonce or the
    # messages within reach of markup that other students will be served.
    html = render_to_string("mentoring/_directory_results.html#results", context)
    pages = (page.number, page.paginator.num_pages) if cards and page.has_other_pages() else None
    filters = render_to_string(
        "mentoring/directory.html#filters", {"filter_form": form.for_display(values)}
    )
    return selectors.DirectoryResults(html=html, pages=pages, filters=filters)


@student_required
def directory(request):
    """The directory: the filter form, then a page of results (only those for htmx).

    The results are the same for every student making the same search in the same time zone
    and language, so they are kept in the cache for DIRECTORY_CACHE_SECONDS (default 60) and
    served to all of them: a page kept runs no directory query. The product decision: a
    student may see a next open time up to that old (a volunteer's new window, or a time
    someone has just asked for). Nothing is booked from this page: the volunteer's page
    computes their open times afresh, and asking for a time checks under the volunteer's
    lock that it is still open (services.requests.flash_request_create). A change to what
    students see of a volunteer shows at once where the service raises the directory's
    version (networking_app.core.cache), else within that time too. The pagination links carry the
    student's own query string, so they are rendered for each request.
    """
    topics = selectors.topic_rows()
    filter_form = DirectoryFilterForm(
        request.GET, topic_choices=[(slug, name) for _, slug, name in topics]
    )
    values = filter_form.valid_values()
    page_number = _page_number(request.GET.get("page"))
    results = cached(
        selectors.results_cache_key(values, page_number),
        lambda: _results(values, page_number, topics, filter_form),
        timeout=settings.DIRECTORY_CACHE_SECONDS,
        scopes=[DIRECTORY],
    )
    context = {
        # Rendered by the template engine: SafeStrings, which stay so through the cache.
        "filters_html": results.filters,
        "results": results.html,
        "pages": _Pages(*results.pages) if results.pages else None,
        # "Suggested for you" above an unfiltered first page (it loads itself: the page's
        # cached results stay the same for every student).
        "show_suggestions": not values and page_number <= 1,
    }
    return render_fragment_or_page(
        request,
        fragment="mentoring/_directory_results.html",
        page="mentoring/directory.html",
        context=context,
    )


@student_required
def warm_paths(request):
    paths = selectors.warm_paths(user=request.user)
    return render(request, "mentoring/directory_warm_paths.html", {"paths": paths})


def _request_url(mentor_id: int) -> str | None:
    """Where a student asks for a slot; None while the flash-request pages do not exist."""
    try:
        return reverse("mentoring:request_new", kwargs={"mentor_id": mentor_id})
    except NoReverseMatch:
        return None


def _week_param(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@student_required
def mentor_detail(request, mentor_id: int):
    """A volunteer's page: who they are, and their open times as a booking page shows them, a
    week at a time (?week=), in the student's time zone or the volunteer's (?zone=theirs).
    Every open time links to the request form with that time chosen."""
    mentor = selectors.mentor_get_for_student(mentor_id=mentor_id)
    mine = request.user.profile.zone
    theirs = mentor_zone(mentor)
    in_theirs = request.GET.get("zone") == "theirs" and theirs.key != mine.key
    zone = theirs if in_theirs else mine
    slots = open_slots(mentor)
    week = booking_week(
        slots,
        zone=zone,
        week=_week_param(request.GET.get("week")),
        today=timezone.localdate(timezone=zone),
    )
    card = selectors.mentor_card(mentor, slots[:1])
    context = {
        "card": card,
        "week": week,
        "zone": zone.key,
        "my_zone": mine.key,
        "their_zone": theirs.key,
        "in_theirs": in_theirs,
        "request_url": _request_url(mentor.pk),
        "contact": selectors.contact_for_student(user=request.user, mentor=mentor),
    }
    return render(request, "mentoring/mentor_detail.html", context)


@require_POST
@student_required
def add_contact(request, mentor_id: int):
    mentor = selectors.mentor_get_for_student(mentor_id=mentor_id)
    contact, created = mentor_contact_add(student=request.user, mentor=mentor)
    name = mentor.user.display_name
    if created:
        messages.success(request, gettext("%(name)s is now in your contacts.") % {"name": name})
    else:
        messages.info(
            request,
            gettext("%(name)s is already in your contacts, as %(contact)s.")
            % {"name": name, "contact": contact.name},
        )
    return redirect("mentoring:mentor", mentor_id=mentor.pk)
