"""Reads for the calendar (month grid, week, agenda, filters) and the events card on every
home page."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from contacts.models import Organization
from events.models import (
    RSVP,
    Event,
    EventKind,
    EventStatus,
    Label,
    LabelKind,
    MetAtEvent,
    RSVPStatus,
)
from events.selectors.audience import events_visible_to
from networking_app.accounts.models import User
from networking_app.core.prepared import PreparedQuery

# --- Calendar --------------------------------------------------------------------------------


@dataclass
class CalendarFilters:
    kind: str = ""
    industry_id: int | None = None
    organization_id: int | None = None

    def apply(self, events: QuerySet[Event]) -> QuerySet[Event]:
        if self.kind:
            events = events.filter(kind=self.kind)
        if self.industry_id:
            events = events.filter(labels__id=self.industry_id)
        if self.organization_id:
            events = events.filter(organizations__id=self.organization_id)
        return events


def going_count() -> Count:
    return Count("rsvps", filter=Q(rsvps__status=RSVPStatus.GOING), distinct=True)


@dataclass(slots=True)
class CalendarEvent:
    """What a calendar cell, a week day or a home page's card shows of an event."""

    pk: int
    title: str
    kind: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    my_status: str = ""

    @property
    def kind_label(self) -> str:
        return EventKind(self.kind).label


# The columns of CalendarEvent but my_status: the long text columns stay in the database.
_EVENT_COLUMNS = ("pk", "title", "kind", "status", "starts_at", "ends_at")


def _with_mine(events: QuerySet[Event], user) -> QuerySet[Event]:
    """`mine`: the person's RSVP, as a LEFT JOIN (one RSVP per person and event)."""
    if user is None or not user.is_authenticated:
        return events
    return events.annotate(mine=FilteredRelation("rsvps", condition=Q(rsvps__user_id=user.pk)))


def _calendar_values(events: QuerySet[Event], user, *extra: str) -> QuerySet:
    """The values of CalendarEvent (then `extra`), from events `_with_mine`."""
    if user is None or not user.is_authenticated:
        return events.values_list(*_EVENT_COLUMNS, *extra)
    return events.values_list(*_EVENT_COLUMNS, "mine__status", *extra)


def _calendar_event(row) -> CalendarEvent:
    event = CalendarEvent(*row)
    if event.my_status is None:  # no RSVP: NULL from the LEFT JOIN
        event.my_status = ""
    return event


def events_between(
    *, user, start: dt.datetime, end: dt.datetime, filters: CalendarFilters | None = None
) -> list[CalendarEvent]:
    """Visible events overlapping [start, end) with the person's RSVP status, for the month
    grid and the week: one query."""
    filters = filters or CalendarFilters()
    signed_in = user is not None and user.is_authenticated
    # What changes the SQL is the shape (the role, which filters are set); the rest are values.
    shape = (
        user.role if signed_in else "",
        bool(filters.kind),
        bool(filters.industry_id),
        bool(filters.organization_id),
    )
    values = {"start": start, "end": end}
    if signed_in:
        values["user_id"] = user.pk
    if filters.kind:
        values["kind"] = filters.kind
    if filters.industry_id:
        values["industry_id"] = filters.industry_id
    if filters.organization_id:
        values["organization_id"] = filters.organization_id
    return [_calendar_event(row) for row in _BETWEEN.rows(shape, **values)]


def _between(
    role: str,
    by_kind: bool,
    by_industry: bool,
    by_organization: bool,
    *,
    start,
    end,
    user_id: int | None = None,
    kind: str = "",
    industry_id: int | None = None,
    organization_id: int | None = None,
) -> QuerySet:
    user = User(pk=user_id, role=role) if role else None
    events = events_visible_to(user=user).filter(starts_at__lt=end, ends_at__gt=start)
    events = CalendarFilters(
        kind=kind if by_kind else "",
        industry_id=industry_id if by_industry else None,
        organization_id=organization_id if by_organization else None,
    ).apply(events)
    events = _with_mine(events, user).order_by("starts_at", "pk")
    return _calendar_values(events, user)


# Compiled once per process (networking_app.core.prepared), for the month and the week.
_BETWEEN = PreparedQuery(_between)


def events_agenda(*, user, filters: CalendarFilters | None = None, now=None) -> QuerySet[Event]:
    """Visible events that have not ended, soonest first, with their labels, organizations and
    the number of people going (for "3 seats left")."""
    now = now or timezone.now()
    events = events_visible_to(user=user).filter(ends_at__gt=now)
    if filters is not None:
        events = filters.apply(events)
    return (
        events.annotate(going_count=going_count())
        .prefetch_related("labels", "organizations")
        .order_by("starts_at", "pk")
    )


