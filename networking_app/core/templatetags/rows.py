"""`{% object_url %}` and `|when`: what `{% url %}` and `|date` give, cheap enough for every row
of a long list.

Measured (bench/RESULTS.md, "Template rendering (issue 16)"): in a 50-row list, reverse() and
date formatting per row cost more than the rest of the row. These keep the markup in the
template and only compute the strings: a URL pattern reversed once per process
(networking_app.core.rendering.object_url), the texts of recent dates remembered.
"""

from __future__ import annotations

import datetime as dt
import functools
import zlib

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from networking_app.core.rendering import object_url as _object_url

register = template.Library()


@register.simple_tag
def object_url(viewname: str, **kwargs) -> str:
    """`{% url viewname kwarg=pk %}` for a URL with one integer id (and fixed string
    arguments), reversed once per pattern: `{% object_url "contacts:detail" contact_id=c.pk %}`."""
    ids = [name for name, value in kwargs.items() if isinstance(value, int)]
    if len(ids) != 1:
        raise template.TemplateSyntaxError(f"object_url {viewname} takes exactly one integer id")
    pk = kwargs.pop(ids[0])
    return _object_url(viewname, ids[0], pk, **kwargs)


def viewer() -> tuple[dt.tzinfo, str | None]:
    """The active time zone and language, which a date is shown in."""
    return timezone.get_current_timezone(), get_language()


@functools.lru_cache(maxsize=4096)
def _formatted(value: dt.date, zone: dt.tzinfo, format_name: str, language: str | None) -> str:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value, zone)
    return date_format(value, format_name)


def formatted_date(
    value: dt.date | None, format_name: str, shown_to: tuple[dt.tzinfo, str | None]
) -> str:
    """`value|date:format_name` in `shown_to`'s zone and language (a `viewer()`), remembered;
    "" for anything but a date."""
    if not isinstance(value, dt.date):
        return ""
    zone, language = shown_to
    return _formatted(value, zone, format_name, language)


@register.filter
def when(value: dt.date | None, format_name: str = "DATE_FORMAT") -> str:
    """`value|date:format_name`, remembered: the same few hundred dates and slot times recur on
    every page (an aware datetime is shown in the current time zone, as |date does)."""
    return formatted_date(value, format_name, viewer())


@functools.lru_cache(maxsize=4096)
def _initials(name: str) -> str:
    words = [word for word in name.split() if word[:1].isalpha()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.filter
def initials(name: str | None) -> str:
    """ "Maya van der Berg" -> "MB": the first letters of the first and last words, for the
    initials avatar beside a person's name ("?" when the name has no letter to show)."""
    return _initials(str(name or ""))


AVATAR_COLOURS = 8


@register.filter
def avatar_hue(name: str | None) -> int:
    """A colour (0 to AVATAR_COLOURS - 1) that is the same for a name on every page and in
    every process (a CRC, not Python's salted hash)."""
    return zlib.crc32(str(name or "").encode()) % AVATAR_COLOURS
