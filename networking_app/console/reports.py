"""The dashboard's charts, built from the aggregates in selectors.dashboard, and the cache of
both (`dashboard_figures`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import formats, timezone, translation

from networking_app.console import selectors
from networking_app.console.charts import Chart, Series
from networking_app.console.selectors import Dashboard, DashboardFilters

# Part of every cache key: bump it whenever DashboardFigures, FiguresPage, CohortChoices or what
# they hold (Dashboard, its rows, Chart) change shape, so that new code never reads what old
# code stored.
FIGURES_VERSION = 2

# Each chart and the dashboard sections (selectors.SECTIONS) its numbers come from: an export
# computes only those.
CHART_SECTIONS = {
    "funnel": ("students",),
    "activity": ("activity",),
    "class_year": ("students",),
    "major": ("students",),
    "mentoring": ("mentoring",),
    "events": ("events",),
    "outcomes": ("outcomes",),
}
CHART_KEYS = list(CHART_SECTIONS)


def dashboard_charts(d: Dashboard, only: str | None = None) -> dict[str, Chart]:
    """Every chart of the dashboard (or only the one named `only`)."""
    builders = {
        "funnel": _funnel_chart,
        "activity": _activity_chart,
        "class_year": lambda d: _breakdown_chart(
            "class_year", "Students by class year", "Class year", d.by_class_year
        ),
        "major": lambda d: _breakdown_chart("major", "Students by major", "Major", d.by_major),
        "mentoring": _mentoring_chart,
        "events": _events_chart,
        "outcomes": _outcomes_chart,
    }
    keys = [only] if only else CHART_KEYS
    return {key: builders[key](d) for key in keys}


@dataclass
class DashboardFigures:
    """What the dashboard page shows (its numbers and charts, drawn), as computed at
    `computed_at`. Never the page's HTML: that carries the CSRF token and the CSP nonce."""

    data: Dashboard
    charts: dict[str, Chart]
    computed_at: dt.datetime


@dataclass
class FiguresPage:
    """The figures as the dashboard shows them (charts, tables and their CSV links, as HTML),
    rendered once per computation of the figures so that a cached page neither loads nor draws
    them again. It holds no token, nonce or message: those are the page's, per request."""

    html: str
    filters: DashboardFilters
    computed_at: dt.datetime


@dataclass
class CohortChoices:
    """The class years and majors the filter form offers (from every student profile)."""

    class_years: list[int]
    majors: list[str]
    computed_at: dt.datetime


@dataclass
class LabelChoices:
    """The eligibility labels the filter form offers, forgotten whenever one changes."""

    labels: list
    computed_at: dt.datetime


