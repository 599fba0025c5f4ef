from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from networking_app.console.charts import DASH, Chart, format_number

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.4567 -> "46%"; None (nothing to divide by) -> a dash."""
    if value is None:
        return DASH
    return f"{value * 100:.0f}%"


@register.filter
def number(value) -> str:
    return format_number(value)


@register.simple_tag
def chart_figure(chart: Chart, query: str = "") -> SafeString:
    """A dashboard chart: its SVG, legend and table (drawn once, kept with the cached figures)
    and the link to its CSV with the page's filters."""
    url = reverse("console:chart_export", kwargs={"chart_key": chart.key})
    if query:
        url = f"{url}?{query}"
    empty = ""
    if chart.is_empty:
        empty = format_html('<p class="muted">{}</p>\n', "Nothing to show for this period.")
    return format_html(
        '<figure class="chart-figure" id="chart-{}">\n'
        "<figcaption><h3>{}</h3></figcaption>\n"
        "{}{}\n{}\n{}\n"
        '<p><a href="{}" download>Download CSV<span class="visually-hidden"> of {}</span></a></p>\n'
        "</figure>",
        chart.key,
        chart.title,
        empty,
        chart.svg(),
        chart.legend(),
        chart.table(),
        url,
        chart.title,
    )
