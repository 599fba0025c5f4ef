"""The networking directory's results: who is listed, the order and the pages, the count up
to a cap, full-text search with typo tolerance, the filters, and the query count of a
results page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mentoring.models import Mentor
from mentoring.services.profiles import mentor_refresh_bookable
from tests.mentoring.factories import (
    TopicFactory,
)
from tests.mentoring.helpers import (
    DIRECTORY,
    HTMX,
    add_url,
    cards,
    every_day,
    mentor_url,
    named,
    names,
)
from tests.mentoring.helpers import add_mentors as _add_mentors
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


# --- Who is listed -------------------------------------------------------------------------


def test_only_bookable_volunteers_are_listed(student_client):
    named("Listed Lee")
    named("Unlisted Uma", listed=False)
    named("Pending Pat", user_fields={"volunteer_profile__status": "pending"})
    named("Away Ana", on_leave_until=timezone.localdate() + dt.timedelta(days=3))
    inactive = named("Gone Gil")
    inactive.user.is_active = False
    inactive.user.save()

    response = student_client.get(DIRECTORY)

    assert names(response) == ["Listed Lee"]
    for mentor in Mentor.objects.exclude(user__profile__display_name="Listed Lee"):
        assert student_client.get(mentor_url(mentor)).status_code == 404
        assert student_client.post(add_url(mentor)).status_code == 404


def test_empty_directory_says_so(student_client):
    html = student_client.get(DIRECTORY).content.decode()
    assert "Nobody is listed in the Networking Directory yet." in html


def test_results_are_by_name_and_paginated(student_client):
    for n in range(23):
        named(f"Volunteer {n:02d}")
    first = student_client.get(DIRECTORY)
    assert names(first) == [f"Volunteer {n:02d}" for n in range(20)]
    assert "Page 1 of 2" in first.content.decode()
    second = student_client.get(DIRECTORY, {"page": 2})
    assert names(second) == ["Volunteer 20", "Volunteer 21", "Volunteer 22"]


def test_many_matches_are_counted_up_to_a_cap(student_client, monkeypatch, settings):
    from mentoring.views import directory as views

    settings.DIRECTORY_CACHE_SECONDS = 0  # the same search again, after a change
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for n in range(4):
        named(f"Capped {n}")
    html = student_client.get(DIRECTORY).content.decode()
    assert "more than 3 volunteers" in html
    assert "Add a word or a filter to narrow the list." in html
    Mentor.objects.filter(user__profile__display_name="Capped 3").update(listed=False)
    mentor_refresh_bookable(user=Mentor.objects.get(user__profile__display_name="Capped 3").user)
    html = student_client.get(DIRECTORY).content.decode()
    assert "(3 volunteers)" in html


def test_name_and_organization_matches_come_first(student_client):
    named("Zoe Globex-Fan", organization="Initech", bio="I love Globex.")
    named("Yann Zed", organization="Initech", bio="Globex alumni know me.")
    named("Bea Able", organization="Initech", bio="Ask me about globex.")
    named("Wes West", organization="Globex")
    assert names(student_client.get(DIRECTORY, {"q": "globex"})) == [
        "Wes West",
        "Zoe Globex-Fan",
        "Bea Able",
        "Yann Zed",
    ]


def test_htmx_gets_the_results_fragment(student_client):
    named("Frag Mentor", organization="Initech")
    response = student_client.get(DIRECTORY, {"q": "initech"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="directory-results"')
    assert "<html" not in html
    assert "Frag Mentor" in html
    assert "HX-Request" in response["Vary"]


# --- Search and filters --------------------------------------------------------------------


def test_full_text_search_over_name_organization_title_topics_and_bio(student_client):
    named(
        "Maya Chen",
        organization="Northwind Traders",
        title="Supply Chain Analyst",
        bio="I switched from teaching to logistics.",
        topics=[TopicFactory(slug="career-switch")],
    )
    named("Omar Diaz", organization="Globex", title="Nurse")

    for q in ["maya", "northwind", "supply chain", "analy", "teaching", "career switch"]:
        assert names(student_client.get(DIRECTORY, {"q": q})) == ["Maya Chen"], q
    assert names(student_client.get(DIRECTORY, {"q": "glob nurse"})) == ["Omar Diaz"]
    assert names(student_client.get(DIRECTORY, {"q": "maya nurse"})) == []


def test_names_first_continues_across_pages_of_the_cap(student_client, monkeypatch):
    """Name matches and the others come from two queries; the cap counts both together."""
    from mentoring.views import directory as views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    named("Ann Globex", organization="Initech")
    named("Bob Able", organization="Initech", bio="Globex fan.")
    named("Cy Bird", organization="Initech", bio="Globex too.")
    named("Dee Cole", organization="Initech", bio="Globex as well.")
    html = student_client.get(DIRECTORY, {"q": "globex"}).content.decode()
    assert "more than 3 volunteers" in html
    assert names(student_client.get(DIRECTORY, {"q": "globex"})) == [
        "Ann Globex",
        "Bob Able",
        "Cy Bird",
    ]


@pytest.mark.parametrize(
    ("in_names", "others"),
    [(3, 3), (1, 4), (0, 5), (5, 0), (4, 2)],
)
def test_pages_cut_across_the_name_matches_and_the_others(
    student_client, monkeypatch, in_names, others
):
    """Each page asks each query only for its part; every page, the last short one and one
    past the end included, shows what the whole list in order would."""
    from mentoring.views import directory as views

    monkeypatch.setattr(views, "DIRECTORY_PER_PAGE", 2)
    expected = [f"Globex {n}" for n in range(in_names)]
    for name in expected:
        named(name, organization="Initech")
    others_names = [f"Other {n}" for n in range(others)]
    for name in others_names:
        named(name, organization="Initech", bio="Globex fan.")
    expected += others_names
    shown = []
    pages = (len(expected) + 1) // 2
    for page in range(1, pages + 1):
        shown += names(student_client.get(DIRECTORY, {"q": "globex", "page": page}))
    assert shown == expected
    # Past the end: the last page, as before.
    last = names(student_client.get(DIRECTORY, {"q": "globex", "page": pages + 3}))
    assert last == expected[(pages - 1) * 2 :]


def test_the_cap_holds_for_the_matches_of_both_queries(settings):
    from mentoring.selectors.directory.search import DirectoryFilters, directory_search

    named("Ann Globex")
    for n in range(3):
        named(f"Other {n}", bio="Globex fan.")
    capped = directory_search(filters=DirectoryFilters(q="globex"), cap=3)
    assert (capped.count(), capped.capped, len(capped[0:10])) == (3, True, 3)
    exact = directory_search(filters=DirectoryFilters(q="globex"), cap=4)
    assert (exact.count(), exact.capped, len(exact[0:10])) == (4, False, 4)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "q",
    ["globex", "glo", "an", "globex fan", "ann globex", "data_ops", "init", "zzz", "GLOBEX Fan"],
)
def test_words_alone_compiled_once_find_what_the_general_search_finds(q):
    """The first page of a search of words alone comes from queries compiled once per process;
    the general path must give the same count and the same ids in the same order."""
    from mentoring.selectors.directory.search import (
        DirectoryFilters,
        DirectoryMatches,
        _WordSearch,
        search_terms,
    )

    named("Ann Globex", organization="Initech")
    named("Anna Data_Ops", organization="Globex", bio="Globex fan.")
    for n in range(4):
        named(f"Other {n}", organization="Initech", bio="Globex fan, data_ops.")
    named("Glo Initial", organization="Umbrella")
    filters = DirectoryFilters(q=q)
    words = _WordSearch.of(filters, search_terms(q))
    assert words is not None
    now = timezone.now()
    for cap in (2, 5, 1000):
        compiled = DirectoryMatches(filters, now=now, cap=cap, words=words)
        general = DirectoryMatches(filters, now=now, cap=cap)
        assert (compiled.found(), compiled.capped) == (general.found(), general.capped), cap
        for stop in (1, 3, 20):
            assert compiled[0:stop] == general[0:stop], (cap, stop)


def test_a_search_with_a_filter_takes_the_general_path():
    from mentoring.selectors.directory.search import DirectoryFilters, _WordSearch

    assert _WordSearch.of(DirectoryFilters(q="globex", industry="Tech"), ["globex"]) is None
    assert _WordSearch.of(DirectoryFilters(q="", industry=""), []) is None


@pytest.mark.postgres
def test_the_stored_search_vector_follows_every_write(student_client, settings):
    """A trigger keeps search_vector equal to the text, bulk updates included."""
    settings.DIRECTORY_CACHE_SECONDS = 0  # the same search again, after a change
    mentor = named("Vera Vector", organization="Initech")
    Mentor.objects.filter(pk=mentor.pk).update(search_text="Vera Vector\nInitech\nzeppelins")
    assert names(student_client.get(DIRECTORY, {"q": "zeppel"})) == ["Vera Vector"]
    Mentor.objects.filter(pk=mentor.pk).update(search_text="Vera Vector\nInitech")
    assert names(student_client.get(DIRECTORY, {"q": "zeppel"})) == []


@pytest.mark.postgres
def test_typo_tolerance_is_for_words_that_find_few_people(student_client, monkeypatch):
    from mentoring.selectors.directory import search

    monkeypatch.setattr(search, "TYPO_TOLERANCE_BELOW", 2)
    named("Ann Able", organization="Northwind")
    named("Bob Baker", organization="Northwind")
    named("Cy Cole", organization="Nortwind Labs")
    # Two people have "northwind" as typed: taken as typed, the look-alike is left out.
    assert names(student_client.get(DIRECTORY, {"q": "northwind"})) == ["Ann Able", "Bob Baker"]
    # One person has "nortwind": the look-alikes come too.
    assert names(student_client.get(DIRECTORY, {"q": "nortwind"})) == [
        "Cy Cole",
        "Ann Able",
        "Bob Baker",
    ]


@pytest.mark.postgres
def test_a_typo_in_an_organization_or_a_name_still_finds_them(student_client):
    named("Maya Johnson", organization="Northwind Traders")
    named("Omar Diaz", organization="Globex")

    assert names(student_client.get(DIRECTORY, {"q": "Nortwind"})) == ["Maya Johnson"]
    assert names(student_client.get(DIRECTORY, {"q": "Jonson"})) == ["Maya Johnson"]
    assert names(student_client.get(DIRECTORY, {"q": "nortwind analyst"})) == []


def test_filters(student_client):
    this_year = timezone.localdate().year
    TopicFactory(slug="resume-review")
    named(
        "Ada",
        organization="Acme Health",
        industry="Healthcare",
        job_function="Nursing",
        location="Boston, MA",
        user_fields={"volunteer_profile__class_year": 2011},
        topics=[TopicFactory(slug="resume-review")],
    )
    named(
        "Ben",
        organization="Globex",
        industry="Software",
        job_function="Engineering",
        location="Remote",
        user_fields={"volunteer_profile__class_year": this_year - 1},
    )

    def found(**params):
        return names(student_client.get(DIRECTORY, params))

    assert found() == ["Ada", "Ben"]
    assert found(organization="acme") == ["Ada"]
    assert found(industry="software") == ["Ben"]
    assert found(job_function="Nurs") == ["Ada"]
    assert found(location="boston") == ["Ada"]
    assert found(class_year="2011") == ["Ada"]
    assert found(topic="resume-review") == ["Ada"]
    assert found(topic="resume-review", industry="software") == []
    # A filter value that does not validate is ignored, never an error.
    assert found(class_year="eleven", topic="no-such-topic") == ["Ada", "Ben"]


def test_has_open_slots_filter_checks_the_real_slots(student_client):
    free = named("Free Fay")
    every_day(free)
    named("Nowhere Ned")  # no window at all
    full = named("Full Flo", monthly_capacity=0)  # windows, but no capacity left
    every_day(full)

    assert names(student_client.get(DIRECTORY, {"has_slots": "1"})) == ["Free Fay"]
    everyone = cards(student_client.get(DIRECTORY))
    assert "Next open time: <time" in everyone["Free Fay"]
    assert "Next open time" not in everyone["Nowhere Ned"]
    assert "No open time in the coming weeks" in everyone["Nowhere Ned"]


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({}, {}),
        ({}, HTMX),
        ({"q": "analyst", "topic": "resume-review", "has_slots": "1"}, HTMX),
        ({"page": "2"}, {}),
    ],
)
def test_directory_query_count_does_not_grow(student_client, params, headers):
    topic = TopicFactory(slug="resume-review")
    count = assert_queries_stable(
        lambda: student_client.get(DIRECTORY, params, **headers),
        lambda n: _add_mentors(n, topic=topic),
        # A text search that finds fewer than a page of people is tried again with typo
        # tolerance (a bounded second pass, not an N+1): start both sizes above that.
        small=5 if "page" not in params and "q" not in params else 25,
        large=70,
    )
    assert count > 0
