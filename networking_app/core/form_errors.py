"""Putting a service's ValidationError back on the form that called it.

Services raise ``ValidationError`` (a dict naming fields, or a plain message); views show it on
the form the student filled in. A form whose fields are named differently from the service's
arguments maps them in ``service_error_fields`` (e.g. ``{"organization": "organization_name"}``).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The message above a form shown again with its errors.
NOT_SAVED = _("Nothing was saved: please check the form below.")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    aliases = getattr(form, "service_error_fields", {})
    for name, errors in error.error_dict.items():
        name = aliases.get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def error_text(error: ValidationError) -> str:
    """A service's ValidationError as one line, for a message above the page."""
    return " ".join(error.messages)
