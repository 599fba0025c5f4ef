"""Every email Rapport sends: rendered from templates/emails/<name>.{subject.txt,txt,html}
(`render_email`) and sent by one helper, `send_templated_email`.

Sending goes through Django's EMAIL_BACKEND, which is the outbox
(networking_app.notifications.outbox.OutboxBackend): the message becomes a row in the caller's
transaction and is delivered by a worker once that transaction commits. The headers below are
read (and removed) by the outbox: the idempotency key makes a second message with the same key
a no-op, the kind and the user are recorded on the row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext

# --- Times, as the recipient reads them ---------------------------------------------------------
# Every email names the zone of the times it shows, in one form: "Monday 7 December 2026,
# 11:00 AM EST" ("lunes 7 de diciembre de 2026, 11:00 EST" in Spanish: the formats are
# translated). Templates use `{% load email_time %}` (notifications/templatetags), which calls
# these; render_email activates the recipient's zone and language while it renders.


def when_format() -> str:
    return pgettext("date and time in emails (Django date format)", "l j F Y, g:i A")


def time_only_format() -> str:
    return pgettext("time in emails (Django date format)", "g:i A")


IDEMPOTENCY_HEADER = "X-Rapport-Idempotency-Key"
KIND_HEADER = "X-Rapport-Kind"
USER_HEADER = "X-Rapport-User"


def recipient_zone(recipient) -> zoneinfo.ZoneInfo:
    """The zone an email to `recipient` is written in: their profile's, or the school's
    default for an address without an account (None) or a zone that no longer exists."""
    profile = getattr(recipient, "profile", None) if recipient is not None else None
    try:
        return zoneinfo.ZoneInfo(profile.time_zone)
    except (AttributeError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def recipient_language(recipient) -> str:
    """The language an email to `recipient` is written in: their profile's choice, or
    settings.LANGUAGE_CODE (no account, no choice, or a language no longer offered)."""
    profile = getattr(recipient, "profile", None) if recipient is not None else None
    language = getattr(profile, "language", "") or ""
    if language in dict(settings.LANGUAGES):
        return language
    return settings.LANGUAGE_CODE


@contextlib.contextmanager
def as_recipient(recipient, *, language: str | None = None) -> Iterator[None]:
    """Write for `recipient`: their time zone and language active (whoever is signed in), for
    whatever is worded before the templates are rendered (a reminder's lines)."""
    with (
        timezone.override(recipient_zone(recipient)),
        translation.override(language or recipient_language(recipient)),
    ):
        yield


def zone_label(local: dt.datetime) -> str:
    """ "EST"; zones without a letter abbreviation get their offset: "UTC+04"."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def format_when(value: dt.datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "Monday 7 December 2026, 11:00 AM EST", in `zone` (default: the active zone)."""
    local = timezone.localtime(value, zone)
    return f"{formats.date_format(local, when_format())} {zone_label(local)}"


def format_span(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """ "Monday 7 December 2026, 6:00 PM to 8:00 PM EST"; the end's date when it differs, and
    each end's zone when a daylight-saving change falls in between."""
    first, last = timezone.localtime(start, zone), timezone.localtime(end, zone)
    end_text = formats.time_format(last, time_only_format())
    if last.date() != first.date():
        end_text = formats.date_format(last, when_format())
    if zone_label(first) != zone_label(last):
        start_text = format_when(start, zone)
    else:
        start_text = formats.date_format(first, when_format())
    # "Monday 7 December 2026, 6:00 PM to 8:00 PM EST"
    return gettext("%(start)s to %(end)s %(zone)s") % {
        "start": start_text,
        "end": end_text,
        "zone": zone_label(last),
    }


def _data(rendered: str) -> str:
    # render_to_string returns a SafeString: shown on one of our pages (a preview), it would be
    # written out unescaped, and the text part holds what people typed, unescaped. An email's
    # parts are data to send, so they leave here as plain str and a page escapes them.
    return str.__str__(rendered)


def email_context(context: dict) -> dict:
    """What every email's templates can use, besides their own context."""
    return {
        "school_name": settings.SCHOOL_NAME,
        "career_office_name": settings.CAREER_OFFICE_NAME,
        "school_logo_url": school_logo_url(),
        **context,
    }


def school_logo_url() -> str:
    """The school's logo (settings.SCHOOL_LOGO) at an address a mail client can fetch, or ""."""
    if not settings.SCHOOL_LOGO:
        return ""
    url = static(settings.SCHOOL_LOGO)
    return url if url.startswith(("https://", "http://")) else settings.SITE_URL.rstrip("/") + url


def render_email(name: str, *, context: dict, recipient=None) -> tuple[str, str, str]:
    """Subject (one line, no CR/LF), text body and HTML body, as plain (unsafe) strings.

    Rendered in the time zone and language of `recipient` (a User; None: an address without an
    account, written in the defaults), whoever is signed in: a message with several recipients
    is rendered once per recipient."""
    context = email_context(context)
    with as_recipient(recipient):
        subject = render_to_string(f"emails/{name}.subject.txt", context)
        subject = " ".join(subject.split())
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    return _data(subject), _data(text), _data(html)


def html_from_text(text: str) -> str:
    """The HTML part of a message written as text only (allauth's own messages): the text, with
    its links, in our email layout (templates/emails/allauth.html)."""
    return _data(render_to_string("emails/allauth.html", email_context({"body": text})))


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def send_templated_email(
    name: str,
    *,
    context: dict,
    recipient=None,
    to: list[str] | None = None,
    key: str = "",
    kind: str = "",
    headers: dict[str, str] | None = None,
    attachments: Iterable[Attachment] = (),
) -> int:
    """Render templates/emails/<name>.* and send it (into the outbox, in the caller's
    transaction). Returns 1 if a message was written, 0 if one with the same `key` already was.

    `recipient`: the User it is for: written in their time zone, sent to their address (unless
    `to` says otherwise) and recorded on the outbox row as theirs. Without one (an address with
    no account yet, or one message to several people), it is written in the default zone.
    `kind` (default: `name`) is what the outbox records and lists; `key`, when given, makes
    sending twice harmless."""
    subject, text, html = render_email(name, context=context, recipient=recipient)
    extra = {KIND_HEADER: kind or name}
    if key:
        extra[IDEMPOTENCY_HEADER] = key
    if recipient is not None:
        extra[USER_HEADER] = str(recipient.pk)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to if to is not None else [recipient.email],
        headers={**extra, **(headers or {})},
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message.send()
