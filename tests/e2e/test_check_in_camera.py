"""Check-in at the door with the phone's camera (issue 17), in Chromium with a fake camera
that shows the attendee's own QR code (a .y4m written by the test, tests/e2e/fake_camera.py).

Staff open the check-in page on a phone-sized screen, start the camera, and the attendee is
checked in without a tap: the result line, the counter, the database. The same code kept in
view is one scan. Another door's check-in reaches the counter by polling. The page with a
result passes axe in the light and dark colour schemes and fits 390 px. Without JavaScript
the camera stays hidden and the code field still checks people in.

Headless Chromium on Linux has no BarcodeDetector, so this exercises the vendored jsQR; the
test reads which decoder the page chose (data-decoder) and says so in its output.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from events import services, views_staff
from events.models import RSVP
from events.qr import check_in_url
from tests.conftest import CHROMIUM
from tests.e2e.conftest import CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS, log_in_as, screenshot
from tests.e2e.fake_camera import fake_camera_args, write_qr_y4m
from tests.e2e.helpers import PHONE_VIEWPORT, assert_no_horizontal_scroll, label
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import StaffFactory, StudentFactory

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def camera_feed(tmp_path_factory):
    """Where the fake camera's video will be: Chromium opens it when a page starts the camera,
    so each test writes the QR code it needs there first."""
    return tmp_path_factory.mktemp("camera") / "door.y4m"


@pytest.fixture(scope="module")
def camera_browser(chromium_browser, camera_feed):
    """A second Chromium, from the session's Playwright, whose camera is the file above."""
    browser = chromium_browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, *fake_camera_args(camera_feed)],
    )
    yield browser
    browser.close()


@pytest.fixture
def phone(camera_browser, request):
    context = camera_browser.new_context(viewport=PHONE_VIEWPORT, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    if getattr(getattr(request.node, "rep_call", None), "failed", False):
        screenshot(page, request.node.name)
    context.close()


def _serious(page: Page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in SERIOUS
    ]


def test_the_camera_checks_the_attendee_in_without_a_tap(
    live_server, phone: Page, camera_feed, staff, monkeypatch
):
    monkeypatch.setattr(views_staff, "CHECK_IN_POLL_SECONDS", 1)
    starts = timezone.now() - dt.timedelta(minutes=15)
    event = EventFactory(
        title="Data careers mixer", starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    alice = RSVPFactory(event=event, user=StudentFactory(profile__display_name="Alice Ahn"))
    bruno = RSVPFactory(event=event, user=StudentFactory(profile__display_name="Bruno Baker"))
    write_qr_y4m(camera_feed, check_in_url(alice))

    base = live_server.url
    log_in_as(phone, base, staff)
    # A script the policy blocked (jsQR loaded without the nonce, say) shows up here.
    errors: list[str] = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.goto(f"{base}/events/{event.pk}/check-in/")
    camera = phone.locator("#check-in-camera")
    expect(camera).to_be_visible()
    expect(phone.locator("#attendee-counts")).to_contain_text("Checked in (of 2)")
    expect(phone.locator("#count-checked-in")).to_have_text("0")

    phone.get_by_role("button", name="Scan with camera").click()
    results = phone.locator("#scan-results li")
    expect(results.first).to_have_text("✓ Alice Ahn checked in.", timeout=20_000)
    expect(results.first).to_have_class("ev-scan ev-scan-checked_in")
    expect(phone.locator("#count-checked-in")).to_have_text("1")
    alice.refresh_from_db()
    assert alice.checked_in_at is not None
    assert alice.checked_in_by == staff
    assert RSVP.objects.filter(event=event, checked_in_at__isnull=False).count() == 1

    decoder = camera.get_attribute("data-decoder")
    has_detector = phone.evaluate("() => 'BarcodeDetector' in window")
    print(f"\ncheck-in camera decoded with: {decoder} (BarcodeDetector in window: {has_detector})")
    assert decoder in {"jsqr", "barcode-detector"}
    if not has_detector:
        assert decoder == "jsqr"

    # The code stays in front of the camera, frame after frame: still one scan.
    phone.wait_for_timeout(4_000)
    expect(results).to_have_count(1)

    # Another door checks Bruno in: the counter follows by polling, without a reload.
    services.rsvp_check_in(rsvp=bruno, by=StaffFactory(profile__display_name="Omar Door"))
    expect(phone.locator("#count-checked-in")).to_have_text("2", timeout=8_000)

    # Two more codes come in the way the camera script sends each one (Bruno's, then one that
    # is nobody's): the newest is listed first, each in its own colour.
    for code in (bruno.check_in_code, "not-a-code"):
        phone.evaluate(
            """(code) => {
                const camera = document.getElementById("check-in-camera");
                return htmx.ajax("POST", camera.dataset.scanUrl, {source: camera,
                    target: "#scan-results", swap: "afterbegin", values: {code: code}});
            }""",
            code,
        )
    expect(results).to_have_count(3)
    expect(results.nth(0)).to_have_text("✕ No RSVP of this event has that code.")
    expect(results.nth(1)).to_contain_text("Bruno Baker was already checked in at")
    expect(results.nth(1)).to_contain_text("by Omar Door.")
    expect(results.nth(2)).to_have_text("✓ Alice Ahn checked in.")

    assert_no_horizontal_scroll(phone)
    screenshot(phone, "check_in_camera_390")
    assert _serious(phone) == []
    phone.emulate_media(color_scheme="dark")
    screenshot(phone, "check_in_camera_390_dark")
    assert _serious(phone) == []
    phone.emulate_media(color_scheme="light")

    phone.get_by_role("button", name="Stop the camera").click()
    expect(phone.locator("#camera-video")).to_be_hidden()
    expect(phone.get_by_role("button", name="Scan with camera")).to_be_visible()
    assert errors == []


def test_without_javascript_the_code_field_still_checks_people_in(
    live_server, camera_browser, staff
):
    event = EventFactory(title="Data careers mixer")
    alice = RSVPFactory(event=event, user=StudentFactory(profile__display_name="Alice Ahn"))
    context = camera_browser.new_context(
        viewport=PHONE_VIEWPORT, locale="en-US", java_script_enabled=False
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        base = live_server.url
        log_in_as(page, base, staff)
        page.goto(f"{base}/events/{event.pk}/check-in/")
        expect(page.locator("#check-in-camera")).to_be_hidden()
        page.get_by_label(label("Scanned code")).fill(check_in_url(alice))
        page.get_by_role("button", name="Look up the code").click()
        page.get_by_role("button", name="Check in Alice Ahn").click()
        expect(page.locator("#messages")).to_contain_text("Alice Ahn is checked in.")
        alice.refresh_from_db()
        assert alice.checked_in_at is not None
    finally:
        context.close()
