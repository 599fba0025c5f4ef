"""Single sign-on through SAML 2.0 (issue 18), against an identity provider that runs inside the
test (tests/accounts/identity_providers.py) and signs real assertions."""

from __future__ import annotations

import datetime as dt
import logging

import lxml.etree
import pytest
import xmlsec
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from networking_app.accounts.models import Role, User
from networking_app.accounts.sso import IDP_SECOND_FACTOR_AT
from tests.accounts.identity_providers import (
    STAFF_GROUP,
    Person,
    SAMLIdP,
    apply_settings,
    key_and_certificate,
)
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    """A browser sends its Host header, which python3-saml reads (Django's test client
    does not by default)."""
    return Client(HTTP_HOST="localhost")


SLUG = "school"
ACS = f"http://localhost/accounts/saml/{SLUG}/acs/"
AUDIENCE = f"http://localhost/accounts/saml/{SLUG}/metadata/"
NORA = Person(email="nora@example.edu", name="Nora Navarro", class_year="2028", major="Chemistry")


@pytest.fixture
def idp(settings) -> SAMLIdP:
    idp = SAMLIdP()
    apply_settings(settings, idp.environment())
    return idp


def _start(client: Client) -> dict:
    response = client.post(reverse("saml_login", kwargs={"organization_slug": SLUG}))
    assert response.status_code == 302
    assert response["Location"].startswith(SAMLIdP.sso_url)
    request = SAMLIdP.authn_request(response["Location"])
    assert request["acs_url"] == ACS
    return request


def _answer(client: Client, saml_response: str, relay_state: str = ""):
    posted = client.post(ACS, {"SAMLResponse": saml_response, "RelayState": relay_state})
    assert posted.status_code == 302  # allauth's ACS hands over to its finishing view
    return client.get(posted["Location"])


def _sign_in(client: Client, idp: SAMLIdP, person: Person, **response_options):
    request = _start(client)
    saml_response = idp.response(
        person, acs_url=ACS, audience=AUDIENCE, in_response_to=request["id"], **response_options
    )
    return _answer(client, saml_response, request["relay_state"])


def test_lxml_and_xmlsec_share_their_libxml2():
    assert xmlsec.get_libxml_version() == lxml.etree.LIBXML_VERSION


def test_the_login_page_offers_the_schools_sign_in(idp, client):
    html = client.get(reverse("account_login")).text
    assert "Example University sign-in" in html
    assert reverse("saml_login", kwargs={"organization_slug": SLUG}) in html


def test_a_student_signs_in_the_first_time_and_starts_onboarding(idp, client):
    response = _sign_in(client, idp, NORA)

    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:onboarding")
    user = User.objects.get(email="nora@example.edu")
    assert user.role == Role.STUDENT
    assert user.display_name == "Nora Navarro"
    assert user.student_profile.class_year == 2028
    assert user.student_profile.major == "Chemistry"
    assert user.emailaddress_set.get().verified is True
    assert SocialAccount.objects.filter(user=user, provider="saml").exists()
    assert client.get(reverse("home")).status_code == 200


def test_an_existing_student_with_the_same_address_is_linked_not_duplicated(idp, client):
    existing = StudentFactory(email="nora@example.edu")
    response = _sign_in(client, idp, NORA)
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="nora@example.edu").count() == 1
    assert SocialAccount.objects.get(provider="saml").user == existing
    assert int(client.session["_auth_user_id"]) == existing.pk


def test_staff_by_group_still_need_a_second_factor(idp, client):
    _sign_in(client, idp, Person("erin@example.edu", "Erin Staff", groups=[STAFF_GROUP]))
    user = User.objects.get(email="erin@example.edu")
    assert user.role == Role.STAFF
    assert user.is_staff is True
    assert user.is_superuser is False
    assert IDP_SECOND_FACTOR_AT not in client.session
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_whose_idp_asserts_mfa_need_no_authenticator_app(idp, client):
    person = Person("erin@example.edu", "Erin Staff", groups=[STAFF_GROUP], mfa=True)
    _sign_in(client, idp, person)
    assert IDP_SECOND_FACTOR_AT in client.session
    assert client.get(reverse("staff:home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_someone_who_is_neither_student_nor_staff_is_refused_with_a_clear_page(idp, client, caplog):
    faculty = Person("prof@example.edu", "Pat Professor", affiliation="faculty@example.edu")
    with caplog.at_level(logging.WARNING, logger="rapport.sso"):
        response = _sign_in(client, idp, faculty)
    assert response.status_code == 403
    assert "sign up with their email address" in response.text
    assert not User.objects.filter(email="prof@example.edu").exists()
    assert "SSO sign-in refused" in caplog.text


def _refused(client, response, caplog) -> None:
    assert response.status_code == 401
    assert "We could not sign you in" in response.text
    assert "_auth_user_id" not in client.session
    assert "SSO sign-in failed" in caplog.text


def test_an_assertion_signed_by_another_key_is_refused(idp, client, caplog):
    other_key, other_certificate = key_and_certificate("impostor.example.com")
    with caplog.at_level(logging.WARNING):
        response = _sign_in(
            client, idp, NORA, signing_key=other_key, signing_certificate=other_certificate
        )
    _refused(client, response, caplog)
    assert not User.objects.filter(email="nora@example.edu").exists()


def test_an_expired_assertion_is_refused(idp, client, caplog):
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with caplog.at_level(logging.WARNING):
        response = _sign_in(client, idp, NORA, now=long_ago)
    _refused(client, response, caplog)


def test_an_assertion_for_another_site_is_refused(idp, client, caplog):
    request = _start(client)
    saml_response = idp.response(
        NORA, acs_url=ACS, audience="https://elsewhere.example.com/sp", in_response_to=request["id"]
    )
    with caplog.at_level(logging.WARNING):
        response = _answer(client, saml_response, request["relay_state"])
    _refused(client, response, caplog)


def test_a_replayed_response_is_refused(idp, client, caplog):
    request = _start(client)
    saml_response = idp.response(NORA, acs_url=ACS, audience=AUDIENCE, in_response_to=request["id"])
    assert _answer(client, saml_response, request["relay_state"]).status_code == 302
    client.logout()
    with caplog.at_level(logging.WARNING):
        again = _answer(client, saml_response, request["relay_state"])
    _refused(client, again, caplog)
    assert "replayed or stale" in caplog.text


def test_an_unsolicited_response_is_refused(idp, client, caplog):
    saml_response = idp.response(NORA, acs_url=ACS, audience=AUDIENCE, in_response_to=None)
    with caplog.at_level(logging.WARNING):
        response = _answer(client, saml_response)
    _refused(client, response, caplog)


def test_with_password_sign_up_off_students_are_sent_to_single_sign_on(idp, client, settings):
    settings.SSO_STUDENT_PASSWORD_SIGNUP = False
    form = {
        "display_name": "Nora New",
        "email": "nora.new@example.edu",
        "password1": "a-long-enough-passphrase-42",
        "password2": "a-long-enough-passphrase-42",
        "time_zone": "UTC",
    }
    refused = client.post(reverse("account_signup"), {**form, "role": "student"})
    assert refused.status_code == 200
    assert "Students sign in with their university account" in refused.text
    assert not User.objects.filter(email="nora.new@example.edu").exists()
    client.post(
        reverse("account_signup"),
        {**form, "role": "volunteer", "email": "val@example.org", "affiliation": "alumni"},
    )
    assert User.objects.filter(email="val@example.org", role=Role.VOLUNTEER).exists()
