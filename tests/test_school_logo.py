"""The school's logo (SCHOOL_LOGO, a static file): in every page's header and every email,
at an address a mail client can fetch; a file that cannot be found stops the checks."""

from __future__ import annotations

import pytest

from networking_app.core.checks import school_logo_check
from networking_app.core.emails import html_from_text, render_email

LOGO = "img/favicon.svg"  # any file among the static files


@pytest.mark.django_db
def test_the_logo_is_in_the_header_of_every_page(client, student_client, settings):
    settings.SCHOOL_LOGO = LOGO
    for response in (client.get("/"), student_client.get("/my/contacts/")):
        assert f'<img class="brand-logo" src="/static/{LOGO}" alt="" height="28">' in response.text


@pytest.mark.django_db
def test_without_a_logo_the_header_keeps_its_mark(client, settings):
    settings.SCHOOL_LOGO = ""
    text = client.get("/").text
    assert "brand-logo" not in text
    assert '<span aria-hidden="true">◆</span> Rapport' in text


def test_emails_show_the_logo_from_the_site_address(settings):
    settings.SCHOOL_LOGO = LOGO
    settings.SCHOOL_NAME = "Northfield College"
    settings.SITE_URL = "https://rapport.example.edu"
    logo = f'<img src="https://rapport.example.edu/static/{LOGO}" alt="Northfield College"'
    _, _, html = render_email("account_closed_notice", context={"when": "Mon 7 Dec"})
    assert logo in html
    assert logo in html_from_text("Confirm your address: https://rapport.example.edu/x")
    settings.SCHOOL_LOGO = ""
    assert "<img" not in html_from_text("No logo.")


def test_a_logo_that_is_not_a_static_file_fails_the_checks(settings):
    settings.SCHOOL_LOGO = "school/missing.svg"
    [error] = school_logo_check(None)
    assert error.id == "core.E001"
    settings.SCHOOL_LOGO = LOGO
    assert school_logo_check(None) == []
    settings.SCHOOL_LOGO = ""
    assert school_logo_check(None) == []
