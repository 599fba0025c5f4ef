"""Reads for the events calendar. Every view starts from `events_visible_to` /
`event_get_visible`, so an event outside a person's audience is a 404 (its page says why,
`event_outside_audience`); `audience_refusal` says who of those who see it may RSVP."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    FilteredRelation,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from contacts.models import Organization
from events.models import (
    RSVP,
    Audience,
    Event,
    EventHost,
    EventKind,
    EventStatus,
    Label,
    LabelKind,
    MetAtEvent,
    RSVPStatus,
)
from networking_app.accounts.models import StudentProfile, User
from networking_app.cache import EVENTS, cache_key, cached, person, viewer_parts

LISTED_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def _class_year_filter(user) -> Q:
    """Events for every class year, for this student's, or (no class year in their profile)
    for any: they might be in its audience, and its page tells them to set their class year."""
    years = Q(class_years=[])
    postgresql = connection.vendor == "postgresql"
    if postgresql and not User.student_profile.is_cached(user):
        # Read inside the query rather than by a query of its own.
        profile = StudentProfile.objects.filter(user_id=user.pk)
        class_year = profile.values("class_year")[:1]
        return (
            years
            | ~Exists(profile.filter(class_year__isnull=False))
            | Q(
                class_years__contains=Func(
                    Subquery(class_year), function="jsonb_build_array", output_field=JSONField()
                )
            )
        )
    class_year = _class_year(user)
    if class_year is None:
        return Q()
    if postgresql:
        return years | Q(class_years__contains=[class_year])
    # SQLite (local development) has no JSON containment; years are four digits, so matching
    # the list's text is exact enough there.
    return years | Q(class_years__icontains=str(class_year))


def _class_year(user) -> int | None:
    profile = getattr(user, "student_profile", None)
    return profile.class_year if profile is not None else None


def events_visible_to(*, user) -> QuerySet[Event]:
    """Events this person may see. One rule, for the calendar, the lists, an event's page and
    RSVP: an event is shown to everyone who might be in its audience, and only people who are
    in it may RSVP (`audience_refusal`). Anonymous visitors see the public events (they might be
    anyone); students the events for students of their class year, or of any class year when
    their profile has none; volunteers the events for volunteers; staff all of them, drafts
    too. A student of another class year does not see a class-year event, even a public one:
    unlike a visitor, they are known not to be in its audience (its page says why)."""
    events = Event.objects.all()
    if user is None or not user.is_authenticated:
        return events.filter(status__in=LISTED_STATUSES, is_public=True)
    if user.is_staff_member:
        return events
    events = events.filter(status__in=LISTED_STATUSES)
    if user.is_student:
        return events.filter(
            _class_year_filter(user), audience__in=(Audience.EVERYONE, Audience.STUDENTS)
        )
    if user.is_volunteer:
        return events.filter(audience__in=(Audience.EVERYONE, Audience.VOLUNTEERS))
    return events.none()


def class_years_text(event: Event) -> str:
    """The event's class years as words: "2027", "2027 and 2028"."""
    years = [str(y) for y in sorted(event.class_years or [])]
    if len(years) > 1:
        return f"{', '.join(years[:-1])} and {years[-1]}"
    return years[0] if years else ""


# Why someone is not in an event's audience: shown on its page, refused by RSVP.
NEEDS_CLASS_YEAR = "needs_class_year"


def audience_refusal(*, event: Event, user) -> tuple[str, str]:
    """(code, why) this signed-in person is not in the event's audience, or ("", "") when
    they are. The code is NEEDS_CLASS_YEAR when setting a class year could make them
    eligible, so the page can link to their profile."""
    if user is None or not user.is_authenticated or user.is_staff_member:
        return "", ""
    if event.audience == Audience.STUDENTS and not user.is_student:
        return "role", "This event is for students."
    if event.audience == Audience.VOLUNTEERS and not user.is_volunteer:
        return "role", "This event is for volunteers."
    if user.is_student and event.class_years:
        class_year = _class_year(user)
        years = class_years_text(event)
        if class_year is None:
            return (
                NEEDS_CLASS_YEAR,
                f"This event is for the class of {years}. Your profile has no class year: "
                "set your class year in your profile to RSVP.",
            )
        if class_year not in event.class_years:
            return "class_year", f"This event is for the class of {years} only."
    return "", ""


def event_outside_audience(*, user, event_id: int) -> str:
    """Why a listed event this signed-in person cannot see is not for them ("" if there is no
    such event): their page says so instead of a bare "not found"."""
    if user is None or not user.is_authenticated:
        return ""
    event = (
        Event.objects.filter(pk=event_id, status__in=LISTED_STATUSES)
        .only("audience", "class_years")
        .first()
    )
    if event is None:
        return ""
    return audience_refusal(event=event, user=user)[1]


