"""What the browser journeys share: signing in and out, labels, status messages, dates as the
pages show and take them."""

from __future__ import annotations

import datetime as dt
import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from tests.factories import TOTP_SECRET

PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}


def label(text: str) -> re.Pattern:
    """A field's whole label: Django's forms (as allauth renders them) end labels with a colon."""
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def status_message(page: Page, text: str):
    """The flash message (role=status) that contains ``text``."""
    return page.locator("#messages").get_by_role("status").filter(has_text=text)


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], (
        f"{page.url} scrolls sideways at {widths['inner']}px: content is {widths['scroll']}px wide"
    )


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Sign In").click()


def log_out(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    # Logged out: "/" shows visitors the front page.
    expect(
        page.get_by_role("heading", name="Build the network that starts your career")
    ).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()


def current_totp_code() -> str:
    # Codes are only accepted in their own 30 s window: avoid typing one that is about to expire.
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def where_it_stands(page: Page):
    return page.get_by_role("heading", name=re.compile(r"^Where it stands:"))


def as_typed(when: dt.datetime) -> str:
    """The value a datetime-local input takes."""
    return when.strftime("%Y-%m-%dT%H:%M")


def as_shown(when: dt.datetime) -> str:
    """How the conversation page writes a date-time (Django's "D j M Y, g:i A")."""
    hour = when.hour % 12 or 12
    return f"{when:%a} {when.day} {when:%b} {when.year}, {hour}:{when:%M} {when:%p}"
