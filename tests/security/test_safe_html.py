"""Where HTML is marked safe: only where the HTML is ours, in places listed here.

Every `mark_safe`, `format_html`, `format_html_join` and `SafeString(...)` in our code and
every `|safe`, `|safeseq` and `{% autoescape off %}` in an HTML template is counted per file.
A new place (or one more in a listed file) fails until it is reviewed and added below; a place
that goes away fails until its allowance is lowered, so the list stays exact. Text a person
typed never reaches one of them: each listed function escapes every value it writes (the
stored-XSS crawl in test_xss.py checks the pages they build).

Plain-text email templates (`templates/**/*.txt`) turn autoescaping off on purpose: they are
sent as text/plain and never shown on a page as HTML (networking_app/core/emails.render_email
returns plain strings, so a preview escapes them).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = ["networking_app", "contacts", "mentoring", "events"]

PYTHON = re.compile(r"\b(mark_safe|format_html_join|format_html|SafeString|SafeText)\(")
TEMPLATE = re.compile(r"\|\s*(safe|safeseq)\b|\{%\s*autoescape\s+off\s*%\}")

# path: number of places. Each one: why the HTML is ours.
ALLOWED: dict[str, int] = {
    # An event's description: Markdown sanitised by nh3 (events/markdown.py), tags and
    # attributes allowlisted (no hx-*, no on*).
    "templates/events/event_detail.html": 1,
    # The output of the Jinja2 engine (render_fragment), which escapes every value it writes:
    # networking_app/core/jinja.py refuses an environment without autoescape (test_jinja.py).
    "networking_app/core/jinja.py": 1,
    # A form field's help text, as Django's own field.html writes it (`|safe`): the words of
    # the form class, never a person's input (templates/jinja2/forms/field_group.html).
    "templates/jinja2/forms/field_group.html": 1,
}


def _python_files():
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _places() -> Counter:
    found: Counter = Counter()
    for path in _python_files():
        count = len(PYTHON.findall(path.read_text()))
        if count:
            found[str(path.relative_to(ROOT))] = count
    for path in (ROOT / "templates").rglob("*.html"):
        count = len(TEMPLATE.findall(path.read_text()))
        if count:
            found[str(path.relative_to(ROOT))] = count
    return found


def test_html_is_marked_safe_only_in_the_listed_places():
    found = _places()
    new = {p: n for p, n in found.items() if n > ALLOWED.get(p, 0)}
    assert new == {}, (
        "HTML marked safe in a new place (file: count). Build the HTML in a template instead, "
        f"or review that no text a person typed reaches it and add it to ALLOWED: {new}"
    )
    gone = {p: (n, found.get(p, 0)) for p, n in ALLOWED.items() if found.get(p, 0) < n}
    assert gone == {}, f"Fewer places than allowed (allowed, found): lower ALLOWED: {gone}"


def test_the_scan_finds_what_it_should():
    assert PYTHON.findall("x = mark_safe(y)\nformat_html('<b>{}</b>', v)") == [
        "mark_safe",
        "format_html",
    ]
    assert PYTHON.findall("def f() -> SafeString:") == []
    assert len(TEMPLATE.findall("{{ a|safe }} {{ b | safeseq }} {% autoescape off %}")) == 3
    assert TEMPLATE.findall("{{ a|safer }}") == []
