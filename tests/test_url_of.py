"""`{% url_of "name" %}` (networking_app.core.templatetags.site): a URL without arguments,
reversed once per process, in every template without a {% load %}."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import reverse

from networking_app.core.rendering import url_of

TEMPLATES = Path(settings.BASE_DIR) / "templates"
NO_ARGUMENT_URL = re.compile(r"""\{% url (['"])[\w:-]+\1( as \w+)? %\}""")


def test_it_gives_what_reverse_gives_in_any_template():
    template = engines["django"].from_string(
        '<a href="{% url_of "contacts:list" %}">{% url_of "home" as home %}{{ home }}</a>'
    )
    assert template.render({}) == f'<a href="{reverse("contacts:list")}">{reverse("home")}</a>'


def test_it_reverses_once_per_process():
    url_of.cache_clear()
    engines["django"].from_string('{% url_of "profile" %}{% url_of "profile" %}').render({})
    assert url_of.cache_info().misses == 1
    assert url_of.cache_info().hits == 1


def test_no_template_reverses_a_url_without_arguments_for_each_page():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        if "jinja2" not in path.relative_to(TEMPLATES).parts
        for match in NO_ARGUMENT_URL.finditer(path.read_text())
    ]
    assert found == []
