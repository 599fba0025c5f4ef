"""Rendering of every email Rapport sends, from templates/emails/<name>.{subject.txt,txt,html}."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_email(name: str, *, context: dict) -> tuple[str, str, str]:
    """Subject (one line, no CR/LF), text body and HTML body."""
    context = {
        "school_name": settings.SCHOOL_NAME,
        "career_office_name": settings.CAREER_OFFICE_NAME,
        **context,
    }
    subject = render_to_string(f"emails/{name}.subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def send_templated_email(name: str, *, to: list[str], context: dict) -> None:
    subject, text, html = render_email(name, context=context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    message.attach_alternative(html, "text/html")
    message.send()
