"""The staff console's dashboard: the programme's figures for a period and cohort, precomputed
in the background (networking_app/console/rollup.py), their charts and each chart as CSV."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from networking_app.accounts.decorators import staff_reauthentication_required, staff_required
from networking_app.console import selectors, services
from networking_app.console.forms import DashboardFilterForm, filters_query
from networking_app.console.reports import CHART_KEYS, CHART_SECTIONS, dashboard_charts
from networking_app.console.rollup import figures_refresh, figures_request_refresh
from networking_app.console.selectors import Dashboard, DashboardFilters
from networking_app.console.selectors.pages import stored_dashboard
from networking_app.console.selectors.rollup import (
    cohort_years_and_majors,
    dashboard_from_rollup,
    figures_state,
)
from networking_app.console.tasks import refresh_figures
from networking_app.core.cache import (
    FIGURES,
    cache_key,
    cached,
    cached_if_current,
    viewer_parts,
)

# How long a page waits for the first figures another request is computing.
FIRST_FIGURES_WAIT = 60


# --- Dashboard -------------------------------------------------------------------------------


def _dashboard_form(request) -> DashboardFilterForm:
    choices = {**cohort_years_and_majors(), "labels": selectors.label_choices()}
    return DashboardFilterForm(request.GET or None, choices=choices)


def _every(seconds: int) -> str:
    """300 -> "recomputed every 5 minutes", 3600 -> "recomputed every hour", 90 -> "recomputed
    every 90 seconds"."""
    if not seconds % 3600:
        n = seconds // 3600
        return ngettext("recomputed every hour", "recomputed every %(n)d hours", n) % {"n": n}
    if not seconds % 60:
        n = seconds // 60
        return ngettext("recomputed every minute", "recomputed every %(n)d minutes", n) % {"n": n}
    return ngettext("recomputed every second", "recomputed every %(n)d seconds", seconds) % {
        "n": seconds
    }


def _figures() -> dt.datetime | None:
    """When the precomputed figures were computed (None: not yet), computed now if they never
    were (or for every page when DASHBOARD_REFRESH_SECONDS is 0). Figures older than two
    intervals mean the beat is late: the first page to see it enqueues one refresh, and every
    page shows their age. The time is kept in the cache under the figures' version, which each
    refresh raises, so a page of fresh figures reads no row for it."""
    seconds = settings.DASHBOARD_REFRESH_SECONDS
    computed_at = None
    if seconds > 0:
        computed_at = cached(
            cache_key("figures-computed-at"),
            _computed_at,
            timeout=settings.DASHBOARD_CACHE_SECONDS,
            scopes=[FIGURES],
        )
    if computed_at is None:
        figures_refresh()
        # Another refresh held the claim: wait for the figures it is computing.
        deadline = time.monotonic() + FIRST_FIGURES_WAIT
        while (computed_at := _computed_at()) is None and time.monotonic() < deadline:
            time.sleep(0.2)
    else:
        _refresh_if_late(computed_at)
    return computed_at


def _refresh_if_late(computed_at: dt.datetime) -> None:
    seconds = settings.DASHBOARD_REFRESH_SECONDS
    late = dt.timedelta(seconds=2 * seconds)
    # Fresh figures (nearly always) need no claim: no write on every page.
    if computed_at < timezone.now() - late and figures_request_refresh(older_than=late):
        transaction.on_commit(refresh_figures.delay)


def _computed_at() -> dt.datetime | None:
    state = figures_state()
    return state.computed_at if state is not None else None


