"""Content Security Policy: every page carries the policy, and no page relies on anything the
policy forbids (inline scripts, event-handler attributes, style attributes, javascript: URLs).

The pages are every route of the access table that answers 200 to someone, fetched as that
someone, so a new page is checked as soon as it has an access row.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests.routes import WHO, expected_for, named_routes, route_kwargs


class _Findings(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.nonces: set[str] = set()
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (inline event handler)")
            if name == "style":
                self.problems.append(f"<{tag} style=...> (inline style)")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "script":
            self._in_script = True
            if "nonce" not in names:
                self.problems.append(f"<script src={names.get('src')!r}> without a nonce")
            else:
                self.nonces.add(names["nonce"])
            if "src" not in names and names.get("type") != "application/json":
                self.problems.append("inline <script> body")
        if tag == "style":
            self.problems.append("<style> element")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def _policy_nonce(header: str) -> str | None:
    match = re.search(r"'nonce-([^']+)'", header)
    return match.group(1) if match else None


@pytest.mark.django_db
class TestEveryPage:
    """One world for every route (tests/conftest.py route_world)."""

    @pytest.mark.parametrize("name", [n for n in named_routes() if not n.startswith("admin:")])
    def test_every_page_keeps_to_the_content_security_policy(self, name, route_world):
        url = reverse(name, kwargs=route_kwargs(name, route_world.owned))
        expected = expected_for(name).get
        for who, client in enumerate(route_world.visitors()):
            if expected[who] != 200:
                continue
            response = client.get(url)
            assert response.status_code == 200, f"{name} as {WHO[who]}"
            content_type = response.get("Content-Type", "")
            if not content_type.startswith("text/html"):
                continue
            header = response.get("Content-Security-Policy", "")
            assert header, f"{name} as {WHO[who]}: no Content-Security-Policy header"
            if "sandbox" in header:
                continue  # a sandboxed document (the development mailbox's message frame)
            for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
                assert directive in header, f"{name}: {directive} missing from {header}"
            # An empty script-src (a fragment that loads no script) allows no script at all.
            script_src = re.search(r"script-src([^;]*)", header)
            assert script_src, header
            assert "'unsafe-inline'" not in script_src.group(1)
            assert "'self'" not in script_src.group(1), "scripts are nonce-only outside the admin"
            findings = _Findings()
            findings.feed(response.content.decode())
            assert findings.problems == [], f"{name} as {WHO[who]}: {findings.problems}"
            nonce = _policy_nonce(header)
            assert findings.nonces <= {nonce}, f"{name}: script nonces {findings.nonces} != {nonce}"


def test_the_nonce_changes_with_every_response(student_client):
    first = _policy_nonce(student_client.get(reverse("home"))["Content-Security-Policy"])
    second = _policy_nonce(student_client.get(reverse("home"))["Content-Security-Policy"])
    assert first
    assert second
    assert first != second


def test_htmx_is_loaded_with_the_nonce_and_without_eval(student_client):
    response = student_client.get(reverse("home"))
    html = response.content.decode()
    nonce = _policy_nonce(response["Content-Security-Policy"])
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
