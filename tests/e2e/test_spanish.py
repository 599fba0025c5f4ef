"""A journey in Spanish (issue 18), on a phone whose browser asks for Spanish: a visitor signs
up as a student, verifies the address from the email, goes through onboarding's first step and
opens the directory. Every page is in Spanish (`<html lang="es">`), and no heading on the way
is an English string the catalogue translates."""

from __future__ import annotations

import gettext
import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect

from networking_app.accounts.models import User
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, screenshot
from tests.e2e.helpers import PHONE_VIEWPORT, assert_no_horizontal_scroll, label
from tests.mentoring.helpers import bookable_mentor

pytestmark = pytest.mark.browser

ADDRESS = "lucia.nueva@example.edu"
PASSWORD = "una-frase-de-paso-bastante-larga-42"


def english_with_a_translation() -> set[str]:
    """Every English string the Spanish catalogue translates differently: a heading equal to
    one of them was left in English."""
    path = settings.LOCALE_PATHS[0] / "es" / "LC_MESSAGES" / "django.mo"
    with open(path, "rb") as catalogue:
        messages = gettext.GNUTranslations(catalogue)._catalog
    english = set()
    for key, spanish in messages.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04", 1)[-1]  # without its context
        if msgid and spanish and msgid != spanish and "%(" not in msgid:
            english.add(msgid)
    return english


@pytest.fixture
def spanish_page(chromium_browser):
    context = chromium_browser.new_context(viewport=PHONE_VIEWPORT, locale="es-ES")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def assert_in_spanish(page: Page, english: set[str]) -> list[str]:
    expect(page.locator("html")).to_have_attribute("lang", "es")
    headings = [
        " ".join(text.split())
        for text in page.locator("h1, h2, h3").all_inner_texts()
        if text.strip()
    ]
    assert headings, f"{page.url} has no heading"
    left_in_english = [heading for heading in headings if heading in english]
    assert not left_in_english, f"{page.url}: headings still in English: {left_in_english}"
    return headings


def test_a_spanish_speaking_student_signs_up_verifies_starts_onboarding_and_opens_the_directory(
    live_server, spanish_page: Page, volunteer
):
    bookable_mentor(volunteer)
    page = spanish_page
    english = english_with_a_translation()

    # The front page, from the browser's language alone.
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Construye la red que impulsa tu carrera"
    )
    assert_in_spanish(page, english)
    page.get_by_role("main").get_by_role("link", name="Regístrate").click()

    # Sign-up (allauth's page in our layout, in Spanish).
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrarse")
    assert_in_spanish(page, english)
    page.get_by_label("Soy estudiante").check()
    page.get_by_label(label("Tu nombre")).fill("Lucía Nueva")
    page.get_by_label(label("Correo electrónico")).fill(ADDRESS)
    page.get_by_label(label("Contraseña")).fill(PASSWORD)
    page.get_by_label(label("Contraseña (de nuevo)")).fill(PASSWORD)
    assert_no_horizontal_scroll(page)
    screenshot(page, "spanish_signup_390")
    page.get_by_role("button", name="Registrarse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Verifique su dirección de correo electrónico"
    )
    assert_in_spanish(page, english)
    assert User.objects.get(email=ADDRESS).profile.language == "es"

    # The confirmation email is in Spanish too; its link verifies the address.
    [confirmation] = [message for message in mail.outbox if message.to == [ADDRESS]]
    assert "Hola desde Rapport" in confirmation.body
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", confirmation.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confirmar dirección de correo electrónico"
    )
    assert_in_spanish(page, english)
    page.get_by_role("button", name="Confirmar").click()

    # Onboarding's first step, then the second.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sobre ti")
    assert_in_spanish(page, english)
    page.get_by_label(label("Año de promoción")).fill("2028")
    page.get_by_label(label("Carrera")).fill("Economía")
    assert_no_horizontal_scroll(page)
    screenshot(page, "spanish_onboarding_390")
    page.get_by_role("button", name="Guardar y continuar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tus intereses")
    assert_in_spanish(page, english)

    # The directory, from the menu.
    page.get_by_text("Menú", exact=True).click()
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Directorio").click()
    expect(page.locator(".mentor-card").filter(has_text=volunteer.display_name)).to_be_visible()
    headings = assert_in_spanish(page, english)
    assert_no_horizontal_scroll(page)
    screenshot(page, "spanish_directory_390")
    assert headings[0] == settings.DIRECTORY_NAME  # the school's own name for it
