"""Rendering of every email Rapport sends, from templates/emails/<name>.{subject.txt,txt,html}."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, timezone

# --- Times, as the recipient reads them ---------------------------------------------------------
# Every email names the zone of the times it shows, in one form: "Monday 7 December 2026,
# 11:00 AM EST". Templates use `{% load email_time %}` (notifications/templatetags), which
# calls these; render_email activates the recipient's zone while it renders.

WHEN_FORMAT = "l j F Y, g:i A"


def recipient_zone(recipient) -> zoneinfo.ZoneInfo:
    """The zone an email to `recipient` is written in: their profile's, or the school's
    default for an address without an account (None) or a zone that no longer exists."""
    profile = getattr(recipient, "profile", None) if recipient is not None else None
    try:
        return zoneinfo.ZoneInfo(profile.time_zone)
    except (AttributeError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def zone_label(local: dt.datetime) -> str:
    """ "EST"; zones without a letter abbreviation get their offset: "UTC+04"."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def format_when(value: dt.datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "Monday 7 December 2026, 11:00 AM EST", in `zone` (default: the active zone)."""
    local = timezone.localtime(value, zone)
    return f"{formats.date_format(local, WHEN_FORMAT)} {zone_label(local)}"


def format_span(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "Monday 7 December 2026, 6:00 PM to 8:00 PM EST"; the end's date when it differs, and
    each end's zone when a daylight-saving change falls in between."""
    first, last = timezone.localtime(start, zone), timezone.localtime(end, zone)
    end_text = formats.time_format(last, "g:i A")
    if last.date() != first.date():
        end_text = formats.date_format(last, WHEN_FORMAT)
    if zone_label(first) != zone_label(last):
        return f"{format_when(start, zone)} to {end_text} {zone_label(last)}"
    return f"{formats.date_format(first, WHEN_FORMAT)} to {end_text} {zone_label(last)}"


def _data(rendered: str) -> str:
    # render_to_string returns a SafeString: shown on one of our pages (a preview), it would be
    # written out unescaped, and the text part holds what people typed, unescaped. An email's
    # parts are data to send, so they leave here as plain str and a page escapes them.
    return str.__str__(rendered)


def render_email(name: str, *, context: dict, recipient=None) -> tuple[str, str, str]:
    """Subject (one line, no CR/LF), text body and HTML body, as plain (unsafe) strings.

    Rendered in the time zone of `recipient` (a User; None: an address without an account),
    whoever is signed in: a message with several recipients is rendered once per recipient."""
    context = {
        "school_name": settings.SCHOOL_NAME,
        "career_office_name": settings.CAREER_OFFICE_NAME,
        **context,
    }
    with timezone.override(recipient_zone(recipient)):
        subject = render_to_string(f"emails/{name}.subject.txt", context)
        subject = " ".join(subject.split())
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    return _data(subject), _data(text), _data(html)


def send_templated_email(name: str, *, to: list[str], context: dict, recipient=None) -> None:
    subject, text, html = render_email(name, context=context, recipient=recipient)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    message.attach_alternative(html, "text/html")
    message.send()
