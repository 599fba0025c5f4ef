import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from networking_app.accounts.models import ApprovalStatus, Role, User

SIGNUP = "/accounts/signup/"
GOOD_PASSWORD = "a-long-unusual-passphrase-42"


def signup_data(**overrides):
    data = {
        "role": "student",
        "display_name": "Nora Student",
        "email": "nora@example.edu",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "time_zone": "Europe/Paris",
        "affiliation": "",
        "class_year": "2028",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_student_signup_creates_user_profile_and_sends_verification(client):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="nora@example.edu")
    assert user.role == Role.STUDENT
    assert user.profile.display_name == "Nora Student"
    assert user.profile.time_zone == "Europe/Paris"
    assert user.student_profile.class_year == 2028
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert re.search(r"/accounts/confirm-email/[-:\w]+/", mail.outbox[0].body)
    # Every email has an HTML part too, with the same link.
    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert re.search(r'href="http://testserver/accounts/confirm-email/[-:\w]+/"', html)


@pytest.mark.django_db
def test_email_is_stored_lowercase(client):
    client.post(SIGNUP, signup_data(email="Nora.Mixed@Example.EDU"))
    assert User.objects.filter(email="nora.mixed@example.edu").exists()


@pytest.mark.django_db
def test_volunteer_signup_starts_pending(client):
    client.post(
        SIGNUP,
        signup_data(role="volunteer", email="vic@example.org", affiliation="parent"),
    )
    user = User.objects.get(email="vic@example.org")
    assert user.role == Role.VOLUNTEER
    assert user.volunteer_profile.status == ApprovalStatus.PENDING
    assert user.volunteer_profile.affiliation == "parent"


@pytest.mark.django_db
def test_volunteer_must_say_how_they_know_the_school(client):
    response = client.post(SIGNUP, signup_data(role="volunteer", email="vic@example.org"))
    assert response.status_code == 200
    assert "Tell us how you are connected to the school." in response.text
    assert not User.objects.exists()
    # Nothing typed is lost.
    assert 'value="vic@example.org"' in response.text


@pytest.mark.django_db
def test_nobody_can_sign_up_as_staff(client):
    response = client.post(SIGNUP, signup_data(role="staff"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not User.objects.exists()


@pytest.mark.django_db
def test_student_domains_are_enforced(client, settings):
    settings.STUDENT_EMAIL_DOMAINS = ["example.edu"]
    response = client.post(SIGNUP, signup_data(email="nora@gmail.com"))
    assert response.status_code == 200
    assert "Student accounts need a university email address ending in @example.edu" in (
        response.text
    )
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("a@example.edu", True),
        ("a@mail.example.edu", True),
        ("a@EXAMPLE.EDU", True),
        ("a@notexample.edu", False),
        ("a@example.edu.evil.com", False),
    ],
)
def test_student_domain_matching(client, settings, email, allowed):
    settings.STUDENT_EMAIL_DOMAINS = ["example.edu"]
    client.post(SIGNUP, signup_data(email=email))
    assert User.objects.filter(email=email.lower()).exists() is allowed


@pytest.mark.django_db
def test_domains_do_not_apply_to_volunteers(client, settings):
    settings.STUDENT_EMAIL_DOMAINS = ["example.edu"]
    client.post(SIGNUP, signup_data(role="volunteer", email="alum@gmail.com", affiliation="alumni"))
    assert User.objects.filter(email="alum@gmail.com", role=Role.VOLUNTEER).exists()


@pytest.mark.django_db
def test_duplicate_signup_creates_nothing_and_tells_the_owner_by_email(client, student):
    response = client.post(SIGNUP, signup_data(email=student.email.upper()))
    # Enumeration prevention: the visitor sees the usual "check your email" page...
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact=student.email).count() == 1
    # ...and the address's owner is told an account already exists.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [student.email]
    assert "already" in mail.outbox[0].body.lower()


@pytest.mark.django_db
def test_bad_time_zone_is_refused(client):
    response = client.post(SIGNUP, signup_data(time_zone="Mars/Olympus_Mons"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not User.objects.exists()


@pytest.mark.django_db
def test_mismatched_passwords_keep_the_rest_of_the_form(client):
    response = client.post(SIGNUP, signup_data(password2="something-else-entirely"))
    assert response.status_code == 200
    assert "You must type the same password each time." in response.text
    assert 'value="Nora Student"' in response.text
