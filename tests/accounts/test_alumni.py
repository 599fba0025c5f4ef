"""Students who become alumni volunteers (issue 18): offered once their class year has passed,
or on request; the private network stays theirs; a mentor profile is started from what they
entered; the career office approves them as any volunteer."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from contacts.models import Outcome, OutcomeKind
from mentoring.models import Mentor, StudentInterests
from networking_app.accounts.alumni import has_graduated, student_becomes_volunteer
from networking_app.accounts.models import (
    Affiliation,
    ApprovalStatus,
    Role,
    StudentProfile,
    User,
    VolunteerProfile,
)
from tests.contacts.factories import ContactFactory, OrganizationFactory
from tests.mentoring.factories import TopicFactory

pytestmark = pytest.mark.django_db

JULY_2027 = dt.datetime(2027, 7, 15, 12, tzinfo=dt.UTC)


def test_a_class_graduates_at_the_end_of_june_of_its_year():
    profile = StudentProfile(class_year=2027)
    assert not has_graduated(profile, dt.date(2027, 6, 30))
    assert has_graduated(profile, dt.date(2027, 7, 1))
    assert not has_graduated(StudentProfile(class_year=None), dt.date(2099, 1, 1))
    assert not has_graduated(None, dt.date(2099, 1, 1))


def test_today_offers_the_change_once_the_class_year_has_passed(student):
    def today_at(when: dt.datetime) -> str:
        with time_machine.travel(when, tick=False):
            client = Client()
            client.force_login(student)
            return client.get(reverse("home")).text

    assert 'id="alumni-offer"' not in today_at(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC))
    html = today_at(JULY_2027)
    assert 'id="alumni-offer"' in html
    assert reverse("account_become_volunteer") in html


def test_the_profile_offers_it_to_any_student(student_client):
    html = student_client.get(reverse("profile")).text
    assert f'href="{reverse("account_become_volunteer")}"' in html


def test_the_change_keeps_the_network_and_starts_a_mentor_profile(student, student_client):
    profile = student.student_profile
    profile.major = "Economics"
    profile.save()
    topic = TopicFactory(name="Consulting")
    interests = StudentInterests.objects.create(student=student)
    interests.topics.set([topic])
    contact = ContactFactory(owner=student, name="Prof. Ada Lee")
    employer = OrganizationFactory(name="Fabrikam")
    Outcome.objects.create(
        owner=student,
        kind=OutcomeKind.INTERNSHIP,
        organization=OrganizationFactory(name="Intern Co"),
        decided_on=dt.date(2026, 5, 1),
    )
    Outcome.objects.create(
        owner=student,
        kind=OutcomeKind.JOB,
        organization=employer,
        title="Analyst",
        decided_on=dt.date(2027, 5, 1),
    )

    response = student_client.post(reverse("account_become_volunteer"), {"confirm": "on"})

    assert response["Location"] == reverse("mentoring:volunteer_profile")
    student.refresh_from_db()
    assert student.role == Role.VOLUNTEER
    assert student.former_student is True
    volunteer = VolunteerProfile.objects.get(user=student)
    assert volunteer.affiliation == Affiliation.ALUMNI
    assert volunteer.class_year == 2027
    assert volunteer.status == ApprovalStatus.PENDING
    mentor = Mentor.objects.get(user=student)
    assert mentor.major == "Economics"
    assert mentor.organization == employer
    assert mentor.title == "Analyst"
    assert list(mentor.topics.all()) == [topic]
    assert mentor.is_bookable is False  # not listed until approved and finished

    # The network is still theirs: the pages, the contact, "My network" in the navigation.
    contacts = student_client.get(reverse("contacts:list"))
    assert contacts.status_code == 200
    assert "Prof. Ada Lee" in contacts.text
    detail = student_client.get(reverse("contacts:detail", kwargs={"contact_id": contact.pk}))
    assert detail.status_code == 200
    home = student_client.get(reverse("home")).text
    assert f'href="{reverse("contacts:today")}">My network</a>' in home
    # The student pages are not.
    assert student_client.get(reverse("mentoring:directory")).status_code == 404
    assert student_client.get(reverse("account_become_volunteer")).status_code == 404


def test_nobody_else_sees_a_former_students_network(student, other_volunteer):
    contact = ContactFactory(owner=student)
    student_becomes_volunteer(user=student)
    client = Client()
    client.force_login(other_volunteer)
    url = reverse("contacts:detail", kwargs={"contact_id": contact.pk})
    assert client.get(url).status_code == 404
    assert client.get(reverse("contacts:list")).status_code == 404


def test_staff_see_them_awaiting_approval(student, staff_client):
    student_becomes_volunteer(user=student)
    html = staff_client.get(reverse("console:volunteers")).text
    assert student.display_name in html


def test_it_needs_the_confirmation_and_loses_nothing(student, student_client):
    response = student_client.post(reverse("account_become_volunteer"), {})
    assert response.status_code == 200
    assert "This field is required." in response.text
    student.refresh_from_db()
    assert student.role == Role.STUDENT


def test_only_a_student_can_become_a_volunteer(volunteer, staff):
    for user in (volunteer, staff):
        with pytest.raises(ValidationError):
            student_becomes_volunteer(user=user)
    assert User.objects.get(pk=volunteer.pk).former_student is False
