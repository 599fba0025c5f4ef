"""End-to-end journeys through the real pages, in Chromium, against the live test server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import (
    DESKTOP_VIEWPORT,
    PHONE_VIEWPORT,
    assert_no_horizontal_scroll,
    current_totp_code,
    label,
    log_in,
    log_out,
)
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.browser

# --- Journeys --------------------------------------------------------------------------------


def test_student_signs_up_verifies_logs_in_and_out(live_server, page: Page, mailbox):
    base = live_server.url
    name = "Priya Newcomer"
    email = "priya@example.edu"
    password = "a-long-and-unusual-passphrase-42"

    # The sign-up page on a phone first: nothing may scroll sideways.
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(base + "/accounts/signup/")
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "signup_390")

    page.set_viewport_size(DESKTOP_VIEWPORT)
    page.get_by_label("I am a student").check()
    # rapport.js hides the volunteers-only question from students.
    expect(page.get_by_label(label("Your connection to the school (volunteers)"))).to_be_hidden()
    page.get_by_label(label("Your name")).fill(name)
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_label(label("Password (again)")).fill(password)
    page.get_by_label(label("Class year (optional)")).fill("2028")
    expect(page.get_by_label(label("Time zone"))).not_to_have_value("")
    screenshot(page, "signup_1280")
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    screenshot(page, "verification_sent_1280")

    # The confirmation email, read on the development "sent mail" page.
    page.goto(base + "/dev/mail/")
    expect(page.get_by_role("heading", name="Sent mail")).to_be_visible()
    newest = page.get_by_role("row").nth(1)  # row 0 is the header; newest first
    expect(newest).to_contain_text(email)
    newest.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Confirm Your Email", re.I))).to_be_visible()
    screenshot(page, "confirmation_email_1280")
    # (No "/" in the pattern: Playwright hands it to the page as a JavaScript /regex/ literal.)
    confirm_link = page.locator("#mail-text").get_by_role(
        "link", name=re.compile(r"accounts.confirm-email.[^\s]+")
    )
    expect(confirm_link).to_have_count(1)
    confirm_link.click()

    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()

    # Logged in on confirmation, on onboarding's first step; "Finish later" goes home.
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    page.get_by_role("link", name="Finish later").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {name}")
    screenshot(page, "home_student_1280")
    log_out(page)

    # Back in with email and password.
    log_in(page, base, email, password)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {name}")
    expect(page.get_by_text(email, exact=True)).to_be_visible()

    page.set_viewport_size(PHONE_VIEWPORT)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {name}")
    assert_no_horizontal_scroll(page)
    screenshot(page, "home_student_390")

    page.set_viewport_size(DESKTOP_VIEWPORT)
    log_out(page)


def test_staff_logs_in_with_totp_and_approves_a_volunteer(
    live_server, page: Page, staff, pending_volunteer
):
    log_in(page, live_server.url, staff.email, PASSWORD)

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label(label("Code")).fill(current_totp_code())
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Career Office")
    pending = page.locator("#pending-volunteers")
    expect(pending.get_by_text("Dana Pending", exact=True)).to_be_visible()
    screenshot(page, "staff_home_1280")

    pending.get_by_role("button", name="Approve Dana Pending").click()

    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("status").filter(has_text="Dana Pending is approved")).to_be_visible()
    expect(page.get_by_role("button", name="Approve Dana Pending")).to_have_count(0)
    screenshot(page, "staff_home_after_approval_1280")

    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == "approved"


def test_wrong_password_shows_a_clear_message(live_server, page: Page, student):
    log_in(page, live_server.url, student.email, "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    expect(page.get_by_label(label("Email"))).to_have_value(student.email)
    expect(page.get_by_label(label("Password"))).to_have_value("")
    screenshot(page, "login_wrong_password_1280")


def test_staff_without_mfa_is_sent_to_set_it_up(live_server, page: Page):
    staff = StaffFactory(mfa=False, profile__display_name="Frank NoFactor")
    log_in(page, live_server.url, staff.email, PASSWORD)
    warning = page.get_by_role("alert").filter(
        has_text="Staff pages need two-factor authentication"
    )

    page.goto(live_server.url + "/staff/")

    # allauth (MFA_REAUTHENTICATION_REQUIRED, on by default) asks for the password again before
    # any authenticator can be added, even straight after logging in: the staff decorator's
    # warning is shown on that "Confirm Access" step, on the way to the activation page.
    expect(page).to_have_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
    expect(warning).to_have_count(1)
    if "/accounts/reauthenticate/" in page.url:
        screenshot(page, "staff_reauthenticate_1280")
        page.get_by_label(label("Password")).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fstaff%2F$"))
        # Staff pages still turn them away until the authenticator is set up.
        page.goto(live_server.url + "/staff/")

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fstaff%2F$"))
    expect(warning).to_have_count(1)
    expect(page.get_by_label(label("Authenticator code"))).to_be_visible()
    screenshot(page, "staff_totp_activation_1280")
