"""Every route that names one of a student's private objects, tried by another student with
that object's id, with GET and with POST: a 404 (or 403/405), never the data, never a change.

The ids come from the access table's `owned` fixture (the first student's contacts,
conversations, requests, sessions, matches, import batches, RSVPs, calendar feed...), so a new
route is covered as soon as its access row exists.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.routes import ANON, OTHER, named_routes, route_kwargs
from tests.urlconf import all_routes

# URL parameters that name something only its student may see or change.
PRIVATE = {
    "contact_id",
    "other_contact_id",
    "conversation_id",
    "interaction_id",
    "item_id",
    "outcome_id",
    "question_id",
    "target_id",
    "batch_id",
    "request_id",
    "session_id",
    "match_id",
    "rsvp_id",
}
# Not here: a personal calendar feed's token. Calendar apps fetch the feed without cookies, so
# the secret URL is the credential (rotated or revoked on its page:
# tests/events/test_feeds_subscription.py).
REFUSED = {403, 404, 405}


def _private_routes() -> list[str]:
    routes = all_routes()
    return [n for n in named_routes() if set(routes[n].params) & PRIVATE]


def test_there_are_private_routes_to_check():
    assert len(_private_routes()) > 40


@pytest.mark.django_db
class TestAnotherStudent:
    """One world for every route (tests/conftest.py route_world)."""

    @pytest.mark.parametrize("name", _private_routes())
    def test_another_student_gets_nothing(self, name, route_world):
        other_student_client = route_world.visitors()[OTHER]
        url = reverse(name, kwargs=route_kwargs(name, route_world.owned))
        got = other_student_client.get(url)
        assert got.status_code in REFUSED, f"GET {url}: {got.status_code}"
        posted = other_student_client.post(url, {"confirm": "yes", "status": "held"})
        assert posted.status_code in REFUSED, f"POST {url}: {posted.status_code}"
        if posted.status_code != 405:
            assert posted.status_code == got.status_code or got.status_code == 405


# Routes an anonymous visitor may POST to: the entrance pages (their forms answer with errors),
# single sign-on's assertion consumer, and links from emails, whose signed token is the
# credential (a volunteer's invitation goes on to the sign-up page).
ANONYMOUS_POST = {
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_from_key",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_inactive",
    "account_email_verification_sent",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_logout",
    "mfa_authenticate",
    "notifications:reminder_action",
    "notifications:unsubscribe",
    "console:invitation_accept",
    "healthz",
    # The identity provider posts the signed response here; the signature is the credential
    # (it only stores the response for the finishing view, which checks it).
    "saml_acs",
    # The language chosen in the footer, for visitors too (Django's set_language).
    "set_language",
    # Inbound mail from a mail service: its HMAC signature is the credential (401 without).
    "capture_inbound",
}


@pytest.mark.django_db
class TestAnonymousPosts:
    """One world for every route (tests/conftest.py route_world)."""

    @pytest.mark.parametrize(
        "name",
        [n for n in named_routes() if not n.startswith("admin:") and n not in ANONYMOUS_POST],
    )
    def test_anonymous_posts_change_nothing(self, name, route_world):
        """Every method, not only GET: a POST without a session is sent to log in, refused or
        not found, whatever the route."""
        client = route_world.visitors()[ANON]
        url = reverse(name, kwargs=route_kwargs(name, route_world.owned))
        response = client.post(url, {"confirm": "yes"})
        status = response.status_code
        if status == 302:
            assert reverse("account_login") in response["Location"], f"POST {url} -> {response}"
        else:
            assert status in {400, 403, 404, 405}, f"POST {url}: {status}"
