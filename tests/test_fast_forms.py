"""`{% field_group %}` writes what Django's `as_field_group` writes (networking_app.templatetags
.fast_forms), for every widget it handles, and hands everything else to Django."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template

from contacts.forms.people import ContactFilterForm, FlagInput
from networking_app.templatetags.fast_forms import field_group_html


def _normal(html: str) -> str:
    """The markup without the template engine's layout whitespace."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


class Everything(forms.Form):
    text = forms.CharField(
        label="Name", required=False, max_length=20, help_text="Your <b>name</b>"
    )
    needed = forms.CharField(label="Needed?")
    search = forms.CharField(
        label="Find", required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    email = forms.EmailField(label='Email "work"', required=False)
    url = forms.URLField(label="Site", required=False, assume_scheme="https")
    number = forms.IntegerField(label="Count", required=False, min_value=0)
    when = forms.DateField(
        label="When", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    flag = forms.BooleanField(label="Only mine", required=False, widget=FlagInput, label_suffix="")
    box = forms.BooleanField(label="Ticked", required=False)
    choice = forms.ChoiceField(
        label="Pick & choose", required=False, choices=[("", "Any"), ("a", "A <1>"), ("b", "B & C")]
    )
    typed = forms.TypedChoiceField(label="Typed", coerce=int, choices=[(1, "One"), (2, "Two")])


CASES = [
    {},
    {
        "text": 'x" onmouseover="alert(1)',
        "needed": "<script>",
        "search": "a&b",
        "email": "a@example.org",
        "url": "https://example.org/?a=1&b=2",
        "number": "3",
        "when": "2026-11-22",
        "flag": "1",
        "box": "on",
        "choice": "b",
        "typed": "2",
    },
]


@pytest.mark.parametrize("data", CASES)
@pytest.mark.parametrize("bound", [True, False])
def test_every_simple_widget_renders_as_django_does(data, bound):
    form = Everything(data) if bound else Everything(initial=data)
    if bound:
        form.errors  # noqa: B018 - validate, so that fields with errors fall back below
    for bound_field in form:
        assert _normal(field_group_html(bound_field)) == _normal(bound_field.as_field_group()), (
            bound_field.name
        )


def test_the_contacts_filter_form_renders_as_django_does(student):
    form = ContactFilterForm(
        {"q": "ada", "relationship": "alumni", "losing": "1", "sort": "recent"}, user=student
    )
    shown = form.for_display(form.valid_values())
    for bound_field in shown:
        assert _normal(field_group_html(bound_field)) == _normal(bound_field.as_field_group())


def test_fields_with_errors_and_other_widgets_are_left_to_django():
    class Other(forms.Form):
        many = forms.MultipleChoiceField(choices=[("a", "A")], required=False)
        notes = forms.CharField(widget=forms.Textarea, required=False)
        radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, required=False)
        hidden = forms.CharField(widget=forms.HiddenInput, required=False)
        grouped = forms.ChoiceField(choices=[("Group", [("a", "A")])], required=False)
        needed = forms.CharField()

    form = Other({"needed": ""})
    assert form.errors["needed"]
    for bound_field in form:
        assert field_group_html(bound_field) == bound_field.as_field_group()


def test_the_tag_escapes_and_is_safe_in_a_template():
    form = Everything(initial={"text": "<i>x</i>"})
    html = Template("{% load fast_forms %}{% field_group form.text %}").render(
        Context({"form": form})
    )
    assert 'value="&lt;i&gt;x&lt;/i&gt;"' in html
    assert "<b>name</b>" in html  # help text is trusted markup, as in Django's field.html
