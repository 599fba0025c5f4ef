import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, StudentFactory

LOGIN = "/accounts/login/"


@pytest.mark.django_db
def test_wrong_password_gets_a_clear_message(client, student):
    response = client.post(LOGIN, {"login": student.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text


@pytest.mark.django_db
def test_unverified_email_cannot_log_in_and_is_told_to_verify(client):
    user = StudentFactory(email="new@example.edu", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD}, follow=True)
    assert "Verify Your Email Address" in response.text
    assert not response.context["user"].is_authenticated
    assert len(mail.outbox) == 1  # a fresh confirmation link


@pytest.mark.django_db
def test_student_logs_in_and_sees_their_home(client, student):
    response = client.post(LOGIN, {"login": student.email, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Welcome, Alice Student" in response.text


@pytest.mark.django_db
def test_sixth_failed_login_in_five_minutes_is_refused(client, student):
    for _ in range(5):
        client.post(LOGIN, {"login": student.email, "password": "nope"})
    response = client.post(LOGIN, {"login": student.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_pending_volunteer_is_told_they_await_approval(client, pending_volunteer):
    response = client.post(
        LOGIN, {"login": pending_volunteer.email, "password": PASSWORD}, follow=True
    )
    assert "awaiting approval" in response.text


@pytest.mark.django_db
def test_staff_login_asks_for_the_authenticator_code(client, staff):
    response = client.post(LOGIN, {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
