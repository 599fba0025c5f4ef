"""The dashboard's figures computed directly from the domain tables: the reference the
precomputed rows (networking_app/console/rollup.py) are checked against, and what a chart's
CSV export of a past or unusual period could fall back to.

Every number is computed by the database (COUNT, SUM, AVG, percentile_cont) over the whole
cohort in a fixed number of queries, whatever the number of students: nothing here loops over
people in Python.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from contacts.models import Contact, Conversation, ConversationChange, Interaction, Outcome
from events.models import RSVP
from mentoring.models import (
    FlashRequest,
    Session,
    SessionStatus,
)
from networking_app.accounts.models import (
    User,
)
from networking_app.console.selectors.filters import (
    BREAKDOWN_FIELDS,
    Dashboard,
    DashboardFilters,
    breakdowns,
    cohort_rows,
    cohort_students,
    students_queryset,
)
from networking_app.console.selectors.live import (
    erased_totals,
    events_section,
    median_days_to_thank,
    mentoring_counts,
    mentoring_section,
)


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
        cohort_rows(Contact.objects.filter(filters.in_period("created_at")), filters)
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
        cohort_rows(Conversation.objects.filter(asked | held_in | thanked_in), filters)
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

    d.by_class_year, d.by_major = breakdowns(groups)


def _changes_and_median(d: Dashboard, filters: DashboardFilters) -> None:
    changes = (
        cohort_rows(
            ConversationChange.objects.filter(filters.in_period("created_at")),
            filters,
            "conversation__owner",
        )
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    d.changes = {"rescheduled": 0, "cancelled": 0} | {row["kind"]: row["n"] for row in changes}
    d.median_days_to_thank = median_days_to_thank(filters)


def _mentoring(d: Dashboard, filters: DashboardFilters) -> None:
    mentoring_section(d, filters, mentoring_counts(filters))


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
        cohort_rows(Contact.objects.filter(filters.in_period("created_at")), filters)
        .annotate(b=bucket("created_at"))
        .values("b")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held = (
        cohort_rows(Conversation.objects.filter(filters.in_period("held_at")), filters)
        .annotate(b=bucket("held_at"))
        .values("b")
        .annotate(n=Count("pk"))
        .order_by()
    )
    requested = (
        cohort_rows(Conversation.objects.filter(filters.dates_in_period("requested_on")), filters)
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


def _outcomes(d: Dashboard, filters: DashboardFilters) -> None:
    helped = Outcome.helped_by.through.objects.filter(outcome_id=OuterRef("pk"))
    d.outcomes = cohort_rows(
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
    conversations = cohort_rows(Conversation.objects.all(), filters).aggregate(
        conversations=Count("pk"),
        held=Count("pk", filter=Q(held_at__isnull=False)),
        thanked=Count("pk", filter=Q(thanked_at__isnull=False)),
    )
    live = {
        "students": d.students.get("total", 0),
        "contacts": cohort_rows(Contact.objects.all(), filters).count(),
        **conversations,
        "sessions_held": cohort_rows(
            Session.objects.filter(status=SessionStatus.COMPLETED), filters, "student"
        ).count(),
        "outcomes": cohort_rows(Outcome.objects.all(), filters).count(),
    }
    gone = erased_totals(filters)
    d.erased = gone
    d.all_time = {key: live[key] + gone[key] for key in live}


SECTIONS = {
    "students": _students_and_breakdowns,
    "changes": _changes_and_median,
    "activity": _activity,
    "mentoring": _mentoring,
    "events": events_section,
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
