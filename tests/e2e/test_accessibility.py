"""Every main page of each role, with the demo data, in Chromium, one crawl per role (one
demo world and one signed-in browser context for all of its pages, as in test_keyboard.py's
reflow check); every page's problems are collected and reported together:

- axe-core (axe-playwright-python, vendored axe.min.js) finds no serious or critical violation;
- at 390 px wide nothing scrolls sideways; screenshots at 390 and 1280 px go to
  tests/e2e/screenshots/pages/ for people to look at;
- the keyboard reaches the page's controls, and each focused control shows a visible focus
  indicator (an outline or a box shadow).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from networking_app.demo.load import demo_data_load
from tests.e2e.conftest import SCREENSHOT_DIR
from tests.e2e.pages import PAGES, page_urls, sign_in_as

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SERIOUS = {"serious", "critical"}


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
    """What is wrong with one page: a status other than 200, serious axe violations, a
    focused control without a visible indicator, sideways scrolling at 390 px."""
    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    assert response is not None
    if response.status != 200:
        return [f"{label}: {url} answered {response.status}"]
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
    page.goto(url)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.screenshot(path=folder / f"{role}-{label}-390.png", full_page=True)
    if overflow > 0:
        problems.append(f"{label} scrolls sideways by {overflow}px at 390px")
    return problems


@pytest.mark.parametrize("role", list(PAGES))
def test_main_pages_are_accessible_and_fit_a_phone(demo, live_server, page: Page, role):
    sign_in_as(page, live_server.url, role)
    folder = SCREENSHOT_DIR / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    visited = 0
    for label, path in page_urls(role):
        problems += _problems(page, role, label, live_server.url + path, folder)
        visited += 1
    assert visited == len(PAGES[role][1])
    assert problems == [], f"{role}: " + "\n".join(problems)
