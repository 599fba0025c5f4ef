"""The dashboard's precomputed figures, refreshed in the background.

Why a daily rollup rather than a cache of pages: staff choose any period and any cohort (class
year, major, eligibility label), so no set of stored pages covers what they ask for. Every
figure that adds up over days is kept per day and per group of students (FiguresDay: by class
year, major, active-student flag and label), so any period is a sum over at most a few
thousand small rows whatever the number of students. Counts of distinct students (active in
the period, with an offer) do not add up over days: FiguresStudentDay keeps one row per student
and day with something to count. What does not depend on the period (how many students, how
many have not started, the all-time totals) is one row per group (FiguresCohort). Days are the
office's days (settings.TIME_ZONE), the same for every viewer.

The refresh recomputes every row from the domain tables in a few INSERT ... SELECT statements
(the database groups; nothing loops over people in Python) and replaces them in one
transaction, so that a page reads either the old rows or the new ones. A Celery beat task runs
it every DASHBOARD_REFRESH_SECONDS; "Recompute now" runs it at once. Both claim the
FiguresRefresh row first with a conditional update and a lease (like the outbox), so that two
refreshes never compute at once and a worker that dies lets the next one in.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from contacts.models import (
    ChangeKind,
    Contact,
    Conversation,
    ConversationChange,
    Interaction,
    Outcome,
)
from events.models import RSVP
from mentoring.models import Feedback, FlashRequest, RequestStatus, Session, SessionStatus
from networking_app.accounts.models import Role, StudentProfile, User
from networking_app.console.models import (
    REFRESH_ROW,
    FiguresCohort,
    FiguresDay,
    FiguresRefresh,
    FiguresStudentDay,
    StudentLabel,
)
from networking_app.console.selectors.filters import (
    HOLDING_REQUEST_STATUSES,
    OPEN_REQUEST_STATUSES,
)
from networking_app.console.selectors.pages import store_pages
from networking_app.core.cache import FIGURES, bump_version

# Longer than a refresh ever takes: a claim older than this belongs to a worker that died.
LEASE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Source:
    """Rows of one domain table, each counted for the student at `student` (a path from the
    row; "" for a user row) on the day of `date`: a column is a condition (the row counts 1
    if it holds) or a field whose value is summed."""

    model: type[models.Model]
    student: str
    columns: dict[str, Q | str]
    date: str = ""
    date_is_day: bool = False  # a DateField: no time zone to convert from
    where: Q = field(default_factory=Q)


_went_ahead = Q(scheduled_at__isnull=False) | Q(held_at__isnull=False)
_helped = Outcome.helped_by.through.objects.filter(outcome_id=OuterRef("pk"))

DAY_SOURCES = [
    Source(User, "", {"joined": Q()}, "date_joined", where=Q(role=Role.STUDENT, is_active=True)),
    Source(Contact, "owner", {"contacts_added": Q()}, "created_at"),
    Source(
        Conversation,
        "owner",
        {
            "requested": Q(),
            "scheduled": _went_ahead,
            "held": Q(held_at__isnull=False),
            "thanked": Q(thanked_at__isnull=False),
        },
        "requested_on",
        date_is_day=True,
    ),
    Source(Conversation, "owner", {"held_in_period": Q()}, "held_at"),
    Source(Conversation, "owner", {"thanked_in_period": Q()}, "thanked_at"),
    Source(
        ConversationChange,
        "conversation__owner",
        {"rescheduled": Q(kind=ChangeKind.RESCHEDULED), "cancelled": Q(kind=ChangeKind.CANCELLED)},
        "created_at",
    ),
    Source(
        Outcome,
        "owner",
        {
            "outcomes": Q(),
            "internships": Q(kind="internship"),
            "jobs": Q(kind="job"),
            "outcomes_with_contacts": Q(Exists(_helped)),
        },
        "decided_on",
        date_is_day=True,
    ),
    Source(
        FlashRequest,
        "student",
        {
            "requests": Q(),
            "accepted": Q(status=RequestStatus.ACCEPTED),
            "declined": Q(status=RequestStatus.DECLINED),
            "expired": Q(status=RequestStatus.EXPIRED),
            "open": Q(status__in=OPEN_REQUEST_STATUSES),
        },
        "created_at",
    ),
    Source(
        FlashRequest,
        "student",
        {"capacity_used": Q()},
        "start_at",
        where=Q(status__in=HOLDING_REQUEST_STATUSES),
    ),
    Source(
        Session,
        "student",
        {
            "sessions_held": Q(status=SessionStatus.COMPLETED),
            "no_shows": Q(status=SessionStatus.NO_SHOW),
            "sessions_cancelled": Q(status=SessionStatus.CANCELLED),
        },
        "start_at",
    ),
    Source(
        Feedback,
        "session__student",
        {"feedback_count": Q(), "feedback_sum": "rating"},
        "session__start_at",
    ),
]

# A student was active on a day if they added a contact, logged an interaction, created or
# moved a conversation, asked a volunteer for time or RSVPed to an event that day.
STUDENT_DAY_SOURCES = [
    Source(Contact, "owner", {"active": Q()}, "created_at"),
    Source(Interaction, "owner", {"active": Q()}, "created_at"),
    Source(Conversation, "owner", {"active": Q()}, "updated_at"),
    Source(FlashRequest, "student", {"active": Q()}, "created_at"),
    Source(RSVP, "user", {"active": Q()}, "created_at"),
    Source(Outcome, "owner", {"offer": Q()}, "decided_on", date_is_day=True),
]

COHORT_SOURCES = [
    Source(
        User,
        "",
        {"students": Q(), "not_started": ~Q(pk__in=Contact.objects.values("owner_id"))},
        where=Q(role=Role.STUDENT, is_active=True),
    ),
    Source(StudentProfile, "user", {"profiles": Q()}),
    Source(Contact, "owner", {"contacts": Q()}),
    Source(
        Conversation,
        "owner",
        {
            "conversations": Q(),
            "held": Q(held_at__isnull=False),
            "thanked": Q(thanked_at__isnull=False),
        },
    ),
    Source(Session, "student", {"sessions_held": Q()}, where=Q(status=SessionStatus.COMPLETED)),
    Source(Outcome, "owner", {"outcomes": Q()}),
]


def _source_sql(source: Source, columns: list[str], *, by_day: bool) -> tuple[str, list]:
    """One SELECT of (day, student, every column) over the source's rows."""
    rows = source.model.objects.filter(source.where)
    values: dict = {}
    if by_day:
        rows = rows.filter(**{f"{source.date}__isnull": False})
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        values["c_day"] = (
            F(source.date) if source.date_is_day else TruncDate(source.date, tzinfo=zone)
        )
    values["c_student"] = F(source.student or "pk")
    for name in columns:  # aliased: a column may share its name with a field of the source
        value = source.columns.get(name)
        if value is None:
            values[f"c_{name}"] = Value(0)
        elif value == Q():
            values[f"c_{name}"] = Value(1)
        elif isinstance(value, str):
            values[f"c_{name}"] = F(value)
        else:
            values[f"c_{name}"] = Case(When(value, then=Value(1)), default=Value(0))
    sql, params = rows.order_by().values(**values).query.sql_with_params()
    return sql, list(params)


