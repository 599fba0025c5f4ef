"""Reads of the networking directory (students) and of a volunteer's own mentor profile.

What a student sees of a volunteer always goes through `MentorCard`, which holds only the
fields the volunteer did not hide: a template cannot show a hidden value it never receives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

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
    Mentor,
    Mode,
    Topic,
)
from mentoring.services.availability import (
    Slot,
    has_open_slots_filter,
    mentor_zone,
    open_slots_for_mentors,
)
from networking_app.accounts.models import ApprovalStatus, User, VolunteerProfile

# Words shorter than this are only matched as the start of a word: their trigrams would
# match half the directory.
TRIGRAM_MIN_LENGTH = 4
# Shorter words do not put name matches first (see directory_queries).
NAMES_FIRST_MIN_LENGTH = 3
# A search that finds at least this many people as typed is not tried again with typos.
TYPO_TOLERANCE_BELOW = 20
MODE_LABELS = dict(Mode.choices)


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


def directory_has_anyone() -> bool:
    return Mentor.objects.filter(is_bookable=True).exists()


def topics() -> QuerySet[Topic]:
    return Topic.objects.all()


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
