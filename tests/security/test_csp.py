"""Content Security Policy: the nonce, htmx's configuration, the admin's own scripts.

That every page carries the policy and relies on nothing it forbids (inline scripts, event
handler and style attributes, javascript: URLs) is checked on every page of the route table,
for every visitor who may open it, by the crawl (tests/test_crawl.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.urls import reverse

from tests.security.helpers import policy_nonce


def test_the_nonce_changes_with_every_response(student_client):
    first = policy_nonce(student_client.get(reverse("home"))["Content-Security-Policy"])
    second = policy_nonce(student_client.get(reverse("home"))["Content-Security-Policy"])
    assert first
    assert second
    assert first != second


def test_htmx_is_loaded_with_the_nonce_and_without_eval(student_client):
    response = student_client.get(reverse("home"))
    html = response.content.decode()
    nonce = policy_nonce(response["Content-Security-Policy"])
    assert re.search(rf'<script[^>]*htmx[^>]*nonce="{re.escape(nonce)}"', html) or re.search(
        rf'<script[^>]*nonce="{re.escape(nonce)}"[^>]*htmx', html
    )
    assert '"allowEval": false' in html
    assert '"includeIndicatorStyles": false' in html


def test_htmx_config_lets_injected_markup_do_least(student_client):
    """Markup that slipped through would still be processed by htmx: no eval (hx-on, hx-vars,
    trigger filters), no <script> in swapped content, requests to our own origin only."""
    html = student_client.get(reverse("home")).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert meta
    config = json.loads(meta.group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True
    # No copy of a private page (contacts, notes) left in the browser's localStorage.
    assert config["historyCacheSize"] == 0
    # The messages (which quote names people typed) are a region htmx leaves alone.
    assert '<div id="messages" class="messages" aria-live="polite" hx-disable>' in html


def test_the_vendored_htmx_knows_the_config_keys_we_set():
    """htmx 2 reads these keys and honours hx-disable; a different major version may not."""
    from django.contrib.staticfiles import finders

    source = Path(finders.find("django_htmx/htmx-2.min.js")).read_text()
    for key in (
        "allowEval",
        "allowScriptTags",
        "selfRequestsOnly",
        "historyCacheSize",
        "hx-disable",
    ):
        assert key in source, key


def test_the_admin_may_run_its_own_scripts_only(staff_client):
    header = staff_client.get("/admin/")["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", header).group(1)
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src
    assert "object-src 'none'" in header


def test_admin_pages_need_nothing_the_policy_forbids(staff_client, staff):
    """The admin keeps style-src 'self' (no inline styles) and loads scripts from our origin
    only, with no inline script: its main pages carry none of either, and an icon, so the
    browser does not ask for /favicon.ico (a 404). tests/e2e/test_admin_csp.py loads them in
    Chromium."""
    from tests.events.factories import EventFactory

    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    event = EventFactory()
    for url in ["/admin/", "/admin/accounts/user/", f"/admin/events/event/{event.pk}/change/"]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        header = response["Content-Security-Policy"]
        style_src = re.search(r"style-src ([^;]*)", header).group(1)
        assert style_src.split() == ["'self'"], url
        html = response.content.decode()
        assert re.search(r"<(?:[^>]*\s)?style=", html) is None, url
        assert "<style" not in html, url
        assert re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html) is None, f"{url}: inline script"
        assert '<link rel="icon"' in html, url


def test_security_headers_on_a_page(student_client):
    response = student_client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
