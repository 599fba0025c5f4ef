"""With DEBUG off, a missing page, a page for another kind of account or a server error shows
Rapport's own page (with the navigation, but for the server error), not Django's bare one or a
debug page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.views.defaults import server_error


@pytest.mark.django_db
def test_a_missing_page_is_rapports_own_404(settings, student_client):
    settings.DEBUG = False
    response = student_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert "Go to your home page" in response.text
    assert "Traceback" not in response.text
    assert "URLconf" not in response.text


@pytest.mark.django_db
def test_a_page_for_another_role_is_a_friendly_403_with_the_navigation(settings, student_client):
    settings.DEBUG = False
    response = student_client.get(reverse("console:dashboard"))
    assert response.status_code == 403
    text = response.text
    assert "<h1>This page is not for your account</h1>" in text
    assert 'aria-label="Main"' in text  # the student's own navigation, to go on from here
    assert f'href="{reverse("contacts:list")}"' in text
    assert "403 Forbidden" not in text


@pytest.mark.django_db
def test_a_missing_page_offers_a_student_their_contacts(settings, student_client):
    settings.DEBUG = False
    text = student_client.get("/no-such-page/").text
    assert 'aria-label="Main"' in text
    assert "Your contacts" in text


def test_a_server_error_is_a_plain_page_without_details(rf):
    # Django renders 500.html with no context (the error may be in the context processors).
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "<h1>Something went wrong</h1>" in text
    assert "Server Error (500)" not in text
