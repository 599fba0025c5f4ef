"""The Django admin under our Content Security Policy, in Chromium: its main pages (the index,
a changelist, a change form with date, time, many-to-many and raw-id widgets) load every
stylesheet and script, and the console shows no error (no blocked inline style or script,
no missing static file)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in_as
from tests.events.factories import EventFactory, LabelFactory
from tests.factories import StaffFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_user(db):
    return StaffFactory(email="root@example.edu", is_superuser=True)


def test_admin_pages_work_under_the_policy_without_console_errors(
    live_server, page: Page, admin_user
):
    event = EventFactory()
    event.labels.add(LabelFactory())
    base = live_server.url
    log_in_as(page, base, admin_user)

    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))

    for path, heading in [
        ("/admin/", "Site administration"),
        ("/admin/accounts/user/", "Select user to change"),
        (f"/admin/events/event/{event.pk}/change/", "Change event"),
        ("/admin/events/event/add/", "Add event"),
    ]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert errors == [], f"{path}: {errors}"
        assert failed == [], f"{path}: {failed}"

    # The widgets' scripts ran: the date shortcuts, the clock and the two-box selector.
    page.goto(f"{base}/admin/events/event/{event.pk}/change/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    expect(page.locator(".selector-available").first).to_be_visible()
    page.locator(".datetimeshortcuts a", has_text="Today").first.click()
    page.locator("a.related-lookup").first.wait_for(state="attached")
    assert errors == [], errors
    assert failed == [], failed
