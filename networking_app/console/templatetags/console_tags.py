from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from networking_app.console.charts import DASH, Chart
from networking_app.core.jinja import render_fragment

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.4567 -> "46%"; None (nothing to divide by) -> a dash."""
    if value is None:
        return DASH
    return f"{value * 100:.0f}%"


@register.simple_tag
def chart_figure(chart: Chart, query: str = "") -> SafeString:
    """A dashboard chart: its SVG, legend and table (the geometry computed once, kept with the
    cached figures) and the link to its CSV with the page's filters. Rendered by Jinja2
    (templates/jinja2/console/chart_figure.html): a dashboard draws seven charts of some
    hundreds of elements each, and Django's engine spent most of the page's time in their loops
    (bench/RESULTS.md, "Dashboard charts and list rows through Jinja2")."""
    url = reverse("console:chart_export", kwargs={"chart_key": chart.key})
    return render_fragment(
        "console/chart_figure.html",
        {"chart": chart, "g": chart.geometry, "url": f"{url}?{query}" if query else url},
    )
