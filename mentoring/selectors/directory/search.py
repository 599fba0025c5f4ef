"""The directory's search: filters, full text and trigram word similarity (names first, typos
tolerated when few people match as typed), and the short-lived cache of a page of results."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Exists, F, Lookup, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Upper
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from contacts.models import (
    Organization,
    normalize_organization_name,
)
from mentoring.models import (
    Mentor,
    Topic,
)
from mentoring.selectors.directory.volunteers import BY_NAME, listed_mentors
from mentoring.services.availability import (
    has_open_slots_filter,
)
from networking_app.accounts.models import VolunteerProfile
from networking_app.core.cache import DIRECTORY, cache_key, cached
from networking_app.core.prepared import PreparedQuery

# Words shorter than this are only matched as the start of a word: their trigrams would
# match half the directory.
TRIGRAM_MIN_LENGTH = 4
# Shorter words do not put name matches first (see directory_queries).
NAMES_FIRST_MIN_LENGTH = 3
# A search that finds at least this many people as typed is not tried again with typos.
TYPO_TOLERANCE_BELOW = 20


def _in_names(terms: list[str]) -> Q:
    """Every word typed is in the name or the organization (a trigram GIN index on
    upper(search_names), migration 0004, serves this LIKE)."""
    in_names = Q()
    for term in terms:
        in_names &= Q(search_names__icontains=term)
    return in_names


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

    def words_alone(self) -> bool:
        """No filter is set beyond the words (`_directory_matches` would apply none)."""
        filters = (self.organization, self.industry.strip(), self.job_function.strip())
        filters += (self.location.strip(), self.class_year, self.topic, self.has_slots)
        return not any(filters)


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


def _ordered(matches: QuerySet[Mentor], terms: list[str]) -> list[QuerySet]:
    """The queries of the ids of `matches`, in the order they are shown: with words typed,
    first the people whose name or organization holds every word, then the others, each by
    name. Two queries rather than one ordered by a "name matches first" key: no index gives
    that key, so for a common word PostgreSQL had to fetch and sort every match (tens of
    thousands), whereas ordered by name alone it walks the name index and stops at the page."""
    if not terms or any(len(term) < NAMES_FIRST_MIN_LENGTH for term in terms):
        # Too short for the trigram index: "ai" is inside thousands of names, and finding
        # them would mean reading the whole directory. Plain name order then.
        return [matches.order_by(*BY_NAME).values_list("pk", flat=True)]
    in_names = _in_names(terms)
    return [
        matches.filter(in_names).order_by(*BY_NAME).values_list("pk", flat=True),
        matches.exclude(in_names).order_by(*BY_NAME).values_list("pk", flat=True),
    ]


def directory_queries(
    *, filters: DirectoryFilters, now: dt.datetime | None = None, tolerant: bool = False
) -> list[QuerySet]:
    """The queries of a directory search's ids, in the order they are shown (`_ordered`)."""
    matches = _directory_matches(filters=filters, now=now or timezone.now(), tolerant=tolerant)
    return _ordered(matches, search_terms(filters.q))


# --- Words alone, compiled once per process --------------------------------------------------
#
# The search students make most, words with no filter, counted and its first page fetched by
# queries compiled once per process (networking_app.core.prepared): building and compiling the
# two querysets took longer than PostgreSQL took to run them. The same matches and order as
# `_directory_matches` and `_ordered`, which a test checks; other searches, later pages and
# SQLite take those.


class _Like(Lookup):
    """`lhs LIKE rhs`, the pattern given whole: `icontains` makes its pattern from the word,
    which a PreparedQuery's parameter must not be."""

    lookup_name = "rapport_like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs}", [*lhs_params, *rhs_params]


def _like_pattern(term: str) -> str:
    """`term` anywhere, as `icontains` matches it (a word holds no % or backslash)."""
    return "%" + term.replace("_", "\\_") + "%"


