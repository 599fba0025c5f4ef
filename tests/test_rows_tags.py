"""`{% object_url %}` and `|when` (networking_app/core/templatetags/rows.py) give what `{% url %}`
and `|date` give."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone


def _render(source: str, **context) -> str:
    return Template("{% load rows %}" + source).render(Context(context))


def test_object_url_is_what_url_reverses():
    assert _render("{% object_url 'contacts:detail' contact_id=pk %}", pk=42) == reverse(
        "contacts:detail", kwargs={"contact_id": 42}
    )
    assert _render(
        "{% object_url 'contacts:draft' contact_id=pk kind='follow_up' %}", pk=7
    ) == reverse("contacts:draft", kwargs={"contact_id": 7, "kind": "follow_up"})


def test_object_url_wants_one_integer_id():
    with pytest.raises(TemplateSyntaxError):
        _render("{% object_url 'contacts:detail' contact_id=pk %}", pk="42")


@pytest.mark.parametrize("fmt", ["", ':"D j M"', ':"j M Y"', ':"c"', ':"D j M, g:i A"'])
def test_when_is_what_date_writes(fmt):
    day = dt.date(2026, 3, 8)
    # 04:30 UTC on 8 March is still the 7th in New York.
    moment = dt.datetime(2026, 3, 8, 4, 30, tzinfo=dt.UTC)
    # Time formats are for datetimes only (|date refuses them for a date).
    values = (moment,) if "g:i" in fmt else (day, moment)
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        for value in values:
            assert _render(f"{{{{ v|when{fmt} }}}}", v=value) == _render(
                f"{{{{ v|date{fmt} }}}}", v=value
            )
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert _render("{{ v|when:'c' }}", v=moment) == "2026-03-08T13:30:00+09:00"


def test_when_of_nothing_is_empty():
    assert _render("{{ v|when }}", v=None) == ""
    assert _render("{{ v|when }}") == ""


def test_when_is_escaped_by_the_template():
    # "b" is the month's short name; the angle brackets are written as they are, then escaped.
    assert _render("{{ v|when:'<b>' }}", v=dt.date(2026, 1, 1)) == "&lt;jan&gt;"
