"""Who may do what: every route of the URLconf has a row in tests/routes.py, and every
visitor gets what the row says, with GET and with POST."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from tests.routes import LOGIN, ROUTES, WHO, expected_for, named_routes, route_kwargs
from tests.urlconf import all_routes


def test_every_route_is_in_the_route_table():
    missing = [
        name
        for name in all_routes()
        if not name.startswith("admin:") and not name.startswith("<unnamed admin/")
        if name not in ROUTES
    ]
    assert missing == [], f"Add these routes to ROUTES in tests/routes.py: {missing}"
    stale = [name for name in ROUTES if name not in all_routes()]
    assert stale == [], f"Routes in ROUTES that no longer exist: {stale}"


def _answer(client, method: str, url: str):
    """The status a visitor gets (LOGIN for a redirect to the login page), the request's
    changes rolled back so every visitor meets the same world."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    status = response.status_code
    if status == 302 and reverse("account_login") in response["Location"]:
        return LOGIN
    return status


@pytest.mark.django_db
class TestEveryRoute:
    """One world for every route (tests/conftest.py route_world): each test's changes are
    rolled back, so the routes see the same objects."""

    @pytest.mark.parametrize("name", named_routes())
    def test_route_access(self, name, route_world):
        url = reverse(name, kwargs=route_kwargs(name, route_world.owned))
        got = {}
        for method in ("get", "post"):
            got[method] = tuple(
                _answer(route_world.visitors()[who], method, url) for who in range(len(WHO))
            )
        expected = expected_for(name)
        assert got == {"get": expected.get, "post": expected.post}, (
            f"{name} ({url}): got { ({m: dict(zip(WHO, s, strict=True)) for m, s in got.items()}) }"
        )