def _by_words(words: int, **prefixes: str) -> QuerySet[Mentor]:
    queryset = Mentor.objects.filter(is_bookable=True)
    for n in range(words):
        prefix = SearchQuery(prefixes[f"prefix_{n}"], search_type="raw", config="simple")
        queryset = queryset.filter(search_vector=prefix)
    return queryset


def _count_by_words(words: int, limit: int, **prefixes: str) -> QuerySet[Mentor]:
    return _by_words(words, **prefixes).order_by().values("pk")[:limit]


def _page_by_words(words: int, part: str, limit: int, **values: str) -> QuerySet[Mentor]:
    prefixes = {name: value for name, value in values.items() if name.startswith("prefix_")}
    queryset = _by_words(words, **prefixes)
    if part != "all":
        in_names = Q()
        for n in range(words):
            pattern = Upper(Value(values[f"pattern_{n}"]))
            in_names &= Q(_Like(Upper(F("search_names")), pattern))
        queryset = queryset.filter(in_names) if part == "names" else queryset.exclude(in_names)
    return queryset.order_by(*BY_NAME).values_list("pk")[:limit]


# Planned on each call: for a word in half the directory PostgreSQL walks the name index and
# stops at the page, for a rare one it asks the text index, and it can tell only from the word.
_COUNT_BY_WORDS = PreparedQuery(_count_by_words, count=True, plan_each_call=True)
_PAGE_BY_WORDS = PreparedQuery(_page_by_words, plan_each_call=True)


@dataclass(frozen=True)
class _WordSearch:
    terms: list[str]

    @classmethod
    def of(cls, filters: DirectoryFilters, terms: list[str]) -> _WordSearch | None:
        """The search if it is words alone, on PostgreSQL."""
        if not terms or not filters.words_alone() or connection.vendor != "postgresql":
            return None
        return cls(terms)

    def _prefixes(self) -> dict[str, str]:
        return {f"prefix_{n}": f"{term}:*" for n, term in enumerate(self.terms)}

    def count(self, limit: int) -> int:
        ((found,),) = _COUNT_BY_WORDS.rows((len(self.terms), limit), **self._prefixes())
        return found

    def first(self, stop: int) -> list[int]:
        """The ids of the first `stop` matches, in the order of `_ordered`."""
        words = len(self.terms)
        if any(len(term) < NAMES_FIRST_MIN_LENGTH for term in self.terms):
            return [pk for (pk,) in _PAGE_BY_WORDS.rows((words, "all", stop), **self._prefixes())]
        values = {
            **self._prefixes(),
            **{f"pattern_{n}": _like_pattern(term) for n, term in enumerate(self.terms)},
        }
        ids = [pk for (pk,) in _PAGE_BY_WORDS.rows((words, "names", stop), **values)]
        if len(ids) < stop:
            others = _PAGE_BY_WORDS.rows((words, "others", stop - len(ids)), **values)
            ids += [pk for (pk,) in others]
        return ids


