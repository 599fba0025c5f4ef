"""`{% field_group form.q %}`: what `{{ form.q.as_field_group }}` writes, in one Jinja2 template
rather than Django's three (templates/jinja2/forms/field_group.html), for the search and
filter forms of the list pages: some 60 µs a field through Django's form templates, most of
a filter form's 0.7 to 1 ms on a cold contacts list, directory search or calendar month."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from networking_app.core.jinja import render_fragment

register = template.Library()

SELECT = "django/forms/widgets/select.html"
# The widget templates field_group.html writes (each of Django's input widgets only includes
# its input.html; a checkbox is one with `checked`).
WRITTEN = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("text", "search", "number", "email", "url", "tel", "checkbox")
) | {SELECT}


def _written(bf: BoundField) -> bool:
    """Whether field_group.html writes this field as Django would: not a required, disabled
    or localized one, one with errors or attributes of its own that Django would merge, nor a
    select of several values or of grouped options."""
    field, widget = bf.field, bf.field.widget
    if widget.template_name not in WRITTEN or field.required or field.disabled or field.localize:
        return False
    if not bf.auto_id or "id" in widget.attrs or "aria-describedby" in widget.attrs or bf.errors:
        return False
    if widget.template_name == SELECT:
        return not widget.allow_multiple_selected and not any(
            isinstance(label, list | tuple) for _, label in field.choices
        )
    return True


@register.simple_tag
def field_group(bf: BoundField) -> SafeString:
    if not _written(bf):
        return bf.as_field_group()
    # The punctuation after which Django adds no label suffix, as it reads it.
    return render_fragment(
        "forms/field_group.html",
        {
            "bf": bf,
            "select": bf.field.widget.template_name == SELECT,
            "punctuation": gettext(":?.!"),
        },
    )
