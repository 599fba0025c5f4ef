"""Staff "Email delivery" page: counts by status, the failed emails (never their bodies), retry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from networking_app.notifications.models import EmailStatus
from tests.helpers import SECRET_BODY, make_email
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

EMAILS = reverse("staff:emails")


def retry_url(email) -> str:
    return reverse("staff:email_retry", kwargs={"email_id": email.pk})


@pytest.fixture
def failed():
    return make_email(
        EmailStatus.FAILED,
        to="dana@example.org",
        subject="Your volunteer application",
        attempts=8,
        last_error="SMTPRecipientsRefused: {'dana@example.org': (550, b'No such user')}",
        kind="volunteer_reviewed",
        created_at=timezone.now() - dt.timedelta(hours=2),
    )


def test_counts_by_status(staff_client, failed):
    for _ in range(3):
        make_email(EmailStatus.SENT)
    make_email(EmailStatus.QUEUED)
    response = staff_client.get(EMAILS)
    assert response.status_code == 200
    assert {status.value: n for status, n in response.context["counts"]} == {
        "queued": 1,
        "sending": 0,
        "sent": 3,
        "failed": 1,
    }
    assert "The oldest queued email was written" in response.text


def test_failed_emails_are_listed_without_their_bodies(staff_client, failed):
    make_email(EmailStatus.SENT, to="sent@example.com", subject="Delivered fine")
    html = staff_client.get(EMAILS).text
    assert "dana@example.org" in html
    assert "Your volunteer application" in html
    assert "No such user" in html
    assert "8 attempts" in html
    assert failed.created_at.strftime("%Y") in html
    assert f'action="{retry_url(failed)}"' in html
    assert "Delivered fine" not in html  # only failed emails are listed
    assert SECRET_BODY not in html


def test_no_failed_emails(staff_client):
    html = staff_client.get(EMAILS).text
    assert "No email has failed." in html
    assert "The oldest queued email" not in html


def test_retry_queues_a_failed_email_again(
    staff_client, failed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(retry_url(failed), follow=True)
    assert response.redirect_chain[-1][0] == EMAILS
    assert "The email to dana@example.org is queued to be sent again." in response.text
    failed.refresh_from_db()
    assert failed.status == EmailStatus.QUEUED
    assert failed.attempts == 0
    assert failed.next_attempt_at <= timezone.now()
    assert len(callbacks) == 1  # handed to the workers once the transaction commits
    assert "No email has failed." in response.text


def test_retry_of_an_email_that_has_not_failed_changes_nothing(staff_client):
    sent = make_email(EmailStatus.SENT, attempts=1)
    response = staff_client.post(retry_url(sent), follow=True)
    assert "is sent: not retried" in response.text
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (EmailStatus.SENT, 1)


def test_retry_of_a_missing_email_is_404(staff_client):
    assert (
        staff_client.post(reverse("staff:email_retry", kwargs={"email_id": 999999})).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["student_client", "other_student_client", "volunteer_client"])
def test_other_roles_are_refused(request, who, failed):
    client = request.getfixturevalue(who)
    assert client.get(EMAILS).status_code == 403
    assert client.post(retry_url(failed)).status_code == 403
    failed.refresh_from_db()
    assert failed.status == EmailStatus.FAILED


def test_anonymous_goes_to_login(client, failed):
    for response in (client.get(EMAILS), client.post(retry_url(failed))):
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    failed.refresh_from_db()
    assert failed.status == EmailStatus.FAILED


def test_staff_home_links_to_it_with_the_failed_count(staff_client, failed):
    make_email(EmailStatus.FAILED)
    html = staff_client.get(reverse("staff:home")).text
    assert "2 emails could not be delivered." in html
    assert f'href="{EMAILS}"' in html


def test_staff_nav_links_to_it(staff_client):
    html = staff_client.get(EMAILS).text
    assert f'<a href="{EMAILS}" aria-current="page">Email delivery</a>' in html


def test_query_count_does_not_grow(staff_client):
    assert_queries_stable(
        lambda: staff_client.get(EMAILS),
        lambda n: [make_email(EmailStatus.FAILED, last_error="boom") for _ in range(n)],
        small=5,
        large=50,
    )
