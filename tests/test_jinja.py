"""The Jinja2 engine of the few fragments Django's engine renders too slowly
(networking_app/core/jinja.py): it escapes everything, translates with Django's catalogues, and
the dashboard's charts come out of it as they did out of Django's engine."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template, engines
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from networking_app.console.charts import Chart, Series
from networking_app.core import jinja
from networking_app.core.jinja import environment, render_fragment

HOSTILE = "<script>alert(1)</script> \"quoted\" 'single' & more"


def test_the_engine_refuses_to_run_without_autoescape():
    with pytest.raises(ValueError, match="autoescape"):
        environment(autoescape=False)
    assert environment().autoescape is True


def _chart(text: str) -> Chart:
    return Chart(
        key="major",
        title=f"Title {text}",
        kind="bar",
        category_label=f"Major {text}",
        categories=[f"Category {text}", "History"],
        series=[Series(f"Series {text}", [3, 1]), Series("Other", [0, 2])],
        description=f"Description {text}",
    )


def test_text_typed_by_people_is_escaped_everywhere_in_a_chart():
    # Majors are typed by students: they are categories, tick labels and table cells.
    html = Template("{% load console_tags %}{% chart_figure chart 'a=1&b=<2>' %}").render(
        Context({"chart": _chart(HOSTILE)})
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;quoted&#34;" in html
    assert "&#39;single&#39;" in html
    assert "&amp; more" in html
    assert 'href="/staff/dashboard/major.csv?a=1&amp;b=&lt;2&gt;"' in html
    assert html.count("<rect") == 4  # two series of two bars, not escaped
    assert '<ul class="chart-legend" aria-hidden="true">' in html


def test_a_fragment_is_safe_html_for_django_and_translated():
    html = render_fragment(
        "console/chart_figure.html",
        {"chart": _chart("x"), "g": _chart("x").geometry, "url": "/x.csv"},
    )
    assert isinstance(html, SafeString)
    assert "Download CSV" in html
    assert '<span class="visually-hidden"> of Title x</span>' in html
    with translation.override("es"):
        spanish = render_fragment(
            "console/chart_figure.html",
            {"chart": _chart("x"), "g": _chart("x").geometry, "url": "/x.csv"},
        )
    assert "Descargar CSV" in spanish
    assert "Mostrar las cifras como tabla" in spanish
    assert '<span class="visually-hidden"> de Title x</span>' in spanish


def test_an_empty_chart_says_so():
    chart = _chart("x")
    chart.series = [Series("Only", [0, 0])]
    html = render_fragment(
        "console/chart_figure.html", {"chart": chart, "g": chart.geometry, "url": "/x.csv"}
    )
    assert "Nothing to show for this period." in html
    assert "chart-legend" not in html  # one series: no legend


def test_a_django_template_includes_a_fragment_with_the_row_helpers():
    html = Template(
        '{% load fragments %}{% jinja_fragment "contacts/contact_rows.html" contacts=rows %}'
    ).render(Context({"rows": []}))
    assert html.strip() == ""
    env = environment()
    assert {"when", "initials", "avatar_hue"} <= set(env.filters)
    rendered = env.from_string(
        '{{ object_url("contacts:detail", "contact_id", 7) }} {{ "Ada Lovelace"|initials }}'
    ).render()
    assert rendered == "/my/contacts/7/ AL"


def test_dates_are_in_the_viewers_zone_and_language_of_each_render():
    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    template = engines["jinja2"].from_string(
        '{{ moment|when("Y-m-d H:i") }} {{ moment|when("F") }} {{ none|when }}'
    )
    context = {"moment": moment, "none": None}
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")), translation.override("es"):
        # As render_fragment renders it, and without its viewer: the active zone and language.
        tokyo = template.render({**context, jinja.VIEWER: jinja.viewer()})
        assert template.render(context) == tokyo
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")), translation.override("en"):
        new_york = template.render({**context, jinja.VIEWER: jinja.viewer()})
    assert tokyo == "2026-03-02 08:30 marzo "
    assert new_york == "2026-03-01 18:30 March "
