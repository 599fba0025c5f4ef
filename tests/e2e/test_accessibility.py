"""Every main page of each role, with the demo data, in Chromium:

- axe-core (axe-playwright-python, vendored axe.min.js) finds no serious or critical violation;
- at 390 px wide nothing scrolls sideways; screenshots at 390 and 1280 px go to
  tests/e2e/screenshots/pages/ for people to look at;
- the keyboard reaches the page's controls, and each focused control shows a visible focus
  indicator (an outline or a box shadow).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page

from networking_app.accounts.models import User
from networking_app.demo.load import demo_data_load
from tests.e2e.conftest import SCREENSHOT_DIR, log_in_as
from tests.e2e.pages import PAGES

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SERIOUS = {"serious", "critical"}


def _cases():
    for role, (_, pages) in PAGES.items():
        for label, name, *kwargs in pages:
            yield pytest.param(
                role, label, name, kwargs[0] if kwargs else None, id=f"{role}-{label}"
            )


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


@pytest.mark.parametrize(("role", "label", "name", "kwargs"), list(_cases()))
def test_main_page_is_accessible_and_fits_a_phone(
    demo, live_server, page: Page, role, label, name, kwargs
):
    email = PAGES[role][0]
    if email:
        log_in_as(page, live_server.url, User.objects.get(email=email))
    url = live_server.url + reverse(name, kwargs=kwargs() if kwargs else None)
    folder = SCREENSHOT_DIR / "pages"
    folder.mkdir(parents=True, exist_ok=True)

    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url}: {response.status}"
    page.screenshot(path=folder / f"{role}-{label}-1280.png", full_page=True)
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]
    assert serious == [], f"{role} {label}: {serious}"

    # Keyboard: the first tab stops are real controls, each with a visible focus style.
    for _ in range(6):
        page.keyboard.press("Tab")
        visible = _focus_is_visible(page)
        if visible is None:
            break
        tag = page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
        assert visible, f"{role} {label}: no visible focus on {tag}"

    page.set_viewport_size(PHONE)
    page.goto(url)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.screenshot(path=folder / f"{role}-{label}-390.png", full_page=True)
    assert overflow <= 0, f"{role} {label} scrolls sideways by {overflow}px at 390px"
