"""A volunteer joins the directory and a student finds them, through the real pages only.

The volunteer signs up, confirms her address, fills her mentor profile and availability; the
career office approves her; a student whose target organization is hers finds her on Warm
paths, opens her page and sees her open times in his own time zone.
"""

from __future__ import annotations

import email
import re
import time
from email import policy

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from playwright.sync_api import Page, expect

from contacts.models import TargetOrganization
from mentoring.models import Mentor
from tests.contacts.factories import OrganizationFactory
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import label, log_out, status_message
from tests.factories import PASSWORD, TOTP_SECRET, StaffFactory, StudentFactory

pytestmark = pytest.mark.browser

NAME = "Grace Okafor"
EMAIL = "grace@example.org"
VOLUNTEER_PASSWORD = "a-long-and-unusual-passphrase-77"
ORGANIZATION = "Northwind Traders"
TITLE = "Supply Chain Director"
HIDDEN_LOCATION = "Zqxhiddencity"
PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}


def log_in(page: Page, base_url: str, address: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label(label("Email")).fill(address)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Sign In").click()


def current_totp_code() -> str:
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def confirmation_link(mailbox, address: str) -> str:
    """The confirm-email link of the newest message to `address` in the development mailbox."""
    for path in sorted(mailbox.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in message["To"]:
            text = message.get_body(preferencelist=("plain",)).get_content()
            return re.search(r"https?://\S+/accounts/confirm-email/\S+", text).group(0)
    raise AssertionError(f"no email to {address} in {mailbox}")


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], f"{page.url} scrolls sideways: {widths}"


def test_volunteer_joins_and_a_student_finds_her_on_warm_paths(live_server, page: Page, mailbox):
    base = live_server.url
    staff = StaffFactory(profile__display_name="Erin Staff")
    student = StudentFactory(
        email="sam@example.edu",
        profile__display_name="Sam Student",
        profile__time_zone="Europe/Paris",
    )
    TargetOrganization.objects.create(
        owner=student, organization=OrganizationFactory(name=ORGANIZATION)
    )

    # --- The volunteer signs up and confirms her address --------------------------------------
    page.goto(base + "/accounts/signup/")
    page.get_by_label(re.compile("alumna/alumnus, parent or friend of the school")).check()
    page.get_by_label(label("Your connection to the school (volunteers)")).select_option("alumni")
    page.get_by_label(label("Your name")).fill(NAME)
    page.get_by_label(label("Email")).fill(EMAIL)
    page.get_by_label(label("Password")).fill(VOLUNTEER_PASSWORD)
    page.get_by_label(label("Password (again)")).fill(VOLUNTEER_PASSWORD)
    page.get_by_label(label("Class year (optional)")).fill("2009")
    page.get_by_label(label("Time zone")).select_option("America/New_York")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    page.goto(confirmation_link(mailbox, EMAIL).replace("http://testserver", base))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {NAME}")
    expect(page.locator("#approval-status")).to_contain_text("awaiting approval")
    expect(page.locator("#listing-status")).to_contain_text("Not listed")
    screenshot(page, "volunteer_home_new_1280")

    # --- Her mentor profile ----------------------------------------------------------------
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your mentor profile")
    expect(page.get_by_label(label("Class year (if you studied here)"))).to_have_value("2009")
    page.get_by_label(label("Organization")).fill(ORGANIZATION)
    page.get_by_label(label("Job title")).fill(TITLE)
    page.get_by_label(label("Industry")).fill("Logistics")
    page.get_by_label(label("Job function")).fill("Operations")
    page.get_by_label(label("Location")).fill(HIDDEN_LOCATION)
    page.get_by_label(label("About you")).fill("From economics to running a supply chain.")
    page.get_by_label("Career switch").check()
    page.get_by_label("Industry insight").check()
    page.get_by_label("Video").check()
    page.get_by_label(label("LinkedIn profile")).fill("https://www.linkedin.com/in/grace-okafor")
    page.get_by_label("Hide my location").check()
    page.get_by_label("I have read and accept the code of conduct").check()
    page.get_by_label(re.compile("^List me in the directory")).check()
    screenshot(page, "volunteer_profile_form_1280")
    page.get_by_role("button", name="Save mentor profile").click()

    expect(status_message(page, "Your mentor profile is saved.")).to_be_visible()
    expect(page.locator("#listing-status")).to_contain_text(
        "the career office has not approved your account yet"
    )
    screenshot(page, "volunteer_profile_saved_1280")

    # --- Her availability ------------------------------------------------------------------
    nav.get_by_role("link", name="Availability").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your availability")
    expect(page.locator("#volunteer-zone")).to_have_text("America/New_York")
    weekly = page.locator("#weekly")
    for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]:
        weekly.get_by_label(label("Day")).select_option(label=day)
        weekly.get_by_label(label("From")).fill("09:00")
        weekly.get_by_label(label("To")).fill("12:00")
        weekly.get_by_role("button", name="Add weekly time").click()
        expect(status_message(page, f"Added {day}, 9:00 AM to 12:00 PM.")).to_be_visible()
    # An overlapping window is refused with a clear message.
    weekly.get_by_label(label("Day")).select_option(label="Monday")
    weekly.get_by_label(label("From")).fill("11:00")
    weekly.get_by_label(label("To")).fill("13:00")
    weekly.get_by_role("button", name="Add weekly time").click()
    expect(page.locator("#weekly")).to_contain_text("This overlaps your Monday time")
    expect(page.locator("#preview").get_by_role("listitem")).to_have_count(10)
    screenshot(page, "volunteer_availability_1280")
    log_out(page)

    # --- The career office approves her ----------------------------------------------------
    log_in(page, base, staff.email, PASSWORD)
    page.get_by_label(label("Code")).fill(current_totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    page.locator("#pending-volunteers").get_by_role("button", name=f"Approve {NAME}").click()
    expect(page.get_by_role("status").filter(has_text=f"{NAME} is approved")).to_be_visible()
    assert Mentor.objects.get(user__email=EMAIL).is_bookable
    log_out(page)

    # --- A student finds her ---------------------------------------------------------------
    log_in(page, base, student.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Networking Directory")
    page.get_by_role("link", name="Warm paths to your target organizations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Warm paths")
    path = page.locator("section.warm-path").filter(has_text=ORGANIZATION)
    expect(path.get_by_role("link", name=NAME)).to_be_visible()
    expect(path).to_contain_text(TITLE)
    expect(page.locator("main")).not_to_contain_text(HIDDEN_LOCATION)
    screenshot(page, "warm_paths_1280")

    path.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator("main")).to_contain_text(f"{TITLE} at {ORGANIZATION}")
    expect(page.locator("main")).not_to_contain_text(HIDDEN_LOCATION)
    expect(page.locator("main")).to_contain_text("In your time zone, Europe/Paris.")
    slots = page.locator(".week-grid .slot-link")
    expect(slots.first).to_be_visible()
    # 9:00 AM to noon in New York is 3:00 PM to 6:00 PM in Paris (2 PM to 5 PM for the days
    # the two zones change their clocks apart). The first slot starts on a quarter hour: the
    # minimum notice counts from now, so run at 14:37 UTC it is 3:45 PM the next day.
    first = slots.first.inner_text()
    assert re.search(r"\b([2-5]):(00|15|30|45) PM", first), first
    expect(slots.first).to_have_accessible_name(re.compile(r"request this time$"))
    screenshot(page, "mentor_page_1280")

    page.get_by_role("button", name="Add to my contacts").click()
    expect(status_message(page, f"{NAME} is now in your contacts.")).to_be_visible()
    expect(page.get_by_role("link", name=f"See {NAME} in your contacts")).to_be_visible()

    # The directory itself, searched with a typo (trigrams: PostgreSQL only), on a phone.
    page.set_viewport_size(PHONE_VIEWPORT)
    typed = "Nortwind" if settings.DATABASE_IS_POSTGRES else "Northwind"
    page.goto(f"{base}/mentoring/directory/?q={typed}")
    expect(
        page.locator("#directory-results").get_by_role("link", name=NAME, exact=True)
    ).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "directory_390")
    page.set_viewport_size(DESKTOP_VIEWPORT)
    page.goto(base + "/mentoring/directory/")
    screenshot(page, "directory_1280")
