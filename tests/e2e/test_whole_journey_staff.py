"""The staff's whole journey through the real pages (issue 9, "The whole journey").

Staff log in with TOTP, approve a volunteer, run a match round from creation to publication
and find the story in the programme dashboard.

What the other side does (sign-ups to a round) goes through the services, as the other
people's own pages are covered by their own story and by the focused tests in this folder.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentoring.models import Match, MatchRound, RoundStatus
from networking_app.accounts.models import ApprovalStatus
from tests.e2e.conftest import screenshot
from tests.e2e.helpers import current_totp_code, label, log_in, section
from tests.factories import PASSWORD, StudentFactory
from tests.mentoring.helpers import bookable_mentor, sign_up_student, sign_up_volunteer, topic

pytestmark = pytest.mark.browser


def staff_logs_in(page: Page, base: str, staff) -> None:
    log_in(page, base, staff.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label(label("Code")).fill(current_totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def stat(scope, name: str):
    """The value (<dd>) of the statistic called `name` in a <dl class="stats"> under `scope`."""
    return (
        scope.locator("dl.stats > div")
        .filter(has=scope.page.locator("dt").get_by_text(name, exact=True))
        .locator("dd")
    )


ROUND = "Autumn flash mentoring"


def test_staff_from_approval_through_a_round_to_the_dashboard(
    live_server, page: Page, staff, pending_volunteer
):
    base = live_server.url
    nav = page.get_by_role("navigation", name="Main")
    student = StudentFactory(email="riya@example.edu", profile__display_name="Riya Student")
    # Dana has filled her mentor profile and asked to be listed: approval lists her.
    dana = bookable_mentor(
        pending_volunteer, is_bookable=False, organization="Litware Energy", industry="Energy"
    )
    dana.topics.set([topic("Career switch")])

    # --- 1. Log in with the second factor ----------------------------------------------------
    staff_logs_in(page, base, staff)
    expect(page.get_by_role("heading", level=1)).to_have_text("Career Office")
    expect(page.locator("#pending-volunteers")).to_contain_text("Dana Pending")

    # --- 2. Approve the pending volunteer from the console's volunteers page ----------------
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    # The figures seen in step 2 are kept for a few minutes: staff ask for fresh ones.
    expect(page.get_by_text("Figures as of")).to_be_visible()
    page.get_by_role("button", name="Recompute now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    mentoring = section(page, "Mentoring")
    expect(stat(mentoring, "Awaiting approval")).to_have_text("1")
    expect(stat(mentoring, "Volunteers listed")).to_have_text("0")
    console = page.get_by_role("navigation", name="Staff console")
    console.get_by_role("link", name="Volunteers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteers")
    page.get_by_label(label("Status")).select_option("pending")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#volunteer-list")).to_contain_text("dana@example.org")
    screenshot(page, "whole_staff_01_volunteers_pending")
    page.get_by_role("button", name="Approve Dana Pending").click()
    expect(page.get_by_role("status").filter(has_text="Dana Pending is approved")).to_be_visible()
    expect(page.locator("#volunteer-list")).to_have_count(0)  # nobody is pending any more
    page.get_by_label(label("Status")).select_option("approved")
    page.get_by_role("button", name="Show").click()
    approved = page.locator("#volunteer-list li").filter(has_text="Dana Pending")
    expect(approved).to_contain_text("Approved")
    expect(approved).to_contain_text("Litware Energy")  # the whole profile, for the review
    expect(approved).to_contain_text("· listed")
    pending_volunteer.volunteer_profile.refresh_from_db()
    assert pending_volunteer.volunteer_profile.status == ApprovalStatus.APPROVED
    dana.refresh_from_db()
    assert dana.is_bookable

    # --- 3. A match round: create and open ---------------------------------------------------
    nav.get_by_role("link", name="Match rounds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Match rounds")
    page.get_by_role("link", name="New match round").click()
    today = timezone.localdate()
    deadline = timezone.localtime() + dt.timedelta(days=3)
    page.get_by_label(label("Name")).fill(ROUND)
    page.get_by_label(label("Sign-up deadline")).fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(label("Conversations from")).fill((today + dt.timedelta(days=5)).isoformat())
    page.get_by_label(label("Conversations until")).fill(
        (today + dt.timedelta(days=26)).isoformat()
    )
    page.get_by_role("button", name="Save round").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ROUND)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    page.get_by_role("button", name="Open for sign-up").click()
    expect(page.get_by_role("status").filter(has_text="is open for sign-up")).to_be_visible()
    match_round = MatchRound.objects.get(name=ROUND)
    assert match_round.status == RoundStatus.OPEN

    # A student and the volunteer just approved opt in (from their own pages, elsewhere).
    sign_up_volunteer(match_round, pending_volunteer, capacity=1)
    sign_up_student(match_round, student, topics=("Career switch",), industries="Energy")
    page.reload()
    signups = page.locator("#signups-heading + .stats")
    expect(stat(page.locator("section").filter(has=signups), "Students")).to_have_text("1")
    expect(stat(page.locator("section").filter(has=signups), "Volunteers")).to_have_text("1")
    screenshot(page, "whole_staff_02_round_open")

    # --- 4. Close, run the matcher, review, publish ------------------------------------------
    page.get_by_role("button", name="Close sign-up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review matches")
    page.get_by_role("button", name="Run the matcher").click()
    expect(
        page.get_by_role("status").filter(has_text="The matcher proposed 1 match ")
    ).to_be_visible()
    rows = page.locator("#match-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Riya Student")
    expect(rows.first).to_contain_text("Dana Pending")
    screenshot(page, "whole_staff_03_round_review")
    page.get_by_role("link", name="Publish and introduce the pairs…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish {ROUND}")
    page.get_by_role("button", name="Publish and send 1 email").click()
    expect(
        page.get_by_role("status").filter(has_text=f"{ROUND} is published: 1 introduction email")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Published")
    [match] = Match.objects.filter(round=match_round)
    assert (match.student_id, match.volunteer_id, match.published) == (
        student.pk,
        pending_volunteer.pk,
        True,
    )

    # --- 5. The programme dashboard tells the story ------------------------------------------
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    # The figures seen in step 2 are kept for a few minutes: staff ask for fresh ones.
    expect(page.get_by_text("Figures as of")).to_be_visible()
    page.get_by_role("button", name="Recompute now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    mentoring = section(page, "Mentoring")
    expect(stat(mentoring, "Awaiting approval")).to_have_text("0")
    expect(stat(mentoring, "Volunteers listed")).to_have_text("1")
    expect(stat(section(page, "Students"), "Students")).to_have_text("1")
    round_row = mentoring.get_by_role("row").filter(has_text=ROUND)
    expect(round_row.locator("td")).to_have_text(
        [re.compile(r"\d{4}"), "Published", "1", "1", "1", "100%"]
    )
    screenshot(page, "whole_staff_04_dashboard")
    round_row.get_by_role("link", name=ROUND).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ROUND)