def event_get_visible(*, user, event_id: int) -> Event:
    """The event if this person may see it, else Http404."""
    event = events_visible_to(user=user).filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    return event


def user_is_host(*, user, event: Event) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return event.host_links.filter(user=user).exists()


def user_may_see_private_details(*, user, event: Event) -> bool:
    """The video link and attendee details: staff, the event's hosts and people going."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff_member:
        return True
    if user_is_host(user=user, event=event):
        return True
    return RSVP.objects.filter(event=event, user=user, status=RSVPStatus.GOING).exists()


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


def _going_count() -> Count:
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
    events = events_visible_to(user=user).filter(starts_at__lt=end, ends_at__gt=start)
    if filters is not None:
        events = filters.apply(events)
    events = _with_mine(events, user).order_by("starts_at", "pk")
    return [_calendar_event(row) for row in _calendar_values(events, user)]


def events_agenda(*, user, filters: CalendarFilters | None = None, now=None) -> QuerySet[Event]:
    """Visible events that have not ended, soonest first, with their labels, organizations and
    the number of people going (for "3 seats left")."""
    now = now or timezone.now()
    events = events_visible_to(user=user).filter(ends_at__gt=now)
    if filters is not None:
        events = filters.apply(events)
    return (
        events.annotate(going_count=_going_count())
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


def _to_log(*, user, now, days: int) -> QuerySet[Event]:
    logged = MetAtEvent.objects.filter(event=OuterRef("pk"), contact__owner=user)
    return (
        _with_mine(Event.objects.all(), user)
        .filter(
            mine__status=RSVPStatus.GOING,
            status=EventStatus.PUBLISHED,
            ends_at__lte=now,
            ends_at__gt=now - dt.timedelta(days=days),
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
    events = _to_log(user=user, now=now or timezone.now(), days=days)
    return [_calendar_event(row) for row in _calendar_values(events, user)[:EVENTS_TO_LOG]]


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
    upcoming = _upcoming(user=user, now=now).annotate(section=Value(0))
    to_log = _to_log(user=user, now=now, days=days).annotate(section=Value(1))
    both = _calendar_values(upcoming, user, "section")[:limit].union(
        _calendar_values(to_log, user, "section")[:EVENTS_TO_LOG], all=True
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


def home_events_card(*, user, limit: int = 5) -> tuple[list[CalendarEvent], list[CalendarEvent]]:
    """home_events_for, kept for a minute under the events' version and the person's own
    (their RSVPs, the people they logged): networking_app.cache."""
    if not user.is_authenticated:
        return home_events_for(user=user, limit=limit)
    return cached(
        cache_key("home-events", user.pk, limit, user.role, *viewer_parts()),
        lambda: home_events_for(user=user, limit=limit),
        timeout=min(HOME_EVENTS_SECONDS, settings.PRIVATE_PAGE_CACHE_SECONDS),
        scopes=[EVENTS, person(user.pk)],
    )


# --- One event -------------------------------------------------------------------------------


def event_for_page(*, user, event_id: int) -> Event:
    """The event with what its page shows: labels, organizations, hosts and the counts."""
    event = (
        events_visible_to(user=user)
        .filter(pk=event_id)
        .annotate(
            going_count=_going_count(),
            waitlist_count=Count(
                "rsvps", filter=Q(rsvps__status=RSVPStatus.WAITLISTED), distinct=True
            ),
        )
        .prefetch_related(
            "labels",
            "organizations",
            Prefetch(
                "host_links",
                queryset=EventHost.objects.select_related("user__profile").order_by("pk"),
            ),
        )
        .first()
    )
    if event is None:
        raise Http404("No such event.")
    return event


def rsvp_for(*, user, event: Event) -> RSVP | None:
    if user is None or not user.is_authenticated:
        return None
    return RSVP.objects.filter(event=event, user=user).first()


def user_is_going(*, user, event: Event) -> bool:
    return RSVP.objects.filter(event=event, user=user, status=RSVPStatus.GOING).exists()


def met_at_event_for(*, user, event: Event) -> list[MetAtEvent]:
    """The contacts a student logged as met at the event (nobody else has any)."""
    if not (user.is_authenticated and user.is_student):
        return []
    return list(
        MetAtEvent.objects.filter(event=event, contact__owner=user)
        .select_related("contact__organization")
        .order_by("pk")
    )


def waitlist_position(*, rsvp: RSVP) -> int | None:
    """1 for the first person waiting, ... (None unless waitlisted)."""
    if rsvp.status != RSVPStatus.WAITLISTED:
        return None
    ahead = RSVP.objects.filter(event_id=rsvp.event_id, status=RSVPStatus.WAITLISTED).filter(
        Q(queued_at__lt=rsvp.queued_at) | Q(queued_at=rsvp.queued_at, pk__lt=rsvp.pk)
    )
    return ahead.count() + 1


@dataclass
class EventWarmPath:
    organization: Organization
    contacts: list = field(default_factory=list)
    mentors: list = field(default_factory=list)


def warm_paths_at_event(*, user, event: Event) -> list[EventWarmPath]:
    """For each organization attending: the student's own contacts there and the directory's
    listed volunteers there (mentoring's warm paths, pointed at the event). Three queries."""
    from contacts.models import Contact
    from mentoring.selectors.directory import listed_mentors_at, mentor_card

    organizations = list(event.organizations.all())
    if not organizations or not user.is_authenticated or not user.is_student:
        return []
    ids = [o.pk for o in organizations]
    contacts: dict[int, list] = defaultdict(list)
    for contact in Contact.objects.filter(owner=user, organization_id__in=ids).order_by(
        "name", "pk"
    ):
        contacts[contact.organization_id].append(contact)
    mentors: dict[int, list] = defaultdict(list)
    for mentor in listed_mentors_at(organization_ids=ids).order_by("pk"):
        mentors[mentor.organization_id].append(mentor_card(mentor))
    return [
        EventWarmPath(organization=o, contacts=contacts[o.pk], mentors=mentors[o.pk])
        for o in organizations
        if contacts[o.pk] or mentors[o.pk]
    ]


# --- Staff: attendees and check-in -----------------------------------------------------------

ATTENDEE_ORDER = Case(
    When(status=RSVPStatus.GOING, then=Value(0)),
    When(status=RSVPStatus.WAITLISTED, then=Value(1)),
    default=Value(2),
)


def attendees_for(*, event: Event, q: str = "") -> QuerySet[RSVP]:
    """Every RSVP of the event (going, waitlisted, cancelled), with the people's names."""
    rsvps = RSVP.objects.filter(event=event).select_related(
        "user__profile", "user__student_profile", "checked_in_by__profile"
    )
    for word in q.split()[:5]:
        rsvps = rsvps.filter(
            Q(user__profile__display_name__icontains=word) | Q(user__email__icontains=word)
        )
    return rsvps.order_by(ATTENDEE_ORDER, "queued_at", "pk")


@dataclass
class AttendeeCounts:
    going: int
    waitlisted: int
    cancelled: int
    checked_in: int
    no_shows: int | None  # None until the event has ended


def attendee_counts(*, event: Event, now=None) -> AttendeeCounts:
    now = now or timezone.now()
    counts = RSVP.objects.filter(event=event).aggregate(
        going=Count("pk", filter=Q(status=RSVPStatus.GOING)),
        waitlisted=Count("pk", filter=Q(status=RSVPStatus.WAITLISTED)),
        cancelled=Count("pk", filter=Q(status=RSVPStatus.CANCELLED)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        not_checked_in=Count("pk", filter=Q(status=RSVPStatus.GOING, checked_in_at__isnull=True)),
    )
    ended = now >= event.ends_at and event.status == EventStatus.PUBLISHED
    return AttendeeCounts(
        going=counts["going"],
        waitlisted=counts["waitlisted"],
        cancelled=counts["cancelled"],
        checked_in=counts["checked_in"],
        no_shows=counts["not_checked_in"] if ended else None,
    )


def rsvp_get_for_event(*, event: Event, rsvp_id: int) -> RSVP:
    rsvp = (
        RSVP.objects.select_related("user__profile", "user__student_profile")
        .filter(event=event, pk=rsvp_id)
        .first()
    )
    if rsvp is None:
        raise Http404("No such RSVP.")
    return rsvp


def rsvp_for_code(*, event: Event, code: str) -> RSVP | None:
    """The RSVP whose check-in code was scanned or typed: the bare code or the whole URL."""
    code = (code or "").strip()
    if "code=" in code:
        code = code.rsplit("code=", 1)[1].split("&", 1)[0]
    code = code.strip().strip("/")
    if not code or len(code) > 64:
        return None
    return (
        RSVP.objects.select_related("user__profile", "user__student_profile")
        .filter(event=event, check_in_code=code)
        .first()
    )
