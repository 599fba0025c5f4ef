"""One crawl per visitor: every page the route table (tests/routes.py) opens to them, in one
world where every free-text field holds a script and a live-htmx payload and each of a
student's own records carries its owner's marker. Each response must be what the table says
(access), keep to the Content Security Policy, show every payload escaped (XSS), show no
other person's private records (privacy), and cost the same number of queries once every kind
of data has grown (an N+1 otherwise).

Pages a POST or a prepared state renders are checked in tests/security/test_xss.py; staff
pages and the admin against a student's private text in tests/console/test_privacy.py.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.helpers import grow_world
from tests.querycount import PAGE_CACHES_OFF, capture_queries
from tests.routes import STUDENT, WHO, expected_for, named_routes, route_kwargs
from tests.security.helpers import (
    assert_keeps_to_the_policy,
    contaminate,
    owner_marker,
    raw_payloads,
)

GROWTH = 6
PEOPLE = (None, "student", "other_student", "volunteer", "other_volunteer", "staff")  # WHO order


@pytest.fixture(scope="class")
def crawl_world(route_world, django_db_blocker):
    """The route table's world with the payloads written in, once for the class."""
    with django_db_blocker.unblock():
        assert contaminate() > 10
    return route_world


def _pages(world, who: int) -> list[tuple[str, str]]:
    return [
        (name, reverse(name, kwargs=route_kwargs(name, world.owned)))
        for name in named_routes()
        if not name.startswith("admin:") and expected_for(name).get[who] == 200
    ]


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _query_counts(world, who: int, pages) -> dict[str, int]:
    counts = {}
    for name, url in pages:
        with capture_queries() as queries:
            response = world.visitors()[who].get(url)
        assert response.status_code == 200, f"{name} as {WHO[who]}: {response.status_code}"
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
class TestCrawl:
    @pytest.mark.parametrize("who", range(len(WHO)), ids=WHO)
    def test_every_page_as_one_visitor(self, who, crawl_world):
        world = crawl_world
        me = world.people.get(PEOPLE[who])
        others = [owner_marker(p.pk) for p in world.people.values() if p != me]
        pages = _pages(world, who)
        assert len(pages) >= 10
        for name, url in pages:
            where = f"{name} as {WHO[who]} ({url})"
            response = world.visitors()[who].get(url)
            assert response.status_code == 200, f"{where}: {response.status_code}"
            assert_keeps_to_the_policy(response, where)
            body = _body(response)
            if response.get("Content-Type", "").startswith("text/html"):
                assert raw_payloads(body) == [], f"{where}: unescaped payload"
            leaked = [marker for marker in others if marker in body]
            assert leaked == [], f"{where} shows another person's private records: {leaked}"
        if who == STUDENT:  # not vacuous: the payloads and the markers do reach the pages
            detail = dict(pages)["contacts:detail"]
            html = world.visitors()[who].get(detail).content.decode()
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
            assert owner_marker(me.pk) in html

        with override_settings(**PAGE_CACHES_OFF):
            _query_counts(world, who, pages)  # warm what the cached crawl did not compute
            before = _query_counts(world, who, pages)
            contacts = world.visitors()[STUDENT].get(reverse("contacts:list")).content
            people = world.people
            grow_world(people["student"], people["volunteer"], people["staff"], GROWTH)
            after = _query_counts(world, who, pages)
            # Not vacuous: the lists did get longer.
            assert len(world.visitors()[STUDENT].get(reverse("contacts:list")).content) > len(
                contacts
            )
        grown = [
            f"{name}: {before[name]} -> {after[name]} queries"
            for name, _ in pages
            if after[name] != before[name]
        ]
        assert grown == [], f"as {WHO[who]}"
