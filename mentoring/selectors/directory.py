"""Reads of the networking directory (students) and of a volunteer's own mentor profile.

What a student sees of a volunteer always goes through `MentorCard` (`DirectoryCard` in the
search results), which holds only the fields the volunteer did not hide: a template cannot
show a hidden value it never receives.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from contacts.models import (
    Contact,
    Organization,
    TargetOrganization,
    normalize_organization_name,
)
from mentoring.models import (
    HIDEABLE_FIELDS,
    AvailabilityOverride,
    AvailabilityWindow,
    FlashRequest,
    Mentor,
    Mode,
    Topic,
)
from mentoring.services.availability import (
    HOLDING,
    MONTH_MARGIN,
    Slot,
    has_open_slots_filter,
    mentor_zone,
    open_slots_for_mentors,
    slots_from,
)
from networking_app.accounts.models import Affiliation, ApprovalStatus, User, VolunteerProfile
from networking_app.cache import DIRECTORY, cache_key, cached

# Words shorter than this are only matched as the start of a word: their trigrams would
# match half the directory.
TRIGRAM_MIN_LENGTH = 4
# Shorter words do not put name matches first (see directory_queries).
NAMES_FIRST_MIN_LENGTH = 3
# A search that finds at least this many people as typed is not tried again with typos.
TYPO_TOLERANCE_BELOW = 20
MODE_LABELS = dict(Mode.choices)


def listed_mentors_at(*, organization_ids) -> QuerySet[Mentor]:
    """Volunteers the directory lists at these organizations, loaded for `mentor_card`."""
    return _listed_mentors().filter(organization_id__in=organization_ids)


def _get_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


# --- What students see of a volunteer ------------------------------------------------------


@dataclass
class MentorCard:
    mentor_id: int
    name: str
    organization: str
    affiliation: str
    topics: list[str]
    modes: list[str]
    # Hideable fields: empty when the volunteer hid them.
    title: str = ""
    industry: str = ""
    job_function: str = ""
    location: str = ""
    class_year: int | None = None
    major: str = ""
    bio: str = ""
    linkedin_url: str = ""
    slots: list[Slot] = field(default_factory=list)

    @property
    def next_slot(self) -> Slot | None:
        return self.slots[0] if self.slots else None


def mentor_card(mentor: Mentor, slots: list[Slot] | None = None) -> MentorCard:
    """Needs the mentor with select_related("organization", "user__profile",
    "user__volunteer_profile") and prefetch_related("topics")."""
    volunteer = getattr(mentor.user, "volunteer_profile", None)
    values = {
        "title": mentor.title,
        "industry": mentor.industry,
        "job_function": mentor.job_function,
        "location": mentor.location,
        "class_year": volunteer.class_year if volunteer else None,
        "major": mentor.major,
        "bio": mentor.bio,
        "linkedin_url": mentor.linkedin_url,
    }
    visible = {name: value for name, value in values.items() if mentor.shows(name)}
    assert set(visible) <= set(HIDEABLE_FIELDS)
    return MentorCard(
        mentor_id=mentor.pk,
        name=mentor.user.display_name,
        organization=mentor.organization.name if mentor.organization_id else "",
        affiliation=volunteer.get_affiliation_display() if volunteer else "",
        topics=[t.name for t in mentor.topics.all()],
        modes=[MODE_LABELS[m] for m in mentor.modes or [] if m in MODE_LABELS],
        slots=slots or [],
        **visible,
    )


def _with_card_data(queryset: QuerySet[Mentor]) -> QuerySet[Mentor]:
    return queryset.select_related(
        "organization", "user__profile", "user__volunteer_profile"
    ).prefetch_related("topics")


def _listed_mentors() -> QuerySet[Mentor]:
    """is_bookable says approved, active, consented, listed and not on leave (kept by
    mentoring.services.profiles), so the search needs no join; the rows shown check the
    account again, in case it was deactivated without a refresh (the join is there anyway)."""
    return _with_card_data(Mentor.objects.filter(is_bookable=True, user__is_active=True))


# search_names starts with the name: ordering by it is by name (then organization), and an
# index (migration 0003) on (lower(search_names), id) walks the directory in that order.
BY_NAME = (Lower("search_names"), "pk")


def _in_names(terms: list[str]) -> Q:
    """Every word typed is in the name or the organization (a trigram GIN index on
    upper(search_names), migration 0004, serves this LIKE)."""
    in_names = Q()
    for term in terms:
        in_names &= Q(search_names__icontains=term)
    return in_names


def mentor_cards(mentors: list[Mentor], *, now: dt.datetime, slots: int = 1) -> list[MentorCard]:
    """Cards with each volunteer's next `slots` open slots, in a fixed number of queries."""
    open_slots = open_slots_for_mentors(mentors, now=now, limit=slots)
    return [mentor_card(m, open_slots.get(m.pk, [])) for m in mentors]


