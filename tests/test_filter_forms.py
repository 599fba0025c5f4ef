"""The filter forms of the list pages are Django's own field groups (`as_field_group`): each
field's label tied to its input, the values a person typed kept (escaped), the chosen options
selected, help text linked by aria-describedby, and errors shown next to their field."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _normal(html: str) -> str:
    """The markup without the template engine's layout whitespace, quotes escaped as Django
    does (the fields' Jinja2 templates write `&#34;` and `&#39;`: the same characters)."""
    html = html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


def test_contacts_filter_form_keeps_labels_values_and_choices(student_client):
    html = _normal(
        student_client.get(
            reverse("contacts:list"),
            {"q": 'say "hi" <b>', "relationship": "alumni", "losing": "1", "sort": "recent"},
        ).text
    )
    assert (
        '<label for="id_q">Search:</label><div class="helptext" id="id_q_helptext">'
        "Name, organization, title, tag, or words from your notes and conversation notes. "
        "Small typos in names and organizations are forgiven.</div>"
        '<input type="search" name="q" value="say &quot;hi&quot; &lt;b&gt;" autocomplete="off" '
        'maxlength="200" aria-describedby="id_q_helptext" id="id_q">'
    ) in html
    assert '<label for="id_relationship">How you know them:</label>' in html
    assert '<option value="alumni" selected>Alumna / alumnus</option>' in html
    assert '<label for="id_losing">Losing touch</label>' in html
    assert '<input type="checkbox" name="losing" value="1" id="id_losing" checked>' in html
    assert '<input type="checkbox" name="upcoming" value="1" id="id_upcoming">' in html
    assert '<label for="id_sort">Sort by:</label>' in html


def test_dashboard_filter_form_shows_errors_next_to_their_field(staff_client):
    html = _normal(staff_client.get(reverse("console:dashboard"), {"start": "nope"}).text)
    assert (
        '<div class="field field-invalid"><label for="id_start">From:</label>'
        '<ul class="errorlist" id="id_start_error"><li>Enter a valid date.</li></ul>'
        '<input type="date" name="start" value="nope" aria-invalid="true" '
        'aria-describedby="id_start_error" id="id_start"></div>'
    ) in html
    assert (
        '<div class="field"><label for="id_end">To:</label>'
        '<input type="date" name="end" id="id_end"></div>' in html
    )


def test_calendar_filter_form_keeps_its_choices(student_client):
    response = student_client.get(reverse("events:calendar"))
    html = _normal(response.text)
    form = response.context["filter_form"]
    for name in ("kind", "industry", "organization"):
        assert f'<label for="id_{name}">' in html
        assert _normal(form[name].as_field_group()) in html