class DirectoryMatches:
    """The ids of a directory search's matches in the directory's order, as a paginator reads
    them: `count()`, up to `cap` (`capped` says whether there were more), and slices.

    The count and a page are separate queries: the count reads no order and returns no rows,
    and a page fetches its own ids only. Fetching every id up to the cap, to count them and
    cut a page from them, walked and sorted hundreds of matches for a common word."""

    def __init__(
        self,
        filters: DirectoryFilters,
        *,
        now: dt.datetime,
        cap: int,
        tolerant: bool = False,
        words: _WordSearch | None = None,
    ):
        self._filters = filters
        self._now = now
        self._tolerant = tolerant
        self._cap = cap
        self._words = words
        self._found: int | None = None

    @cached_property
    def _matches(self) -> QuerySet[Mentor]:
        return _directory_matches(filters=self._filters, now=self._now, tolerant=self._tolerant)

    @cached_property
    def _queries(self) -> list[QuerySet]:
        return _ordered(self._matches, search_terms(self._filters.q))

    def found(self) -> int:
        """How many match, counted up to one more than the cap."""
        if self._found is None:
            if self._words:
                self._found = self._words.count(self._cap + 1)
            else:
                self._found = self.count_query().count()
        return self._found

    def count_query(self) -> QuerySet[Mentor]:
        """The matches the count reads (the general path), up to one more than the cap."""
        return self._matches.order_by().values("pk")[: self._cap + 1]

    def count(self) -> int:
        return min(self.found(), self._cap)

    @property
    def capped(self) -> bool:
        return self.found() > self._cap

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[int]:
        """The ids from `page.start` to `page.stop` across the queries, each query asked only
        for its part of the slice."""
        start, stop = page.start or 0, min(page.stop, self.count())
        if start >= stop:
            return []
        if self._words and start == 0:
            return self._words.first(stop)
        ids: list[int] = []
        for query in self._queries:
            got = list(query[start:stop])
            ids.extend(got)
            if len(got) == stop - start:
                break
            # This query ran out: its size says where the next one's part begins.
            held = start + len(got) if got or not start else query.order_by()[:start].count()
            start, stop = max(start - held, 0), stop - held
            if start >= stop:
                break
        return ids


def directory_search(
    *, filters: DirectoryFilters, cap: int, now: dt.datetime | None = None
) -> DirectoryMatches:
    """The volunteers matching the filters (`DirectoryMatches`: ids, in the directory's order,
    for a paginator). Load a page's cards with `directory_cards`.

    The words are taken as typed first; only when that finds fewer than a page of people is
    the search run again tolerating typos (trigrams on names and organizations). Comparing
    trigrams costs a few microseconds a row, which a broad search would pay on every row it
    walks, for look-alikes that would come far behind the exact matches anyway."""
    now = now or timezone.now()
    terms = search_terms(filters.q)
    words = _WordSearch.of(filters, terms)
    found = DirectoryMatches(filters, now=now, cap=cap, words=words)
    long_words = any(len(t) >= TRIGRAM_MIN_LENGTH for t in terms)
    if found.found() < TYPO_TOLERANCE_BELOW and long_words and connection.vendor == "postgresql":
        found = DirectoryMatches(filters, now=now, cap=cap, tolerant=True)
    return found


def mentors_in_order(ids: list[int]) -> list[Mentor]:
    """The volunteers of a page of `directory_search`, in its order, ready for cards."""
    by_id = {m.pk: m for m in listed_mentors().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def directory_has_anyone() -> bool:
    return Mentor.objects.filter(is_bookable=True).exists()


def topics() -> QuerySet[Topic]:
    return Topic.objects.all()


# --- The results' cache (DIRECTORY_CACHE_SECONDS) ------------------------------------------
#
# A page of results is the same for every student who makes the same search in the same time
# zone and language, so it is kept for a short time under the directory's version
# (networking_app.core.cache.DIRECTORY, raised by mentoring.services.profiles whenever what students
# see of a volunteer changes): see views.directory.directory.


@dataclass(frozen=True)
class DirectoryResults:
    """A page of results as rendered: the heading, the count and the cards or the empty state
    (`html`), and which page of how many it is when it shows pagination (`pages`). Never the
    pagination links, which carry the student's own query string, nor anything holding a
    CSRF token, the CSP nonce or a message."""

    html: SafeString
    pages: tuple[int, int] | None
    # The page's search form showing this search (a GET form: no token), for the whole page.
    filters: SafeString


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


def _topic_rows() -> QuerySet[Topic]:
    return topics().values_list("pk", "slug", "name")


_TOPIC_ROWS = PreparedQuery(_topic_rows)


def topic_rows() -> list[tuple[int, str, str]]:
    """Every topic's (id, slug, name), in name order: the filter form offers them on every
    directory page, so they are kept DIRECTORY_CACHE_SECONDS too."""
    return cached(
        cache_key("directory-topics"),
        _TOPIC_ROWS.rows,
        timeout=settings.DIRECTORY_CACHE_SECONDS,
        scopes=[DIRECTORY],
    )
