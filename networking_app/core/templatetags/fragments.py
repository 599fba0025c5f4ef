"""`{% jinja_fragment "contacts/contact_rows.html" contacts=contacts %}`: a Jinja2 fragment
(templates/jinja2/, networking_app/core/jinja.py) inside a Django template, given only the
values named."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from networking_app.core.jinja import render_fragment

register = template.Library()


@register.simple_tag
def jinja_fragment(template_name: str, **context) -> SafeString:
    return render_fragment(template_name, context)
