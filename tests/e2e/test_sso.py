"""Single sign-on in the browser (issue 18): a student and staff sign in through the local
SAML identity provider and the local OpenID Connect provider (tests/accounts/
identity_providers.py, on 127.0.0.1), staff under the second-factor rule, and an assertion
signed with the wrong key ends on the sign-in error page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from networking_app.accounts.models import Role, User
from tests.accounts.identity_providers import (
    STAFF_GROUP,
    OIDCProvider,
    Person,
    SAMLWebIdP,
    apply_settings,
)
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def saml_idp(settings):
    idp = SAMLWebIdP().start()
    apply_settings(settings, idp.environment())
    yield idp
    idp.stop()


@pytest.fixture
def oidc_provider(settings):
    provider = OIDCProvider().start()
    apply_settings(settings, provider.environment())
    yield provider
    provider.stop()


def _sign_in_with(page: Page, base: str, button: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_role("link", name=button).click()
    page.get_by_role("button", name="Continue").click()
    # Through the IdP and back: done once the browser is on one of our own pages again.
    page.wait_for_url(
        lambda url: url.startswith(base) and "/login/" not in url and not url.endswith("/acs/")
    )


def test_a_student_and_staff_sign_in_through_saml(live_server, page: Page, saml_idp):
    saml_idp.person = Person("nora@example.edu", "Nora Navarro", class_year="2028")
    _sign_in_with(page, live_server.url, "Example University sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")  # onboarding
    assert User.objects.get(email="nora@example.edu").role == Role.STUDENT
    screenshot(page, "sso_saml_student_onboarding")
    page.context.clear_cookies()

    # Staff whose IdP asserts its second factor reach the staff pages at once.
    saml_idp.person = Person("erin@example.edu", "Erin Staff", groups=[STAFF_GROUP], mfa=True)
    _sign_in_with(page, live_server.url, "Example University sign-in")
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.context.clear_cookies()

    # Staff without it are asked to set up their authenticator app.
    saml_idp.person = Person("sam@example.edu", "Sam Staff", groups=[STAFF_GROUP])
    _sign_in_with(page, live_server.url, "Example University sign-in")
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    page.context.clear_cookies()

    # An assertion signed with a key the site does not trust.
    saml_idp.person = Person("mallory@example.edu", "Mallory")
    saml_idp.impostor = True
    _sign_in_with(page, live_server.url, "Example University sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not sign you in")
    screenshot(page, "sso_refused")
    assert not User.objects.filter(email="mallory@example.edu").exists()


def test_a_student_and_staff_sign_in_through_openid_connect(live_server, page: Page, oidc_provider):
    oidc_provider.person = Person("omar@example.edu", "Omar Ortiz")
    _sign_in_with(page, live_server.url, "Example University (OpenID Connect)")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    assert User.objects.get(email="omar@example.edu").role == Role.STUDENT
    page.context.clear_cookies()

    oidc_provider.person = Person("erin@example.edu", "Erin", groups=[STAFF_GROUP], mfa=True)
    _sign_in_with(page, live_server.url, "Example University (OpenID Connect)")
    page.goto(live_server.url + "/staff/")
    expect(page).to_have_url(re.compile(r"/staff/$"))
