"""`{% field_group %}` (networking_app/core/templatetags/fields.py): the markup Django's form
templates write for a field of a search or filter form, in one Jinja2 template; and Django's
own rendering for the fields it does not write."""

from __future__ import annotations

import pytest
from django import forms
from django.http import QueryDict
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext_lazy

from contacts.forms.people import ContactFilterForm, FlagInput
from events.forms import CalendarFilterForm
from mentoring.forms.directory import DirectoryFilterForm
from networking_app.core.templatetags import fields
from networking_app.core.templatetags.fields import field_group
from tests.helpers import normal_html


def _same_as_django(form: forms.Form, *, written: set[str] | None = None) -> None:
    """Each field's markup is Django's; `written`: the fields the template writes itself."""
    if written is not None:
        assert {name for name in form.fields if fields._written(form[name])} == written
    for name in form.fields:
        assert normal_html(field_group(form[name])) == normal_html(form[name].as_field_group()), (
            name
        )


class _Fields(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=20,
        help_text='Words & "names"',
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    why = forms.CharField(label="Why?", required=False, widget=forms.TextInput)
    year = forms.IntegerField(
        label="Year", required=False, min_value=1900, widget=forms.NumberInput(attrs={"step": 1})
    )
    email = forms.EmailField(label="Email", required=False)
    flag = forms.BooleanField(label="Only open", required=False, widget=FlagInput, label_suffix="")
    tick = forms.BooleanField(label="Tick", required=False)
    kind = forms.ChoiceField(
        label="Kind <b>", required=False,
        choices=[("", "Any"), ("a", 'A "quoted" <kind>'), (1, "One")],
    )  # fmt: skip
    # Rendered by Django: required, grouped, several at once, a fieldset, a textarea.
    name = forms.CharField(label="Name")
    grouped = forms.ChoiceField(
        label="Grouped", required=False,
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("none", "None")],
    )  # fmt: skip
    many = forms.MultipleChoiceField(label="Many", required=False, choices=[("x", "X")])
    radio = forms.ChoiceField(
        label="Radio", required=False, choices=[("1", "One")], widget=forms.RadioSelect
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"q": 'a "b" <c>', "why": "x", "year": "2001", "email": "a@example.edu", "flag": "1",
         "tick": "on", "kind": "a", "name": "Ann", "grouped": "pear", "many": ["x"],
         "radio": "1", "notes": "<hi>"},
        {"q": "x" * 30, "year": "12", "email": "not an email", "kind": "1", "flag": "no"},
        {"kind": "zzz", "year": "abc"},
    ],
    ids=["unbound", "valid", "errors", "bad choice"],
)  # fmt: skip
def test_every_kind_of_field_renders_as_django_renders_it(data):
    form = _Fields(data)
    form.is_valid()
    _same_as_django(form)
    _same_as_django(
        _Fields(initial={"q": "ann", "flag": True, "kind": 1, "year": 1999}),
        written={"q", "why", "year", "email", "flag", "tick", "kind"},
    )


def test_a_field_it_does_not_write_is_djangos_own_markup():
    form = _Fields({"q": "x" * 30})
    assert field_group(form["q"]) == form["q"].as_field_group()  # with an error
    assert field_group(form["radio"]) == form["radio"].as_field_group()  # a fieldset


def test_labels_are_translated_and_escaped_and_help_texts_written_as_django_does():
    form = _Fields()
    with translation.override("es"):
        assert '<label for="id_q">Buscar:</label>' in field_group(form["q"])
    html = field_group(form["q"])
    assert '<label for="id_q">Search:</label>' in html
    assert 'Words & "names"' in html  # the form's own words, as HTML (Django's field.html)
    assert '<label for="id_why">Why?</label>' in field_group(form["why"])
    assert '<label for="id_kind">Kind &lt;b&gt;:</label>' in field_group(form["kind"])


def test_the_directory_filter_form_renders_as_with_django():
    topics = [("career-switch", "Career switch"), ("data", 'Data & "AI"')]
    for values in ({}, {"q": "product", "topic": "data", "has_slots": True, "class_year": 2010}):
        form = DirectoryFilterForm(QueryDict(), topic_choices=topics)
        _same_as_django(form.for_display(values), written=set(form.fields))


@pytest.mark.django_db
def test_the_contacts_and_calendar_filter_forms_render_as_with_django(student):
    form = ContactFilterForm(
        QueryDict("q=ann&relationship=alumni&losing=1&sort=recent&tag=x"), user=student
    )
    _same_as_django(form)
    _same_as_django(
        form.for_display(form.valid_values()), written=set(form.fields) - {"organization"}
    )
    for query in ("", "kind=workshop", "kind=bogus&industry=12"):
        calendar = CalendarFilterForm(QueryDict(query))
        calendar.filters()
        _same_as_django(
            calendar, written={"kind", "industry", "organization"} - set(calendar.errors)
        )


def test_the_filter_pages_use_it():
    for name, partial in (
        ("mentoring/directory.html", "filters"),
        ("contacts/contact_list.html", "filters"),
        ("events/_calendar_nav.html", "filters"),
    ):
        source = engines["django"].get_template(f"{name}#{partial}").template.source
        assert "{% field_group filter_form." in source
        assert "as_field_group" not in source
