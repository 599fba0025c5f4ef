"""What the staff dashboard is asked for and what it shows: the filters (a period and a cohort),
the students of a cohort, and the plain dataclasses the figures are kept in (no model
instances). Nothing here reads a free-text field a student wrote (notes, goals, answers,
messages): only statuses, timestamps, ids and the profile's class year and major.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from mentoring.models import (
    RequestStatus,
    RoundStatus,
)
from networking_app.accounts.models import (
    Role,
    User,
)
from networking_app.console.models import (
    StudentLabel,
)

HOLDING_REQUEST_STATUSES = [RequestStatus.PENDING, RequestStatus.PROPOSED, RequestStatus.ACCEPTED]
OPEN_REQUEST_STATUSES = [RequestStatus.PENDING, RequestStatus.PROPOSED]
DAYS_PER_MONTH = 30.4375
TOP_MAJORS = 12
EVENTS_SHOWN = 12
ROUNDS_SHOWN = 8
ROUND_FIELDS = (
    "pk",
    "name",
    "status",
    "window_start",
    "window_end",
    "published_at",
    "n_students",
    "n_volunteers",
    "n_matched",
)
EVENT_FIELDS = ("pk", "title", "starts_at", "ends_at", "capacity", "n_going", "n_waitlisted")


# --- Filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    """A date range (inclusive, in the viewer's time zone) and an optional cohort."""

    start: dt.date
    end: dt.date
    class_year: int | None = None
    major: str = ""
    label_id: int | None = None

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def has_cohort(self) -> bool:
        return bool(self.class_year or self.major or self.label_id)

    def in_period(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start_at, f"{field_name}__lt": self.end_before})

    def dates_in_period(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lte": self.end})


# The filter form's preset periods (value: label); "custom" dates are the form's own.
PRESET_PERIODS = {
    "7": gettext_lazy("Last 7 days"),
    "30": gettext_lazy("Last 30 days"),
    "90": gettext_lazy("Last 90 days"),
    "365": gettext_lazy("Last 12 months"),
    "term": gettext_lazy("This academic year"),
}


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The dates of a preset period of the filter form ("30": the last 30 days, "term": this
    academic year) ending `today`; None for another value."""
    if preset.isdigit():
        return today - dt.timedelta(days=int(preset) - 1), today
    if preset == "term":
        # Academic years start on 1 August.
        year = today.year if today.month >= 8 else today.year - 1
        return dt.date(year, 8, 1), today
    return None


def default_filters(today: dt.date | None = None) -> DashboardFilters:
    today = today or timezone.localdate()
    return DashboardFilters(start=today - dt.timedelta(days=29), end=today)


def students_queryset(*, class_year=None, major: str = "", label_id=None) -> QuerySet[User]:
    """Active student accounts of a cohort (class year, major, eligibility label)."""
    students = User.objects.filter(role=Role.STUDENT, is_active=True)
    if class_year:
        students = students.filter(student_profile__class_year=class_year)
    if major:
        students = students.filter(student_profile__major__iexact=major.strip())
    if label_id:
        students = students.filter(
            Exists(StudentLabel.objects.filter(student=OuterRef("pk"), label_id=label_id))
        )
    return students


def cohort_students(filters: DashboardFilters) -> QuerySet[User]:
    return students_queryset(
        class_year=filters.class_year, major=filters.major, label_id=filters.label_id
    )


def cohort_ids(filters: DashboardFilters) -> QuerySet:
    return cohort_students(filters).values("pk")


def cohort_rows(queryset: QuerySet, filters: DashboardFilters, owner: str = "owner") -> QuerySet:
    """Limit a student's rows to the cohort; without a cohort, every row (only students own
    contacts and conversations) and no join."""
    if filters.has_cohort:
        return queryset.filter(**{f"{owner}__in": cohort_ids(filters)})
    return queryset


# --- Aggregates that SQL lacks in Django -----------------------------------------------------


class _Median(Aggregate):
    """PostgreSQL's ordered-set aggregate: the exact median (interpolated), NULL if no rows."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_duration(queryset: QuerySet, start_field: str, end_field: str) -> dt.timedelta | None:
    """The median of end - start over the rows, computed by the database: percentile_cont on
    PostgreSQL; elsewhere the middle row(s) by ORDER BY/OFFSET (two queries, never all rows)."""
    gap = ExpressionWrapper(F(end_field) - F(start_field), output_field=DurationField())
    if connection.vendor == "postgresql":
        return queryset.aggregate(median=_Median(gap))["median"]
    ordered = queryset.annotate(gap=gap).order_by("gap", "pk").values_list("gap", flat=True)
    n = queryset.count()
    if n == 0:
        return None
    middle = list(ordered[(n - 1) // 2 : n // 2 + 1])
    values = [v if isinstance(v, dt.timedelta) else dt.timedelta(microseconds=v) for v in middle]
    return sum(values, dt.timedelta()) / len(values)


def rate(part: int | None, whole: int | None) -> float | None:
    if not whole:
        return None
    return (part or 0) / whole


# --- The dashboard ---------------------------------------------------------------------------


@dataclass
class Breakdown:
    """One row per class year or major."""

    key: str
    students: int = 0
    active: int = 0
    not_started: int = 0
    contacts_added: int = 0
    conversations_held: int = 0


@dataclass(frozen=True)
class RoundRow:
    """A match round of the period, with its sign-ups and matches."""

    pk: int
    name: str
    status: str
    window_start: dt.date
    window_end: dt.date
    published_at: dt.datetime | None
    n_students: int
    n_volunteers: int
    n_matched: int

    @property
    def match_rate(self) -> float | None:
        return rate(self.n_matched, self.n_students)

    @property
    def is_published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED

    @property
    def status_display(self) -> str:
        # Worded when shown, in the reader's language (the stored figures keep the status).
        return str(dict(RoundStatus.choices).get(self.status, self.status))


@dataclass(frozen=True)
class EventRow:
    """An event of the period (or an upcoming one with a waitlist), with its RSVP counts."""

    pk: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int | None
    n_going: int
    n_waitlisted: int
    n_checked_in: int = 0
    is_past: bool = False

    @property
    def attendance_rate(self) -> float | None:
        return rate(self.n_checked_in, self.n_going) if self.is_past else None


@dataclass
class Dashboard:
    """Plain values only (no model instances): reports.py keeps it in the cache."""

    filters: DashboardFilters
    students: dict = field(default_factory=dict)
    funnel: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    median_days_to_thank: float | None = None
    by_class_year: list[Breakdown] = field(default_factory=list)
    by_major: list[Breakdown] = field(default_factory=list)
    activity: list[tuple[dt.date, int, int, int]] = field(default_factory=list)
    activity_by_week: bool = False
    mentoring: dict = field(default_factory=dict)
    rounds: list[RoundRow] = field(default_factory=list)
    events: dict = field(default_factory=dict)
    event_rows: list[EventRow] = field(default_factory=list)
    waitlists: list[EventRow] = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)
    all_time: dict = field(default_factory=dict)
    erased: dict = field(default_factory=dict)


BREAKDOWN_FIELDS = ("students", "active", "not_started", "contacts_added", "conversations_held")
# Keys of the breakdowns, stored in English with the precomputed figures and translated where
# they are shown (console.reports.category_label).
NOT_GIVEN = gettext_noop("Not given")
OTHER_MAJORS = "Other majors (%d)"


def breakdowns(groups: dict) -> tuple[list[Breakdown], list[Breakdown]]:
    """The class-year and major tables from per-(class year, major) groups of counts: years in
    order ("Not given" last), the TOP_MAJORS largest majors (ties by spelling, so the order
    never depends on which group came first) and the rest summed as "Other majors (n)"."""
    by_year: dict = {}
    by_major: dict = {}
    for (year, major), group in groups.items():
        if not group["students"]:
            continue
        for table, key in ((by_year, year), (by_major, major)):
            entry = table.setdefault(key, Breakdown(key=key))
            for name in BREAKDOWN_FIELDS:
                setattr(entry, name, getattr(entry, name) + group[name])
    years = sorted(by_year.values(), key=lambda b: (b.key is None, b.key or 0))
    for entry in years:
        entry.key = str(entry.key) if entry.key else NOT_GIVEN
    majors = sorted(by_major.values(), key=lambda b: (-b.students, b.key.casefold(), b.key))
    shown, rest = majors[:TOP_MAJORS], majors[TOP_MAJORS:]
    for entry in shown:
        entry.key = entry.key or NOT_GIVEN
    if rest:
        other = Breakdown(key=OTHER_MAJORS % len(rest))
        for entry in rest:
            for name in BREAKDOWN_FIELDS:
                setattr(other, name, getattr(other, name) + getattr(entry, name))
        shown.append(other)
    return years, shown
