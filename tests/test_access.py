"""Who may open what: every route of the URLconf has a row in tests/routes.py, and each
visitor gets what the row says."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.routes import ACCESS, LOGIN, WHO, expected_for, named_routes, route_kwargs
from tests.urlconf import all_routes


def test_every_route_is_in_the_access_table():
    missing = [
        name
        for name in all_routes()
        if not name.startswith("admin:") and not name.startswith("<unnamed admin/")
        if name not in ACCESS
    ]
    assert missing == [], f"Add these routes to ACCESS in tests/routes.py: {missing}"
    stale = [name for name in ACCESS if name not in all_routes()]
    assert stale == [], f"Routes in ACCESS that no longer exist: {stale}"


@pytest.mark.django_db
class TestEveryRoute:
    """One world for every route (tests/conftest.py route_world): each test's changes are
    rolled back, so the routes see the same objects."""

    @pytest.mark.parametrize("name", named_routes())
    def test_route_access(self, name, route_world):
        url = reverse(name, kwargs=route_kwargs(name, route_world.owned))
        expected = expected_for(name)
        actual = []
        for who, client in enumerate(route_world.visitors()):
            response = client.get(url)
            status = response.status_code
            if status == 302 and expected[who] == LOGIN:
                status = LOGIN if reverse("account_login") in response["Location"] else 302
            actual.append(status)
        assert tuple(actual) == expected, (
            f"{name} ({url}): got {dict(zip(WHO, actual, strict=True))}"
        )