# --- Directory search ----------------------------------------------------------------------


@dataclass
class DirectoryFilters:
    q: str = ""
    organization: str = ""
    industry: str = ""
    job_function: str = ""
    location: str = ""
    class_year: int | None = None
    topic: str = ""  # a Topic slug
    has_slots: bool = False


def search_terms(q: str) -> list[str]:
    return re.findall(r"\w+", q.lower())[:8]


def _visible(name: str) -> Q:
    """The volunteer did not hide `name`: a filter must not match on a hidden value."""
    return ~Q(hidden_fields__icontains=f'"{name}"')


def _prefix_query(term: str) -> SearchQuery:
    return SearchQuery(f"{term}:*", search_type="raw", config="simple")


def _search(queryset: QuerySet[Mentor], q: str, *, tolerant: bool = False) -> QuerySet[Mentor]:
    """Every word typed must start a word of the profile or, when `tolerant` (and the word
    has four letters or more), look like a word of the name or organization, so "Nortwind"
    finds Northwind."""
    terms = search_terms(q)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        for term in terms:
            condition = Q(search_vector=_prefix_query(term))
            if tolerant and len(term) >= TRIGRAM_MIN_LENGTH:
                condition |= Q(search_names__trigram_strict_word_similar=term)
            queryset = queryset.filter(condition)
        return queryset
    # SQLite (local development): substring matching is enough.
    for term in terms:
        queryset = queryset.filter(search_text__icontains=term)
    return queryset


def _directory_matches(
    *, filters: DirectoryFilters, now: dt.datetime, tolerant: bool = False
) -> QuerySet[Mentor]:
    """The approved, listed, bookable volunteers matching the filters, unordered.

    From the mentor table alone (filters on other tables are subqueries): with no join to
    weigh, PostgreSQL picks well between walking the directory in name order (a common word)
    and asking the GIN indexes for the matches, then sorting them (a rare one)."""
    queryset = _search(Mentor.objects.filter(is_bookable=True), filters.q, tolerant=tolerant)
    if filters.organization:
        organizations = Organization.objects.filter(
            normalized_name__contains=normalize_organization_name(filters.organization)
        )
        queryset = queryset.filter(organization_id__in=organizations.values("pk"))
    for name in ("industry", "job_function", "location"):
        value = getattr(filters, name).strip()
        if value:
            queryset = queryset.filter(Q(**{f"{name}__icontains": value}) & _visible(name))
    if filters.class_year:
        of_that_year = VolunteerProfile.objects.filter(class_year=filters.class_year)
        queryset = queryset.filter(
            Q(user_id__in=of_that_year.values("user_id")) & _visible("class_year")
        )
    if filters.topic:
        # By id, not through a join on the slug: the planner then knows how many volunteers
        # have the topic.
        topic_id = Topic.objects.filter(slug=filters.topic).values_list("pk", flat=True).first()
        with_topic = Mentor.topics.through.objects.filter(
            mentor_id=OuterRef("pk"), topic_id=topic_id
        )
        queryset = queryset.filter(Exists(with_topic))
    if filters.has_slots:
        queryset = queryset.filter(has_open_slots_filter(now))
    return queryset


def directory_queries(
    *, filters: DirectoryFilters, now: dt.datetime | None = None, tolerant: bool = False
) -> list[QuerySet]:
    """The queries of a directory search, in the order their ids are shown: with words typed,
    first the people whose name or organization holds every word, then the others, each by
    name. Two queries rather than one ordered by a "name matches first" key: no index gives
    that key, so for a common word PostgreSQL had to fetch and sort every match (tens of
    thousands), whereas ordered by name alone it walks the name index and stops at the page."""
    matches = _directory_matches(filters=filters, now=now or timezone.now(), tolerant=tolerant)
    terms = search_terms(filters.q)
    if not terms or any(len(term) < NAMES_FIRST_MIN_LENGTH for term in terms):
        # Too short for the trigram index: "ai" is inside thousands of names, and finding
        # them would mean reading the whole directory. Plain name order then.
        return [matches.order_by(*BY_NAME).values_list("pk", flat=True)]
    in_names = _in_names(terms)
    return [
        matches.filter(in_names).order_by(*BY_NAME).values_list("pk", flat=True),
        matches.exclude(in_names).order_by(*BY_NAME).values_list("pk", flat=True),
    ]


