"""The form renderer (networking_app.core.forms_renderer): Django's Jinja2 form templates, and
Django's engine for a template only it has (the admin's widgets)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template

from mentoring.forms.directory import DirectoryFilterForm
from networking_app.core.forms_renderer import OWN_TEMPLATES, FormRenderer
from tests.helpers import normal_html


class _Form(forms.Form):
    name = forms.CharField(label="Name", help_text="As you sign your emails.")
    when = forms.DateField(widget=AdminDateWidget)


def test_the_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FormRenderer)


def test_fields_come_from_djangos_jinja2_templates_with_values_escaped():
    renderer = FormRenderer()
    assert isinstance(renderer.get_template("django/forms/field.html"), Jinja2Template)
    html = _Form({"name": 'say "hi" <b>'}, renderer=renderer)["name"].as_field_group()
    assert '<label for="id_name">Name:</label>' in html
    assert 'value="say &#34;hi&#34; &lt;b&gt;"' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert "<b>" not in html


def test_a_template_only_djangos_engine_has_is_rendered_by_it():
    renderer = FormRenderer()
    html = str(_Form(renderer=renderer)["when"])
    assert 'class="vDateField"' in html
    assert isinstance(renderer.get_template("admin/widgets/date.html"), DjangoTemplate)
    # Looked up once: the next time goes straight to Django's engine.
    assert renderer.engine_of["admin/widgets/date.html"] is renderer.django


class _EveryWidget(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=20,
        help_text="Words <em>or</em> names",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    email = forms.EmailField(label="Email")
    year = forms.IntegerField(label="Year", min_value=1900, required=False)
    flag = forms.BooleanField(label="Only open", required=False)
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "Any"), ("a", 'A "quoted" <kind>'), ("b", "B")]
    )
    grouped = forms.ChoiceField(
        label="Grouped",
        required=False,
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("none", "None")],
    )
    many = forms.MultipleChoiceField(label="Many", required=False, choices=[("x", "X"), ("y", "Y")])
    radio = forms.ChoiceField(
        label="Radio", required=False, choices=[("1", "One"), ("2", "Two")],
        widget=forms.RadioSelect,
    )  # fmt: skip
    boxes = forms.MultipleChoiceField(
        label="Boxes", required=False, choices=[("1", "One"), ("2", "Two")],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)
    day = forms.DateField(
        label="Day", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"q": 'a "b" <c>', "email": "x@example.edu", "year": "2001", "flag": "on", "kind": "a",
         "grouped": "pear", "many": ["x", "y"], "radio": "2", "boxes": ["1"], "notes": "<hi>",
         "day": "2026-12-07"},
        {"q": "x" * 30, "email": "not an email", "year": "12", "kind": "zzz"},
    ],
    ids=["unbound", "valid", "errors"],
)  # fmt: skip
def test_our_versions_of_djangos_templates_write_the_same_markup(data):
    ours = _EveryWidget(data, renderer=FormRenderer())
    django = _EveryWidget(data, renderer=DjangoTemplates())
    for name in ours.fields:
        assert normal_html(ours[name].as_field_group()) == normal_html(
            django[name].as_field_group()
        ), name
    assert normal_html(str(ours)) == normal_html(str(django))


def test_the_directory_filter_form_renders_as_with_djangos_templates():
    topics = [("career-switch", "Career switch"), ("data", 'Data & "AI"')]
    values = {"q": "product", "topic": "data", "has_slots": True}
    ours = DirectoryFilterForm(initial=values, topic_choices=topics, renderer=FormRenderer())
    django = DirectoryFilterForm(initial=values, topic_choices=topics, renderer=DjangoTemplates())
    for name in ours.fields:
        assert normal_html(ours[name].as_field_group()) == normal_html(
            django[name].as_field_group()
        ), name


def test_our_versions_are_found_before_djangos():
    renderer = FormRenderer()
    for name in (
        "django/forms/field.html",
        "django/forms/label.html",
        "django/forms/widgets/input.html",
        "django/forms/widgets/select.html",
    ):
        origin = renderer.get_template(name).template.filename
        assert origin.startswith(str(OWN_TEMPLATES)), name
