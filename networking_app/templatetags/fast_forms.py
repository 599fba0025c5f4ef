"""`{% field_group form.field %}`: what `{{ form.field.as_field_group }}` renders, built in Python.

Django renders a field group through four templates (the group, the label, the widget, one
include per <option>); on a list page with a filter form of seven fields that cost more than
the list itself. The simple widgets of filter forms (text-like inputs, checkboxes, single
selects) are written here from the same widget context Django computes (`get_context`), so
attributes, values, ids, help text and aria-describedby are Django's own. Anything else (errors,
fieldsets, custom templates, other widgets) goes to `as_field_group` unchanged.
tests/test_fast_forms.py compares both renderings field by field.
"""

from __future__ import annotations

from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

_INPUT_TEMPLATES = {
    "django/forms/widgets/text.html",
    "django/forms/widgets/email.html",
    "django/forms/widgets/url.html",
    "django/forms/widgets/number.html",
    "django/forms/widgets/search.html",
    "django/forms/widgets/date.html",
    "django/forms/widgets/checkbox.html",
}
_SELECT_TEMPLATE = "django/forms/widgets/select.html"
_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _widget(widget: dict) -> str | None:
    template_name = widget["template_name"]
    if template_name in _INPUT_TEMPLATES:
        value = widget["value"]
        value_attr = "" if value is None else f' value="{conditional_escape(str(value))}"'
        return (
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{value_attr}{_attrs(widget["attrs"])}>'
        )
    if template_name == _SELECT_TEMPLATE:
        options = []
        for group_name, group, _index in widget["optgroups"]:
            if group_name:  # <optgroup>: not written here
                return None
            for option in group:
                if option["template_name"] != _OPTION_TEMPLATE:
                    return None
                options.append(
                    f'<option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                )
        return (
            f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
            + "".join(options)
            + "</select>"
        )
    return None


def _can_write(bound_field: forms.BoundField) -> bool:
    field, form = bound_field.field, bound_field.form
    return not (
        bound_field.errors
        or bound_field.use_fieldset
        or field.template_name
        or field.localize
        or not bound_field.label
        or not bound_field.auto_id
        or field.widget.attrs.get("id")
        or (field.required and getattr(form, "required_css_class", None))
        or type(form).template_name_label != forms.Form.template_name_label
        or type(form).template_name_div != forms.Form.template_name_div
        or field.widget.is_hidden
        or isinstance(field.widget, forms.SelectMultiple)
    )


def field_group_html(bound_field: forms.BoundField) -> SafeString:
    if not _can_write(bound_field):
        return bound_field.as_field_group()
    field = bound_field.field
    attrs = bound_field.build_widget_attrs({})
    attrs.setdefault("id", bound_field.auto_id)
    context = field.widget.get_context(bound_field.html_name, bound_field.value(), attrs)
    widget = _widget(context["widget"])
    if widget is None:
        return bound_field.as_field_group()
    label = conditional_escape(bound_field.label)
    suffix = field.label_suffix if field.label_suffix is not None else bound_field.form.label_suffix
    if suffix and str(bound_field.label)[-1] not in gettext(":?.!"):
        label = f"{label}{conditional_escape(suffix)}"
    id_for_label = field.widget.id_for_label(bound_field.auto_id)
    label_html = (
        f'<label for="{conditional_escape(id_for_label)}">{label}</label>'
        if id_for_label
        else f"<label>{label}</label>"
    )
    help_html = ""
    if bound_field.help_text:
        # field.html writes help text with |safe, as here.
        help_html = (
            f'<div class="helptext" id="{conditional_escape(bound_field.auto_id)}_helptext">'
            f"{bound_field.help_text}</div>"
        )
    return mark_safe(f"{label_html}\n{help_html}\n{widget}")  # noqa: S308 - escaped above


@register.simple_tag
def field_group(bound_field) -> SafeString:
    """`{{ bound_field.as_field_group }}`, faster for the simple widgets of filter forms."""
    return field_group_html(bound_field)
