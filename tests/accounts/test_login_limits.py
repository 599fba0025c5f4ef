"""Password guessing is limited, but a stranger cannot lock the owner out (docs/operations.md,
"Failed logins").

Failures count per (IP address, account), per IP address across all accounts and, for
browsers that have never signed in to the account, per account across all addresses.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from networking_app.accounts.known_browsers import KNOWN_BROWSER_COOKIE
from tests.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
TOO_MANY = "Too many failed login attempts"
STRANGER_IP = "203.0.113.66"
OWNER_IP = "198.51.100.7"


def _attempt(client, email: str, password: str, ip: str):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_strangers_guesses_at_one_account_are_limited(student):
    stranger = Client()
    for _ in range(5):
        assert TOO_MANY not in _attempt(stranger, student.email, "guess", STRANGER_IP).text
    response = _attempt(stranger, student.email, PASSWORD, STRANGER_IP)
    assert TOO_MANY in response.text
    assert not _signed_in(stranger)


def test_the_owner_still_signs_in_from_their_own_address_after_a_strangers_failures(student):
    stranger = Client()
    for _ in range(12):
        _attempt(stranger, student.email, "guess", STRANGER_IP)
    assert TOO_MANY in _attempt(stranger, student.email, "guess", STRANGER_IP).text

    owner = Client()  # a browser that never signed in before, on another address
    response = _attempt(owner, student.email, PASSWORD, OWNER_IP)
    assert response.status_code == 302
    assert _signed_in(owner)


def test_one_address_guessing_across_many_accounts_is_limited(db):
    people = [StudentFactory() for _ in range(11)]
    stranger = Client()
    for person in people[:10]:
        _attempt(stranger, person.email, "guess", STRANGER_IP)
    assert TOO_MANY in _attempt(stranger, people[10].email, PASSWORD, STRANGER_IP).text


@pytest.fixture
def low_account_ceiling(settings):
    """The per-account ceiling (100 an hour) lowered, so a test can reach it."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed_account": "6/h/key",
    }


def _distributed_guessing(email: str, count: int) -> None:
    for n in range(count):
        _attempt(Client(), email, "guess", f"192.0.2.{n + 1}")


def test_guessing_from_many_addresses_is_limited_per_account(low_account_ceiling, student):
    _distributed_guessing(student.email, 6)
    stranger = Client()
    assert TOO_MANY in _attempt(stranger, student.email, PASSWORD, "192.0.2.200").text
    assert not _signed_in(stranger)


def test_a_browser_that_signed_in_before_is_not_held_by_the_account_ceiling(
    low_account_ceiling, student
):
    owner = Client()
    _attempt(owner, student.email, PASSWORD, OWNER_IP)
    assert _signed_in(owner)
    assert KNOWN_BROWSER_COOKIE in owner.cookies
    owner.post(reverse("account_logout"))
    assert not _signed_in(owner)

    _distributed_guessing(student.email, 10)
    response = _attempt(owner, student.email, PASSWORD, OWNER_IP)
    assert response.status_code == 302
    assert _signed_in(owner)


def test_a_known_browser_cookie_for_another_account_does_not_help(
    low_account_ceiling, student, other_student
):
    browser = Client()
    _attempt(browser, other_student.email, PASSWORD, OWNER_IP)
    browser.post(reverse("account_logout"))
    _distributed_guessing(student.email, 6)
    assert TOO_MANY in _attempt(browser, student.email, PASSWORD, OWNER_IP).text


def test_a_forged_known_browser_cookie_does_not_help(low_account_ceiling, student):
    _distributed_guessing(student.email, 6)
    stranger = Client()
    stranger.cookies[KNOWN_BROWSER_COOKIE] = "forged"
    assert TOO_MANY in _attempt(stranger, student.email, PASSWORD, "192.0.2.201").text


def test_one_address_alone_cannot_reach_the_account_ceiling(settings):
    """The per-IP hourly budget is below the per-account ceiling: a lone stranger never blocks
    the owner's new browsers."""
    from allauth.core.internal.ratelimit import parse_rates

    per_ip = [r for r in parse_rates(settings.ACCOUNT_RATE_LIMITS["login_failed"]) if r.per == "ip"]
    per_account = parse_rates(settings.ACCOUNT_RATE_LIMITS["login_failed_account"])
    hour = 3600
    ip_hourly = min(r.amount * max(1, hour // r.duration) for r in per_ip)
    assert all(ip_hourly < r.amount and r.duration >= hour for r in per_account)