def _figures_pending() -> HttpResponse:
    response = HttpResponse(
        _("The figures are being computed for the first time: reload in a minute."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "60"
    return response


@staff_required
def dashboard(request):
    page = _dashboard_page_kept(request)
    if page is not None:
        # Kept under the figures' version: computed from the figures computed at its time.
        _refresh_if_late(page.computed_at)
    else:
        computed_at = _figures()  # first: the form's class years and majors come from them
        if computed_at is None:
            return _figures_pending()
        page = _dashboard_page(request, computed_at=computed_at)
    seconds = settings.DASHBOARD_REFRESH_SECONDS
    context = {
        "filters": page.filters,
        "d": page.dashboard,
        "form_html": page.form_html,
        "figures_html": page.figures_html,
        # When the figures shown were computed (a newer refresh may be rendering meanwhile).
        "computed_at": page.computed_at,
        "recomputed": _every(seconds) if seconds > 0 else _("computed for this page"),
        "query": request.GET.urlencode(),
    }
    return render(request, "console/dashboard.html", context)


@dataclass(frozen=True)
class DashboardPage:
    """The dashboard for a query string, as rendered: the filters it asks for, their figures,
    the filter form and the figures and charts (SafeStrings, which the cache keeps safe)."""

    filters: DashboardFilters
    dashboard: Dashboard
    form_html: SafeString
    figures_html: SafeString
    computed_at: dt.datetime


def _dashboard_page(request, *, computed_at: dt.datetime) -> DashboardPage:
    """Most of the page's cost: the form (its choices come from the figures and the labels)
    and the figures and charts (some 70 KB of tables and SVG). Kept for each query string
    under the figures' version, which each refresh raises (and so do the labels' changes),
    for DASHBOARD_CACHE_SECONDS; not when every page computes its own figures (refresh 0).
    Neither part holds a per-request token (the filters are a GET form). After a refresh one
    request renders the new figures while the others are served the previous ones with their
    own time (no stampede)."""

    def compute() -> DashboardPage:
        form = _dashboard_form(request)
        filters = form.filters()
        d = stored_dashboard(filters) or dashboard_from_rollup(filters)
        context = {"d": d, "charts": dashboard_charts(d), "query": filters_query(filters)}
        return DashboardPage(
            filters=filters,
            dashboard=d,
            form_html=render_to_string("console/dashboard.html#filters", {"form": form}),
            figures_html=render_to_string("console/_dashboard_figures.html", context),
            computed_at=computed_at,
        )

    return cached(
        _page_key(request),
        compute,
        timeout=_page_seconds(),
        scopes=[FIGURES],
        stale_while_computing=True,
    )


def _page_key(request) -> str:
    # The day too: the preset periods end today.
    return cache_key("dashboard-page", sorted(request.GET.lists()), *viewer_parts())


def _page_seconds() -> int:
    return settings.DASHBOARD_CACHE_SECONDS if settings.DASHBOARD_REFRESH_SECONDS > 0 else 0


def _dashboard_page_kept(request) -> DashboardPage | None:
    """The page `_dashboard_page` keeps, if it is of the current figures: in one cache read,
    where reading when the figures were computed first took a second (the cached
    dashboard's own cost, bench/RESULTS.md)."""
    if _page_seconds() <= 0:
        return None
    return cached_if_current(_page_key(request), scopes=[FIGURES])


@require_POST
@staff_required
def dashboard_recompute(request):
    """Recompute the figures now (under the same claim as the background refresh, so that
    repeated clicks compute them once), then go back to the dashboard whose filters are in the
    query string. The way back is built here from the form's own fields, never taken from the
    request, so it cannot lead anywhere else."""
    form = _dashboard_form(request)
    if figures_refresh():
        messages.success(request, _("The figures were recomputed just now."))
    else:
        messages.info(request, _("The figures are being recomputed: reload in a moment."))
    query = QueryDict(mutable=True)
    for name in form.fields:
        if name in request.GET:
            query.setlist(name, request.GET.getlist(name))
    url = reverse("console:dashboard")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


@staff_required
@staff_reauthentication_required
def chart_export(request, chart_key: str):
    """One chart as CSV, from the same precomputed figures as the page (so the file matches
    the chart on screen), reading only the sections this chart needs."""
    if chart_key not in CHART_KEYS:
        raise Http404
    if _figures() is None:
        return _figures_pending()
    form = _dashboard_form(request)
    filters = form.filters()
    data = stored_dashboard(filters) or dashboard_from_rollup(
        filters, sections=CHART_SECTIONS[chart_key]
    )
    chart = dashboard_charts(data, only=chart_key)[chart_key]
    services.export_record(
        staff=request.user, chart_key=chart_key, filters=filters, rows=len(chart.categories)
    )
    response = HttpResponse(chart.csv(), content_type="text/csv; charset=utf-8")
    name = f"rapport-{chart_key}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
