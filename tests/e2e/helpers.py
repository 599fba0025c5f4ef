"""What the browser journeys share: signing up, confirming the address, signing in and out,
labels, status messages, sections, the development mailbox, dates as the pages show and take
them."""

from __future__ import annotations

import datetime as dt
import email
import re
import time
from email import policy

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from tests.factories import TOTP_SECRET

PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
# The time zone the whole journeys sign up in (see sign_up).
STUDENT_ZONE = "America/New_York"


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


def sign_up(page: Page, base: str, *, role: str, name: str, address: str, password: str) -> None:
    """Fill the sign-up form as a student or a volunteer (an alumna/alumnus)."""
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    if role == "student":
        page.get_by_label("I am a student").check()
    else:
        page.get_by_label(re.compile("alumna/alumnus, parent or friend of the school")).check()
        page.get_by_label(label("Your connection to the school (volunteers)")).select_option(
            "alumni"
        )
    page.get_by_label(label("Your name")).fill(name)
    page.get_by_label(label("Email")).fill(address)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_label(label("Password (again)")).fill(password)
    page.get_by_label(label("Time zone")).select_option(STUDENT_ZONE)


def confirm_address(page: Page, address: str, name: str) -> None:
    """Open the confirmation email on the development "Sent mail" page (the `mailbox`
    fixture), follow its link and confirm."""
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    page.get_by_role("link", name="Sent mail (development)").click()
    expect(page.get_by_role("heading", name="Sent mail")).to_be_visible()
    page.get_by_role("row").filter(has_text=address).filter(
        has_text=re.compile("confirm", re.I)
    ).get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Confirm Your Email", re.I))).to_be_visible()
    # (No "/" in the pattern: Playwright hands it to the page as a JavaScript /regex/ literal.)
    page.locator("#mail-text").get_by_role(
        "link", name=re.compile(r"accounts.confirm-email.[^\s]+")
    ).click()
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    # A student lands on onboarding's first step (the journeys go home from there); a
    # volunteer lands home.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(rf"^(About you|Welcome, {re.escape(name)})$"))
    if heading.inner_text() == "About you":
        page.get_by_role("link", name="Finish later").click()
    expect(heading).to_have_text(f"Welcome, {name}")


def subjects_to(mailbox, address: str) -> list[str]:
    """The subjects of the messages to `address` in the development mailbox, oldest first."""
    subjects = []
    for path in sorted(mailbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in message["To"]:
            subjects.append(str(message["Subject"]))
    return subjects


def section(page: Page, heading: str):
    return page.locator("section").filter(
        has=page.get_by_role("heading", name=heading, exact=True, level=2)
    )
