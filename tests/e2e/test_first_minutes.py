"""A new student's first minutes (issue 17): from the front page to a requested flash
conversation in at most 10 clicks on a phone, sign-up and email verification included. Every
click, tick and followed link is counted; typing is not. The time the page suggests is kept."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Locator, Page, expect

from mentoring.models import FlashRequest
from mentoring.services.availability import open_slots
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import label
from tests.mentoring.helpers import bookable_mentor

PHONE = {"width": 390, "height": 844}
MOST_CLICKS = 10
ADDRESS = "nora.new@example.edu"


class Clicks:
    """What the student does with the pointer: each call is one click."""

    def __init__(self) -> None:
        self.count = 0
        self.log: list[str] = []

    def click(self, target: Locator, what: str) -> None:
        self.count += 1
        self.log.append(what)
        target.click()

    def follow(self, page: Page, url: str, what: str) -> None:
        """A link followed from outside the app (the email): one click in the mail app."""
        self.count += 1
        self.log.append(what)
        page.goto(url)


def test_from_the_front_page_to_a_requested_conversation_in_at_most_ten_clicks(
    live_server, page: Page, volunteer
):
    mentor = bookable_mentor(volunteer)
    slot = open_slots(mentor, limit=1)[0]
    clicks = Clicks()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    # Sign up from the front page.
    clicks.click(page.get_by_role("main").get_by_role("link", name="Sign up"), "Sign up")
    clicks.click(page.get_by_label("I am a student"), "I am a student")
    page.get_by_label(label("Your name")).fill("Nora New")
    page.get_by_label(label("Email")).fill(ADDRESS)
    page.get_by_label(label("Password")).fill("a-long-enough-passphrase-42")
    page.get_by_label(label("Password (again)")).fill("a-long-enough-passphrase-42")
    clicks.click(page.get_by_role("button", name="Sign Up"), "Sign Up")
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    # Verify the address from the email, which signs her in.
    [confirmation] = [m for m in mail.outbox if m.to == [ADDRESS]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", confirmation.body).group(0)
    clicks.follow(page, link, "the email's link")
    clicks.click(page.get_by_role("button", name="Confirm"), "Confirm")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")  # onboarding

    # In a hurry: straight to the last step, then the directory from there.
    steps = page.get_by_role("navigation", name="Setting up")
    clicks.click(steps.get_by_role("link", name="Suggested volunteers"), "Suggested volunteers")
    clicks.click(page.get_by_role("link", name=re.compile(r"^Browse the ")), "Browse the directory")
    card = page.locator(".mentor-card").filter(has_text=volunteer.display_name)
    clicks.click(
        card.get_by_role("link", name=f"Ask for this time with {volunteer.display_name}"),
        "Ask for this time",
    )
    page.get_by_label(label("What I would like to learn")).fill("How did you choose your field?")
    clicks.click(page.get_by_role("button", name="Send the request"), "Send the request")
    expect(
        page.get_by_text(f"Your request is on its way to {volunteer.display_name}.")
    ).to_be_visible()
    screenshot(page, "first_minutes_request_sent_390")

    sent = FlashRequest.objects.get(student__email=ADDRESS)
    assert sent.start_at == slot.start_at
    assert clicks.count <= MOST_CLICKS, f"{clicks.count} clicks: {clicks.log}"
