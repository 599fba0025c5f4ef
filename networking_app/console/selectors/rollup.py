"""The dashboard page's figures, summed from the precomputed rows (networking_app/console/
rollup.py says what they hold and how they are refreshed).

A period and a cohort are a filter on those rows: a handful of grouped sums over at most a few
thousand small rows, whatever the number of students. What the rows do not hold is read live
from tables that grow with volunteers, rounds and events rather than students (live.py), and
the median from held to thanked, which needs the period's thanked conversations themselves.
The result is the same Dashboard that selectors.dashboard computes from the domain tables.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.db.models import Count, Q, QuerySet, Sum

from networking_app.console.models import (
    REFRESH_ROW,
    FiguresCohort,
    FiguresDay,
    FiguresRefresh,
    FiguresStudentDay,
)
from networking_app.console.selectors.filters import (
    Dashboard,
    DashboardFilters,
    breakdowns,
)
from networking_app.console.selectors.live import (
    erased_totals,
    events_section,
    median_days_to_thank,
    mentoring_section,
)

FUNNEL = ("requested", "scheduled", "held", "thanked", "held_in_period", "thanked_in_period")
MENTORING = (
    *("requests", "accepted", "declined", "expired", "open", "capacity_used"),
    *("sessions_held", "no_shows", "sessions_cancelled", "feedback_count"),
)
ALL_TIME = ("contacts", "conversations", "held", "thanked", "sessions_held", "outcomes")


def figures_state() -> FiguresRefresh | None:
    """When the figures were last computed (None: never)."""
    return FiguresRefresh.objects.filter(pk=REFRESH_ROW, computed_at__isnull=False).first()


def _scope(filters: DashboardFilters) -> Q:
    """The rows of the filters' cohort: a label's own rows, or everyone's."""
    scope = Q(label_id=filters.label_id) if filters.label_id else Q(label__isnull=True)
    if filters.has_cohort:
        scope &= Q(in_cohort=True)
    if filters.class_year:
        scope &= Q(class_year=filters.class_year)
    if filters.major:
        scope &= Q(major__iexact=filters.major.strip())
    return scope


def _group(row: dict) -> tuple:
    return (row["class_year"], (row["major"] or "").strip())


class _Sums:
    """The sums one page needs, each read once and only if a section asks for it."""

    def __init__(self, filters: DashboardFilters):
        self.filters = filters
        self.scope = _scope(filters)
        self.period = Q(day__gte=filters.start, day__lte=filters.end)

    def _by_group(self, rows: QuerySet, **sums) -> dict[tuple, dict]:
        # Aliased: the sums are named like the fields they add up.
        aliased = {f"s_{name}": value for name, value in sums.items()}
        groups: dict[tuple, dict] = {}
        for row in rows.values("class_year", "major").annotate(**aliased).order_by():
            group = groups.setdefault(_group(row), dict.fromkeys(sums, 0))
            for name in sums:
                group[name] += row[f"s_{name}"] or 0
        return groups

    @cached_property
    def days(self) -> dict[tuple, dict]:
        """The period's additive counts, per (class year, stripped major)."""
        rows = FiguresDay.objects.filter(self.scope, self.period)
        return self._by_group(rows, **{n: Sum(n) for n in FiguresDay.counted_columns()})

    @cached_property
    def students(self) -> dict[tuple, dict]:
        """Distinct students active in the period, and with an offer in it, per group (a
        student has one group, so the groups' counts add up)."""
        rows = FiguresStudentDay.objects.filter(self.scope, self.period)
        return self._by_group(
            rows,
            active=Count("student_id", distinct=True, filter=Q(active=True, in_cohort=True)),
            offers=Count("student_id", distinct=True, filter=Q(offer=True)),
        )

    @cached_property
    def cohort(self) -> dict[tuple, dict]:
        rows = FiguresCohort.objects.filter(self.scope)
        return self._by_group(rows, **{n: Sum(n) for n in FiguresCohort.counted_columns()})

    def total(self, table: dict[tuple, dict], name: str) -> int:
        return sum(group[name] for group in table.values())