def _insert(target: type[models.Model], sources: list[Source], *, by_day: bool, per_student=False):
    """Fill `target` from the sources: their rows, joined to the student's account and profile,
    grouped by day (if `by_day`), student (if `per_student`) and group; once for everyone
    (label NULL) and once more for each label of each active student."""
    q = connection.ops.quote_name
    columns = target.counted_columns()
    parts, params = [], []
    for i, source in enumerate(sources):
        sql, source_params = _source_sql(source, columns, by_day=by_day)
        names = ["day", "student"] if by_day else ["student"]
        names = ", ".join(q(f"c_{n}") for n in [*names, *columns])
        # Identifiers come from the models' meta, values go as parameters.
        parts.append(f"SELECT {names} FROM ({sql}) {q(f'source{i}')}")  # noqa: S608
        params += source_params
    union = " UNION ALL ".join(parts)
    key = (["r.c_day"] if by_day else []) + (["r.c_student"] if per_student else [])
    key += ["p.class_year", "COALESCE(p.major, '')", "(u.role = %s AND u.is_active)"]
    if per_student:
        counted = [f"MAX(r.{q(f'c_{n}')}) > 0" for n in columns]
    else:
        counted = [f"SUM(r.{q(f'c_{n}')})" for n in columns]
    into = (["day"] if by_day else []) + (["student_id"] if per_student else [])
    into += ["class_year", "major", "in_cohort", "label_id", *columns]
    group_by = ", ".join(str(i + 1) for i in range(len(key) + 1))
    for label, join in (
        ("CAST(NULL AS bigint)", ""),
        (
            "sl.label_id",
            f"JOIN {q(StudentLabel._meta.db_table)} sl ON sl.student_id = r.c_student "
            "AND u.role = %s AND u.is_active",
        ),
    ):
        statement = (
            f"INSERT INTO {q(target._meta.db_table)} ({', '.join(q(n) for n in into)}) "  # noqa: S608
            f"SELECT {', '.join(key)}, {label}, {', '.join(counted)} "
            f"FROM ({union}) r "
            f"JOIN {q(User._meta.db_table)} u ON u.id = r.c_student "
            f"LEFT JOIN {q(StudentProfile._meta.db_table)} p ON p.user_id = r.c_student "
            f"{join} GROUP BY {group_by}"
        )
        statement_params = [Role.STUDENT, *params] + ([Role.STUDENT] if join else [])
        with connection.cursor() as cursor:
            cursor.execute(statement, statement_params)


