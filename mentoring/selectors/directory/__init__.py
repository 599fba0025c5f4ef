"""Reads of the networking directory (students), in modules by subject: ``volunteers`` (what
students see of a volunteer: `MentorCard`, one volunteer's page, warm paths), ``search`` (the
search and the cache of a page of results) and ``result_cards`` (`DirectoryCard`, a page of
results). A volunteer's own profile is read in mentoring/selectors/profiles.py.

What a student sees of a volunteer always goes through `MentorCard` (`DirectoryCard` in the
search results), which holds only the fields the volunteer did not hide: a template cannot
show a hidden value it never receives.

New code imports from those modules; the names are also offered here for the directory's
views (``selectors.xyz``). A test that replaces a value must patch it in its own module.
"""

from mentoring.selectors.directory.result_cards import DirectoryCard, directory_cards
from mentoring.selectors.directory.search import (
    DirectoryFilters,
    DirectoryResults,
    directory_has_anyone,
    directory_queries,
    directory_search,
    mentors_in_order,
    results_cache_key,
    search_terms,
    topic_rows,
    topics,
)
from mentoring.selectors.directory.volunteers import (
    MentorCard,
    WarmPath,
    contact_for_student,
    listed_mentors,
    listed_mentors_at,
    mentor_card,
    mentor_card_preview,
    mentor_cards,
    mentor_get_for_student,
    warm_paths,
)

__all__ = [
    "DirectoryCard",
    "DirectoryFilters",
    "DirectoryResults",
    "MentorCard",
    "WarmPath",
    "contact_for_student",
    "directory_cards",
    "directory_has_anyone",
    "directory_queries",
    "directory_search",
    "listed_mentors",
    "listed_mentors_at",
    "mentor_card",
    "mentor_card_preview",
    "mentor_cards",
    "mentor_get_for_student",
    "mentors_in_order",
    "results_cache_key",
    "search_terms",
    "topic_rows",
    "topics",
    "warm_paths",
]
