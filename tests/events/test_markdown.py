"""Event descriptions: Markdown in, sanitised HTML out; no XSS payload survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from events.markdown import markdown_to_safe_html

ALLOWED_TAGS = {"a", "p", "strong", "em", "code", "pre", "ul", "ol", "li", "br", "blockquote"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def _elements(html: str) -> list[tuple[str, list]]:
    collector = _Collector()
    collector.feed(html)
    return collector.elements


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        '![x](https://evil.example/x.png" onerror="alert(1))',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<p onclick=alert(1)>hi</p>",
        "[x](vbscript:msgbox(1))",
    ],
)
def test_xss_payloads_are_neutralised(payload):
    html = markdown_to_safe_html(payload)
    elements = _elements(html)
    assert {tag for tag, _ in elements} <= ALLOWED_TAGS
    for _tag, attributes in elements:
        for name, value in attributes:
            assert not name.startswith("on"), html
            assert name in {"href", "title", "rel", "start"}, html
            if name == "href":
                assert value.lower().startswith(("http://", "https://", "mailto:")), html


def test_markdown_is_rendered_and_links_get_rel():
    html = markdown_to_safe_html("# Hi\n\n**bold** and [site](https://example.com)\n\n- one\n- two")
    assert "<h1>Hi</h1>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>' in html
    assert "<li>one</li>" in html


def test_raw_html_is_shown_as_text_not_run():
    html = markdown_to_safe_html("<b>bold?</b>")
    assert "<b>" not in html
    assert "&lt;b&gt;" in html


def test_empty():
    assert markdown_to_safe_html("") == ""