def directory_search(
    *, filters: DirectoryFilters, limit: int, now: dt.datetime | None = None
) -> list[int]:
    """Ids of the first `limit` volunteers matching the filters, in the directory's order.
    Load a page's volunteers with `mentors_in_order`.

    The words are taken as typed first; only when that finds fewer than a page of people is
    the search run again tolerating typos (trigrams on names and organizations). Comparing
    trigrams costs a few microseconds a row, which a broad search would pay on every row it
    walks, for look-alikes that would come far behind the exact matches anyway."""

    def run(tolerant: bool) -> list[int]:
        ids: list[int] = []
        for query in directory_queries(filters=filters, now=now, tolerant=tolerant):
            ids.extend(query[: limit - len(ids)])
            if len(ids) >= limit:
                break
        return ids

    ids = run(tolerant=False)
    long_words = any(len(t) >= TRIGRAM_MIN_LENGTH for t in search_terms(filters.q))
    if len(ids) < TYPO_TOLERANCE_BELOW and long_words and connection.vendor == "postgresql":
        ids = run(tolerant=True)
    return ids


def mentors_in_order(ids: list[int]) -> list[Mentor]:
    """The volunteers of a page of `directory_search`, in its order, ready for cards."""
    by_id = {m.pk: m for m in _listed_mentors().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass(slots=True)
class DirectoryCard:
    """One volunteer in the directory's results: what the card shows, and of the hideable
    fields only those the volunteer did not hide (the others stay empty)."""

    mentor_id: int
    name: str
    organization: str
    affiliation: str
    topics: list[str]
    title: str = ""
    industry: str = ""
    job_function: str = ""
    location: str = ""
    class_year: int | None = None
    next_slot: Slot | None = None


# What slots_from reads of a volunteer: their booking rules.
_SLOT_RULES = (
    "min_notice_hours",
    "booking_window_days",
    "slot_minutes",
    "buffer_minutes",
    "monthly_capacity",
    "on_leave_until",
)
_CARD_TEXT_FIELDS = ("title", "industry", "job_function", "location")
_AFFILIATIONS = dict(Affiliation.choices)


@dataclass(slots=True)
class _Availability:
    """What slots_from needs besides the volunteer's rules, loaded for a page of cards."""

    windows: list[AvailabilityWindow] = field(default_factory=list)
    overrides: list[AvailabilityOverride] = field(default_factory=list)
    holding: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)


# Rows that can matter to the next open slot of anyone on a page, a superset of what
# open_slots_for_mentors loads (slots_from ignores the others): one-day changes from the day
# before today in UTC (the volunteers' zones differ from UTC by less than a day), and
# requests from MONTH_MARGIN before now, since a booking range starts after now and the
# capacity of each of its months counts every request of the month.
def _first_override_day(now: dt.datetime) -> dt.date:
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=1)


def _holding_since(now: dt.datetime) -> dt.datetime:
    return now - MONTH_MARGIN


# PostgreSQL: a page of cards in one query. Each volunteer's row carries the columns a card
# shows (not the bio or the search columns), the booking rules slots_from reads, and, as
# arrays, their topic ids, weekly windows, one-day changes and holding requests. Written out
# rather than built with the ORM: building and compiling this query took twice as long as
# running it, on the page students open most.
_CARDS_SQL = """
SELECT m.id, m.user_id, m.title, m.industry, m.job_function, m.location, m.hidden_fields,
       m.min_notice_hours, m.booking_window_days, m.slot_minutes, m.buffer_minutes,
       m.monthly_capacity, m.on_leave_until,
       u.email AS card_email,
       p.display_name AS card_display_name,
       p.time_zone AS card_time_zone,
       v.affiliation AS card_affiliation,
       v.class_year AS card_class_year,
       o.name AS card_organization,
       ARRAY(SELECT t.topic_id FROM mentoring_mentor_topics t WHERE t.mentor_id = m.id)
           AS card_topic_ids,
       ARRAY(SELECT jsonb_build_array(w.weekday, w.start_time, w.end_time)
             FROM mentoring_availabilitywindow w WHERE w.mentor_id = m.id) AS card_windows,
       ARRAY(SELECT jsonb_build_array(x.date, x.kind, x.start_time, x.end_time)
             FROM mentoring_availabilityoverride x
             WHERE x.mentor_id = m.id AND x.date >= %(first_override_day)s) AS card_overrides,
       ARRAY(SELECT jsonb_build_array(f.start_at, f.end_at)
             FROM mentoring_flashrequest f
             WHERE f.volunteer_id = m.user_id AND f.status = ANY(%(holding)s)
               AND f.start_at >= %(holding_since)s) AS card_holding
FROM mentoring_mentor m
JOIN accounts_user u ON u.id = m.user_id
LEFT JOIN accounts_profile p ON p.user_id = u.id
LEFT JOIN accounts_volunteerprofile v ON v.user_id = u.id
LEFT JOIN contacts_organization o ON o.id = m.organization_id
WHERE m.id = ANY(%(ids)s) AND m.is_bookable AND u.is_active
"""


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _rows(array: list) -> list[list]:
    # The database driver hands jsonb over as text, which Django's JSONField decodes itself.
    return [json.loads(row) if isinstance(row, str) else row for row in array]


