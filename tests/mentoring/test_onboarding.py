"""A new student's onboarding (issue 17): after sign-up, six steps that can each be skipped and
resumed, ending on the volunteers suggested for them."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from contacts.models import TargetOrganization
from mentoring.models import StudentInterests
from mentoring.services.onboarding import SLUGS
from networking_app.accounts.models import StudentProfile, User
from tests.factories import VolunteerFactory
from tests.mentoring.factories import TopicFactory
from tests.mentoring.helpers import NOW, bookable_mentor
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


def _step(slug: str) -> str:
    return reverse("mentoring:onboarding_step", kwargs={"step": slug})


def _profile(user) -> StudentProfile:
    return StudentProfile.objects.get(user=user)


def test_a_new_student_lands_on_onboarding_once_the_address_is_verified(client: Client):
    client.post(
        reverse("account_signup"),
        {
            "role": "student",
            "display_name": "Nora New",
            "email": "nora@example.edu",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
            "time_zone": "America/Chicago",
        },
    )
    [message] = mail.outbox
    link = re.search(r"/accounts/confirm-email/\S+/", message.body).group(0)
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:onboarding")
    assert client.get(response["Location"])["Location"] == _step("about")
    # Signing in again later goes home: onboarding is offered once, then from Today.
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "nora@example.edu", "password": "a-long-enough-passphrase-42"},
    )
    assert response["Location"] == reverse("home")


def test_a_new_volunteer_goes_home_after_verifying(client: Client):
    client.post(
        reverse("account_signup"),
        {
            "role": "volunteer",
            "display_name": "Val Unteer",
            "email": "val@example.org",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
            "time_zone": "America/Chicago",
            "affiliation": "alumni",
        },
    )
    link = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    assert client.post(link)["Location"] == reverse("home")


def test_every_step_saves_and_moves_on(student, student_client):
    consulting, design = TopicFactory(name="Consulting"), TopicFactory(name="Design")

    response = student_client.post(_step("about"), {"class_year": "2028", "major": "History"})
    assert response["Location"] == _step("interests")
    response = student_client.post(
        _step("interests"), {"topics": [consulting.pk], "interests": "Museums, archives"}
    )
    assert response["Location"] == _step("goals")
    response = student_client.post(
        _step("goals"),
        {"strengths": "Research", "career_goals": "Curator", "target_industries": "Museums"},
    )
    assert response["Location"] == _step("organizations")
    response = student_client.post(_step("organizations"), {"add": "1", "name": "City Museum"})
    assert response["Location"] == _step("organizations")
    assert "City Museum" in student_client.get(_step("organizations")).text
    response = student_client.post(_step("organizations"), {})
    assert response["Location"] == _step("time-zone")
    response = student_client.post(_step("time-zone"), {"time_zone": "Europe/Lisbon"})
    assert response["Location"] == _step("volunteers")
    assert student_client.get(_step("volunteers")).status_code == 200

    profile = _profile(student)
    assert (profile.class_year, profile.major) == (2028, "History")
    assert profile.interests == "Museums, archives"
    assert (profile.strengths, profile.career_goals) == ("Research", "Curator")
    assert profile.target_industries == "Museums"
    assert list(StudentInterests.objects.get(student=student).topics.all()) == [consulting]
    assert design not in StudentInterests.objects.get(student=student).topics.all()
    assert TargetOrganization.objects.filter(
        owner=student, organization__name="City Museum"
    ).exists()
    student.profile.refresh_from_db()
    assert student.profile.time_zone == "Europe/Lisbon"
    assert profile.onboarding_step == "volunteers"
    assert profile.onboarded_at is not None


def test_the_browser_zone_is_offered_only_until_the_student_has_chosen_one(student, settings):
    """The time zone step asks rapport.js to pre-select the browser's zone while the profile
    holds the default; a student coming back to the step sees the zone they chose."""
    client = Client()
    client.force_login(student)
    student.profile.time_zone = settings.DEFAULT_USER_TIME_ZONE
    student.profile.save()
    assert "data-detect-time-zone" in client.get(_step("time-zone")).text

    client.post(_step("time-zone"), {"time_zone": "America/Chicago"})
    page = client.get(_step("time-zone")).text
    assert "data-detect-time-zone" not in page
    assert re.search(r'<option value="America/Chicago"[^>]* selected', page)


def test_skipping_saves_nothing_and_moves_on(student, student_client):
    response = student_client.post(
        _step("about"), {"skip": "1", "class_year": "1800", "major": "x" * 500}
    )
    assert response["Location"] == _step("interests")
    profile = _profile(student)
    assert profile.class_year == 2027
    assert profile.major == ""
    assert profile.onboarding_step == "interests"


def test_bad_input_shows_the_error_and_keeps_what_was_typed(student, student_client):
    response = student_client.post(_step("about"), {"class_year": "1800", "major": "Physics"})
    assert response.status_code == 200
    html = response.text
    assert 'class="errorlist' in html
    assert 'value="Physics"' in html
    assert _profile(student).major == ""


def test_an_empty_organization_name_is_refused_with_a_message(student, student_client):
    response = student_client.post(_step("organizations"), {"add": "1", "name": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not TargetOrganization.objects.filter(owner=student).exists()


def test_removing_an_organization_only_removes_ones_own(student, other_student, student_client):
    student_client.post(_step("organizations"), {"add": "1", "name": "Acme"})
    other = Client()
    other.force_login(other_student)
    other.post(_step("organizations"), {"add": "1", "name": "Acme"})
    theirs = TargetOrganization.objects.get(owner=other_student)
    student_client.post(_step("organizations"), {"remove": theirs.pk})
    assert TargetOrganization.objects.filter(pk=theirs.pk).exists()
    mine = TargetOrganization.objects.get(owner=student)
    student_client.post(_step("organizations"), {"remove": mine.pk})
    assert not TargetOrganization.objects.filter(pk=mine.pk).exists()


def test_the_student_resumes_where_they_stopped(student, student_client):
    student_client.post(_step("about"), {"skip": "1"})
    student_client.post(_step("interests"), {"skip": "1"})
    assert student_client.get(reverse("mentoring:onboarding"))["Location"] == _step("goals")
    # Going back to an earlier step does not lose the furthest one reached.
    student_client.get(_step("about"))
    assert _profile(student).onboarding_step == "goals"
    today = student_client.get(reverse("home")).text
    assert "Finish setting up" in today


def test_once_finished_onboarding_leaves_todays_checklist(student, student_client):
    student_client.get(_step("volunteers"))
    assert _profile(student).onboarded_at is not None
    assert student_client.get(reverse("mentoring:onboarding"))["Location"] == _step("volunteers")
    today = student_client.get(reverse("home")).text
    step = today.split(f'href="{reverse("mentoring:onboarding")}"')[0].rsplit("<li", 1)[1]
    assert 'class="pl-done"' in step


def test_the_steps_show_where_the_student_is(student_client):
    html = student_client.get(_step("goals")).text
    assert "Step 3 of 6" in html
    assert re.search(r'aria-current="step"><a href="[^"]+">Strengths and goals', html)
    for slug in SLUGS:
        assert f'href="{_step(slug)}"' in html


def test_an_unknown_step_is_not_found(student_client):
    assert student_client.get(_step("nothing")).status_code == 404


def test_the_interests_step_offers_the_topics_and_keeps_the_chosen_ones(student, student_client):
    consulting = TopicFactory(name="Consulting")
    TopicFactory(name="Design")
    interests, _ = StudentInterests.objects.get_or_create(student=student)
    interests.topics.set([consulting])
    html = student_client.get(_step("interests")).text
    assert "Design" in html
    assert re.search(rf'value="{consulting.pk}"[^>]*checked', html)


def test_the_last_step_suggests_volunteers(student, student_client):
    topic = TopicFactory(name="Consulting")
    with time_machine.travel(NOW, tick=False):
        volunteer = VolunteerFactory(profile__display_name="Vera Match")
        bookable_mentor(volunteer).topics.set([topic])
        student_client.post(_step("interests"), {"topics": [topic.pk]})
        html = student_client.get(_step("volunteers")).text
    assert "Vera Match" in html
    assert "Can talk about Consulting, which you chose" in html
    assert "Ask for this time" in html


def test_organization_suggestions_as_you_type(student_client):
    volunteer = VolunteerFactory()
    bookable_mentor(volunteer, organization="Acme Partners")
    html = student_client.get(_step("organizations")).text
    assert '<option value="Acme Partners">' in html  # where volunteers work, before typing
    url = reverse("mentoring:onboarding_organization_suggestions")
    typed = student_client.get(url, {"name": "partn"}, headers={"HX-Request": "true"}).text
    assert typed.startswith('<datalist id="organization-suggestions">')
    assert '<option value="Acme Partners">' in typed
    assert "<option" not in student_client.get(url, {"name": "zzz"}).text


def test_organization_suggestions_cost_the_same_queries_for_few_and_many(student_client):
    url = reverse("mentoring:onboarding_organization_suggestions")

    def grow(n):
        for _ in range(n):
            bookable_mentor(VolunteerFactory(), organization=f"Org {User.objects.count()}")

    assert_queries_stable(lambda: student_client.get(url, {"name": "org"}), grow)
    assert_queries_stable(lambda: student_client.get(_step("organizations")), grow)
