"""Onboarding end to end (issue 17), on a phone: a student who has just verified their address
goes through the six steps (one skipped, one left and resumed from Today), picks an
organization from the suggestions as they type, and ends on a suggested volunteer, whose week
view they book from."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from contacts.models import TargetOrganization
from mentoring.models import FlashRequest, StudentInterests
from networking_app.accounts.models import StudentProfile
from tests.e2e.conftest import log_in_as, screenshot
from tests.e2e.helpers import assert_no_horizontal_scroll, label, status_message
from tests.mentoring.factories import TopicFactory
from tests.mentoring.helpers import bookable_mentor

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_student_sets_up_resumes_and_books_a_suggested_volunteer(
    live_server, page: Page, student, volunteer
):
    volunteer.profile.time_zone = "America/New_York"
    volunteer.profile.save()
    consulting = TopicFactory(name="Consulting")
    TopicFactory(name="Design")
    mentor = bookable_mentor(volunteer, organization="Fabrikam Consulting")
    mentor.topics.set([consulting])
    page.set_viewport_size(PHONE)
    log_in_as(page, live_server.url, student)
    page.goto(live_server.url + "/mentoring/welcome/")

    # 1. About you.
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    expect(page.get_by_text("Step 1 of 6")).to_be_visible()
    page.get_by_label(label("Class year")).fill("2028")
    page.get_by_label(label("Major")).fill("Economics")
    assert_no_horizontal_scroll(page)
    screenshot(page, "onboarding_about_390")
    page.get_by_role("button", name="Save and continue").click()

    # 2. Interests, then stop: "Finish later" goes home, where Today offers to go on.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your interests")
    page.get_by_label("Consulting").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strengths and goals")
    page.get_by_role("link", name="Finish later").click()
    page.get_by_role("link", name="Finish setting up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strengths and goals")

    # 3. Skipped.
    page.get_by_role("button", name="Skip this step").click()

    # 4. Organizations, with suggestions as you type (the organizations volunteers work at).
    expect(page.get_by_role("heading", level=1)).to_have_text("Organizations you want to reach")
    field = page.get_by_label(label("Organization"))
    field.press_sequentially("fabri")
    expect(
        page.locator('#organization-suggestions option[value="Fabrikam Consulting"]')
    ).to_have_count(1)
    field.fill("Fabrikam Consulting")
    page.get_by_role("button", name="Add to my list").click()
    expect(status_message(page, "Fabrikam Consulting is on your list.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Fabrikam Consulting")).to_be_visible()
    screenshot(page, "onboarding_organizations_390")
    page.get_by_role("button", name="Continue").click()

    # 5. Time zone.
    expect(page.get_by_role("heading", level=1)).to_have_text("Time zone")
    page.get_by_label(label("Time zone")).select_option("America/Chicago")
    page.get_by_role("button", name="Save and continue").click()

    # 6. The volunteer suggested, with why.
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers suggested for you")
    card = page.locator(".mentor-card").filter(has_text=volunteer.display_name)
    expect(card).to_contain_text("Can talk about Consulting, which you chose")
    expect(card).to_contain_text("Works at Fabrikam Consulting, on your list of organizations")
    assert_no_horizontal_scroll(page)
    screenshot(page, "onboarding_suggestions_390")

    profile = StudentProfile.objects.get(user=student)
    assert (profile.class_year, profile.major) == (2028, "Economics")
    assert profile.onboarded_at is not None
    assert list(StudentInterests.objects.get(student=student).topics.all()) == [consulting]
    assert TargetOrganization.objects.filter(owner=student).count() == 1

    # The week view: the volunteer's page, a time from this week's columns.
    card.get_by_role("link", name=volunteer.display_name, exact=True).click()
    expect(page.get_by_text("In your time zone, America/Chicago.")).to_be_visible()
    slot = page.locator(".week-grid .slot-link").first
    shown = slot.locator("time").inner_text()
    page.get_by_role("link", name=re.compile(r"^Show in .+ time zone")).click()
    expect(page.get_by_text(re.compile(r"time zone, America/New_York\."))).to_be_visible()
    page.get_by_role("link", name="Show in your time zone").click()
    assert_no_horizontal_scroll(page)
    screenshot(page, "booking_week_390")
    page.locator(".week-grid .slot-link").first.click()
    expect(page.get_by_role("main")).to_contain_text(shown)
    page.get_by_label(label("What I would like to learn")).fill("How consulting projects start")
    page.get_by_role("button", name="Send the request").click()
    expect(
        status_message(page, f"Your request is on its way to {volunteer.display_name}.")
    ).to_be_visible()
    assert FlashRequest.objects.filter(student=student, volunteer=volunteer).count() == 1


def test_a_zone_picked_before_the_page_finishes_loading_is_kept(
    live_server, chromium_browser, student
):
    """On a slow page the student may pick a zone before rapport.js runs; the script, which
    pre-selects the browser's zone, must then leave the student's choice alone."""
    context = chromium_browser.new_context(timezone_id="Europe/Paris", locale="en-US")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in_as(page, live_server.url, student)
        held = []
        page.route("**/static/js/rapport.js*", lambda route: held.append(route))  # released below
        step = live_server.url + reverse("mentoring:onboarding_step", kwargs={"step": "time-zone"})
        page.goto(step, wait_until="commit")
        zone = page.get_by_label(label("Time zone"))
        zone.select_option("America/Chicago")
        assert len(held) == 1
        held[0].continue_()
        page.wait_for_load_state("load")  # after DOMContentLoaded, when rapport.js has run
        expect(zone).to_have_value("America/Chicago")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers suggested for you")
        student.profile.refresh_from_db()
        assert student.profile.time_zone == "America/Chicago"

        # Left alone, the step offers the browser's zone (a new student's profile holds the
        # default); once chosen, the student's own zone is shown.
        page.unroute("**/static/js/rapport.js*")
        student.profile.time_zone = "UTC"
        student.profile.save()
        page.goto(step)
        expect(zone).to_have_value("Europe/Paris")
    finally:
        context.close()
