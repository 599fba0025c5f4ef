"""Target organizations: the page with the student's preparation, adding, editing and
deleting a target, the preparation fields on the profile, and a stable query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import Organization, Priority, TargetOrganization
from tests.contacts.factories import TargetOrganizationFactory
from tests.contacts.helpers import CONTACTS_LIST_URL as LIST
from tests.contacts.helpers import TARGETS_URL as TARGETS
from tests.contacts.helpers import contacts_url as url
from tests.contacts.helpers import make_contact as make
from tests.contacts.helpers import many_contacts as _bulk_contacts
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


def test_targets_page_lists_targets_and_preparation(student_client, student):
    profile = student.student_profile
    profile.interests = "Climate tech and maps"
    profile.career_goals = "Product management"
    profile.save()
    acme = services.target_organization_add(
        owner=student, name="Acme", priority=Priority.HIGH, notes="Great mentors"
    )
    services.target_organization_add(owner=student, name="Globex", priority=Priority.LOW)
    make(student, "Ann Acme", organization_name="acme")

    response = student_client.get(TARGETS)

    html = response.text
    assert [t.organization.name for t in response.context["targets"]] == ["Acme", "Globex"]
    assert "Great mentors" in html
    assert "High" in html
    assert f'href="{LIST}?organization={acme.organization_id}"' in html
    assert html.count("See your contacts") == 1
    assert "Your preparation" in html
    assert "Climate tech and maps" in html
    assert "Product management" in html
    assert "Not written yet" in html  # strengths
    assert f'href="{reverse("profile")}"' in html
    assert url("target_edit", target_id=acme.pk) in html


def test_targets_page_without_targets_explains_what_to_do(student_client):
    assert "No target organization yet" in student_client.get(TARGETS).text


def test_add_a_target(student_client, student):
    data = {"name": "  Initech  ", "priority": str(Priority.HIGH.value), "notes": "Robotics"}
    response = student_client.post(TARGETS, data, follow=True)
    assert "Initech is one of your targets." in response.text
    target = TargetOrganization.objects.get(owner=student)
    assert (target.organization.name, target.priority, target.notes) == ("Initech", 1, "Robotics")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "ACME ", "priority": "2"}, "Acme is already one of your targets."),
        ({"name": "  ", "priority": "2"}, "Enter the organization"),
        ({"name": "Initech", "priority": "9"}, "Select a valid choice"),
    ],
)
def test_add_a_target_with_bad_input(student_client, student, data, message):
    services.target_organization_add(owner=student, name="Acme", priority=Priority.HIGH)
    response = student_client.post(TARGETS, {**data, "notes": "Kept notes"})
    assert response.status_code == 200
    assert message in response.text
    assert "Kept notes" in response.text
    assert TargetOrganization.objects.filter(owner=student).count() == 1


def test_edit_a_target(student_client, student):
    target = services.target_organization_add(owner=student, name="Acme", priority=Priority.LOW)
    page = student_client.get(url("target_edit", target_id=target.pk))
    assert "Edit target: Acme" in page.text
    response = student_client.post(
        url("target_edit", target_id=target.pk), {"priority": "1", "notes": "Apply in May"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.priority, target.notes) == (Priority.HIGH, "Apply in May")


def test_edit_a_target_with_bad_input(student_client, student):
    target = services.target_organization_add(owner=student, name="Acme", priority=Priority.LOW)
    response = student_client.post(
        url("target_edit", target_id=target.pk), {"priority": "urgent", "notes": "Typed"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert "Typed" in response.text
    target.refresh_from_db()
    assert target.priority == Priority.LOW


def test_delete_a_target(student_client, student):
    target = services.target_organization_add(owner=student, name="Acme", priority=Priority.LOW)
    response = student_client.post(url("target_delete", target_id=target.pk), follow=True)
    assert "Acme is no longer one of your targets." in response.text
    assert not TargetOrganization.objects.filter(pk=target.pk).exists()
    assert Organization.objects.filter(name="Acme").exists()


def test_targets_query_count_does_not_grow(student_client, student):
    def add_rows(n):
        for contact in _bulk_contacts(student, n, prefix="Target"):
            TargetOrganizationFactory(owner=student, organization=contact.organization)

    assert_queries_stable(lambda: student_client.get(TARGETS), add_rows, small=5, large=500)


def test_profile_edits_the_preparation_fields(student_client, student):
    html = student_client.get(reverse("profile")).text
    for name in ["interests", "strengths", "career_goals", "target_industries"]:
        assert f'name="role-{name}"' in html
    data = {
        "display_name": "Alice Student",
        "time_zone": "UTC",
        "role-class_year": "2027",
        "role-major": "History",
        "role-interests": "Museums",
        "role-strengths": "Writing",
        "role-career_goals": "Curator",
        "role-target_industries": "Culture, education",
    }
    assert student_client.post(reverse("profile"), data).status_code == 302
    student.student_profile.refresh_from_db()
    assert student.student_profile.target_industries == "Culture, education"
    assert "Museums" in student_client.get(TARGETS).text
