"""What the security tests and the crawl share: the Content Security Policy check of one
response, and stored payloads (a script and live htmx attributes) written into every free-text
field of the database, with the check that a page shows them escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.apps import apps
from django.db import models

LONG = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
HTMX = (
    '<b hx-post="/staff/team/" hx-vals=\'{"email":"x@evil.example"}\' hx-trigger="load" '
    'hx-get="/" hx-on:click="1">'
)
SHORT = "<i>x</i>'\""
# Longest first: a field gets the first that fits (with the row's id after it).
PAYLOADS = (LONG + HTMX, HTMX, LONG, SHORT)
# What must never appear raw in a page: any of these means the payload was not escaped.
RAW = ("<script>alert(1)", "<img src=x onerror", "<i>x</i>", "<b hx-")
APPS = {"accounts", "contacts", "mentoring", "events", "notifications", "console"}
SKIP_NAMES = ("token", "code", "slug", "uid", "key", "password", "secret", "search_")
SKIP_EXACT = {"time_zone", "normalized_name", "kind", "role", "status", "message_id"}


def _free_text_fields(model) -> list[models.Field]:
    fields = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if isinstance(field, models.EmailField | models.URLField | models.SlugField):
            continue
        if field.choices or field.primary_key or field.name in SKIP_EXACT:
            continue
        if any(part in field.name for part in SKIP_NAMES):
            continue
        fields.append(field)
    return fields


def owner_marker(user_id: int) -> str:
    """Written after the payload in every row of a student's own records (the contacts app's
    models with an owner): a page of someone else's that shows it leaks their private text."""
    return f"ZQX{user_id}QXZ"


def _payload(field: models.Field, suffix: str) -> str:
    room = field.max_length or 10_000
    text = next((p for p in PAYLOADS if len(p) + len(suffix) <= room), SHORT)
    return (text + suffix)[: field.max_length] if field.max_length else text + suffix


def _rows(model):
    """(pk, owner id or None) of every row: the owner of a student's own records."""
    owned = model._meta.app_label == "contacts" and any(
        f.name == "owner" for f in model._meta.concrete_fields
    )
    if owned:
        return model._default_manager.values_list("pk", "owner_id")
    return ((pk, None) for pk in model._default_manager.values_list("pk", flat=True))


def contaminate() -> int:
    """Write a payload into every free-text field of every row of our apps (then the row's id,
    and the owner's marker in a student's own records). Markdown fields (a `<name>_html` twin)
    go through their sanitiser, as the services do."""
    touched = 0
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model._meta.proxy:
            continue
        fields = _free_text_fields(model)
        if not fields:
            continue
        for pk, owner_id in list(_rows(model)):
            suffix = f" {pk}" + (f" {owner_marker(owner_id)}" if owner_id else "")
            values = {}
            for field in fields:
                if field.name.endswith("_html"):
                    continue
                values[field.name] = _payload(field, suffix)
                twin = f"{field.name}_html"
                if any(f.name == twin for f in model._meta.concrete_fields):
                    from events.markdown import markdown_to_safe_html

                    values[twin] = markdown_to_safe_html(values[field.name])
            model._default_manager.filter(pk=pk).update(**values)
            touched += 1
    return touched


def raw_payloads(html: str) -> list[str]:
    return [raw for raw in RAW if raw in html]


class CspFindings(HTMLParser):
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


def policy_nonce(header: str) -> str | None:
    match = re.search(r"'nonce-([^']+)'", header)
    return match.group(1) if match else None


def assert_keeps_to_the_policy(response, where: str) -> None:
    """An HTML response carries the policy and needs nothing it forbids (inline scripts, event
    handler or style attributes, javascript: URLs, scripts without the response's nonce)."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    header = response.get("Content-Security-Policy", "")
    assert header, f"{where}: no Content-Security-Policy header"
    if "sandbox" in header:
        return  # a sandboxed document (the development mailbox's message frame)
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in header, f"{where}: {directive} missing from {header}"
    # An empty script-src (a fragment that loads no script) allows no script at all.
    script_src = re.search(r"script-src([^;]*)", header)
    assert script_src, header
    assert "'unsafe-inline'" not in script_src.group(1)
    assert "'self'" not in script_src.group(1), "scripts are nonce-only outside the admin"
    findings = CspFindings()
    findings.feed(response.content.decode())
    assert findings.problems == [], f"{where}: {findings.problems}"
    nonce = policy_nonce(header)
    assert findings.nonces <= {nonce}, f"{where}: script nonces {findings.nonces} != {nonce}"
