from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()
DASH = "\u2013"


@register.filter
def percent(value) -> str:
    """0.4567 -> "46%"; None (nothing to divide by) -> a dash."""
    if value is None:
        return DASH
    return f"{value * 100:.0f}%"


@register.filter
def number(value) -> str:
    if value is None:
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return intcomma(int(value))
