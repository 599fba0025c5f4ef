"""The volunteer's whole journey through the real pages (issue 9, "The whole journey").

A volunteer signs up, is approved, fills his mentor profile and availability, accepts a
student's request, and after the conversation marks it held and gives feedback.

What the other side does (the career office approving, a student asking) goes through the
services, as the other person's own pages are covered by their own story and by the focused
tests in this folder.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentoring.models import (
    Feedback,
    FlashRequest,
    Mentor,
    RequestStatus,
    Session,
    SessionStatus,
)
from mentoring.services.availability import open_slots
from mentoring.services.requests import flash_request_create
from networking_app.accounts.models import User
from networking_app.console.services import volunteer_decide
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import confirm_address, label, sign_up, status_message, subjects_to
from tests.factories import StaffFactory, StudentFactory

pytestmark = pytest.mark.browser

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


VOLUNTEER = "Victor Okoro"
VOLUNTEER_EMAIL = "victor@example.org"
VOLUNTEER_PASSWORD = "a-long-and-unusual-passphrase-58"
ORGANIZATION = "Litware Energy"
REQUEST_MESSAGE = "I would like to hear how you moved from engineering into energy trading."
VOLUNTEER_LINK = "https://meet.example.com/victor"


def test_volunteer_from_sign_up_to_feedback(live_server, page: Page, mailbox):
    base = live_server.url
    nav = page.get_by_role("navigation", name="Main")
    erin = StaffFactory(profile__display_name="Erin Staff")
    student = StudentFactory(email="sam@example.edu", profile__display_name="Sam Student")

    # --- 1. Sign up and confirm -------------------------------------------------------------
    sign_up(
        page,
        base,
        role="volunteer",
        name=VOLUNTEER,
        address=VOLUNTEER_EMAIL,
        password=VOLUNTEER_PASSWORD,
    )
    page.get_by_label(label("Class year (optional)")).fill("2010")
    page.get_by_role("button", name="Sign Up").click()
    confirm_address(page, VOLUNTEER_EMAIL, VOLUNTEER)
    expect(page.locator("#approval-status")).to_contain_text("awaiting approval")
    expect(page.locator("#listing-status")).to_contain_text("Not listed")
    screenshot(page, "whole_volunteer_01_home_pending")

    # --- 2. The career office approves him ---------------------------------------------------
    victor = User.objects.get(email=VOLUNTEER_EMAIL)
    volunteer_decide(profile=victor.volunteer_profile, staff=erin, decision="approve")
    page.reload()
    expect(page.locator("#approval-status")).to_contain_text("Your volunteer account is approved")
    assert any(
        re.match(r"You are approved as a .* volunteer", subject)
        for subject in subjects_to(mailbox, VOLUNTEER_EMAIL)
    ), subjects_to(mailbox, VOLUNTEER_EMAIL)

    # --- 3. Mentor profile and availability --------------------------------------------------
    nav.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your mentor profile")
    expect(page.get_by_label(label("Class year (if you studied here)"))).to_have_value("2010")
    page.get_by_label(label("Organization")).fill(ORGANIZATION)
    page.get_by_label(label("Job title")).fill("Head of trading")
    page.get_by_label(label("Industry")).fill("Energy")
    page.get_by_label(label("Job function")).fill("Trading")
    page.get_by_label(label("About you")).fill("Engineer turned energy trader.")
    page.get_by_label("Career switch").check()
    page.get_by_label("Video").check()
    page.get_by_label("I have read and accept the code of conduct").check()
    page.get_by_label(re.compile("^List me in the directory")).check()
    page.get_by_role("button", name="Save mentor profile").click()
    expect(status_message(page, "Your mentor profile is saved.")).to_be_visible()

    nav.get_by_role("link", name="Availability").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your availability")
    weekly = page.locator("#weekly")
    for day in WEEKDAYS:
        weekly.get_by_label(label("Day")).select_option(label=day)
        weekly.get_by_label(label("From")).fill("09:00")
        weekly.get_by_label(label("To")).fill("17:00")
        weekly.get_by_role("button", name="Add weekly time").click()
        expect(status_message(page, f"Added {day}, 9:00 AM to 5:00 PM.")).to_be_visible()
    expect(page.locator("#preview").get_by_role("listitem").first).to_be_visible()
    screenshot(page, "whole_volunteer_02_availability")

    nav.get_by_role("link", name="Home").click()
    listing = page.locator("#listing-status")
    expect(listing).to_contain_text("Listed")
    expect(listing).to_contain_text("Students can find you")
    mentor = Mentor.objects.get(user=victor)
    assert mentor.is_bookable

    # --- 4. A student asks for one of his times; he accepts on the page ----------------------
    slot = open_slots(mentor, limit=1)[0]
    flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message=REQUEST_MESSAGE
    )
    assert any(
        subject.startswith("Sam Student asks you for a")
        for subject in subjects_to(mailbox, VOLUNTEER_EMAIL)
    ), subjects_to(mailbox, VOLUNTEER_EMAIL)
    page.reload()
    waiting = page.locator("#requests-waiting")
    expect(waiting).to_have_text("1 request waiting for your answer")
    screenshot(page, "whole_volunteer_03_home_request_waiting")
    waiting.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for you")
    page.locator("#requests-open").get_by_role("link", name="Sam Student").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request from Sam Student")
    expect(page.locator("#request-message")).to_have_text(REQUEST_MESSAGE)
    answer = page.locator("#answer")
    answer.get_by_role("radio", name="Video").check()
    answer.get_by_label(label("Place or link")).fill(VOLUNTEER_LINK)
    answer.get_by_role("button", name="Accept the request").click()
    expect(status_message(page, "Accepted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flash Mentoring with Sam Student")
    expect(page.locator("#session-place")).to_contain_text(VOLUNTEER_LINK)
    session = Session.objects.get(volunteer=victor)
    assert session.request.status == RequestStatus.ACCEPTED

    nav.get_by_role("link", name="Home").click()
    expect(page.locator(f"#session-{session.pk}").get_by_role("link")).to_have_text("Sam Student")

    # --- 5. The conversation took place yesterday: held, and his feedback --------------------
    start = timezone.now() - dt.timedelta(days=1)
    end = start + dt.timedelta(minutes=30)
    Session.objects.filter(pk=session.pk).update(start_at=start, end_at=end)
    FlashRequest.objects.filter(pk=session.request_id).update(start_at=start, end_at=end)
    page.reload()
    past = page.locator(f"#session-{session.pk}")
    expect(past).to_contain_text("Scheduled")
    past.get_by_role("link", name="Give your feedback on your session with Sam Student").click()
    expect(page.get_by_role("heading", name="Did the conversation take place?")).to_be_visible()
    page.get_by_role("button", name="Mark as held").click()
    expect(status_message(page, "Marked as held.")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Held")
    feedback = page.locator("#feedback")
    feedback.get_by_role("radio", name="5", exact=True).check()
    feedback.get_by_label(label("Comments (optional)")).fill("Curious and well prepared.")
    feedback.get_by_role("checkbox", name="I would meet again").check()
    feedback.get_by_role("button", name="Send my feedback").click()
    expect(status_message(page, "Thank you for your feedback.")).to_be_visible()
    expect(page.locator("#feedback-given")).to_contain_text("You gave 5 out of 5")
    screenshot(page, "whole_volunteer_04_session_held")

    nav.get_by_role("link", name="Home").click()
    expect(page.locator(f"#session-{session.pk}")).to_contain_text("Held")
    screenshot(page, "whole_volunteer_05_home_after")

    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED  # shown as "Held"
    [given] = Feedback.objects.filter(session=session)
    assert (given.author_id, given.rating, given.would_meet_again) == (victor.pk, 5, True)
