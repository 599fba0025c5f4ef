"""Forms of the people pages, and the duplicate lookup behind the contact form's warning."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts import services
from contacts.forms.people import (
    ContactFilterForm,
    ContactForm,
    InteractionForm,
    MergePickForm,
    TargetAddForm,
    parse_tags,
)
from contacts.models import Cadence, Relationship
from contacts.selectors.people import contact_possible_duplicates, normalize_linkedin_url
from networking_app.core.form_errors import add_service_errors

pytestmark = pytest.mark.django_db


def make(owner, name, **fields):
    fields.setdefault("relationship", Relationship.OTHER)
    return services.contact_create(owner=owner, name=name, **fields)


def contact_data(**overrides) -> dict:
    return {
        "name": "Maya Chen",
        "relationship": Relationship.ALUMNI,
        "cadence_days": str(Cadence.NONE.value),
        **overrides,
    }


# --- ContactForm -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/maya-chen",
        "http://linkedin.com/in/maya-chen/",
        "https://uk.linkedin.com/in/maya",
        "www.linkedin.com/in/maya",
    ],
)
def test_linkedin_addresses_are_accepted(student, url):
    form = ContactForm(contact_data(linkedin_url=url), user=student)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["linkedin_url"].startswith("http")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/in/maya",
        "https://linkedin.com.evil.example/in/maya",
        "https://notlinkedin.com/in/maya",
        "https://example.com/?next=linkedin.com",
    ],
)
def test_other_sites_are_refused_for_linkedin(student, url):
    form = ContactForm(contact_data(linkedin_url=url), user=student)
    assert not form.is_valid()
    assert "This is not a LinkedIn address" in form.errors["linkedin_url"][0]


def test_bad_email_and_url_get_clear_messages(student):
    form = ContactForm(contact_data(email="maya@", linkedin_url="linked in"), user=student)
    assert not form.is_valid()
    assert form.errors["email"] == ["Enter a valid email address, like name@example.com."]
    assert "full address of their LinkedIn profile" in form.errors["linkedin_url"][0]


def test_name_is_required_and_tidied(student):
    assert "name" in ContactForm(contact_data(name="   "), user=student).errors
    form = ContactForm(contact_data(name="  Maya   Chen "), user=student)
    assert form.is_valid()
    assert form.cleaned_data["name"] == "Maya Chen"


def test_tags_are_split_on_commas():
    assert parse_tags("Alumni, finance ,, Boston, alumni") == ["alumni", "finance", "boston"]
    assert parse_tags("") == []
    assert parse_tags("  product   design ") == ["product design"]


def test_a_tag_longer_than_the_model_allows_is_refused(student):
    form = ContactForm(contact_data(tags="ok, " + "x" * 41), user=student)
    assert not form.is_valid()
    assert "40 characters or fewer" in form.errors["tags"][0]


def test_may_use_name_needs_a_referrer(student):
    form = ContactForm(contact_data(may_use_referrer_name="on"), user=student)
    assert not form.is_valid()
    assert "Choose who referred them" in form.errors["may_use_referrer_name"][0]


def test_referrer_choices_are_the_students_other_contacts(student, other_student):
    me = make(student, "Me")
    mine = make(student, "Mine", organization_name="Acme")
    theirs = make(other_student, "Theirs")
    form = ContactForm(user=student, contact=me)
    choices = [label for _value, label in form.fields["referred_by"].choices]
    assert choices == ["Nobody", "Mine (Acme)"]
    for refused in (me, theirs):
        bound = ContactForm(contact_data(referred_by=str(refused.pk)), user=student, contact=me)
        assert bound.errors["referred_by"] == ["Choose one of your own contacts."]
    bound = ContactForm(contact_data(referred_by=str(mine.pk)), user=student, contact=me)
    assert bound.is_valid()
    assert bound.service_kwargs()["referred_by"] == mine


def test_edit_form_starts_from_the_contact(student):
    referrer = make(student, "Rita")
    contact = make(
        student,
        "Maya",
        organization_name="Globex",
        tags=["b", "a"],
        referred_by=referrer,
        cadence_days=Cadence.ONE_MONTH,
    )
    form = ContactForm(user=student, contact=contact)
    assert form["organization_name"].value() == "Globex"
    assert form["tags"].value() == "a, b"
    assert form["referred_by"].value() == referrer.pk
    assert form["cadence_days"].value() == Cadence.ONE_MONTH


def test_service_kwargs_fit_the_services(student):
    form = ContactForm(
        contact_data(organization_name="Globex", tags="x, y", email="m@example.com"), user=student
    )
    assert form.is_valid(), form.errors
    contact = services.contact_create(owner=student, **form.service_kwargs())
    assert contact.organization.name == "Globex"
    assert sorted(t.name for t in contact.tags.all()) == ["x", "y"]
    services.contact_update(contact=contact, **form.service_kwargs())


def test_service_errors_land_on_the_right_fields(student):
    form = ContactForm(contact_data(), user=student)
    assert form.is_valid()
    add_service_errors(
        form,
        ValidationError(
            {"organization": "Bad organization.", "email": "Bad email.", "owner": "Odd."}
        ),
    )
    assert form.errors["organization_name"] == ["Bad organization."]
    assert form.errors["email"] == ["Bad email."]
    assert form.non_field_errors() == ["Odd."]
    plain = ContactForm(contact_data(), user=student)
    plain.is_valid()
    add_service_errors(plain, ValidationError("Something is off."))
    assert plain.non_field_errors() == ["Something is off."]


# --- Filters ---------------------------------------------------------------------------------


def test_filter_form_keeps_valid_values_and_drops_the_others(student, other_student):
    contact = make(student, "Ann", organization_name="Acme", tags=["finance"])
    theirs = make(other_student, "Bob", organization_name="Secret")
    form = ContactFilterForm(
        {
            "q": "ann",
            "tag": "Finance",
            "organization": str(theirs.organization_id),
            "sort": "bogus",
            "losing": "1",
            "upcoming": "yes please",
        },
        user=student,
    )
    values = form.valid_values()
    assert values == {"q": "ann", "tag": "finance", "losing": True}
    filters = ContactFilterForm.to_filters(values)
    assert (filters.q, filters.tag, filters.losing_touch, filters.upcoming) == (
        "ann",
        "finance",
        True,
        False,
    )
    assert filters.organization is None
    assert filters.sort == "name"
    values = ContactFilterForm({"organization": contact.organization_id}, user=student)
    assert ContactFilterForm.to_filters(values.valid_values()).organization == (
        contact.organization_id
    )


def test_filter_display_form_shows_kept_values_without_errors(student):
    form = ContactFilterForm({"sort": "bogus", "q": "ann"}, user=student)
    display = form.for_display(form.valid_values())
    assert not display.is_bound
    html = str(display["q"]) + str(display["sort"])
    assert 'value="ann"' in html
    assert "bogus" not in html
    assert not display.errors


# --- Interactions, merge, targets ------------------------------------------------------------


def test_interaction_date_defaults_to_today_and_refuses_the_future():
    form = InteractionForm()
    assert form["occurred_on"].value() == timezone.localdate()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = InteractionForm({"kind": "call", "occurred_on": tomorrow})
    assert not form.is_valid()
    assert "cannot be in the future" in form.errors["occurred_on"][0]
    form = InteractionForm({"kind": "call", "occurred_on": timezone.localdate()})
    assert form.is_valid()


def test_merge_choices_exclude_the_kept_contact_and_other_students(student, other_student):
    keep = make(student, "Keep")
    other = make(student, "Other")
    theirs = make(other_student, "Theirs")
    form = MergePickForm(user=student, keep=keep)
    assert [c.pk for c in form.fields["other"].queryset] == [other.pk]
    for refused in (keep.pk, theirs.pk, "x"):
        bound = MergePickForm({"other": refused}, user=student, keep=keep)
        assert not bound.is_valid()
        assert bound.errors["other"] == ["Choose another of your own contacts."]


def test_target_name_is_required_and_tidied():
    assert not TargetAddForm({"name": "  ", "priority": "1"}).is_valid()
    form = TargetAddForm({"name": " Acme   Corp ", "priority": "1"})
    assert form.is_valid()
    assert form.cleaned_data == {"name": "Acme Corp", "priority": 1, "notes": ""}


def test_profile_form_edits_the_preparation_fields():
    from networking_app.accounts.forms import StudentProfileForm

    fields = StudentProfileForm().fields
    for name in ["interests", "strengths", "career_goals", "target_industries"]:
        assert name in fields
    assert isinstance(fields["interests"].widget, forms.Textarea)


# --- The duplicate lookup --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("https://www.linkedin.com/in/maya/", "http://linkedin.com/in/maya"),
        ("http://LinkedIn.com/in/Maya", "https://www.linkedin.com/in/maya/"),
        ("https://linkedin.com/in/maya", "linkedin.com/in/maya"),
    ],
)
def test_linkedin_addresses_compare_without_scheme_www_or_slash(stored, typed):
    assert normalize_linkedin_url(stored) == normalize_linkedin_url(typed)


def lookup(user, **kwargs):
    values = {"email": "", "linkedin_url": "", "name": "", "organization_name": "", **kwargs}
    return [c.name for c in contact_possible_duplicates(user=user, **values)]


def test_duplicates_by_email_linkedin_or_name_at_organization(student, other_student):
    make(student, "Email Twin", email="Twin@Example.com")
    make(student, "Linked Twin", linkedin_url="https://www.linkedin.com/in/twin/")
    make(student, "Name  Twin", organization_name="Acme Corp")
    make(student, "Loose Twin")
    make(other_student, "Name Twin", organization_name="Acme Corp", email="twin@example.com")

    assert lookup(student, email=" twin@example.COM ") == ["Email Twin"]
    assert lookup(student, linkedin_url="http://linkedin.com/in/twin") == ["Linked Twin"]
    assert lookup(student, linkedin_url="https://www.linkedin.com/in/twin-2") == []
    assert lookup(student, name="name twin", organization_name=" ACME  corp") == ["Name  Twin"]
    assert lookup(student, name="Name Twin", organization_name="Globex") == []
    assert lookup(student, name="Name Twi", organization_name="Acme Corp") == []
    assert lookup(student, name="loose twin") == ["Loose Twin"]
    assert lookup(student) == []
    assert lookup(
        student, email="twin@example.com", name="Name Twin", organization_name="Acme Corp"
    ) == ["Email Twin", "Name  Twin"]


def test_duplicates_leave_out_the_contact_being_edited(student):
    contact = make(student, "Maya", email="maya@example.com")
    assert lookup(student, email="maya@example.com") == ["Maya"]
    found = contact_possible_duplicates(
        user=student,
        email="maya@example.com",
        linkedin_url="",
        name="Maya",
        organization_name="",
        exclude_id=contact.pk,
    )
    assert found == []
