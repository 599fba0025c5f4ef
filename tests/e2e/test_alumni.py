"""A graduate gives back (issue 18), end to end in the browser: Today offers the change, the
student turns their account into a volunteer's, keeps their network under "My network", and
the career office approves them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mentoring.models import Mentor
from networking_app.accounts.models import ApprovalStatus, Role, User
from tests.contacts.factories import ContactFactory
from tests.e2e.conftest import log_in_as, screenshot
from tests.e2e.helpers import assert_no_horizontal_scroll, status_message
from tests.factories import StudentFactory

pytestmark = pytest.mark.browser


def test_a_graduate_becomes_a_volunteer_and_keeps_their_network(live_server, page: Page, staff):
    graduate = StudentFactory(
        email="grad@example.edu",
        profile__display_name="Gail Graduate",
        student_profile__class_year=2020,
        student_profile__major="History",
    )
    ContactFactory(owner=graduate, name="Prof. Ada Lee")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_as(page, live_server.url, graduate)
    page.goto(live_server.url + "/")

    offer = page.locator("#alumni-offer")
    expect(offer).to_contain_text("Congratulations, class of 2020")
    offer.get_by_role("link", name="Become a volunteer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Become a volunteer")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Become a volunteer").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()  # not confirmed yet
    page.get_by_label("Turn my account into a volunteer account").check()
    page.get_by_role("button", name="Become a volunteer").click()
    expect(status_message(page, "Welcome, volunteer.")).to_be_visible()
    screenshot(page, "alumni_volunteer_profile_390")

    graduate.refresh_from_db()
    assert graduate.role == Role.VOLUNTEER
    assert Mentor.objects.get(user=graduate).major == "History"

    # The network is still theirs.
    page.locator(".site-menu > summary").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My network").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    page.goto(live_server.url + "/my/contacts/")
    expect(page.get_by_role("main")).to_contain_text("Prof. Ada Lee")

    # The career office approves them as any volunteer.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_as(page, live_server.url, staff)
    page.goto(live_server.url + "/staff/volunteers/?status=pending")
    page.get_by_role("button", name="Approve Gail Graduate").click()
    expect(page.get_by_role("status").filter(has_text="Gail Graduate is approved")).to_be_visible()
    assert User.objects.get(pk=graduate.pk).volunteer_profile.status == ApprovalStatus.APPROVED
