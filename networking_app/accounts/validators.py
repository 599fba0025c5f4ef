"""Validators for what people type about themselves."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def validate_one_line(value: str) -> None:
    """A name is one line of text: no line breaks, tabs or other control characters (it goes
    into email subjects and calendar entries)."""
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value):
        raise ValidationError(
            _("Use one line of text: no line breaks or control characters."), code="not_one_line"
        )