def _students_and_breakdowns(d: Dashboard, sums: _Sums) -> None:
    keys = {*sums.days, *sums.students, *sums.cohort}
    empty = {"students": 0, "not_started": 0, "active": 0, "offers": 0}
    groups = {}
    for key in keys:
        days = sums.days.get(key, {})
        group = {
            **empty,
            **sums.cohort.get(key, {}),
            **sums.students.get(key, {}),
            "joined": days.get("joined", 0),
            "contacts_added": days.get("contacts_added", 0),
            "conversations_held": days.get("held_in_period", 0),
        }
        groups[key] = group
    d.students = {
        "total": sum(g["students"] for g in groups.values()),
        **{n: sum(g[n] for g in groups.values()) for n in ("joined", "active", "not_started")},
        "contacts_added": sum(g["contacts_added"] for g in groups.values()),
    }
    d.funnel = {name: sums.total(sums.days, name) for name in FUNNEL}
    d.by_class_year, d.by_major = breakdowns(groups)


def _changes_and_median(d: Dashboard, sums: _Sums) -> None:
    d.changes = {name: sums.total(sums.days, name) for name in ("rescheduled", "cancelled")}
    d.median_days_to_thank = median_days_to_thank(sums.filters)


def _activity(d: Dashboard, sums: _Sums) -> None:
    """Contacts added, conversations requested and held per day (per week past 62 days)."""
    filters = sums.filters
    weekly = filters.days > 62
    first = filters.start - dt.timedelta(days=filters.start.weekday() if weekly else 0)
    step = dt.timedelta(days=7 if weekly else 1)
    buckets: dict[dt.date, list[int]] = {}
    day = first
    while day <= filters.end:
        buckets[day] = [0, 0, 0]
        day += step
    rows = (
        FiguresDay.objects.filter(sums.scope, sums.period)
        .values("day")
        .annotate(a=Sum("contacts_added"), r=Sum("requested"), h=Sum("held_in_period"))
        .order_by()
    )
    for row in rows:
        day = row["day"] - dt.timedelta(days=row["day"].weekday() if weekly else 0)
        for index, name in enumerate(("a", "r", "h")):
            buckets[day][index] += row[name] or 0
    d.activity = [(day, *counts) for day, counts in buckets.items()]
    d.activity_by_week = weekly


def _mentoring(d: Dashboard, sums: _Sums) -> None:
    counts = {name: sums.total(sums.days, name) for name in MENTORING}
    feedback = sums.total(sums.days, "feedback_sum")
    count = counts["feedback_count"]
    counts["feedback_average"] = feedback / count if count else None
    mentoring_section(d, sums.filters, counts)


def _events(d: Dashboard, sums: _Sums) -> None:
    events_section(d, sums.filters)


def _outcomes(d: Dashboard, sums: _Sums) -> None:
    d.outcomes = {
        "total": sums.total(sums.days, "outcomes"),
        "internships": sums.total(sums.days, "internships"),
        "jobs": sums.total(sums.days, "jobs"),
        "with_contacts": sums.total(sums.days, "outcomes_with_contacts"),
        "students": sums.total(sums.students, "offers"),
    }


def _all_time(d: Dashboard, sums: _Sums) -> None:
    live = {
        "students": sums.total(sums.cohort, "students"),
        **{name: sums.total(sums.cohort, name) for name in ALL_TIME},
    }
    d.erased = erased_totals(sums.filters)
    d.all_time = {key: live[key] + d.erased[key] for key in live}


SECTIONS = {
    "students": _students_and_breakdowns,
    "changes": _changes_and_median,
    "activity": _activity,
    "mentoring": _mentoring,
    "events": _events,
    "outcomes": _outcomes,
    "all_time": _all_time,
}


def dashboard_from_rollup(
    filters: DashboardFilters, sections: tuple[str, ...] | None = None
) -> Dashboard:
    """The dashboard's numbers (all, or only `sections`) from the precomputed rows."""
    d = Dashboard(filters=filters)
    sums = _Sums(filters)
    for name, compute in SECTIONS.items():
        if sections is None or name in sections:
            compute(d, sums)
    return d


def cohort_years_and_majors() -> dict:
    """The class years and the most common majors of every student profile, as of the last
    refresh (the filter form's choices: 2 small queries)."""
    rows = FiguresCohort.objects.filter(label__isnull=True, profiles__gt=0)
    years = (
        rows.exclude(class_year=None)
        .values_list("class_year", flat=True)
        .distinct()
        .order_by("class_year")
    )
    majors = (
        rows.exclude(major="")
        .exclude(major=None)
        .values("major")
        .annotate(n=Sum("profiles"))
        .order_by("-n", "major")[:60]
    )
    return {
        "class_years": list(years),
        "majors": sorted({row["major"].strip() for row in majors}, key=str.casefold),
    }
