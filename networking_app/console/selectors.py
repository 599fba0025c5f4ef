"""Reads for the staff console: the programme dashboard's aggregates, and the lists behind the
administration pages.

Every number is computed by the database (COUNT, SUM, AVG, percentile_cont) over the whole
cohort in a fixed number of queries, whatever the number of students: nothing here loops over
people in Python. Nothing here reads a free-text field a student wrote (notes, goals, answers,
messages): only statuses, timestamps, ids and the profile's class year and major.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.utils import timezone

from contacts.models import Contact, Conversation, ConversationChange, Interaction, Outcome
from events.models import RSVP, Event, EventStatus, RSVPStatus
from mentoring.models import (
    Feedback,
    FlashRequest,
    Match,
    MatchRound,
    Mentor,
    RequestStatus,
    RoundStatus,
    RoundStudent,
    RoundVolunteer,
    Session,
    SessionStatus,
)
from networking_app.accounts.models import (
    ApprovalStatus,
    ErasedAccount,
    Role,
    StudentProfile,
    User,
    VolunteerProfile,
)
from networking_app.console.models import (
    EligibilityLabel,
    StudentLabel,
    VolunteerInvitation,
)
from networking_app.core.models import AuditLog

HOLDING_REQUEST_STATUSES = [RequestStatus.PENDING, RequestStatus.PROPOSED, RequestStatus.ACCEPTED]
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


def _cohort_ids(filters: DashboardFilters) -> QuerySet:
    return cohort_students(filters).values("pk")


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


def _rate(part: int | None, whole: int | None) -> float | None:
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
    status_display: str
    window_start: dt.date
    window_end: dt.date
    published_at: dt.datetime | None
    n_students: int
    n_volunteers: int
    n_matched: int

    @property
    def match_rate(self) -> float | None:
        return _rate(self.n_matched, self.n_students)

    @property
    def is_published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED


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
        return _rate(self.n_checked_in, self.n_going) if self.is_past else None


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


def _active_q(filters: DashboardFilters) -> Q:
    """A student was active in the period if they added a contact, logged an interaction,
    created or moved a conversation, asked a volunteer for time or RSVPed to an event.

    Uncorrelated IN subqueries: PostgreSQL reads each table's rows of the period once (through
    its date index) into a hash, instead of probing every table once per student."""
    return (
        Q(pk__in=Contact.objects.filter(filters.in_period("created_at")).values("owner_id"))
        | Q(pk__in=Interaction.objects.filter(filters.in_period("created_at")).values("owner_id"))
        | Q(pk__in=Conversation.objects.filter(filters.in_period("updated_at")).values("owner_id"))
        | Q(
            pk__in=FlashRequest.objects.filter(filters.in_period("created_at")).values("student_id")
        )
        | Q(pk__in=RSVP.objects.filter(filters.in_period("created_at")).values("user_id"))
    )


def _not_started_q() -> Q:
    return ~Q(pk__in=Contact.objects.values("owner_id"))


def students_not_started(filters: DashboardFilters | None = None, **cohort) -> QuerySet[User]:
    """Students who have not added a single contact yet (the nudge's audience)."""
    students = cohort_students(filters) if filters else students_queryset(**cohort)
    return students.filter(_not_started_q())


def _owned(queryset: QuerySet, filters: DashboardFilters, owner: str = "owner") -> QuerySet:
    """Limit a student's rows to the cohort; without a cohort, every row (only students own
    contacts and conversations) and no join."""
    if filters.has_cohort:
        return queryset.filter(**{f"{owner}__in": _cohort_ids(filters)})
    return queryset


BREAKDOWN_FIELDS = ("students", "active", "not_started", "contacts_added", "conversations_held")


def _students_and_breakdowns(d: Dashboard, filters: DashboardFilters) -> None:
    """One query over the students grouped by (class year, major), one over the contacts added
    and one over the conversations of the period, grouped the same way: the totals, the class
    year and the major breakdowns are sums of these few dozen groups."""
    year, major = "student_profile__class_year", "student_profile__major"
    groups: dict[tuple, dict] = {}

    def group(key) -> dict:
        return groups.setdefault(key, dict.fromkeys((*BREAKDOWN_FIELDS, "joined"), 0))

    rows = (
        cohort_students(filters)
        .values(y=F(year), m=F(major))
        .annotate(
            students=Count("pk"),
            joined=Count("pk", filter=filters.in_period("date_joined")),
            active=Count("pk", filter=_active_q(filters)),
            not_started=Count("pk", filter=_not_started_q()),
        )
        .order_by()
    )
    for row in rows:
        g = group((row["y"], (row["m"] or "").strip()))
        for name in ("students", "joined", "active", "not_started"):
            g[name] += row[name]
    added = (
        _owned(Contact.objects.filter(filters.in_period("created_at")), filters)
        .values(y=F(f"owner__{year}"), m=F(f"owner__{major}"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in added:
        group((row["y"], (row["m"] or "").strip()))["contacts_added"] += row["n"]

    # The conversations that moved in the period: asked for, held or thanked in it (a bitmap
    # OR of three date indexes reads only those rows).
    asked = filters.dates_in_period("requested_on")
    held_in = filters.in_period("held_at")
    thanked_in = filters.in_period("thanked_at")
    went_ahead = Q(scheduled_at__isnull=False) | Q(held_at__isnull=False)
    moved = (
        _owned(Conversation.objects.filter(asked | held_in | thanked_in), filters)
        .values(y=F(f"owner__{year}"), m=F(f"owner__{major}"))
        .annotate(
            requested=Count("pk", filter=asked),
            scheduled=Count("pk", filter=asked & went_ahead),
            held=Count("pk", filter=asked & Q(held_at__isnull=False)),
            thanked=Count("pk", filter=asked & Q(thanked_at__isnull=False)),
            held_in_period=Count("pk", filter=held_in),
            thanked_in_period=Count("pk", filter=thanked_in),
        )
        .order_by()
    )
    funnel = dict.fromkeys(
        ("requested", "scheduled", "held", "thanked", "held_in_period", "thanked_in_period"), 0
    )
    for row in moved:
        for name in funnel:
            funnel[name] += row[name]
        group((row["y"], (row["m"] or "").strip()))["conversations_held"] += row["held_in_period"]
    d.funnel = funnel

    # Contacts and conversations of students outside the cohort's groups (a student who is
    # not active any more) are left out of the breakdowns but not of the totals.
    d.students = {
        name: sum(g[name] for key, g in groups.items())
        for name in ("students", "joined", "active", "not_started")
    }
    d.students["total"] = d.students.pop("students")
    d.students["contacts_added"] = sum(g["contacts_added"] for g in groups.values())

    by_year: dict = {}
    by_major: dict = {}
    for (y, m), g in groups.items():
        if not g["students"]:
            continue
        for table, key in ((by_year, y), (by_major, m)):
            entry = table.setdefault(key, Breakdown(key=key))
            for name in BREAKDOWN_FIELDS:
                setattr(entry, name, getattr(entry, name) + g[name])
    years = sorted(by_year.values(), key=lambda b: (b.key is None, b.key or 0))
    for entry in years:
        entry.key = str(entry.key) if entry.key else "Not given"
    d.by_class_year = years
    majors = sorted(by_major.values(), key=lambda b: (-b.students, b.key.casefold()))
    shown, rest = majors[:TOP_MAJORS], majors[TOP_MAJORS:]
    for entry in shown:
        entry.key = entry.key or "Not given"
    if rest:
        other = Breakdown(key=f"Other majors ({len(rest)})")
        for entry in rest:
            for name in BREAKDOWN_FIELDS:
                setattr(other, name, getattr(other, name) + getattr(entry, name))
        shown.append(other)
    d.by_major = shown


def _changes_and_median(d: Dashboard, filters: DashboardFilters) -> None:
    changes = (
        _owned(
            ConversationChange.objects.filter(filters.in_period("created_at")),
            filters,
            "conversation__owner",
        )
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    d.changes = {"rescheduled": 0, "cancelled": 0} | {row["kind"]: row["n"] for row in changes}
    median = median_duration(
        _owned(Conversation.objects.all(), filters).filter(
            filters.in_period("thanked_at"), held_at__isnull=False, thanked_at__gte=F("held_at")
        ),
        "held_at",
        "thanked_at",
    )
    d.median_days_to_thank = None if median is None else median.total_seconds() / 86400


def _activity(d: Dashboard, filters: DashboardFilters) -> None:
    """Contacts added, conversations requested and held per day (per week past 62 days)."""
    weekly = filters.days > 62
    zone = timezone.get_current_timezone()

    def bucket(name: str):
        return TruncWeek(name, tzinfo=zone) if weekly else TruncDate(name, tzinfo=zone)

    def as_date(value) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        return value

    added = (
        _owned(Contact.objects.filter(filters.in_period("created_at")), filters)
        .annotate(b=bucket("created_at"))
        .values("b")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held = (
        _owned(Conversation.objects.filter(filters.in_period("held_at")), filters)
        .annotate(b=bucket("held_at"))
        .values("b")
        .annotate(n=Count("pk"))
        .order_by()
    )
    requested = (
        _owned(Conversation.objects.filter(filters.dates_in_period("requested_on")), filters)
        .values(b=F("requested_on"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    first = filters.start
    if weekly:
        first = first - dt.timedelta(days=first.weekday())
    step = 7 if weekly else 1
    buckets: dict[dt.date, list[int]] = {}
    day = first
    while day <= filters.end:
        buckets[day] = [0, 0, 0]
        day += dt.timedelta(days=step)

    def key_for(value) -> dt.date:
        value = as_date(value)
        if weekly:
            value = value - dt.timedelta(days=value.weekday())
        return value

    for index, rows in enumerate((added, requested, held)):
        for row in rows:
            key = key_for(row["b"])
            if key in buckets:
                buckets[key][index] += row["n"]
    d.activity = [(day, *counts) for day, counts in buckets.items()]
    d.activity_by_week = weekly


def unused_capacity_mentors(*, now: dt.datetime | None = None) -> QuerySet[Mentor]:
    """Listed volunteers who have room left this month (capacity minus requests holding a
    slot that starts this month)."""
    now = now or timezone.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    used = (
        FlashRequest.objects.filter(
            volunteer=OuterRef("user_id"),
            status__in=HOLDING_REQUEST_STATUSES,
            start_at__gte=month_start,
            start_at__lt=next_month,
        )
        .order_by()
        .values("volunteer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Mentor.objects.filter(is_bookable=True, user__is_active=True)
        .annotate(used=Coalesce(Subquery(used, output_field=IntegerField()), Value(0)))
        .filter(used__lt=F("monthly_capacity"))
    )


def _mentoring(d: Dashboard, filters: DashboardFilters) -> None:
    statuses = dict.fromkeys(ApprovalStatus.values, 0)
    statuses.update(
        {
            row["status"]: row["n"]
            for row in VolunteerProfile.objects.filter(user__is_active=True)
            .values("status")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    listed = Mentor.objects.filter(is_bookable=True, user__is_active=True).aggregate(
        listed=Count("pk"), capacity=Coalesce(Sum("monthly_capacity"), 0)
    )
    requests = FlashRequest.objects.all()
    sessions = Session.objects.all()
    feedback = Feedback.objects.all()
    if filters.has_cohort:
        ids = _cohort_ids(filters)
        requests = requests.filter(student__in=ids)
        sessions = sessions.filter(student__in=ids)
        feedback = feedback.filter(session__student__in=ids)
    asked = filters.in_period("created_at")
    r = requests.aggregate(
        requests=Count("pk", filter=asked),
        accepted=Count("pk", filter=asked & Q(status=RequestStatus.ACCEPTED)),
        declined=Count("pk", filter=asked & Q(status=RequestStatus.DECLINED)),
        expired=Count("pk", filter=asked & Q(status=RequestStatus.EXPIRED)),
        open=Count(
            "pk", filter=asked & Q(status__in=[RequestStatus.PENDING, RequestStatus.PROPOSED])
        ),
        capacity_used=Count(
            "pk", filter=filters.in_period("start_at") & Q(status__in=HOLDING_REQUEST_STATUSES)
        ),
    )
    in_period = filters.in_period("start_at")
    s = sessions.aggregate(
        held=Count("pk", filter=in_period & Q(status=SessionStatus.COMPLETED)),
        no_show=Count("pk", filter=in_period & Q(status=SessionStatus.NO_SHOW)),
        cancelled=Count("pk", filter=in_period & Q(status=SessionStatus.CANCELLED)),
        active_volunteers=Count(
            "volunteer",
            distinct=True,
            filter=in_period & Q(status__in=[SessionStatus.COMPLETED, SessionStatus.SCHEDULED]),
        ),
    )
    f = feedback.filter(filters.in_period("session__start_at")).aggregate(
        average=Avg("rating"), count=Count("pk")
    )
    months = filters.days / DAYS_PER_MONTH
    decided = r["accepted"] + r["declined"] + r["expired"]
    d.mentoring = {
        "volunteers": statuses,
        "listed": listed["listed"],
        "active": s["active_volunteers"],
        "capacity_offered": round(listed["capacity"] * months),
        "capacity_used": r["capacity_used"],
        "capacity_use_rate": _rate(r["capacity_used"], round(listed["capacity"] * months)),
        **{k: r[k] for k in ("requests", "accepted", "declined", "expired", "open")},
        "acceptance_rate": _rate(r["accepted"], decided),
        "sessions_held": s["held"],
        "no_shows": s["no_show"],
        "sessions_cancelled": s["cancelled"],
        "no_show_rate": _rate(s["no_show"], s["held"] + s["no_show"]),
        "feedback_average": f["average"],
        "feedback_count": f["count"],
        "unused_capacity_volunteers": unused_capacity_mentors().count(),
    }
    students = Subquery(
        RoundStudent.objects.filter(round=OuterRef("pk"))
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    volunteers = Subquery(
        RoundVolunteer.objects.filter(round=OuterRef("pk"))
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    matched = Subquery(
        Match.objects.filter(round=OuterRef("pk"))
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    overlapping = Q(window_start__lte=filters.end, window_end__gte=filters.start) | Q(
        filters.in_period("published_at")
    )
    rounds = (
        MatchRound.objects.filter(overlapping)
        .annotate(
            n_students=Coalesce(students, 0),
            n_volunteers=Coalesce(volunteers, 0),
            n_matched=Coalesce(matched, 0),
        )
        .order_by("-window_start", "-pk")
        .values(*ROUND_FIELDS)[:ROUNDS_SHOWN]
    )
    labels = dict(RoundStatus.choices)
    d.rounds = [
        RoundRow(status_display=labels.get(row["status"], row["status"]), **row) for row in rounds
    ]


def _events(d: Dashboard, filters: DashboardFilters) -> None:
    now = timezone.now()
    rsvp_scope = Q()
    if filters.has_cohort:
        rsvp_scope = Q(rsvps__user__in=_cohort_ids(filters))
    going = rsvp_scope & Q(rsvps__status=RSVPStatus.GOING)
    checked_in = going & Q(rsvps__checked_in_at__isnull=False)
    waitlisted = rsvp_scope & Q(rsvps__status=RSVPStatus.WAITLISTED)
    events = Event.objects.filter(filters.in_period("starts_at"), status=EventStatus.PUBLISHED)
    rsvps = RSVP.objects.filter(
        event__status=EventStatus.PUBLISHED,
        event__starts_at__gte=filters.start_at,
        event__starts_at__lt=filters.end_before,
    )
    if filters.has_cohort:
        rsvps = rsvps.filter(user__in=_cohort_ids(filters))
    past = Q(event__ends_at__lt=now)
    totals = rsvps.aggregate(
        rsvps=Count("pk", filter=~Q(status=RSVPStatus.CANCELLED)),
        going=Count("pk", filter=Q(status=RSVPStatus.GOING)),
        waitlisted=Count("pk", filter=Q(status=RSVPStatus.WAITLISTED)),
        cancelled=Count("pk", filter=Q(status=RSVPStatus.CANCELLED)),
        past_going=Count("pk", filter=past & Q(status=RSVPStatus.GOING)),
        past_checked_in=Count(
            "pk", filter=past & Q(status=RSVPStatus.GOING, checked_in_at__isnull=False)
        ),
    )
    counts = events.aggregate(
        events=Count("pk"), past_events=Count("pk", filter=Q(ends_at__lt=now))
    )
    d.events = {
        **counts,
        **totals,
        "attendance_rate": _rate(totals["past_checked_in"], totals["past_going"]),
    }
    rows = (
        events.annotate(
            n_going=Count("rsvps", filter=going),
            n_checked_in=Count("rsvps", filter=checked_in),
            n_waitlisted=Count("rsvps", filter=waitlisted),
        )
        .order_by("starts_at", "pk")
        .values(*EVENT_FIELDS, "n_checked_in")[:EVENTS_SHOWN]
    )
    d.event_rows = [EventRow(is_past=row["ends_at"] < now, **row) for row in rows]
    waiting = (
        Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gte=now)
        .annotate(
            n_waitlisted=Count("rsvps", filter=waitlisted), n_going=Count("rsvps", filter=going)
        )
        .filter(n_waitlisted__gt=0)
        .order_by("-n_waitlisted", "starts_at")
        .values(*EVENT_FIELDS)[:EVENTS_SHOWN]
    )
    d.waitlists = [EventRow(**row) for row in waiting]


def _outcomes(d: Dashboard, filters: DashboardFilters) -> None:
    helped = Outcome.helped_by.through.objects.filter(outcome_id=OuterRef("pk"))
    d.outcomes = _owned(
        Outcome.objects.filter(filters.dates_in_period("decided_on")), filters
    ).aggregate(
        total=Count("pk"),
        internships=Count("pk", filter=Q(kind="internship")),
        jobs=Count("pk", filter=Q(kind="job")),
        with_contacts=Count("pk", filter=Q(Exists(helped))),
        students=Count("owner", distinct=True),
    )


def _all_time(d: Dashboard, filters: DashboardFilters) -> None:
    """Totals since the start, with what deleted accounts left behind (ErasedAccount keeps
    only counts and the cohort, so deleted students still count in these totals)."""
    conversations = _owned(Conversation.objects.all(), filters).aggregate(
        conversations=Count("pk"),
        held=Count("pk", filter=Q(held_at__isnull=False)),
        thanked=Count("pk", filter=Q(thanked_at__isnull=False)),
    )
    live = {
        "students": d.students.get("total", 0),
        "contacts": _owned(Contact.objects.all(), filters).count(),
        **conversations,
        "sessions_held": _owned(
            Session.objects.filter(status=SessionStatus.COMPLETED), filters, "student"
        ).count(),
        "outcomes": _owned(Outcome.objects.all(), filters).count(),
    }
    erased = ErasedAccount.objects.filter(role=Role.STUDENT)
    if filters.label_id:
        erased = erased.none()  # labels are not kept for deleted accounts
    if filters.class_year:
        erased = erased.filter(class_year=filters.class_year)
    if filters.major:
        erased = erased.filter(major__iexact=filters.major.strip())
    gone = erased.aggregate(
        students=Count("pk"),
        contacts=Coalesce(Sum("contacts"), 0),
        conversations=Coalesce(Sum("conversations"), 0),
        held=Coalesce(Sum("conversations_held"), 0),
        thanked=Coalesce(Sum("conversations_thanked"), 0),
        sessions_held=Coalesce(Sum("flash_sessions_held"), 0),
        outcomes=Coalesce(Sum("outcomes"), 0),
    )
    d.erased = gone
    d.all_time = {key: live[key] + gone[key] for key in live}


SECTIONS = {
    "students": _students_and_breakdowns,
    "changes": _changes_and_median,
    "activity": _activity,
    "mentoring": _mentoring,
    "events": _events,
    "outcomes": _outcomes,
    "all_time": _all_time,  # after "students": it reuses their total
}


def dashboard(filters: DashboardFilters, sections: tuple[str, ...] | None = None) -> Dashboard:
    """The dashboard's numbers (all of them, or only `sections`, for one chart's export), in a
    fixed number of queries whatever the number of students."""
    d = Dashboard(filters=filters)
    for name, compute in SECTIONS.items():
        if sections is None or name in sections:
            compute(d, filters)
    return d


def cohort_years_and_majors() -> dict:
    """The class years and the most common majors of the student profiles (2 queries)."""
    years = (
        StudentProfile.objects.exclude(class_year=None)
        .values_list("class_year", flat=True)
        .distinct()
        .order_by("class_year")
    )
    majors = (
        StudentProfile.objects.exclude(major="")
        .values("major")
        .annotate(n=Count("pk"))
        .order_by("-n", "major")[:60]
    )
    return {
        "class_years": list(years),
        "majors": sorted({row["major"].strip() for row in majors}, key=str.casefold),
    }


def label_choices() -> list[EligibilityLabel]:
    return list(EligibilityLabel.objects.only("pk", "name").order_by("name"))


def cohort_choices() -> dict:
    """Class years, majors and labels for the filter form (3 queries)."""
    return {**cohort_years_and_majors(), "labels": label_choices()}


# --- Administration lists --------------------------------------------------------------------


def volunteers_for_staff(*, status: str = "", q: str = "") -> QuerySet[VolunteerProfile]:
    profiles = VolunteerProfile.objects.filter(user__is_active=True).select_related(
        "user__profile", "user__mentor__organization"
    )
    if status:
        profiles = profiles.filter(status=status)
    if q:
        profiles = profiles.filter(
            Q(user__email__icontains=q.strip())
            | Q(user__profile__display_name__icontains=q.strip())
        )
    return profiles.order_by("status", "-created_at", "-pk")


def volunteer_status_counts() -> dict[str, int]:
    counts = dict.fromkeys(ApprovalStatus.values, 0)
    rows = (
        VolunteerProfile.objects.filter(user__is_active=True)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def invitations_for_staff() -> QuerySet[VolunteerInvitation]:
    return VolunteerInvitation.objects.select_related("created_by__profile", "used_by")


def invitation_get_by_token(*, token: str) -> VolunteerInvitation | None:
    return VolunteerInvitation.objects.filter(token=token).first()


def labels_with_counts() -> QuerySet[EligibilityLabel]:
    return EligibilityLabel.objects.annotate(n_students=Count("links")).order_by("name")


def label_students(*, label: EligibilityLabel) -> QuerySet[StudentLabel]:
    return (
        StudentLabel.objects.filter(label=label)
        .select_related("student__profile", "student__student_profile")
        .order_by("student__profile__display_name", "student__email")
    )


def audit_entries(
    *, action: str = "", actor_id: int | None = None, start=None, end=None
) -> QuerySet[AuditLog]:
    entries = AuditLog.objects.select_related("actor__profile")
    if action:
        entries = entries.filter(action=action)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if start:
        entries = entries.filter(
            created_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        )
    if end:
        entries = entries.filter(
            created_at__lt=timezone.make_aware(
                dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
            )
        )
    return entries.order_by("-created_at", "-pk")


def audit_actions() -> list[str]:
    return list(AuditLog.objects.order_by("action").values_list("action", flat=True).distinct())
