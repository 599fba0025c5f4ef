"""The staff console in the browser, on the demo data: staff (with TOTP) open the dashboard,
change the date range, open a chart's table, export a CSV, approve a pending volunteer and send
a nudge to students who have not started, seeing the recipient count before sending. When
their last code is older than ten minutes, they enter one again before a bulk email goes out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from networking_app.accounts.demo import DEMO_PASSWORD
from networking_app.accounts.models import ApprovalStatus, User
from networking_app.console.demo import demo_console_load
from networking_app.console.services import Audience, NudgeSpec, nudge_recipients
from networking_app.core.models import AuditLog
from networking_app.demo.load import demo_data_load
from networking_app.notifications.models import OutgoingEmail
from tests.e2e.conftest import log_in_as, screenshot
from tests.e2e.helpers import assert_no_horizontal_scroll, current_totp_code, label, log_in
from tests.factories import VolunteerFactory
from tests.mentoring.factories import MentorFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    demo_data_load()
    demo_console_load()


def _staff_logs_in(page: Page, base: str) -> None:
    log_in(page, base, "staff@example.edu", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label(label("Code")).fill(current_totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_staff_run_the_programme_from_the_console(live_server, page: Page, demo):
    base = live_server.url
    _staff_logs_in(page, base)

    # --- Dashboard, date range, a chart's table, a CSV --------------------------------------
    page.get_by_role("link", name="Programme dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    funnel = page.locator("#chart-funnel")
    expect(funnel.locator("svg")).to_be_visible()
    screenshot(page, "console_dashboard_1280")
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_horizontal_scroll(page)
    screenshot(page, "console_dashboard_390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label(label("Period")).select_option(label="Last 90 days")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"preset=90"))
    expect(page.get_by_label(label("Period"))).to_have_value("90")
    stats = page.locator("#students-heading + dl")
    expect(stats).to_contain_text("Have not started")

    table = funnel.locator("details table")
    expect(table).to_be_hidden()
    funnel.get_by_text("Show the numbers as a table").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="Requested")).to_be_visible()
    requested = table.get_by_role("row").filter(has_text="Requested").locator("td").inner_text()
    screenshot(page, "console_dashboard_table_1280")

    with page.expect_download() as download_info:
        funnel.get_by_role("link", name=re.compile("Download CSV")).click()
    download = download_info.value
    assert download.suggested_filename.startswith("rapport-funnel-")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["Stage", "Conversations"]
    assert rows[1] == ["Requested", requested.replace(",", "")]
    assert AuditLog.objects.filter(action="export.csv").count() == 1

    # --- Approve the pending volunteer ------------------------------------------------------
    console = page.get_by_role("navigation", name="Staff console")
    console.get_by_role("link", name="Volunteers").click()
    page.get_by_label(label("Status")).select_option("pending")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("button", name="Approve Jordan Lee").click()
    expect(page.get_by_role("status").filter(has_text="Jordan Lee is approved")).to_be_visible()
    pending = User.objects.get(email="new.volunteer@example.org")
    assert pending.volunteer_profile.status == ApprovalStatus.APPROVED

    # --- Nudge the students who have not started --------------------------------------------
    expected = nudge_recipients(NudgeSpec(audience=Audience.STUDENTS_NOT_STARTED)).count()
    assert expected >= 6  # the demo cohort's six, and any demo student without a contact
    console.get_by_role("link", name="Nudge emails").click()
    page.get_by_label("Students who have not started").check()
    page.get_by_label(label("A personal note added to the email (optional)")).fill(
        "Drop-in hours are on Tuesdays at 2 pm."
    )
    page.get_by_role("button", name="Preview").click()
    count = page.locator("#nudge-count")
    expect(count).to_contain_text(f"{expected} recipients will get this email")
    expect(page.locator("#nudge-preview")).to_contain_text("Drop-in hours are on Tuesdays")
    screenshot(page, "console_nudge_preview_1280")
    page.get_by_role("button", name=f"Send to {expected} recipients").click()
    expect(page.get_by_role("status").filter(has_text=f"{expected} emails queued")).to_be_visible()
    assert OutgoingEmail.objects.filter(kind="console_nudge_students").count() == expected

    # --- The audit log shows what staff did -------------------------------------------------
    console.get_by_role("link", name="Audit log").click()
    audit = page.locator("#audit-table")
    for action in ("export.csv", "volunteer.approve", "nudge.send"):
        expect(audit).to_contain_text(action)
    screenshot(page, "console_audit_1280")


def test_staff_enter_their_code_again_before_a_bulk_email(
    live_server, page: Page, demo, time_machine
):
    base = live_server.url
    _staff_logs_in(page, base)
    # The code typed at sign-in is now older than ACCOUNT_REAUTHENTICATION_TIMEOUT.
    time_machine.move_to(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=11))
    page.goto(base + "/staff/nudges/")
    page.get_by_label("Students who have not started").check()
    page.get_by_role("button", name="Preview").click()
    expected = nudge_recipients(NudgeSpec(audience=Audience.STUDENTS_NOT_STARTED)).count()
    page.get_by_role("button", name=f"Send to {expected} recipients").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/reauthenticate/"))
    assert not OutgoingEmail.objects.filter(kind="console_nudge_students").exists()
    screenshot(page, "console_reauthenticate_1280")
    page.locator("input[name=code]").fill(current_totp_code())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").filter(has_text=f"{expected} emails queued")).to_be_visible()
    assert OutgoingEmail.objects.filter(kind="console_nudge_students").count() == expected


def test_staff_invite_a_volunteer_who_signs_up_without_waiting(
    live_server, page: Page, chromium_browser, demo
):
    base = live_server.url
    _staff_logs_in(page, base)
    page.goto(base + "/staff/invitations/")
    page.get_by_label(label("Volunteer's email address")).fill("guest.alum@example.org")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status").filter(has_text="guest.alum@example.org")).to_be_visible()
    screenshot(page, "console_invitations_1280")
    email = OutgoingEmail.objects.filter(to=["guest.alum@example.org"]).get()
    path = re.search(r"/staff/invitations/join/\S+/", email.text).group(0)
    link = base + path

    guest = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        guest_page = guest.new_page()
        guest_page.goto(link)
        expect(guest_page).to_have_url(re.compile(r"/accounts/signup/"))
        expect(guest_page.get_by_label(label("Email"))).to_have_value("guest.alum@example.org")
        guest_page.get_by_label("I am an alumna/alumnus", exact=False).check()
        guest_page.get_by_label(label("Your name")).fill("Gil Guest")
        guest_page.get_by_label(label("Your connection to the school (volunteers)")).select_option(
            "alumni"
        )
        guest_page.get_by_label(label("Password")).fill("a-long-enough-passphrase-1")
        guest_page.get_by_label(label("Password (again)")).fill("a-long-enough-passphrase-1")
        guest_page.get_by_role("button", name="Sign Up").click()
        expect(guest_page).not_to_have_url(re.compile(r"/accounts/signup/"))
    finally:
        guest.close()
    volunteer = User.objects.get(email="guest.alum@example.org")
    assert volunteer.volunteer_profile.status == ApprovalStatus.APPROVED

    # The link is used up; the list says so.
    page.reload()
    expect(page.locator("table")).to_contain_text("Used")

    # Label two demo students and see them on the label's page.
    page.goto(base + "/staff/labels/")
    screenshot(page, "console_labels_1280")
    page.get_by_role("link", name="First-gen").click()
    page.get_by_label(label("Students' email addresses")).fill(
        "student@example.edu\nnobody@example.edu"
    )
    page.get_by_role("button", name="Add to First-gen").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()
    expect(page.locator("table")).to_contain_text("Sam Rivera")
    screenshot(page, "console_label_detail_1280")
    page.goto(base + "/staff/volunteers/")
    screenshot(page, "console_volunteers_1280")


def test_staff_read_two_volunteers_profiles_and_approve_them_together(
    live_server, page: Page, staff
):
    names = ["Ravi Bulk", "Sofia Bulk"]
    for name in names:
        MentorFactory(
            user=VolunteerFactory(profile__display_name=name, volunteer_profile__status="pending"),
            title="Engineer",
            bio=f"{name} builds bridges.",
        )
    base = live_server.url
    log_in_as(page, base, staff)  # signed in with the second factor (tests/e2e/conftest.py)
    page.goto(base + "/staff/volunteers/?status=pending")
    for name in names:
        item = page.locator("#volunteer-list li").filter(has_text=name)
        expect(item).to_contain_text(f"{name} builds bridges.")
        item.get_by_label(f"Tick to approve {name} with the others").check()
    screenshot(page, "console_bulk_approve_1280")
    page.get_by_role("button", name="Approve the ticked volunteers").click()
    expect(page.get_by_role("status")).to_contain_text(
        "2 volunteers approved and told by email: Ravi Bulk, Sofia Bulk."
    )
    approved = User.objects.filter(
        profile__display_name__in=names, volunteer_profile__status=ApprovalStatus.APPROVED
    )
    assert approved.count() == 2