def _cards_postgresql(ids: list[int], now: dt.datetime) -> tuple[list[Mentor], dict]:
    params = {
        "ids": list(ids),
        "first_override_day": _first_override_day(now),
        "holding": [str(status) for status in HOLDING],
        "holding_since": _holding_since(now),
    }
    mentors = list(Mentor.objects.raw(_CARDS_SQL, params))
    availability = {}
    for m in mentors:
        availability[m.pk] = _Availability(
            windows=[
                AvailabilityWindow(weekday=weekday, start_time=_time(start), end_time=_time(end))
                for weekday, start, end in _rows(m.card_windows)
            ],
            overrides=[
                AvailabilityOverride(
                    date=dt.date.fromisoformat(date),
                    kind=kind,
                    start_time=_time(start),
                    end_time=_time(end),
                )
                for date, kind, start, end in _rows(m.card_overrides)
            ],
            holding=[
                (dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
                for start, end in _rows(m.card_holding)
            ],
        )
    return mentors, availability


def _cards_other_databases(ids: list[int], now: dt.datetime) -> tuple[list[Mentor], dict]:
    """What _CARDS_SQL reads, with the ORM, in five queries (SQLite, local development)."""
    mentors = list(
        Mentor.objects.filter(pk__in=ids, is_bookable=True, user__is_active=True)
        .only("user_id", "hidden_fields", *_CARD_TEXT_FIELDS, *_SLOT_RULES)
        .annotate(
            card_email=F("user__email"),
            card_display_name=F("user__profile__display_name"),
            card_time_zone=F("user__profile__time_zone"),
            card_affiliation=F("user__volunteer_profile__affiliation"),
            card_class_year=F("user__volunteer_profile__class_year"),
            card_organization=F("organization__name"),
        )
    )
    ids = [m.pk for m in mentors]
    availability: dict[int, _Availability] = defaultdict(_Availability)
    for window in AvailabilityWindow.objects.filter(mentor_id__in=ids).order_by():
        availability[window.mentor_id].windows.append(window)
    for override in AvailabilityOverride.objects.filter(
        mentor_id__in=ids, date__gte=_first_override_day(now)
    ).order_by():
        availability[override.mentor_id].overrides.append(override)
    mentor_of_user = {m.user_id: m.pk for m in mentors}
    for user_id, start_at, end_at in FlashRequest.objects.filter(
        volunteer_id__in=list(mentor_of_user),
        status__in=HOLDING,
        start_at__gte=_holding_since(now),
    ).values_list("volunteer_id", "start_at", "end_at"):
        availability[mentor_of_user[user_id]].holding.append((start_at, end_at))
    topic_ids: dict[int, list[int]] = defaultdict(list)
    through = Mentor.topics.through.objects.filter(mentor_id__in=ids)
    for mentor_id, topic_id in through.values_list("mentor_id", "topic_id"):
        topic_ids[mentor_id].append(topic_id)
    for mentor in mentors:
        mentor.card_topic_ids = topic_ids[mentor.pk]
    return mentors, availability


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    """mentor_zone from the time zone's name."""
    try:
        return zoneinfo.ZoneInfo(name)
    except Exception:
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def directory_cards(
    ids: list[int], *, now: dt.datetime, topics: list[tuple[int, str]]
) -> list[DirectoryCard]:
    """The cards of a page of `directory_search`, in its order, each with its next open slot.

    `topics` is every (id, name) in name order, which the page has already read for its
    filter. One query on PostgreSQL (_CARDS_SQL), five elsewhere, whatever the page holds:
    rather than open_slots_for_mentors (three queries) and prefetch_related, whose machinery
    cost more than the page's SQL, the rows slots_from needs come with each volunteer."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        rows, availability = _cards_postgresql(ids, now)
    else:
        rows, availability = _cards_other_databases(ids, now)
    by_id = {mentor.pk: mentor for mentor in rows}
    mentors = [by_id[pk] for pk in ids if pk in by_id]
    topic_names = dict(topics)
    topic_rank = {topic_id: rank for rank, (topic_id, _) in enumerate(topics)}
    cards = []
    for mentor in mentors:
        hidden = mentor.hidden_fields or []
        loaded = availability.get(mentor.pk) or _Availability()
        slots = slots_from(
            mentor,
            zone=_zone(mentor.card_time_zone),
            windows=loaded.windows,
            overrides=loaded.overrides,
            holding=loaded.holding,
            now=now,
            limit=1,
        )
        mine = sorted((t for t in mentor.card_topic_ids if t in topic_names), key=topic_rank.get)
        card = DirectoryCard(
            mentor_id=mentor.pk,
            # User.display_name, from the columns loaded.
            name=mentor.card_display_name or mentor.card_email.split("@", 1)[0],
            organization=mentor.card_organization or "",
            affiliation=_AFFILIATIONS.get(mentor.card_affiliation, mentor.card_affiliation or ""),
            topics=[topic_names[t] for t in mine],
            next_slot=slots[0] if slots else None,
        )
        for name in _CARD_TEXT_FIELDS:
            if name not in hidden:
                setattr(card, name, getattr(mentor, name))
        if "class_year" not in hidden:
            card.class_year = mentor.card_class_year
        cards.append(card)
    return cards


def directory_has_anyone() -> bool:
    return Mentor.objects.filter(is_bookable=True).exists()


def topics() -> QuerySet[Topic]:
    return Topic.objects.all()


# --- The results' cache (DIRECTORY_CACHE_SECONDS) ------------------------------------------
#
# A page of results is the same for every student who makes the same search in the same time
# zone and language, so it is kept for a short time under the directory's version
# (networking_app.cache.DIRECTORY, raised by mentoring.services.profiles whenever what students
# see of a volunteer changes): see views.directory.directory.


@dataclass(frozen=True)
class DirectoryResults:
    """A page of results as rendered: the heading, the count and the cards or the empty state
    (`html`), and which page of how many it is when it shows pagination (`pages`). Never the
    pagination links, which carry the student's own query string, nor anything holding a
    CSRF token, the CSP nonce or a message."""

    html: SafeString
    pages: tuple[int, int] | None


def results_cache_key(values: dict, page: int) -> str:
    """The search as the page runs it: the filter form's cleaned values (not lower-cased: the
    search decides what it treats alike) and the page number as the paginator reads it; and
    what the markup depends on besides: the time zone the next open times are written in,
    and the language that writes dates and numbers. Hashed: the words typed are no key."""
    return cache_key(
        "directory-results",
        sorted(values.items()),
        page,
        timezone.get_current_timezone_name(),
        translation.get_language(),
    )


def topic_rows() -> list[tuple[int, str, str]]:
    """Every topic's (id, slug, name), in name order: the filter form offers them on every
    directory page, so they are kept DIRECTORY_CACHE_SECONDS too."""
    return cached(
        cache_key("directory-topics"),
        lambda: list(topics().values_list("pk", "slug", "name")),
        timeout=settings.DIRECTORY_CACHE_SECONDS,
        scopes=[DIRECTORY],
    )


# --- One volunteer's page, and warm paths --------------------------------------------------


def mentor_get_for_student(*, mentor_id: int) -> Mentor:
    """A volunteer students may see: listed and bookable, else a plain 404."""
    return _get_or_404(_listed_mentors(), pk=mentor_id)


def contact_for_student(*, user: User, mentor: Mentor) -> Contact | None:
    """The student's contact with this volunteer's email address, if they have one."""
    return (
        Contact.objects.filter(owner=user, email__iexact=mentor.user.email).order_by("pk").first()
    )


@dataclass
class WarmPath:
    target: TargetOrganization
    volunteers: list[MentorCard]
    contacts: list[Contact]


def warm_paths(*, user: User, now: dt.datetime | None = None) -> list[WarmPath]:
    """For each of the student's target organizations, the directory's volunteers there next
    to the student's own contacts there. Five queries whatever the numbers."""
    now = now or timezone.now()
    targets = list(TargetOrganization.objects.filter(owner=user).select_related("organization"))
    organization_ids = [t.organization_id for t in targets]
    volunteers: dict[int, list[Mentor]] = defaultdict(list)
    mentors = list(
        _listed_mentors().filter(organization_id__in=organization_ids).order_by(*BY_NAME)
    )
    for mentor in mentors:
        volunteers[mentor.organization_id].append(mentor)
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.filter(
        owner=user, organization_id__in=organization_ids
    ).order_by("name", "pk"):
        contacts[contact.organization_id].append(contact)
    cards = {card.mentor_id: card for card in mentor_cards(mentors, now=now)}
    return [
        WarmPath(
            target=target,
            volunteers=[cards[m.pk] for m in volunteers[target.organization_id]],
            contacts=contacts[target.organization_id],
        )
        for target in targets
    ]


