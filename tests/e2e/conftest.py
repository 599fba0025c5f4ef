"""Browser journeys: Playwright (sync API) driving the Debian Chromium against ``live_server``.

Every test under tests/e2e is marked ``browser``. The session-scoped browser checks that
Chromium exists before Playwright is even imported: session fixtures are set up before the
function-scoped gate in tests/conftest.py, so the browser fixture applies the same gate itself
(skip with a reason, or fail when REQUIRE_SERVICES=1).

Screenshots go to tests/e2e/screenshots/ (git-ignored): ``screenshot(page, name)`` for humans
to review, and ``<test name>.png`` automatically when a test fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, _service_missing

E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = E2E_DIR / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: mark only the ones in this folder.
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so the page fixture knows whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "screenshot"


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save tests/e2e/screenshots/<name>.png for a human to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{_safe_name(name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(scope="session")
def chromium_browser():
    # Checked here, before Playwright starts: this session fixture runs before the autouse gate.
    if not os.path.exists(CHROMIUM):
        _service_missing(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(request, chromium_browser):
    """A fresh browser context (cookies, storage) and page for each test."""
    context = chromium_browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        try:
            failed = any(
                getattr(getattr(request.node, f"rep_{when}", None), "failed", False)
                for when in ("setup", "call")
            )
            if failed and not page.is_closed():
                screenshot(page, request.node.name)
        finally:
            context.close()


def log_in_as(page, base_url: str, user) -> None:
    """Sign `user` in by handing the browser a session made on the server (no login form):
    for tests whose subject is a page, not the login. Staff sessions count as having passed
    their second factor, as in tests/conftest.py's staff_client."""
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.test import Client

    from tests.conftest import confirm_second_factor

    client = Client()
    client.force_login(user)
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        confirm_second_factor(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )
