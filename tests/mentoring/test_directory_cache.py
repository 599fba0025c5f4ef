"""The directory's results kept in the cache (DIRECTORY_CACHE_SECONDS, views.directory): a
kept page runs no directory query and is the page the search computes; searches, time zones
and languages that differ never share one; kept pages expire and go stale when a service
raises the directory's version; with the cache off or unreachable every page is computed."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.models import Mentor
from mentoring.selectors.directory.search import results_cache_key
from networking_app.console.services import VolunteerDecision, volunteer_decide
from networking_app.core import cache as page_cache
from tests.factories import StaffFactory, StudentFactory, VolunteerFactory
from tests.mentoring.factories import AvailabilityWindowFactory, MentorFactory
from tests.querycount import capture_queries

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("mentoring:directory")
HTMX = {"HTTP_HX_REQUEST": "true"}
RESULTS = re.compile(r'<section id="directory-results".*?</section>', re.S)
CARD_NAME = re.compile(r'<h3 class="mentor-name"><a href="[^"]*">([^<]*)</a></h3>')


def listed(name: str, *, open_times: bool = True, **fields) -> Mentor:
    mentor = MentorFactory(user=VolunteerFactory(profile__display_name=name), **fields)
    if open_times:
        every_day(mentor)
    return mentor


def every_day(mentor: Mentor) -> None:
    for weekday in range(7):
        AvailabilityWindowFactory(
            mentor=mentor, weekday=weekday, start_time=dt.time(9), end_time=dt.time(17)
        )


def get(client, params: dict | None = None, **headers) -> tuple[str, list[str]]:
    """The results section of the directory page and the SQL the request ran."""
    with capture_queries() as queries:
        response = client.get(DIRECTORY, params or {}, **headers)
    assert response.status_code == 200
    return RESULTS.search(response.content.decode()).group(0), queries


def directory_queries(sql: list[str]) -> list[str]:
    """Queries of the directory's tables (volunteers, topics, availability, requests)."""
    return [q for q in sql if "mentoring_" in q]


def without_links(section: str) -> str:
    return re.sub(r"<nav .*?</nav>", "", section, flags=re.S)


def names(section: str) -> list[str]:
    return CARD_NAME.findall(section)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- A kept page ---------------------------------------------------------------------------


def test_a_kept_page_runs_no_directory_query_and_is_the_page_computed(student_client, settings):
    for n in range(3):
        listed(f"Kept {n}")
    first, first_sql = get(student_client, {"q": "kept"})
    assert names(first) == ["Kept 0", "Kept 1", "Kept 2"]
    assert directory_queries(first_sql)

    # The htmx fragment and the full page share the kept results.
    kept, kept_sql = get(student_client, {"q": "kept"}, **HTMX)
    assert directory_queries(kept_sql) == []
    assert kept == first

    settings.DIRECTORY_CACHE_SECONDS = 0
    computed, computed_sql = get(student_client, {"q": "kept"})
    assert directory_queries(computed_sql)
    assert computed == first


def test_the_search_form_is_kept_with_the_results_and_shows_the_search(student_client):
    listed("Kept One")
    params = {"q": 'kept "one" <b>', "class_year": "eleven"}
    student_client.get(DIRECTORY, params)  # computed and kept
    with capture_queries() as sql:
        html = student_client.get(DIRECTORY, params).content.decode()
    assert directory_queries(sql) == []
    form = html.split('class="card directory-filters"')[1].split("</form>")[0]
    assert 'value="kept &#34;one&#34; &lt;b&gt;"' in form  # escaped, from the cache
    assert "eleven" not in form  # not valid: not shown again
    # Another student making the same search is shown the same form.
    other = client_for(StudentFactory()).get(DIRECTORY, params).content.decode()
    assert other.split('class="card directory-filters"')[1].split("</form>")[0] == form


@pytest.mark.parametrize(
    ("params", "headers"),
    [({}, {}), ({}, HTMX), ({"q": "product", "has_slots": "1"}, HTMX), ({"page": "2"}, {})],
)
def test_kept_pages_cost_the_same_queries_at_any_size(student_client, params, headers):
    def kept_page_queries() -> list[str]:
        get(student_client, params, **headers)  # computed and kept
        return get(student_client, params, **headers)[1]

    for n in range(25):
        listed(f"Small {n:03d}")
    small = kept_page_queries()
    for n in range(45):
        listed(f"Large {n:03d}", open_times=n % 2 == 0)
    page_cache.bump_version(page_cache.DIRECTORY)
    large = kept_page_queries()
    assert directory_queries(small) == directory_queries(large) == []
    assert len(small) == len(large)


def test_another_student_gets_the_kept_results_with_their_own_links_and_messages(
    student_client, other_student_client
):
    for n in range(23):
        listed(f"Volunteer {n:02d}")
    mentor = Mentor.objects.get(user__profile__display_name="Volunteer 00")
    # Alice has a message waiting, her own CSRF token and CSP nonce, and an extra parameter.
    student_client.post(reverse("mentoring:add_contact", kwargs={"mentor_id": mentor.pk}))
    alice = student_client.get(DIRECTORY, {"industry": "Software", "ref": "alice-only"})
    alice_html = alice.content.decode()
    assert "is now in your contacts" in alice_html
    assert "ref=alice-only" in RESULTS.search(alice_html).group(0)
    nonce = re.search(r"'nonce-([^']+)'", alice["Content-Security-Policy"]).group(1)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', alice_html).group(1)

    with capture_queries() as queries:
        bob = other_student_client.get(DIRECTORY, {"industry": "Software"})
    assert directory_queries(queries) == []
    bob_html = bob.content.decode()
    section = RESULTS.search(bob_html).group(0)
    assert names(section) == [f"Volunteer {n:02d}" for n in range(20)]
    assert "Page 1 of 2" in section
    assert 'href="?industry=Software&amp;page=2"' in section
    for secret in ["alice-only", nonce, token, "is now in your contacts"]:
        assert secret not in bob_html