def _compute() -> None:
    for model in (FiguresDay, FiguresStudentDay, FiguresCohort):
        model.objects.all().delete()
    _insert(FiguresDay, DAY_SOURCES, by_day=True)
    _insert(FiguresStudentDay, STUDENT_DAY_SOURCES, by_day=True, per_student=True)
    _insert(FiguresCohort, COHORT_SOURCES, by_day=False)


def figures_refresh(*, fresher_than: dt.timedelta | None = None) -> bool:
    """Recompute the dashboard's figures, unless another refresh is under way (or they were
    computed less than `fresher_than` ago). True if this call computed them."""
    FiguresRefresh.objects.get_or_create(pk=REFRESH_ROW)
    now = timezone.now()
    claim = FiguresRefresh.objects.filter(pk=REFRESH_ROW).filter(
        Q(running_until__isnull=True) | Q(running_until__lt=now)
    )
    if fresher_than is not None:
        claim = claim.exclude(computed_at__gte=now - fresher_than)
    if not claim.update(running_until=now + LEASE):
        return False
    # Whole seconds: the page shows the time in a <time datetime>, which allows none smaller.
    started = now.replace(microsecond=0)
    try:
        with transaction.atomic():
            _compute()
            # The preset periods' whole pages, from the figures just computed (none when
            # every page computes its own figures: DASHBOARD_REFRESH_SECONDS = 0).
            store_pages(timezone.localdate(), compute=settings.DASHBOARD_REFRESH_SECONDS > 0)
            FiguresRefresh.objects.filter(pk=REFRESH_ROW).update(
                computed_at=started, running_until=None
            )
            # The dashboard's rendered figures (console.views_dashboard) are read afresh.
            bump_version(FIGURES)
    except BaseException:
        FiguresRefresh.objects.filter(pk=REFRESH_ROW).update(running_until=None)
        raise
    return True


def figures_request_refresh(*, older_than: dt.timedelta) -> bool:
    """Ask once for a refresh of figures older than `older_than` (the beat is late, or no
    worker runs): True for the one caller that should enqueue it, whoever else asks."""
    now = timezone.now()
    return bool(
        FiguresRefresh.objects.filter(pk=REFRESH_ROW, computed_at__lt=now - older_than)
        .filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - older_than))
        .update(requested_at=now)
    )
