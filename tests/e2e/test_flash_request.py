"""A flash-mentoring conversation from request to feedback, through the real pages.

Set up with factories (not the UI): Carol is an approved, bookable mentor with windows on every
weekday, 08:00 to 20:00 in Paris. Alice (New York) asks for one of Carol's open times; Carol
accepts from her home page; both receive the confirmation with a calendar invitation; after the
conversation Carol marks it held, both give feedback, and the conversation with Carol is on
Alice's pipeline as held.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from mentoring.forms.requests import slot_value
from mentoring.models import Feedback, FlashRequest, RequestStatus, Session, SessionStatus
from mentoring.services import requests as request_services
from mentoring.services.availability import open_slots
from networking_app.accounts.models import Profile
from networking_app.notifications.models import OutgoingEmail
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, VIEWPORT, screenshot
from tests.factories import PASSWORD
from tests.mentoring.helpers import bookable_mentor

pytestmark = pytest.mark.browser

MESSAGE = "I am exploring data analytics: how did you choose your first employer?"
MEETING_LINK = "https://meet.example.com/carol-alice"
STUDENT_ZONE = "America/New_York"
VOLUNTEER_ZONE = "Europe/Paris"


def label(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label(label("Email")).fill(email)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def status_message(page: Page, text: str):
    return page.locator("#messages").get_by_role("status").filter(has_text=text)


def shown(when: dt.datetime, zone: str) -> str:
    """How the pages write a time ("g:i A" in the viewer's zone)."""
    local = when.astimezone(ZoneInfo(zone))
    return f"{local.hour % 12 or 12}:{local:%M} {local:%p}"


@pytest.fixture
def second_page(chromium_browser):
    context = chromium_browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _invitation(row: OutgoingEmail):
    [attachment] = row.attachments
    assert attachment["filename"].endswith(".ics")
    assert attachment["mimetype"] == "text/calendar; method=REQUEST"
    import base64

    calendar = Calendar.from_ical(base64.b64decode(attachment["content"]))
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_student_books_a_volunteer_who_accepts_and_both_follow_up(
    live_server, page: Page, second_page: Page, student, volunteer, settings
):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    Profile.objects.filter(user=student).update(time_zone=STUDENT_ZONE)
    Profile.objects.filter(user=volunteer).update(time_zone=VOLUNTEER_ZONE)
    volunteer.refresh_from_db()
    mentor = bookable_mentor(volunteer, weekdays=range(5), title="Senior data analyst")
    slot = open_slots(mentor, limit=1)[0]
    base = live_server.url

    # 1. Alice opens the request page for Carol's first open time and asks.
    log_in(page, base, student.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alice Student")
    page.goto(f"{base}/mentoring/directory/{mentor.pk}/request/?start={slot_value(slot.start_at)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ask Carol Volunteer for a conversation"
    )
    chosen = page.locator("#chosen-slot")
    expect(chosen).to_contain_text(shown(slot.start_at, STUDENT_ZONE))
    expect(chosen).to_contain_text("For Carol Volunteer: ")
    expect(chosen).to_contain_text(shown(slot.start_at, VOLUNTEER_ZONE))
    page.get_by_label(label("What I would like to learn")).fill(MESSAGE)
    screenshot(page, "flash_request_new_1280")
    page.get_by_role("button", name="Send the request").click()

    expect(status_message(page, "Your request is on its way to Carol Volunteer")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request to Carol Volunteer")
    expect(page.locator("#status")).to_contain_text("Waiting for the volunteer")
    flash_request = FlashRequest.objects.get()
    assert flash_request.start_at == slot.start_at
    assert OutgoingEmail.objects.filter(to=[volunteer.email], kind="mentoring_request_new").exists()

    # 2. Carol sees it from her home page and accepts, with a video link.
    log_in(second_page, base, volunteer.email)
    waiting = second_page.locator("#requests-waiting")
    expect(waiting).to_have_text("1 request waiting for your answer")
    screenshot(second_page, "flash_request_volunteer_home_1280")
    waiting.get_by_role("link").click()
    expect(second_page.get_by_role("heading", level=1)).to_have_text("Requests for you")
    second_page.locator("#requests-open").get_by_role("link", name="Alice Student").click()
    expect(second_page.get_by_role("heading", level=1)).to_have_text("Request from Alice Student")
    expect(second_page.locator("#request-message")).to_have_text(MESSAGE)
    expect(second_page.locator("#status")).to_contain_text(shown(slot.start_at, VOLUNTEER_ZONE))
    answer = second_page.locator("#answer")
    answer.get_by_role("radio", name="Video").check()
    answer.get_by_label(label("Place or link")).fill(MEETING_LINK)
    screenshot(second_page, "flash_request_answer_1280")
    answer.get_by_role("button", name="Accept the request").click()

    expect(status_message(second_page, "Accepted.")).to_be_visible()
    expect(second_page.get_by_role("heading", level=1)).to_have_text(
        "Flash Mentoring with Alice Student"
    )
    expect(second_page.locator("#session-place")).to_contain_text(MEETING_LINK)
    screenshot(second_page, "flash_session_volunteer_1280")
    session = Session.objects.get()
    assert FlashRequest.objects.get().status == RequestStatus.ACCEPTED

    # 3. Both confirmations are in the outbox, each with the invitation.
    confirmations = OutgoingEmail.objects.filter(kind="mentoring_session_confirmed")
    assert sorted(row.to[0] for row in confirmations) == sorted([student.email, volunteer.email])
    for row in confirmations:
        assert row.html
        calendar, event = _invitation(row)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == session.ics_uid
        assert event.decoded("DTSTART") == slot.start_at
        assert str(event["URL"]) == MEETING_LINK

    # 4. Alice's home page lists the upcoming session.
    page.goto(base + "/")
    upcoming = page.locator(f"#session-{session.pk}")
    expect(upcoming).to_contain_text("Carol Volunteer")
    expect(upcoming).to_contain_text(shown(slot.start_at, STUDENT_ZONE))
    screenshot(page, "flash_student_home_1280")

    # 5. Time passes: the conversation took place yesterday.
    start = timezone.now() - dt.timedelta(days=1)
    Session.objects.filter(pk=session.pk).update(
        start_at=start, end_at=start + dt.timedelta(minutes=30)
    )
    FlashRequest.objects.filter(pk=session.request_id).update(
        start_at=start, end_at=start + dt.timedelta(minutes=30)
    )

    # 6. Carol marks it held and gives her feedback.
    second_page.reload()
    second_page.get_by_role("button", name="Mark as held").click()
    expect(status_message(second_page, "Marked as held.")).to_be_visible()
    expect(second_page.locator("#status")).to_contain_text("Held")
    feedback = second_page.locator("#feedback")
    feedback.get_by_role("radio", name="5", exact=True).check()
    feedback.get_by_label(label("Comments (optional)")).fill("Well prepared, good questions.")
    feedback.get_by_role("checkbox", name="I would meet again").check()
    feedback.get_by_role("button", name="Send my feedback").click()
    expect(status_message(second_page, "Thank you for your feedback.")).to_be_visible()
    screenshot(second_page, "flash_session_held_volunteer_1280")

    # 7. Alice gives hers from the session page.
    page.goto(f"{base}/mentoring/sessions/{session.pk}/")
    expect(page.locator("#status")).to_contain_text("Held")
    feedback = page.locator("#feedback")
    feedback.get_by_role("radio", name="4", exact=True).check()
    feedback.get_by_role("checkbox", name="I would meet again").check()
    feedback.get_by_role("button", name="Send my feedback").click()
    expect(status_message(page, "Thank you for your feedback.")).to_be_visible()
    expect(page.locator("#feedback-given")).to_contain_text("You gave 4 out of 5")
    assert Session.objects.get().status == SessionStatus.COMPLETED
    assert sorted(Feedback.objects.values_list("rating", flat=True)) == [4, 5]

    # 8. Her pipeline shows the held conversation with Carol.
    page.goto(base + "/my/conversations/")
    held = page.locator("section.pl-column").filter(
        has=page.get_by_role("heading", name=re.compile(r"^Held"))
    )
    expect(held.locator(".pl-card")).to_have_count(1)
    expect(held.locator(".pl-card")).to_contain_text("Carol Volunteer")
    expect(held.locator(".pl-card")).to_contain_text("Northwind Analytics")
    screenshot(page, "flash_pipeline_held_1280")


def test_a_volunteer_accepts_from_the_request_email_without_signing_in(
    live_server, page: Page, student, volunteer, settings
):
    settings.SITE_URL = live_server.url  # the email's links point at the test server
    mentor = bookable_mentor(volunteer)
    slot = open_slots(mentor, limit=1)[0]
    flash_request = request_services.flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message="How did you start?"
    )
    email = next(m for m in mail.outbox if m.to == [volunteer.email])
    accept = re.search(r"^Accept: (\S+)$", email.body, re.M).group(1)

    page.goto(accept)  # a browser with no session, as from a phone's mail app
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accept Alice Student")
    expect(page.locator("#answer-request")).to_contain_text("How did you start?")
    screenshot(page, "request_answer_from_email_1280")
    page.get_by_label(label("Place or link")).fill("https://meet.example.com/alice")
    page.get_by_role("button", name="Accept the request").click()
    expect(page.locator("#answer-done")).to_have_text(
        "Accepted. Alice Student and you have a calendar invitation by email."
    )
    assert FlashRequest.objects.get(pk=flash_request.pk).status == RequestStatus.ACCEPTED
    session = Session.objects.get(request=flash_request)
    assert session.location == "https://meet.example.com/alice"


def test_a_student_asks_for_a_volunteers_next_time_straight_from_the_directory(
    live_server, page: Page, student, volunteer
):
    mentor = bookable_mentor(volunteer)
    slot = open_slots(mentor, limit=1)[0]
    log_in(page, live_server.url, student.email)
    page.goto(live_server.url + "/mentoring/directory/")
    card = page.locator(".mentor-card").filter(has_text=volunteer.display_name)
    card.get_by_role("link", name=f"Ask for this time with {volunteer.display_name}").click()
    # The request form already holds that time: only the message is left to write.
    page.get_by_label(label("What I would like to learn")).fill("How did you get started?")
    page.get_by_role("button", name="Send the request").click()
    expect(
        page.get_by_text(f"Your request is on its way to {volunteer.display_name}.")
    ).to_be_visible()
    sent = FlashRequest.objects.get(student=student)
    assert sent.start_at == slot.start_at
