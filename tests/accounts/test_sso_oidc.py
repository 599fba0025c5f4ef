"""Single sign-on through OpenID Connect (issue 18), against a provider running on 127.0.0.1
inside the test (tests/accounts/identity_providers.py): discovery, authorization with PKCE,
token, userinfo and RS256-signed ID tokens checked against its JWKS."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from networking_app.accounts.models import Role, User
from networking_app.accounts.sso import IDP_SECOND_FACTOR_AT
from tests.accounts.identity_providers import STAFF_GROUP, OIDCProvider, Person, apply_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    """A browser sends its Host header, which python3-saml reads (Django's test client
    does not by default)."""
    return Client(HTTP_HOST="localhost")


PROVIDER_ID = "school-oidc"


@pytest.fixture
def provider(settings):
    provider = OIDCProvider().start()
    apply_settings(settings, provider.environment())
    yield provider
    provider.stop()


def _sign_in(client: Client, provider: OIDCProvider, person: Person):
    provider.person = person
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    assert "code_challenge=" in start["Location"]
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_a_student_signs_in_the_first_time(provider, client):
    response = _sign_in(client, provider, Person("omar@example.edu", "Omar Ortiz"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:onboarding")
    user = User.objects.get(email="omar@example.edu")
    assert user.role == Role.STUDENT
    assert user.display_name == "Omar Ortiz"
    assert SocialAccount.objects.filter(user=user, provider=PROVIDER_ID).exists()


def test_staff_with_the_providers_mfa_reach_the_staff_pages(provider, client):
    _sign_in(client, provider, Person("erin@example.edu", "Erin", groups=[STAFF_GROUP], mfa=True))
    assert User.objects.get(email="erin@example.edu").role == Role.STAFF
    assert IDP_SECOND_FACTOR_AT in client.session
    assert client.get(reverse("staff:home")).status_code == 200


def test_staff_without_it_set_up_their_authenticator_app(provider, client):
    _sign_in(client, provider, Person("erin@example.edu", "Erin", groups=[STAFF_GROUP]))
    response = client.get(reverse("staff:home"))
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_volunteer_is_refused(provider, client, caplog):
    with caplog.at_level(logging.WARNING, logger="rapport.sso"):
        response = _sign_in(client, provider, Person("pa@example.org", "Pat", affiliation=""))
    assert response.status_code == 403
    assert not User.objects.filter(email="pa@example.org").exists()
    assert "SSO sign-in refused" in caplog.text


def test_a_forged_callback_is_refused(provider, client, caplog):
    client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    callback = reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})
    with caplog.at_level(logging.WARNING):
        response = client.get(callback, {"code": "made-up", "state": "made-up"})
    assert "_auth_user_id" not in client.session
    assert "We could not sign you in" in response.text
