"""An attacker's inputs: open redirects through `next=`, CR/LF in names and subjects, spoofed
client addresses against the login rate limit."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from networking_app.core.emails import send_templated_email
from networking_app.notifications.models import OutgoingEmail
from networking_app.notifications.outbox import deliver
from tests.contacts.factories import ActionItemFactory
from tests.factories import PASSWORD, StudentFactory
from tests.helpers import EVIL_NEXT, lands_on

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_login_never_redirects_off_site(client, student, target):
    response = client.post(LOGIN, {"login": student.email, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert lands_on(response["Location"]) == ("http", "testserver"), response["Location"]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_login_page_with_an_evil_next_in_the_query_string(client, student, target):
    client.get(LOGIN, {"next": target})
    response = client.post(
        f"{LOGIN}?{urlencode({'next': target})}",
        {"login": student.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert lands_on(response["Location"]) == ("http", "testserver"), response["Location"]


def test_a_safe_next_is_followed(client, student):
    response = client.post(
        LOGIN, {"login": student.email, "password": PASSWORD, "next": "/my/contacts/"}
    )
    assert response["Location"] == "/my/contacts/"


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_our_own_next_parameters_stay_on_site(student_client, student, target):
    item = ActionItemFactory(owner=student)
    url = reverse("contacts:action_item_toggle", kwargs={"item_id": item.pk})
    response = student_client.post(url, {"next": target})
    assert response.status_code == 302
    assert lands_on(response["Location"], url) == ("http", "testserver"), response["Location"]


def test_admin_login_sends_next_to_our_login_which_checks_it(client):
    response = client.get("/admin/login/", {"next": "//evil.example"})
    assert response.status_code == 302
    assert lands_on(response["Location"], "/admin/login/") == ("http", "testserver")


# --- CR/LF never reaches a header --------------------------------------------------------


INJECTED = "Eve\r\nBcc: victim@evil.example\r\nX-Injected: yes"


def test_a_name_with_cr_lf_in_a_subject_stays_on_one_line(settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    student = SimpleNamespace(display_name=INJECTED)
    send_templated_email(
        "mentoring_request_new",
        to=["volunteer@example.org"],
        context={"student": student, "programme": "Flash mentoring"},
    )
    row = OutgoingEmail.objects.get()
    assert "\r" not in row.subject
    assert "\n" not in row.subject
    deliver([row.pk])
    sent = mail.outbox[-1]
    raw = sent.message().as_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert b"X-Injected: yes\n" not in headers
    assert b"\nBcc:" not in headers
    assert sent.bcc == []
    assert sent.recipients() == ["volunteer@example.org"]


def test_a_subject_with_cr_lf_given_directly_is_flattened(settings):
    from django.core.mail import EmailMessage

    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    # Django itself refuses a multi-line subject when it builds the message; the outbox
    # stores it flattened, so a stored email can always be sent.
    EmailMessage(subject=f"Hello {INJECTED}", body="Hi", to=["a@example.org"]).send()
    row = OutgoingEmail.objects.get()
    assert row.subject == "Hello Eve Bcc: victim@evil.example X-Injected: yes"
    deliver([row.pk])
    assert "victim@evil.example" not in mail.outbox[-1].recipients()


def test_signup_refuses_a_name_with_line_breaks(client):
    response = client.post(
        reverse("account_signup"),
        {
            "role": "student",
            "display_name": INJECTED,
            "email": "eve@example.edu",
            "password1": "a-long-and-unusual-passphrase-77",
            "password2": "a-long-and-unusual-passphrase-77",
        },
    )
    assert response.status_code == 200
    assert "line break" in response.text
    assert not StudentFactory._meta.model.objects.filter(email="eve@example.edu").exists()


def test_profile_refuses_a_name_with_line_breaks(student_client, student):
    response = student_client.post(
        reverse("profile"), {"display_name": INJECTED, "time_zone": "UTC"}
    )
    assert response.status_code == 200
    assert "line break" in response.text
    student.profile.refresh_from_db()
    assert "\n" not in student.profile.display_name


# --- The client address behind proxies ----------------------------------------------------


def _fail_login(client, email, **extra):
    return client.post(LOGIN, {"login": email, "password": "wrong"}, **extra)


def _refused(response) -> bool:
    """allauth answers a rate-limited login with its form and this message (or a 429)."""
    return response.status_code == 429 or "Too many failed login attempts" in response.text


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(settings):
    """A client cannot dodge the per-address limit by inventing X-Forwarded-For values."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(10):
        _fail_login(client, f"nobody{n}@example.edu", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = _fail_login(client, "nobody-else@example.edu", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert _refused(response)


def test_behind_one_trusted_proxy_the_forwarded_address_is_the_client(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(10):
        _fail_login(proxy, f"nobody{n}@example.edu", HTTP_X_FORWARDED_FOR="203.0.113.7")
    refused = _fail_login(proxy, "other@example.edu", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert _refused(refused)
    # Another client behind the same proxy is not punished for the first one.
    allowed = _fail_login(proxy, "other@example.edu", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert allowed.status_code == 200
    assert not _refused(allowed)


def test_a_spoofed_left_most_address_does_not_escape_the_trusted_proxy(settings):
    """With one trusted proxy, only the address that proxy appended counts: a client that
    sends its own X-Forwarded-For cannot choose the address it is limited under."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(10):
        _fail_login(
            proxy, f"nobody{n}@example.edu", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7"
        )
    response = _fail_login(
        proxy, "again@example.edu", HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7"
    )
    assert _refused(response)
