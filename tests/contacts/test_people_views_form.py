"""The contact form: creating and editing a contact, bad input kept as typed, service errors
shown, and possible duplicates shown before saving (save anyway, or merge instead)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from contacts import services
from contacts.models import Cadence, Contact, Relationship
from tests.contacts.helpers import CONTACT_CREATE_URL as CREATE
from tests.contacts.helpers import contacts_url as url
from tests.contacts.helpers import make_contact as make

pytestmark = pytest.mark.django_db


def contact_form_data(**overrides) -> dict:
    data = {
        "name": "Maya Chen",
        "organization_name": "Globex",
        "title": "Product Manager",
        "industry": "Software",
        "email": "maya@example.com",
        "phone": "+1 555 0100",
        "linkedin_url": "https://www.linkedin.com/in/maya-chen",
        "relationship": Relationship.ALUMNI,
        "how_met": "Alumni panel, October",
        "referred_by": "",
        "tags": "Fintech, product design",
        "cadence_days": str(Cadence.ONE_MONTH.value),
        "notes": "Moved from design to product.",
    }
    data.update(overrides)
    return data


def test_create_contact(student_client, student):
    referrer = make(student, "Rita Referrer")
    data = contact_form_data(referred_by=str(referrer.pk), may_use_referrer_name="on")
    response = student_client.post(CREATE, data, follow=True)
    contact = Contact.objects.get(owner=student, name="Maya Chen")
    assert response.redirect_chain[-1][0] == url("detail", contact_id=contact.pk)
    assert "Maya Chen is added." in response.text
    assert contact.organization.name == "Globex"
    assert sorted(t.name for t in contact.tags.all()) == ["fintech", "product design"]
    assert contact.cadence_days == Cadence.ONE_MONTH
    assert contact.referred_by == referrer
    assert contact.may_use_referrer_name
    assert "Globex" in contact.search_text


def test_create_form_renders_labelled_fields(student_client):
    html = student_client.get(CREATE).text
    for name in ["name", "organization_name", "email", "linkedin_url", "tags", "referred_by"]:
        assert f'<label for="id_{name}"' in html
    assert "<legend>Who they are</legend>" in html
    assert "save_anyway" not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "maya-at-example", "Enter a valid email address"),
        ("linkedin_url", "not a url", "Enter the full address of their LinkedIn profile"),
        ("linkedin_url", "https://example.com/in/maya", "This is not a LinkedIn address"),
        ("name", "   ", "This field is required"),
        ("relationship", "", "Choose how you know each other."),
        ("relationship", "enemy", "Select a valid choice"),
        ("cadence_days", "3", "Select a valid choice"),
        ("tags", "x" * 41, "Keep each tag to 40 characters or fewer"),
    ],
)
def test_create_with_bad_input_keeps_what_was_typed(student_client, student, field, value, message):
    data = contact_form_data(**{field: value})
    response = student_client.post(CREATE, data)
    assert response.status_code == 200
    assert message in response.text
    assert "Nothing was saved yet" in response.text
    assert not Contact.objects.filter(owner=student).exists()
    assert 'value="Product Manager"' in response.text
    assert "Moved from design to product." in response.text
    assert 'value="Fintech, product design"' in response.text or field == "tags"


def test_create_refuses_another_students_contact_as_referrer(student_client, other_student):
    theirs = make(other_student, "Their Referrer")
    response = student_client.post(CREATE, contact_form_data(referred_by=str(theirs.pk)))
    assert response.status_code == 200
    assert "Choose one of your own contacts." in response.text
    assert "Their Referrer" not in response.text
    assert Contact.objects.count() == 1


def test_referrer_choices_are_only_your_own_other_contacts(student_client, student, other_student):
    own = make(student, "Own Referrer")
    make(other_student, "Their Referrer")
    html = student_client.get(url("edit", contact_id=own.pk)).text
    select = re.search(r'<select name="referred_by".*?</select>', html, re.S).group(0)
    assert "Own Referrer" not in select  # not itself
    assert "Their Referrer" not in select
    other = make(student, "Second Own")
    html = student_client.get(url("edit", contact_id=own.pk)).text
    select = re.search(r'<select name="referred_by".*?</select>', html, re.S).group(0)
    assert f'value="{other.pk}"' in select


def test_service_errors_are_shown_on_the_form(student_client, student, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"organization": "That organization is archived.", "x": "Oops."})

    monkeypatch.setattr(services, "contact_create", refuse)
    response = student_client.post(CREATE, contact_form_data())
    assert response.status_code == 200
    assert "That organization is archived." in response.text
    assert "Oops." in response.text
    assert 'value="Maya Chen"' in response.text


def test_edit_shows_current_values_and_saves(student_client, student):
    contact = make(
        student,
        "Maya Chen",
        organization_name="Globex",
        tags=["fintech", "boston"],
        email="m@x.org",
    )
    page = student_client.get(url("edit", contact_id=contact.pk)).text
    assert 'value="Globex"' in page
    assert 'value="boston, fintech"' in page
    assert "Edit Maya Chen" in page
    data = contact_form_data(name="Maya Chen-Ito", organization_name="Initech", tags="robotics")
    response = student_client.post(url("edit", contact_id=contact.pk), data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Maya Chen-Ito"
    assert contact.organization.name == "Initech"
    assert [t.name for t in contact.tags.all()] == ["robotics"]


def test_edit_with_bad_input_keeps_the_contact_and_the_typing(student_client, student):
    contact = make(student, "Maya Chen", email="maya@example.com")
    data = contact_form_data(name="Maya Renamed", email="broken@")
    response = student_client.post(url("edit", contact_id=contact.pk), data)
    assert response.status_code == 200
    assert 'value="Maya Renamed"' in response.text
    assert "Edit Maya Chen" in response.text
    contact.refresh_from_db()
    assert contact.name == "Maya Chen"
    assert contact.email == "maya@example.com"


def test_edit_service_error_keeps_the_page_heading(student_client, student, monkeypatch):
    contact = make(student, "Maya Chen")

    def refuse(*, contact, **kwargs):
        contact.name = kwargs["name"]
        raise ValidationError({"referred_by": "Choose another of your own contacts."})

    monkeypatch.setattr(services, "contact_update", refuse)
    response = student_client.post(url("edit", contact_id=contact.pk), contact_form_data())
    assert "Choose another of your own contacts." in response.text
    assert "Edit Maya Chen</h1>" in response.text


# --- Duplicates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ({"email": "Maya@Example.COM"}, {"email": "maya@example.com"}),
        (
            {"linkedin_url": "https://www.linkedin.com/in/maya-chen/"},
            {"linkedin_url": "http://linkedin.com/in/maya-chen"},
        ),
        (
            {"name": "Maya  Chen", "organization_name": "GLOBEX "},
            {"name": " maya chen", "organization_name": "globex"},
        ),
    ],
)
def test_possible_duplicate_is_shown_before_saving(student_client, student, existing, typed):
    existing = {"name": "Someone Else", "organization_name": "Elsewhere", **existing}
    earlier = make(student, **existing)
    data = contact_form_data(**{"email": "new@example.com", "linkedin_url": "", **typed})
    response = student_client.post(CREATE, data)
    assert response.status_code == 200
    assert "This may be someone you already have" in response.text
    assert f'href="{url("detail", contact_id=earlier.pk)}"' in response.text
    assert 'name="save_anyway"' in response.text
    assert f'name="merge_with" value="{earlier.pk}"' in response.text
    assert Contact.objects.filter(owner=student).count() == 1

    response = student_client.post(CREATE, {**data, "save_anyway": "on"})
    assert response.status_code == 302
    assert Contact.objects.filter(owner=student).count() == 2


def test_same_name_elsewhere_or_another_students_contact_is_not_a_duplicate(
    student_client, student, other_student
):
    make(student, "Maya Chen", organization_name="Initech", email="old@example.com")
    make(other_student, "Maya Chen", organization_name="Globex", email="maya@example.com")
    response = student_client.post(CREATE, contact_form_data())
    assert response.status_code == 302
    assert Contact.objects.filter(owner=student).count() == 2


def test_edit_warns_about_duplicates_but_not_about_itself(student_client, student):
    maya = make(student, "Maya Chen", organization_name="Globex", email="maya@example.com")
    other = make(student, "Other Person", email="other@example.com")
    same = contact_form_data(linkedin_url="")
    assert student_client.post(url("edit", contact_id=maya.pk), same).status_code == 302

    data = contact_form_data(name="Other Person", email="MAYA@example.com", linkedin_url="")
    response = student_client.post(url("edit", contact_id=other.pk), data)
    assert response.status_code == 200
    assert "This may be someone you already have" in response.text
    other.refresh_from_db()
    assert other.email == "other@example.com"
    response = student_client.post(url("edit", contact_id=other.pk), {**data, "save_anyway": "1"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.email == "MAYA@example.com"


def test_merge_instead_saves_then_opens_the_merge_preview(student_client, student):
    earlier = make(student, "Maya Chen", email="maya@example.com")
    response = student_client.post(
        CREATE, contact_form_data(merge_with=str(earlier.pk)), follow=True
    )
    new = Contact.objects.get(owner=student, title="Product Manager")
    assert response.redirect_chain[-1][0] == (
        url("merge", contact_id=new.pk) + f"?other={earlier.pk}"
    )
    assert "Check what merging Maya Chen into this contact will do" in response.text
    assert response.context["other"] == earlier


def test_merge_with_a_contact_that_is_not_a_duplicate_is_ignored(student_client, student):
    earlier = make(student, "Maya Chen", email="maya@example.com")
    unrelated = make(student, "Unrelated")
    response = student_client.post(CREATE, contact_form_data(merge_with=str(unrelated.pk)))
    assert response.status_code == 200
    assert "This may be someone you already have" in response.text
    assert Contact.objects.filter(owner=student).count() == 2
    assert earlier.pk in [d.pk for d in response.context["duplicates"]]


def test_edit_of_a_twin_saved_anyway_warns_only_when_identity_changes(student_client, student):
    make(student, "Maya Chen", organization_name="Globex", email="maya@example.com")
    twin = make(student, "Maya Chen", organization_name="Globex", email="maya2@example.com")
    data = contact_form_data(email="maya2@example.com", linkedin_url="", notes="New notes")
    response = student_client.post(url("edit", contact_id=twin.pk), data)
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.notes == "New notes"
    response = student_client.post(url("edit", contact_id=twin.pk), {**data, "name": "maya chen"})
    assert "This may be someone you already have" in response.text