# --- A volunteer's own profile -------------------------------------------------------------


def mentor_for_volunteer(*, user: User) -> Mentor | None:
    return (
        Mentor.objects.filter(user=user)
        .select_related("organization", "user__profile", "user__volunteer_profile")
        .prefetch_related("topics")
        .first()
    )


def window_get_for_volunteer(*, user: User, window_id: int) -> AvailabilityWindow:
    return _get_or_404(AvailabilityWindow.objects.all(), mentor__user=user, pk=window_id)


def override_get_for_volunteer(*, user: User, override_id: int) -> AvailabilityOverride:
    return _get_or_404(AvailabilityOverride.objects.all(), mentor__user=user, pk=override_id)


def upcoming_overrides(*, mentor: Mentor) -> QuerySet[AvailabilityOverride]:
    today = timezone.localdate(timezone=mentor_zone(mentor))
    return mentor.overrides.filter(date__gte=today)


@dataclass
class ProfileStatus:
    """How complete a volunteer's mentor profile is and whether students can find them."""

    checklist: list[tuple[str, bool]]
    approval: str  # ApprovalStatus value
    code_of_conduct: bool
    listed: bool
    on_leave_until: dt.date | None
    bookable: bool
    has_availability: bool

    @property
    def percent(self) -> int:
        done = sum(1 for _, ok in self.checklist if ok)
        return round(100 * done / len(self.checklist))

    @property
    def missing(self) -> list[str]:
        return [label for label, ok in self.checklist if not ok]

    @property
    def reasons_not_listed(self) -> list[str]:
        reasons = []
        if self.approval == ApprovalStatus.PAUSED:
            reasons.append("the career office has paused your listing")
        elif self.approval != ApprovalStatus.APPROVED:
            reasons.append("the career office has not approved your account yet")
        if not self.code_of_conduct:
            reasons.append("you have not accepted the code of conduct")
        if not self.listed:
            reasons.append("you have not asked to be listed")
        if self.on_leave_until:
            reasons.append(f"you are on leave until {self.on_leave_until:%d %B %Y}")
        return reasons


