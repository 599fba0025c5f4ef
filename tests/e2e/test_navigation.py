"""The main navigation in Chromium: on a phone (390 px) the brand and a "Menu" that opens
without JavaScript share one row on every role's pages; on a wide screen the links stand in
one row with no menu button; the keyboard opens the menu. And the front page leads a visitor
to sign up from the phone menu."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOT_DIR, log_in_as

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ROLES = ("anonymous", "student", "volunteer", "staff")


def _tops(page: Page, selector: str) -> list[float]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_navigation_is_one_row_on_a_phone_and_a_row_of_links_on_a_wide_screen(
    live_server, page: Page, role, request
):
    if role != "anonymous":  # the conftest's student, volunteer and staff member
        log_in_as(page, live_server.url, request.getfixturevalue(role))
    start = live_server.url + (reverse("events:calendar") if role == "anonymous" else "/")
    menu = page.locator("summary", has_text="Menu")
    nav = page.get_by_role("navigation", name="Main")

    page.set_viewport_size(PHONE)
    page.goto(start)
    brand_top = _tops(page, ".site-header .brand")[0]
    assert abs(brand_top - _tops(page, ".site-menu > summary")[0]) < 24  # one row
    assert page.eval_on_selector(".site-header", "e => e.offsetHeight") < 80
    expect(nav.get_by_role("link").first).to_be_hidden()
    page.screenshot(path=SCREENSHOT_DIR / f"nav-{role}-390-closed.png")
    menu.click()
    links = nav.get_by_role("link")
    expect(links.first).to_be_visible()
    page.screenshot(path=SCREENSHOT_DIR / f"nav-{role}-390-open.png")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    # The last link leads where it says, from the open menu.
    last = links.last
    href = last.get_attribute("href")
    last.click()
    page.wait_for_url(lambda url: href in url or "/accounts/" in url)

    page.set_viewport_size(DESKTOP)
    page.goto(start)
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link").first).to_be_visible()
    tops = set(_tops(page, ".site-nav a"))
    assert len(tops) == 1, f"the links wrap onto {len(tops)} rows at 1280 px"
    page.screenshot(path=SCREENSHOT_DIR / f"nav-{role}-1280.png")


def test_the_keyboard_opens_the_phone_menu(live_server, page: Page, student):
    log_in_as(page, live_server.url, student)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.locator(".site-menu > summary").focus()
    page.keyboard.press("Enter")
    contacts = page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts")
    expect(contacts).to_be_visible()
    contacts.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('contacts:list')}")


def test_a_visitor_goes_from_the_front_page_to_sign_up_on_a_phone(live_server, page: Page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    expect(
        page.get_by_role("heading", name="Build the network that starts your career")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="How a career conversation works")).to_be_visible()
    page.screenshot(path=SCREENSHOT_DIR / "front-390.png", full_page=True)
    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    page.screenshot(path=SCREENSHOT_DIR / "front-1280.png", full_page=True)
