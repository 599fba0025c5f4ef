"""Stored XSS: every free-text field of every object the access table builds holds a script
payload, and every page of the access table, fetched by each visitor who may open it, shows it
escaped (Markdown fields: sanitised). Email templates are rendered with payloads everywhere and
checked the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse

from tests.test_access import WHO, _expected, _named_routes, _route_kwargs
from tests.test_access import clients as clients
from tests.test_access import owned as owned

LONG = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
SHORT = "<i>x</i>'\""
# What must never appear raw in a page: any of these means the payload was not escaped.
RAW = ("<script>alert(1)", "<img src=x onerror", "<i>x</i>")
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


def _payload(field: models.Field, pk) -> str:
    suffix = f" {pk}"
    text = LONG if (field.max_length or 10_000) >= len(LONG) + len(suffix) else SHORT
    return (text + suffix)[: field.max_length] if field.max_length else text + suffix


def contaminate() -> int:
    """Write a payload into every free-text field of every row of our apps. Markdown fields
    (a `<name>_html` twin) go through their sanitiser, as the services do."""
    touched = 0
    for model in apps.get_models():
        if model._meta.app_label not in APPS or model._meta.proxy:
            continue
        fields = _free_text_fields(model)
        if not fields:
            continue
        for pk in model._default_manager.values_list("pk", flat=True):
            values = {}
            for field in fields:
                if field.name.endswith("_html"):
                    continue
                values[field.name] = _payload(field, pk)
                twin = f"{field.name}_html"
                if any(f.name == twin for f in model._meta.concrete_fields):
                    from events.markdown import markdown_to_safe_html

                    values[twin] = markdown_to_safe_html(values[field.name])
            model._default_manager.filter(pk=pk).update(**values)
            touched += 1
    return touched


def _raw_payloads(html: str) -> list[str]:
    return [raw for raw in RAW if raw in html]


@pytest.mark.parametrize("name", [n for n in _named_routes() if not n.startswith("admin:")])
def test_every_page_escapes_stored_payloads(name, clients, owned):
    assert contaminate() > 10
    url = reverse(name, kwargs=_route_kwargs(name, owned))
    expected = _expected(name)
    for who, client in enumerate(clients):
        if expected[who] != 200:
            continue
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        assert _raw_payloads(html) == [], f"{name} as {WHO[who]}: unescaped payload in {url}"


def test_the_payloads_do_reach_the_pages(student_client, owned):
    """The check above is not vacuous: a contact's page shows the (escaped) payload."""
    contaminate()
    url = reverse("contacts:detail", kwargs={"contact_id": owned["contact_id"]})
    html = student_client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class _Anything(str):
    """A template value that is a payload whatever is asked of it: attributes, items, calls
    and loops all give another payload."""

    def __new__(cls):
        return super().__new__(cls, LONG)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()

    def __getitem__(self, key):
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __iter__(self):
        return iter([_Anything()])


class _PayloadContext(dict):
    def __contains__(self, key):
        return True

    def __missing__(self, key):
        return _Anything()


EMAIL_TEMPLATES = sorted(
    p.name for p in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*.html")
)


@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_email_html_escapes_every_value(template):
    try:
        html = render_to_string(f"emails/{template}", _PayloadContext())
    except Exception as error:  # a filter that cannot take a string: render what it can
        pytest.fail(f"emails/{template} could not be rendered with payloads: {error!r}")
    assert _raw_payloads(html) == [], f"emails/{template}"