def rsvp_statuses_for(*, user, event_ids) -> dict[int, str]:
    """{event id: the person's RSVP status} for the events shown: one query."""
    if user is None or not user.is_authenticated:
        return {}
    return dict(
        RSVP.objects.filter(user=user, event_id__in=list(event_ids)).values_list(
            "event_id", "status"
        )
    )


@functools.cache
def _filter_choices_sql(alias: str) -> tuple[str, tuple]:
    # The query has no parameter of the request's: it is compiled once per process, which
    # costs more than running it.
    industries = (
        Label.objects.filter(kind=LabelKind.INDUSTRY)
        .annotate(section=Value(0, output_field=IntegerField()))
        .order_by()
        .values_list("section", "pk", "name")
    )
    with_events = Event.organizations.through.objects.filter(organization=OuterRef("pk"))
    organizations = (
        Organization.objects.filter(Exists(with_events))
        .annotate(section=Value(1, output_field=IntegerField()))
        .order_by()
        .values_list("section", "pk", "name")
    )
    both = industries.union(organizations, all=True).order_by("section", "name")
    sql, params = both.query.get_compiler(alias).as_sql()
    return sql, tuple(params)


def calendar_filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """([(id, name)] of the industries, [(id, name)] of the organizations with events), by
    name, for the calendar's filters: one query."""
    sql, params = _filter_choices_sql(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    choices: tuple[list, list] = ([], [])
    for section, pk, name in rows:
        choices[section].append((pk, name))
    return choices


# --- Home pages ------------------------------------------------------------------------------

EVENTS_TO_LOG = 3


def _upcoming(*, user, now) -> QuerySet[Event]:
    events = events_visible_to(user=user).filter(ends_at__gt=now, status=EventStatus.PUBLISHED)
    return _with_mine(events, user).order_by("starts_at", "pk")


def _may_log(user) -> bool:
    return user is not None and user.is_authenticated and user.is_student


def _to_log(*, user, now, since) -> QuerySet[Event]:
    logged = MetAtEvent.objects.filter(event=OuterRef("pk"), contact__owner=user)
    return (
        _with_mine(Event.objects.all(), user)
        .filter(
            mine__status=RSVPStatus.GOING,
            status=EventStatus.PUBLISHED,
            ends_at__lte=now,
            ends_at__gt=since,
        )
        .exclude(Exists(logged))
        .order_by("-starts_at")
    )


def upcoming_events_for(*, user, limit: int = 5, now=None) -> list[CalendarEvent]:
    """The next few events for a home page, with the person's RSVP status on each."""
    events = _upcoming(user=user, now=now or timezone.now())
    return [_calendar_event(row) for row in _calendar_values(events, user)[:limit]]


def events_to_log_for(*, user, days: int = 14, now=None) -> list[CalendarEvent]:
    """Events a student went to that ended in the last `days` days and where they have not
    logged anyone yet: "log the people you met"."""
    if not _may_log(user):
        return []
    now = now or timezone.now()
    events = _to_log(user=user, now=now, since=now - dt.timedelta(days=days))
    return [_calendar_event(row) for row in _calendar_values(events, user)[:EVENTS_TO_LOG]]


def _home_events(role: str, limit: int, *, user_id: int, now, since) -> QuerySet:
    """The rows of both lists of the card, each with its section (0: upcoming, 1: to log)."""
    user = User(pk=user_id, role=role)
    upcoming = _upcoming(user=user, now=now).annotate(section=Value(0))
    to_log = _to_log(user=user, now=now, since=since).annotate(section=Value(1))
    return _calendar_values(upcoming, user, "section")[:limit].union(
        _calendar_values(to_log, user, "section")[:EVENTS_TO_LOG], all=True
    )


# Compiled once per process (networking_app.core.prepared): building this query took four
# times as long as running it.
_HOME_EVENTS = PreparedQuery(_home_events)


def home_events_for(
    *, user, limit: int = 5, days: int = 14, now=None
) -> tuple[list[CalendarEvent], list[CalendarEvent]]:
    """(upcoming_events_for, events_to_log_for) in one query: the card on every home page."""
    now = now or timezone.now()
    if not _may_log(user):
        return upcoming_events_for(user=user, limit=limit, now=now), []
    if not connection.features.supports_slicing_ordering_in_compound:  # SQLite
        return (
            upcoming_events_for(user=user, limit=limit, now=now),
            events_to_log_for(user=user, days=days, now=now),
        )
    both = _HOME_EVENTS.rows(
        (user.role, limit), user_id=user.pk, now=now, since=now - dt.timedelta(days=days)
    )
    sections: tuple[list, list] = ([], [])
    for *row, section in both:
        sections[section].append(_calendar_event(row))
    # A UNION has no order of its own.
    sections[0].sort(key=lambda event: (event.starts_at, event.pk))
    sections[1].sort(key=lambda event: event.starts_at, reverse=True)
    return sections


# The home card's lifetime: an event starting moves from "upcoming" within a minute.
HOME_EVENTS_SECONDS = 60
