"""The parts of the dashboard read live, by the page as well as by the direct computation:
volunteers and their capacity, match rounds and events. Their tables grow with volunteers,
rounds and events, not with students, and each read is a handful of small grouped queries.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from contacts.models import Conversation
from events.models import RSVP, Event, EventStatus, RSVPStatus
from mentoring.models import (
    Feedback,
    FlashRequest,
    Match,
    MatchRound,
    Mentor,
    RequestStatus,
    RoundStudent,
    RoundVolunteer,
    Session,
    SessionStatus,
)
from networking_app.accounts.models import (
    ApprovalStatus,
    ErasedAccount,
    Role,
    VolunteerProfile,
)
from networking_app.console.selectors.filters import (
    DAYS_PER_MONTH,
    EVENT_FIELDS,
    EVENTS_SHOWN,
    HOLDING_REQUEST_STATUSES,
    OPEN_REQUEST_STATUSES,
    ROUND_FIELDS,
    ROUNDS_SHOWN,
    Dashboard,
    DashboardFilters,
    EventRow,
    RoundRow,
    cohort_ids,
    cohort_rows,
    median_duration,
    rate,
)


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


def median_days_to_thank(filters: DashboardFilters) -> float | None:
    """The median time from held to thanked of the conversations thanked in the period (an
    exact median needs the rows: the period's thanked conversations, through their index)."""
    median = median_duration(
        cohort_rows(Conversation.objects.all(), filters).filter(
            filters.in_period("thanked_at"), held_at__isnull=False, thanked_at__gte=F("held_at")
        ),
        "held_at",
        "thanked_at",
    )
    return None if median is None else median.total_seconds() / 86400


def mentoring_counts(filters: DashboardFilters) -> dict:
    """The period's flash requests, sessions and feedback of the cohort, counted from the
    mentoring tables (the page sums the same counts from the precomputed rows)."""
    requests = cohort_rows(FlashRequest.objects.all(), filters, "student")
    sessions = cohort_rows(Session.objects.all(), filters, "student")
    feedback = cohort_rows(Feedback.objects.all(), filters, "session__student")
    asked = filters.in_period("created_at")
    r = requests.aggregate(
        requests=Count("pk", filter=asked),
        accepted=Count("pk", filter=asked & Q(status=RequestStatus.ACCEPTED)),
        declined=Count("pk", filter=asked & Q(status=RequestStatus.DECLINED)),
        expired=Count("pk", filter=asked & Q(status=RequestStatus.EXPIRED)),
        open=Count("pk", filter=asked & Q(status__in=OPEN_REQUEST_STATUSES)),
        capacity_used=Count(
            "pk", filter=filters.in_period("start_at") & Q(status__in=HOLDING_REQUEST_STATUSES)
        ),
    )
    in_period = filters.in_period("start_at")
    s = sessions.aggregate(
        sessions_held=Count("pk", filter=in_period & Q(status=SessionStatus.COMPLETED)),
        no_shows=Count("pk", filter=in_period & Q(status=SessionStatus.NO_SHOW)),
        sessions_cancelled=Count("pk", filter=in_period & Q(status=SessionStatus.CANCELLED)),
    )
    f = feedback.filter(filters.in_period("session__start_at")).aggregate(
        feedback_average=Avg("rating"), feedback_count=Count("pk")
    )
    return {**r, **s, **f}


def active_volunteers(filters: DashboardFilters) -> int:
    """Volunteers with a session (held or to come) with the cohort in the period."""
    sessions = cohort_rows(Session.objects.all(), filters, "student")
    return sessions.filter(
        filters.in_period("start_at"),
        status__in=[SessionStatus.COMPLETED, SessionStatus.SCHEDULED],
    ).aggregate(n=Count("volunteer", distinct=True))["n"]


def mentoring_section(d: Dashboard, filters: DashboardFilters, counts: dict) -> None:
    """The mentoring figures: the period's `counts` (mentoring_counts), with the volunteers,
    their capacity and the match rounds read now."""
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
    offered = round(listed["capacity"] * filters.days / DAYS_PER_MONTH)
    c = counts
    decided = c["accepted"] + c["declined"] + c["expired"]
    d.mentoring = {
        "volunteers": statuses,
        "listed": listed["listed"],
        "active": active_volunteers(filters),
        "capacity_offered": offered,
        "capacity_used": c["capacity_used"],
        "capacity_use_rate": rate(c["capacity_used"], offered),
        **{k: c[k] for k in ("requests", "accepted", "declined", "expired", "open")},
        "acceptance_rate": rate(c["accepted"], decided),
        "sessions_held": c["sessions_held"],
        "no_shows": c["no_shows"],
        "sessions_cancelled": c["sessions_cancelled"],
        "no_show_rate": rate(c["no_shows"], c["sessions_held"] + c["no_shows"]),
        "feedback_average": c["feedback_average"],
        "feedback_count": c["feedback_count"],
        "unused_capacity_volunteers": unused_capacity_mentors().count(),
    }
    d.rounds = match_rounds(filters)


def match_rounds(filters: DashboardFilters) -> list[RoundRow]:
    """The match rounds whose window or publication falls in the period, latest first."""
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
    return [RoundRow(**row) for row in rounds]


def events_section(d: Dashboard, filters: DashboardFilters) -> None:
    now = timezone.now()
    rsvp_scope = Q()
    if filters.has_cohort:
        rsvp_scope = Q(rsvps__user__in=cohort_ids(filters))
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
        rsvps = rsvps.filter(user__in=cohort_ids(filters))
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
        "attendance_rate": rate(totals["past_checked_in"], totals["past_going"]),
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


def erased_totals(filters: DashboardFilters) -> dict:
    """What the deleted accounts of the cohort left behind (ErasedAccount keeps only counts,
    the class year and the major, so deleted students still count in the all-time totals)."""
    erased = ErasedAccount.objects.filter(role=Role.STUDENT)
    if filters.label_id:
        erased = erased.none()  # labels are not kept for deleted accounts
    if filters.class_year:
        erased = erased.filter(class_year=filters.class_year)
    if filters.major:
        erased = erased.filter(major__iexact=filters.major.strip())
    return erased.aggregate(
        students=Count("pk"),
        contacts=Coalesce(Sum("contacts"), 0),
        conversations=Coalesce(Sum("conversations"), 0),
        held=Coalesce(Sum("conversations_held"), 0),
        thanked=Coalesce(Sum("conversations_thanked"), 0),
        sessions_held=Coalesce(Sum("flash_sessions_held"), 0),
        outcomes=Coalesce(Sum("outcomes"), 0),
    )
