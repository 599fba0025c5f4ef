"""With DEBUG off, a missing page or a server error shows Rapport's own page, not Django's bare
one or a debug page."""

from __future__ import annotations

import pytest
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


def test_a_server_error_is_a_plain_page_without_details(rf):
    # Django renders 500.html with no context (the error may be in the context processors).
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "<h1>Something went wrong</h1>" in text
    assert "Server Error (500)" not in text
