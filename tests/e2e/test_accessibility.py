"""Every main page of each role, with the demo data, in Chromium, one crawl per role (one
demo world and one signed-in browser context for all of its pages); every page is loaded once
and its problems are collected and reported together:

- axe-core (axe-playwright-python, vendored axe.min.js) finds no serious or critical violation;
- the keyboard reaches the page's controls, and each focused control shows a visible focus
  indicator (an outline or a box shadow);
- at 390 px wide nothing scrolls sideways;
- reflow at 320 x 640 CSS px in the dark colour scheme: the document does not scroll sideways,
  and no box but a table's does (1.4.10's exception);
- in the dark scheme, axe's color-contrast rule finds nothing.

`SCREENSHOTS=1` (`make screenshots`) also saves each page at 1280 and 390 px to
tests/e2e/screenshots/pages/ for people to look at; the suite itself takes none.
"""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from networking_app.demo.load import demo_data_load
from tests.e2e.conftest import SCREENSHOT_DIR
from tests.e2e.pages import PAGES, page_urls, sign_in_as

TRANSITIONS_DONE = "() => document.getAnimations().every(a => a.playState !== 'running')"
PHONE = {"width": 390, "height": 844}
REFLOW = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
SERIOUS = {"serious", "critical"}
CONTRAST_ONLY = {
    "runOnly": {"type": "rule", "values": ["color-contrast"]},
    "resultTypes": ["violations"],
}
SCREENSHOTS = os.environ.get("SCREENSHOTS", "") not in ("", "0")
# Boxes that scroll sideways inside the page and hold no table (tables may: 1.4.10's exception).
SCROLLS_INSIDE = """() => [...document.querySelectorAll('body *')].filter(el => {
    const s = getComputedStyle(el);
    return ['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth + 1
        && el.tagName !== 'TABLE' && el.tagName !== 'PRE' && !el.querySelector('table');
}).map(el => el.outerHTML.slice(0, 80))"""
WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture
def demo(transactional_db):
    demo_data_load()


def _focus_is_visible(page: Page) -> bool | None:
    """Whether the focused element draws an outline or a shadow (None: nothing focused)."""
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
        return outline || (s.boxShadow && s.boxShadow !== 'none');
    }"""
    )


def _problems(page: Page, role: str, label: str, url: str, folder) -> list[str]:
    """What is wrong with one page, loaded once at 1280 px in the light scheme and then
    resized and switched to the dark scheme: a status other than 200, serious axe violations, a
    focused control without a visible indicator, sideways scrolling at 390 px and at 320 px
    (dark), text below axe's contrast in the dark."""
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    assert response is not None
    if response.status != 200:
        return [f"{label}: {url} answered {response.status}"]
    if folder:
        page.screenshot(path=folder / f"{role}-{label}-1280.png", full_page=True)
    results = Axe().run(page)
    problems = [
        f"{label}: {v['id']} ({v['impact']}): {v['help']} at "
        f"{[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]

    # Keyboard: the first tab stops are real controls, each with a visible focus style.
    for _ in range(6):
        page.keyboard.press("Tab")
        visible = _focus_is_visible(page)
        if visible is None:
            break
        if not visible:
            tag = page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
            problems.append(f"{label}: no visible focus on {tag}")
            break

    page.set_viewport_size(PHONE)
    scroll_width, client_width = page.evaluate(WIDTHS)
    if folder:
        page.screenshot(path=folder / f"{role}-{label}-390.png", full_page=True)
    if scroll_width > client_width:
        problems.append(f"{label} scrolls sideways by {scroll_width - client_width}px at 390px")

    page.emulate_media(color_scheme="dark")
    page.set_viewport_size(REFLOW)
    scroll_width, client_width = page.evaluate(WIDTHS)
    if scroll_width > client_width:
        problems.append(f"{label} is {scroll_width}px wide at 320 CSS px (dark)")
    problems += [
        f"{label}: {box} scrolls sideways at 320px" for box in page.evaluate(SCROLLS_INSIDE)
    ]

    # Contrast in the dark at full width (the whole navigation shown).
    page.set_viewport_size(DESKTOP)
    assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches")
    # The colours once the scheme's transitions have run (the admin's buttons fade theirs over
    # 0.15 s; axe once read the search button half-way, #777 behind #eee).
    page.wait_for_function(TRANSITIONS_DONE)
    dark = Axe().run(page, options=CONTRAST_ONLY).response
    ran = {rule["id"] for rule in dark["passes"] + dark["violations"]}
    if "color-contrast" not in ran:
        problems.append(f"{label}: axe checked no text's contrast in the dark")
    problems += [
        f"{label} (dark): {node['target']} {node['any'][0]['message']}"
        for violation in dark["violations"]
        for node in violation["nodes"]
    ]
    return problems


@pytest.mark.parametrize("role", list(PAGES))
def test_main_pages_are_accessible_reflow_and_keep_contrast_in_the_dark(
    demo, live_server, page: Page, role
):
    sign_in_as(page, live_server.url, role)
    folder = None
    if SCREENSHOTS:
        folder = SCREENSHOT_DIR / "pages"
        folder.mkdir(parents=True, exist_ok=True)
    problems = []
    visited = 0
    for label, path in page_urls(role):
        problems += _problems(page, role, label, live_server.url + path, folder)
        visited += 1
    assert visited == len(PAGES[role][1])
    assert problems == [], f"{role}: " + "\n".join(problems)