def mentor_profile_status(*, user: User) -> ProfileStatus:
    mentor = mentor_for_volunteer(user=user)
    approval = user.volunteer_profile.status
    if mentor is None:
        mentor = Mentor(user=user)
        has_windows = False
        topic_count = 0
    else:
        has_windows = (
            mentor.windows.exists()
            or upcoming_overrides(mentor=mentor).filter(kind="window").exists()
        )
        topic_count = len(mentor.topics.all())
    today = timezone.localdate(timezone=mentor_zone(mentor))
    on_leave = (
        mentor.on_leave_until if mentor.on_leave_until and mentor.on_leave_until >= today else None
    )
    checklist = [
        ("Organization", bool(mentor.organization_id)),
        ("Job title", bool(mentor.title)),
        ("Industry", bool(mentor.industry)),
        ("Job function", bool(mentor.job_function)),
        ("Location", bool(mentor.location)),
        ("About you", bool(mentor.bio)),
        ("Topics you can help with", topic_count > 0),
        ("How you can meet", bool(mentor.modes)),
        ("LinkedIn profile", bool(mentor.linkedin_url)),
        ("Code of conduct accepted", bool(mentor.code_of_conduct_accepted_at)),
        ("Weekly availability", has_windows),
    ]
    return ProfileStatus(
        checklist=checklist,
        approval=approval,
        code_of_conduct=bool(mentor.code_of_conduct_accepted_at),
        listed=mentor.listed,
        on_leave_until=on_leave,
        bookable=bool(mentor.pk and mentor.is_bookable),
        has_availability=has_windows,
    )