# --- What is kept apart --------------------------------------------------------------------


SEARCH_DATA = [f"Product Person {n:02d}" for n in range(25)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"q": "product"}, {"q": "Product"}),
        ({"q": "product"}, {"q": "product", "page": "2"}),
        ({"q": "product"}, {"q": "product person"}),
        ({}, {"has_slots": "1"}),
        ({"industry": "Software"}, {"job_function": "Software"}),
        ({}, {"class_year": "2010"}),
    ],
)
def test_searches_that_differ_never_share_a_page(student_client, first, second):
    for name in SEARCH_DATA:
        listed(name)
    get(student_client, first)
    assert directory_queries(get(student_client, second)[1])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # What the filter form makes of them is the same search.
        ({"q": "product"}, {"q": "product", "page": "1"}),
        ({"q": "product"}, {"q": "  product  "}),
        ({}, {"class_year": "eleven", "topic": "no-such-topic"}),
        ({}, {"page": "first"}),
    ],
)
def test_the_same_search_written_differently_shares_a_page(student_client, first, second):
    for name in SEARCH_DATA:
        listed(name)
    computed = get(student_client, first)[0]
    kept, sql = get(student_client, second)
    assert directory_queries(sql) == []
    # All but the pagination links, which keep each request's own query string.
    assert without_links(kept) == without_links(computed)


def test_page_numbers_are_read_as_before(student_client):
    for name in SEARCH_DATA:
        listed(name)
    # Paginator.get_page: page 1 for what is not a whole number, the last page for a number
    # out of range.
    first, last = ["", "abc", "1.0"], ["2", "0", "-3", "99"]
    for page, shown in [*((p, "Page 1 of 2") for p in first), *((p, "Page 2 of 2") for p in last)]:
        for _ in range(2):  # computed, then kept
            assert shown in get(student_client, {"page": page})[0], page


def test_students_in_other_time_zones_never_share_a_page(student_client):
    listed("Zoned Zoe")
    tokyo = client_for(StudentFactory(profile__time_zone="Asia/Tokyo"))
    utc_section = get(student_client)[0]
    tokyo_section, tokyo_sql = get(tokyo)
    assert directory_queries(tokyo_sql)
    assert re.search(r'<time datetime="[^"]+\+00:00">', utc_section)
    assert re.search(r'<time datetime="[^"]+\+09:00">', tokyo_section)


def test_the_key_holds_the_time_zone_and_the_language_and_not_the_words():
    keys = set()
    for zone, language in [("UTC", "en-us"), ("Asia/Tokyo", "en-us"), ("UTC", "fr")]:
        with timezone.override(zone), translation.override(language):
            keys.add(results_cache_key({"q": "Private words"}, 1))
    assert len(keys) == 3
    assert not any("private" in key.lower() for key in keys)
    assert results_cache_key({"q": "a", "industry": "b"}, 1) == results_cache_key(
        {"industry": "b", "q": "a"}, 1
    )


# --- When kept pages go ------------------------------------------------------------------


def test_kept_pages_expire(student_client, settings):
    settings.DIRECTORY_CACHE_SECONDS = 1
    quiet = listed("Quiet Quinn", open_times=False)
    assert "No open time in the coming weeks" in get(student_client)[0]
    every_day(quiet)
    # The page is kept: a next open time may be up to DIRECTORY_CACHE_SECONDS old.
    kept, sql = get(student_client)
    assert directory_queries(sql) == []
    assert "No open time in the coming weeks" in kept
    listed("Late Lou")
    time.sleep(1.1)
    section, sql = get(student_client)
    assert directory_queries(sql)
    assert names(section) == ["Late Lou", "Quiet Quinn"]
    assert "No open time in the coming weeks" not in section


def test_the_directorys_version_makes_kept_pages_stale(student_client):
    olive = listed("Open Olive")
    assert names(get(student_client)[0]) == ["Open Olive"]
    Mentor.objects.filter(pk=olive.pk).update(listed=False, is_bookable=False)
    assert names(get(student_client)[0]) == ["Open Olive"]
    page_cache.bump_version(page_cache.DIRECTORY)
    assert names(get(student_client)[0]) == []


def test_a_volunteer_paused_by_staff_goes_from_kept_pages_at_once(student_client):
    olive = listed("Open Olive")
    assert names(get(student_client)[0]) == ["Open Olive"]
    volunteer_decide(
        profile=olive.user.volunteer_profile,
        staff=StaffFactory(),
        decision=VolunteerDecision.PAUSE,
    )
    assert names(get(student_client)[0]) == []


# --- Off, or unreachable ---------------------------------------------------------------------


def test_zero_seconds_computes_every_page(student_client, settings):
    settings.DIRECTORY_CACHE_SECONDS = 0
    listed("Every Time")
    first, first_sql = get(student_client)
    second, second_sql = get(student_client)
    assert directory_queries(first_sql)
    assert directory_queries(second_sql)
    assert first == second
    assert cache.get(results_cache_key({}, 1)) is None


def test_an_unreachable_cache_computes_every_page(student_client, settings, caplog):
    listed("Still Here")
    settings.CACHES = {
        "default": {
            "BACKEND": "networking_app.core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    for _ in range(2):
        section, sql = get(student_client)
        assert names(section) == ["Still Here"]
        assert directory_queries(sql)
    assert "Redis unavailable" in caplog.text
