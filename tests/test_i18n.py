"""Languages (issue 18): the browser's language for visitors, a person's own choice on the
profile over it, emails in the recipient's language, dates in Spanish, and the check that no
marked string is left untranslated (`manage.py translations --check`, run by `make lint`)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from networking_app.accounts.forms import ProfileForm
from networking_app.accounts.models import Profile, User
from networking_app.core.emails import format_span, format_when, render_email
from networking_app.notifications import services as notify
from networking_app.notifications.models import Reminder
from tests.contacts.factories import ActionItemFactory
from tests.factories import PASSWORD, StudentFactory, VolunteerFactory

SPANISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
NEW_YORK = "America/New_York"
# Monday 7 December 2026, 11:00 in New York.
MONDAY = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)


def _html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


# --- Pages: the browser, the footer's choice, the profile ---------------------------------------


@pytest.mark.django_db
def test_a_visitor_whose_browser_asks_for_spanish_reads_the_front_page_in_spanish(client):
    response = client.get("/", **SPANISH_BROWSER)
    page = response.content.decode()
    assert "Construye la red que impulsa tu carrera" in page
    assert "Build the network" not in page
    assert _html_lang(response) == "es"
    assert response["Content-Language"] == "es"
    # Caches must keep the English and the Spanish page apart.
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_the_login_page_follows_the_browser_too(client):
    spanish = client.get(reverse("account_login"), **SPANISH_BROWSER).content.decode()
    assert "Iniciar sesión" in spanish  # allauth's own Spanish
    assert "Saltar al contenido principal" in spanish  # our layout
    english = Client().get(reverse("account_login"), **ENGLISH_BROWSER).content.decode()
    assert "Skip to main content" in english
    assert "Saltar al contenido principal" not in english


@pytest.mark.django_db
def test_without_a_language_the_pages_are_in_english(client):
    response = client.get("/")
    assert "Build the network that starts your career" in response.content.decode()
    assert _html_lang(response) == "en"


@pytest.mark.django_db
def test_a_visitor_chooses_spanish_in_the_footer_whatever_the_browser_says(client):
    footer = client.get("/", **ENGLISH_BROWSER).content.decode()
    assert 'action="/i18n/setlang/"' in footer
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "/events/"}, **ENGLISH_BROWSER
    )
    assert response.status_code == 302
    assert response["Location"] == "/events/"
    page = client.get("/", **ENGLISH_BROWSER)
    assert "Construye la red que impulsa tu carrera" in page.content.decode()


@pytest.mark.django_db
def test_the_footer_refuses_to_send_a_visitor_to_another_site(client):
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("chosen", "browser", "expected"),
    [
        ("es", ENGLISH_BROWSER, "es"),
        ("en", SPANISH_BROWSER, "en"),
        ("", SPANISH_BROWSER, "es"),
        ("", ENGLISH_BROWSER, "en"),
    ],
)
def test_a_signed_in_persons_own_choice_wins_over_the_browser(chosen, browser, expected):
    student = StudentFactory(profile__language=chosen)
    client = Client()
    client.force_login(student)
    response = client.get(reverse("profile"), **browser)
    assert response.status_code == 200
    assert _html_lang(response) == expected
    assert response["Content-Language"] == expected
    heading = "Tu perfil" if expected == "es" else "Your profile"
    assert f"<h1>{heading}</h1>" in response.content.decode()


@pytest.mark.django_db
def test_a_language_that_is_no_longer_offered_falls_back_to_the_browser():
    student = StudentFactory(profile__language="fr")
    client = Client()
    client.force_login(student)
    assert _html_lang(client.get(reverse("profile"), **SPANISH_BROWSER)) == "es"


@pytest.mark.django_db
def test_the_profile_page_offers_the_languages_and_saves_the_choice(student_client, student):
    page = student_client.get(reverse("profile")).content.decode()
    assert 'name="language"' in page
    assert ">Español</option>" in page
    assert ">The language of my browser</option>" in page
    response = student_client.post(
        reverse("profile"),
        {
            "display_name": student.profile.display_name,
            "time_zone": student.profile.time_zone,
            "language": "es",
            "role-class_year": "2027",
        },
        follow=True,
    )
    student.profile.refresh_from_db()
    assert student.profile.language == "es"
    # The confirmation is already in the language just chosen.
    assert "Tu perfil está guardado." in response.content.decode()


@pytest.mark.django_db
def test_the_profile_form_refuses_a_language_that_is_not_offered():
    form = ProfileForm(
        data={"display_name": "Nora", "time_zone": "UTC", "language": "fr"}, instance=Profile()
    )
    assert not form.is_valid()
    assert "language" in form.errors


@pytest.mark.django_db
def test_signing_up_in_spanish_keeps_spanish_for_the_pages_and_the_emails(client):
    response = client.post(
        reverse("account_signup"),
        {
            "role": "student",
            "display_name": "Lucía Estudiante",
            "email": "lucia@example.edu",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "time_zone": "Europe/Madrid",
            "affiliation": "",
            "class_year": "2028",
        },
        **SPANISH_BROWSER,
    )
    assert response.status_code == 302
    user = User.objects.get(email="lucia@example.edu")
    assert user.profile.language == "es"
    [confirmation] = mail.outbox
    assert "Hola desde Rapport" in confirmation.body
    assert "Hello from Rapport" not in confirmation.body
    html, _mimetype = confirmation.alternatives[0]
    assert '<html lang="es">' in html


# --- Emails in the recipient's language -------------------------------------------------------


def _action_item_reminder(student) -> None:
    item = ActionItemFactory(owner=student, due_on=timezone.localdate())
    Reminder.objects.create(
        user=student, kind="action_item", subject_key=f"action_item:{item.pk}", due_at=MONDAY
    )


@pytest.mark.django_db
def test_each_student_gets_a_reminder_in_their_own_language(time_machine):
    time_machine.move_to(MONDAY)
    spanish = StudentFactory(profile__language="es", profile__display_name="Lucía")
    english = StudentFactory(profile__language="en", profile__display_name="Nora")
    _action_item_reminder(spanish)
    _action_item_reminder(english)
    # The tick runs without a request, in whatever language the worker's thread has.
    with translation.override("en"):
        notify.reminders_dispatch()
    by_address = {message.to[0]: message for message in mail.outbox}
    to_lucia, to_nora = by_address[spanish.email], by_address[english.email]
    assert "Hola, Lucía:" in to_lucia.body
    assert "Posponer un día" in to_lucia.body
    assert "Snooze for a day" not in to_lucia.body
    assert '<html lang="es">' in to_lucia.alternatives[0][0]
    assert "Hello Nora," in to_nora.body
    assert "Snooze for a day" in to_nora.body
    assert "Posponer" not in to_nora.body


@pytest.mark.django_db
def test_an_email_is_written_in_the_recipients_language_whoever_sends_it():
    volunteer = VolunteerFactory(profile__language="es", profile__display_name="Marta")
    # Staff working in English send it: the volunteer reads Spanish.
    with translation.override("en"):
        subject, text, html = render_email(
            "volunteer_reviewed",
            context={"volunteer": volunteer, "approved": True, "note": ""},
            recipient=volunteer,
        )
    assert subject == f"Estás aprobado como voluntario de {settings.SCHOOL_NAME}"
    assert text.startswith("Hola, Marta:")
    assert "Gracias," in html
    # Without an account (or a choice), emails are in the default language.
    subject, text, _html = render_email(
        "volunteer_reviewed", context={"volunteer": volunteer, "approved": True, "note": ""}
    )
    assert subject == f"You are approved as a {settings.SCHOOL_NAME} volunteer"


@pytest.mark.django_db
def test_a_password_reset_for_an_unknown_address_is_in_the_language_it_was_asked_in(client):
    client.post(
        reverse("account_reset_password"), {"email": "nobody@example.edu"}, **SPANISH_BROWSER
    )
    [message] = mail.outbox
    assert "Hola desde Rapport" in message.body


# --- Dates ----------------------------------------------------------------------------------------


def test_emails_write_dates_in_full_in_spanish():
    zone = zoneinfo.ZoneInfo(NEW_YORK)
    with translation.override("es"):
        assert format_when(MONDAY, zone) == "lunes 7 de diciembre de 2026, 11:00 EST"
        assert (
            format_span(MONDAY, MONDAY + dt.timedelta(hours=1), zone)
            == "lunes 7 de diciembre de 2026, 11:00 a 12:00 EST"
        )
    with translation.override("en"):
        assert format_when(MONDAY, zone) == "Monday 7 December 2026, 11:00 AM EST"


def test_pages_write_dates_in_spanish_with_the_same_layout():
    template = Template(
        '{% load rows %}{{ when|date:"DATE_FORMAT" }} | {{ when|when }} | {{ when|date:"D j M" }}'
    )
    day = dt.date(2026, 12, 7)
    with translation.override("es"):
        assert (
            template.render(Context({"when": day})) == "lun 7 Dic 2026 | lun 7 Dic 2026 | lun 7 Dic"
        )
        assert formats.date_format(day, "MONTH_DAY_FORMAT") == "7 de diciembre"
    with translation.override("en"):
        assert (
            template.render(Context({"when": day})) == "Mon 7 Dec 2026 | Mon 7 Dec 2026 | Mon 7 Dec"
        )


def test_date_inputs_keep_the_iso_form_in_spanish():
    # An <input type="date"> shows its value only as YYYY-MM-DD.
    from django import forms

    widget = forms.DateInput(attrs={"type": "date"})
    with translation.override("es"):
        assert 'value="2026-12-07"' in widget.render("day", dt.date(2026, 12, 7))
        assert forms.DateField().clean("07/12/2026") == dt.date(2026, 12, 7)


# --- The check in `make lint` -------------------------------------------------------------------


def _locale_copy(tmp_path: Path) -> Path:
    locale_dir = tmp_path / "locale"
    shutil.copytree(settings.LOCALE_PATHS[0], locale_dir)
    return locale_dir


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_the_translations_check_passes_on_the_committed_catalogue():
    call_command("translations", check=True)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_the_translations_check_fails_on_a_string_nobody_translated(tmp_path):
    source = tmp_path / "source" / "templates"
    source.mkdir(parents=True)
    (source / "page.html").write_text(
        '{% load i18n %}<p>{% translate "A sentence nobody has translated yet" %}</p>'
    )
    locale_dir = _locale_copy(tmp_path)
    with pytest.raises(CommandError) as refused:
        call_command(
            "translations", check=True, root=str(tmp_path / "source"), locale_dir=str(locale_dir)
        )
    message = str(refused.value)
    assert "untranslated: A sentence nobody has translated yet" in message
    assert "1 new" in message
    assert "make messages" in message


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_the_translations_check_changes_nothing_in_the_catalogues_it_checks(tmp_path):
    # A source tree with its catalogues inside, as ours: Django's makemessages writes there.
    source = tmp_path / "source"
    (source / "templates").mkdir(parents=True)
    (source / "templates" / "a.html").write_text('{% load i18n %}{% translate "Alpha" %}')
    locale_dir = source / "locale"
    call_command("translations", root=str(source), locale_dir=str(locale_dir))
    po = locale_dir / "es" / "LC_MESSAGES" / "django.po"
    before = po.read_bytes()
    (source / "templates" / "b.html").write_text('{% load i18n %}{% translate "Beta" %}')
    with pytest.raises(CommandError, match="1 new"):
        call_command("translations", check=True, root=str(source), locale_dir=str(locale_dir))
    assert po.read_bytes() == before


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext")
def test_the_translations_check_fails_when_the_compiled_catalogue_is_stale(tmp_path):
    locale_dir = _locale_copy(tmp_path)
    po = locale_dir / "es" / "LC_MESSAGES" / "django.po"
    text = po.read_text()
    po.write_text(text.replace('msgstr "Tu perfil"', 'msgstr "Tu perfil personal"', 1))
    with pytest.raises(CommandError, match=r"django\.mo is not the compiled django\.po"):
        call_command("translations", check=True, locale_dir=str(locale_dir))