def figures_cache_key(filters: DashboardFilters) -> str:
    """The normalised filters (a preset is already resolved to its dates) and everything else
    the figures depend on: the viewer's time zone draws the period's bounds and the days of the
    activity chart, the language formats the charts' dates and numbers."""
    parts = (
        filters.start.isoformat(),
        filters.end.isoformat(),
        filters.class_year,
        filters.major,
        filters.label_id,
        timezone.get_current_timezone_name(),
        translation.get_language(),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"console:dashboard:v{FIGURES_VERSION}:{digest}"


def _page_key(filters: DashboardFilters) -> str:
    return f"{figures_cache_key(filters)}:html"


COHORTS_CACHE_KEY = f"console:dashboard:v{FIGURES_VERSION}:cohorts"
LABELS_CACHE_KEY = f"console:dashboard:v{FIGURES_VERSION}:labels"


def _now() -> dt.datetime:
    # Whole seconds: the page shows the time in a <time datetime>, which allows no microseconds.
    return timezone.now().replace(microsecond=0)


def _fresh(value, kind: type):
    """`value` if it is a `kind` at most DASHBOARD_CACHE_SECONDS old, else None."""
    if not isinstance(value, kind):
        return None
    # The age is checked here too, so that lowering the setting takes effect at once.
    age = timezone.now() - value.computed_at
    if age >= dt.timedelta(seconds=settings.DASHBOARD_CACHE_SECONDS):
        return None
    return value


def _cached(key: str, kind: type):
    """The value stored under `key` if it is a `kind` at most DASHBOARD_CACHE_SECONDS old, else
    None (also when the cache is off, or unreachable: networking_app.cache)."""
    if settings.DASHBOARD_CACHE_SECONDS <= 0:
        return None
    return _fresh(cache.get(key), kind)


def _store(key: str, value) -> None:
    if settings.DASHBOARD_CACHE_SECONDS > 0:
        cache.set(key, value, settings.DASHBOARD_CACHE_SECONDS)


def cached_figures(filters: DashboardFilters) -> DashboardFigures | None:
    """The stored figures for these filters if they are fresh enough, else None."""
    figures = _cached(figures_cache_key(filters), DashboardFigures)
    if figures is None or figures.data.filters != filters:
        return None
    return figures


def dashboard_figures(filters: DashboardFilters, *, refresh: bool = False) -> DashboardFigures:
    """The dashboard's figures for these filters: from the cache when they are at most
    DASHBOARD_CACHE_SECONDS old (0 turns the cache off), else computed and stored. `refresh`
    computes and stores them afresh whatever the cache holds."""
    figures = None if refresh else cached_figures(filters)
    if figures is None:
        data = selectors.dashboard(filters)
        charts = dashboard_charts(data)
        for chart in charts.values():
            chart.draw()  # now, so that a page built from the cache does not draw it again
        figures = DashboardFigures(data=data, charts=charts, computed_at=_now())
        _store(figures_cache_key(filters), figures)
        if settings.DASHBOARD_CACHE_SECONDS > 0:
            cache.delete(_page_key(filters))  # drawn from the figures these replace
    return figures


def cached_figures_page(filters: DashboardFilters) -> FiguresPage | None:
    """The stored HTML of the figures for these filters if it is fresh enough, else None."""
    page = _cached(_page_key(filters), FiguresPage)
    if page is None or page.filters != filters:
        return None
    return page


def store_figures_page(page: FiguresPage) -> None:
    _store(_page_key(page.filters), page)


def dashboard_choices(*, refresh: bool = False) -> dict:
    """The filter form's choices, both read from the cache at once. Class years and majors are
    counted over every student profile (slower as the school grows), so they are kept like the
    figures. Labels are kept only until one is saved or deleted (`labels_changed`), so that a
    label just created can be chosen at once."""
    stored = {}
    if not refresh and settings.DASHBOARD_CACHE_SECONDS > 0:
        stored = cache.get_many([COHORTS_CACHE_KEY, LABELS_CACHE_KEY])
    cohorts = _fresh(stored.get(COHORTS_CACHE_KEY), CohortChoices)
    if cohorts is None:
        cohorts = CohortChoices(**selectors.cohort_years_and_majors(), computed_at=_now())
        _store(COHORTS_CACHE_KEY, cohorts)
    labels = _fresh(stored.get(LABELS_CACHE_KEY), LabelChoices)
    if labels is None:
        labels = LabelChoices(labels=selectors.label_choices(), computed_at=_now())
        _store(LABELS_CACHE_KEY, labels)
    return {
        "class_years": cohorts.class_years,
        "majors": cohorts.majors,
        "labels": labels.labels,
    }


def labels_changed(sender=None, **kwargs) -> None:
    """Forget the stored label choices: now, and again after the commit, so that a page built
    in between from the labels before the change does not keep them."""
    cache.delete(LABELS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(LABELS_CACHE_KEY))


def _funnel_chart(d: Dashboard) -> Chart:
    f = d.funnel
    return Chart(
        key="funnel",
        title="Conversation funnel",
        kind="bar",
        category_label="Stage",
        categories=["Requested", "Scheduled", "Held", "Thanked"],
        series=[Series("Conversations", [f["requested"], f["scheduled"], f["held"], f["thanked"]])],
        description=(
            "Conversations whose intro was sent in the period, and how many of them were "
            "then scheduled, held and followed by a thank-you"
        ),
    )


def _activity_chart(d: Dashboard) -> Chart:
    return Chart(
        key="activity",
        title="Activity per " + ("week" if d.activity_by_week else "day"),
        kind="line",
        category_label="Week of" if d.activity_by_week else "Day",
        categories=[formats.date_format(day, "SHORT_DATE_FORMAT") for day, *_ in d.activity],
        series=[
            Series("Contacts added", [row[1] for row in d.activity]),
            Series("Conversations requested", [row[2] for row in d.activity]),
            Series("Conversations held", [row[3] for row in d.activity]),
        ],
        description="Contacts added, intros sent and conversations held over the period",
    )


def _mentoring_chart(d: Dashboard) -> Chart:
    m = d.mentoring
    measures = [
        ("Requests", "requests"),
        ("Accepted", "accepted"),
        ("Declined", "declined"),
        ("Expired", "expired"),
        ("Sessions held", "sessions_held"),
        ("No-shows", "no_shows"),
    ]
    return Chart(
        key="mentoring",
        title="Flash mentoring",
        kind="bar",
        category_label="Measure",
        categories=[label for label, _ in measures],
        series=[Series("Number", [m[key] for _, key in measures])],
        description="Requests made to volunteers in the period and sessions held",
    )


def _events_chart(d: Dashboard) -> Chart:
    return Chart(
        key="events",
        title="Event attendance",
        kind="bar",
        category_label="Event",
        categories=[
            f"{e.title} ({formats.date_format(e.starts_at, 'SHORT_DATE_FORMAT')})"
            for e in d.event_rows
        ],
        series=[
            Series("Going", [e.n_going for e in d.event_rows]),
            Series("Checked in", [e.n_checked_in for e in d.event_rows]),
            Series("Waitlisted", [e.n_waitlisted for e in d.event_rows]),
        ],
        description="People going to, checked in at and waitlisted for each event",
    )


def _outcomes_chart(d: Dashboard) -> Chart:
    return Chart(
        key="outcomes",
        title="Outcomes attributed to networking",
        kind="bar",
        category_label="Outcome",
        categories=["Internship offers", "Job offers"],
        series=[Series("Offers", [d.outcomes["internships"], d.outcomes["jobs"]])],
        description="Internship and job offers students recorded in the period",
    )


def _breakdown_chart(key, title, label, rows) -> Chart:
    return Chart(
        key=key,
        title=title,
        kind="bar",
        category_label=label,
        categories=[row.key for row in rows],
        series=[
            Series("Students", [row.students for row in rows]),
            Series("Active in the period", [row.active for row in rows]),
            Series("Not started", [row.not_started for row in rows]),
            Series("Contacts added", [row.contacts_added for row in rows]),
            Series("Conversations held", [row.conversations_held for row in rows]),
        ],
        description=f"{title}: students, how many were active, have not started, contacts "
        "added and conversations held in the period",
    )
