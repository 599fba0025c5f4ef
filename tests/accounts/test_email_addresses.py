"""Email addresses after sign-up: confirmation links and the student domain rule.

A confirmation link opened while someone else is signed in must not sign that person out
(a stranger could otherwise sign anyone out by sending them a link). Students limited to
STUDENT_EMAIL_DOMAINS stay limited when they add an address or make another one primary.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.urls import reverse

from tests.factories import StudentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

EMAIL_PAGE = reverse("account_email")


def _confirmation_url(address: EmailAddress) -> str:
    key = EmailConfirmationHMAC.create(address).key
    return reverse("account_confirm_email", args=[key])


@pytest.fixture
def unverified_stranger():
    user = StudentFactory(email="mallory@example.edu", verified=False)
    return EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)


def test_opening_another_accounts_confirmation_link_keeps_you_signed_in(
    student_client, student, unverified_stranger
):
    response = student_client.get(_confirmation_url(unverified_stranger))
    assert response.status_code == 200
    assert student_client.session.get("_auth_user_id") == str(student.pk)
    assert "You are signed in as alice@example.edu" in response.text
    # Still signed in on the next page.
    assert student_client.get(reverse("profile")).status_code == 200


def test_confirming_another_accounts_address_keeps_you_signed_in(
    student_client, student, unverified_stranger
):
    response = student_client.post(_confirmation_url(unverified_stranger))
    assert response.status_code == 302
    assert student_client.session.get("_auth_user_id") == str(student.pk)
    unverified_stranger.refresh_from_db()
    assert unverified_stranger.verified  # whoever holds the link may confirm the address


def test_own_confirmation_link_still_confirms(client):
    user = StudentFactory(email="new@example.edu", verified=False)
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    page = client.get(_confirmation_url(address))
    assert "Please confirm that" in page.text
    assert "You are signed in as" not in page.text
    client.post(_confirmation_url(address))
    address.refresh_from_db()
    assert address.verified


# --- Student domains -------------------------------------------------------------------------


@pytest.fixture
def university_only(settings):
    settings.STUDENT_EMAIL_DOMAINS = ["example.edu"]


def test_student_cannot_add_an_address_outside_the_university(
    university_only, student_client, student
):
    response = student_client.post(EMAIL_PAGE, {"action_add": "", "email": "alice@gmail.com"})
    assert response.status_code == 200
    assert "Student accounts need a university email address ending in @example.edu" in (
        response.text
    )
    assert not EmailAddress.objects.filter(email="alice@gmail.com").exists()


def test_student_may_add_a_university_subdomain_address(university_only, student_client, student):
    response = student_client.post(
        EMAIL_PAGE, {"action_add": "", "email": "alice@mail.example.edu"}
    )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=student, email="alice@mail.example.edu").exists()


def test_student_cannot_make_an_outside_address_primary(university_only, student_client, student):
    # An address from before the rule (or before the student domains were set).
    EmailAddress.objects.create(user=student, email="alice@gmail.com", verified=True)
    response = student_client.post(
        EMAIL_PAGE, {"action_primary": "", "email": "alice@gmail.com"}, follow=True
    )
    assert "Student accounts need a university email address" in response.text
    student.refresh_from_db()
    assert student.email == "alice@example.edu"
    assert EmailAddress.objects.get(user=student, primary=True).email == "alice@example.edu"


def test_student_may_make_another_university_address_primary(
    university_only, student_client, student
):
    EmailAddress.objects.create(user=student, email="alice@cs.example.edu", verified=True)
    student_client.post(EMAIL_PAGE, {"action_primary": "", "email": "alice@cs.example.edu"})
    assert EmailAddress.objects.get(user=student, primary=True).email == "alice@cs.example.edu"


def test_volunteers_add_any_address(university_only, client):
    volunteer = VolunteerFactory(email="vic@example.org")
    client.force_login(volunteer)
    response = client.post(EMAIL_PAGE, {"action_add": "", "email": "vic@gmail.com"})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=volunteer, email="vic@gmail.com").exists()
