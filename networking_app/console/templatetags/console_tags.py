from django import template
from django.urls import reverse

from networking_app.console.charts import DASH, Chart

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.4567 -> "46%"; None (nothing to divide by) -> a dash."""
    if value is None:
        return DASH
    return f"{value * 100:.0f}%"


@register.inclusion_tag("console/_chart_figure.html")
def chart_figure(chart: Chart, query: str = "") -> dict:
    """A dashboard chart: its SVG, legend and table (the geometry computed once, kept with the
    cached figures) and the link to its CSV with the page's filters."""
    url = reverse("console:chart_export", kwargs={"chart_key": chart.key})
    return {"chart": chart, "g": chart.geometry, "url": f"{url}?{query}" if query else url}
