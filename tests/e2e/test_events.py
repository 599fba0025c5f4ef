"""An event from creation to follow-up, through the real pages.

Staff (with TOTP) create a networking night with 2 seats; three students RSVP from their own
browsers (the third joins the waitlist); the first cancels, the waitlisted student is promoted
and emailed; staff check a student in at the door; after the event (its times moved into the
past in the database) a student logs two people they met, who appear in their contacts.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contacts.models import Contact, Source
from events.models import RSVP, Event, RSVPStatus
from networking_app.notifications.models import OutgoingEmail
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, VIEWPORT, screenshot
from tests.e2e.helpers import (
    PHONE_VIEWPORT,
    assert_no_horizontal_scroll,
    current_totp_code,
    label,
    log_in,
)
from tests.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.browser

TITLE = "Finance alumni networking night"


def _new_page(browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()


def _student_rsvps(browser, base: str, student, event: Event) -> Page:
    page = _new_page(browser)
    log_in(page, base, student.email, PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{base}/events/{event.pk}/")
    page.locator("#rsvp").get_by_role("button").click()
    return page


def test_event_from_creation_to_the_people_met(
    live_server, page: Page, chromium_browser, staff, settings
):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    base = live_server.url
    alice = StudentFactory(email="alice@example.edu", profile__display_name="Alice Ahn")
    bruno = StudentFactory(email="bruno@example.edu", profile__display_name="Bruno Baker")
    chloe = StudentFactory(email="chloe@example.edu", profile__display_name="Chloe Chen")

    # Staff create the event.
    log_in(page, base, staff.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label(label("Code")).fill(current_totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    page.goto(base + "/events/new/")
    start = (timezone.now() + dt.timedelta(days=3)).replace(hour=18, minute=0)
    form = page.locator("#event-form")
    form.get_by_label(label("Title")).fill(TITLE)
    form.get_by_label(label("Kind")).select_option("networking_night")
    form.get_by_label(label("Description")).fill("Meet **alumni** working in finance.")
    form.get_by_label(label("Time zone")).select_option("UTC")
    form.get_by_label(label("Starts")).fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label(label("Ends")).fill(
        (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    form.get_by_label(label("Place")).fill("Alumni Hall, room 2")
    form.get_by_label(label("Capacity")).fill("2")
    form.get_by_label(label("Organizations attending")).fill("Acme Bank\nGlobex Capital")
    screenshot(page, "events_01_staff_create")
    form.get_by_role("button", name="Create the event").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    event = Event.objects.get(title=TITLE)
    assert event.capacity == 2
    assert event.starts_at == start.replace(second=0, microsecond=0)

    # Three students RSVP; the third joins the waitlist.
    alice_page = _student_rsvps(chromium_browser, base, alice, event)
    expect(alice_page.locator("#rsvp-status")).to_contain_text("You are going")
    expect(alice_page.locator("#check-in-code svg")).to_be_visible()
    bruno_page = _student_rsvps(chromium_browser, base, bruno, event)
    expect(bruno_page.locator("#rsvp-status")).to_contain_text("You are going")
    chloe_page = _student_rsvps(chromium_browser, base, chloe, event)
    expect(chloe_page.locator("#rsvp-status")).to_contain_text("You are on the waitlist")
    expect(chloe_page.locator("#rsvp-status")).to_contain_text("number 1 in line")
    screenshot(chloe_page, "events_02_waitlisted")

    # Alice cancels: Chloe is promoted and emailed.
    alice_page.get_by_role("button", name="Cancel my RSVP").click()
    expect(alice_page.locator("#rsvp")).to_contain_text("Your RSVP is cancelled")
    assert RSVP.objects.get(event=event, user=chloe).status == RSVPStatus.GOING
    promoted = OutgoingEmail.objects.filter(kind="event_promoted")
    assert [row.to for row in promoted] == [[chloe.email]]
    assert TITLE in promoted[0].subject
    chloe_page.reload()
    expect(chloe_page.locator("#rsvp-status")).to_contain_text("You are going")
    screenshot(chloe_page, "events_03_promoted")

    # Staff check Bruno in at the door: search by name, one click.
    page.goto(f"{base}/events/{event.pk}/check-in/")
    page.get_by_label(label("Name or email")).fill("bruno")
    page.get_by_role("button", name="Check in Bruno Baker").click()
    expect(page.locator("#check-in-results")).to_contain_text("Checked in")
    # The counter follows without a reload (the row's response swaps it out of band).
    expect(page.locator("#count-checked-in")).to_have_text("1")
    screenshot(page, "events_04_check_in")
    assert RSVP.objects.get(event=event, user=bruno).checked_in_at is not None
    page.goto(f"{base}/events/{event.pk}/attendees/")
    expect(page.locator("#count-going")).to_have_text("2")
    expect(page.locator("#count-checked-in")).to_have_text("1")
    screenshot(page, "events_05_attendees")

    # After the event, Bruno logs two people he met.
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=1)
    )
    bruno_page.goto(f"{base}/events/{event.pk}/")
    bruno_page.get_by_role("link", name="Log the people you met").click()
    first = bruno_page.get_by_role("group", name="Person 1")
    first.get_by_label(label("Name")).fill("Grace Hopper")
    first.get_by_label(label("Organization")).fill("Acme Bank")
    first.get_by_label(label("Email")).fill("grace@acme.example.com")
    second = bruno_page.get_by_role("group", name="Person 2")
    second.get_by_label(label("Name")).fill("Alan Turing")
    second.get_by_label(label("Job title")).fill("Quant")
    screenshot(bruno_page, "events_06_met_form")
    bruno_page.get_by_role("button", name="Add to my contacts").click()
    expect(bruno_page.locator("#met")).to_contain_text("Grace Hopper")
    bruno_page.goto(base + "/my/contacts/")
    expect(bruno_page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    expect(bruno_page.get_by_role("link", name="Alan Turing")).to_be_visible()
    screenshot(bruno_page, "events_07_contacts")
    contacts = Contact.objects.filter(owner=bruno)
    assert sorted(c.name for c in contacts) == ["Alan Turing", "Grace Hopper"]
    assert {c.source for c in contacts} == {Source.EVENT}


def test_calendar_views_for_a_visitor_and_the_demo_student(
    live_server, page: Page, chromium_browser, settings
):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    settings.DEBUG = False
    base = live_server.url

    # Anonymous: public events only, no video links, no attendee counts, no drafts.
    page.goto(base + "/events/agenda/")
    expect(page.get_by_role("link", name="Spring career fair")).to_be_visible()
    expect(page.get_by_text("Mentor briefing for volunteers")).to_have_count(0)
    expect(page.get_by_text("Employer visit: Fabrikam Energy")).to_have_count(0)
    screenshot(page, "events_10_anonymous_agenda")
    page.get_by_role("link", name="Alumni panel: careers in finance").click()
    expect(page.locator("body")).not_to_contain_text("video.example.com")
    expect(page.locator("#rsvp-counts")).to_have_count(0)

    # The demo student: month grid with their events marked, filters, the event page.
    student_page = _new_page(chromium_browser)
    log_in(student_page, base, "student@example.edu", "rapport-demo-2026")
    expect(student_page.locator("#upcoming-events")).to_contain_text("log the people you met")
    screenshot(student_page, "events_11_student_home")
    student_page.goto(base + "/events/")
    expect(student_page.locator(".ev-chip.ev-mine").first).to_be_visible()
    screenshot(student_page, "events_12_month")
    this_month = student_page.locator("#calendar-title").inner_text()
    student_page.get_by_role("link", name="Next →").click()
    expect(student_page.locator("#calendar-title")).not_to_have_text(this_month)
    next_month = student_page.locator("#calendar-title").inner_text()
    # Filtering keeps the month being shown.
    student_page.get_by_label(label("Kind")).select_option("career_fair")
    expect(student_page).to_have_url(re.compile(r"kind=career_fair"))
    expect(student_page.locator("#calendar-title")).to_have_text(next_month)
    expect(student_page.locator("#calendar-body")).not_to_contain_text("Networking night")
    student_page.goto(base + "/events/week/")
    screenshot(student_page, "events_13_week")
    student_page.goto(base + "/events/agenda/")
    student_page.get_by_role("link", name="Spring career fair").click()
    expect(student_page.locator("#warm-paths")).to_be_visible()
    screenshot(student_page, "events_14_fair_with_warm_paths")

    # On a phone nothing scrolls sideways.
    student_page.set_viewport_size(PHONE_VIEWPORT)
    for path in ("/events/", "/events/week/", "/events/agenda/", student_page.url):
        student_page.goto(path if path.startswith("http") else base + path)
        assert_no_horizontal_scroll(student_page)
    student_page.goto(base + "/events/")
    screenshot(student_page, "events_15_month_phone")
