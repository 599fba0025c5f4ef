"""Cheap URL and date strings for long lists.

A list of fifty rows through {% for %}, {% url %} and |date spends more time in reverse() and
date formatting than in the rest of the row (bench/RESULTS.md, "Template rendering (issue
16)"). These helpers compute only strings; the markup stays in templates
(networking_app/core/templatetags/rows.py: `{% object_url %}`, `|when`; the site navigation):

- `object_url` reverses a URL pattern once per process with a marker in place of the id, then
  substitutes the id: reverse() walks the resolver each time (tens of microseconds).
- `url_of` reverses a URL without arguments once per process.
- `day`, `day_of` and `esc` serve the events calendar's Python-built cells
  (events/calendar_grid.py, events/templatetags/events_tags.py) until they are templates too.
"""

from __future__ import annotations

import datetime as dt
import functools
from html import escape as _escape

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

# An id no table reaches: it stands for the id in the reversed path.
_MARKER = "2147483646"


@functools.cache
def _pattern(viewname: str, kwarg: str, extra: tuple[tuple[str, str], ...]) -> str:
    path = reverse(viewname, kwargs={kwarg: int(_MARKER), **dict(extra)})
    if path.count(_MARKER) != 1:  # pragma: no cover - a URL that repeats its id
        raise ValueError(f"{viewname} does not take {kwarg} exactly once")
    return path


@functools.cache
def url_of(viewname: str) -> str:
    """reverse(viewname) for a URL without arguments, once per process."""
    return reverse(viewname)


def object_url(viewname: str, kwarg: str, pk: int, **extra: str) -> str:
    """reverse(viewname, kwargs={kwarg: pk, **extra}) for an integer pk, cached per pattern."""
    return _pattern(viewname, kwarg, tuple(sorted(extra.items()))).replace(_MARKER, str(int(pk)))


@functools.lru_cache(maxsize=4096)
def _day(value: dt.date, format_name: str, language: str | None) -> str:
    return date_format(value, format_name)


def day(value: dt.date, format_name: str = "DATE_FORMAT") -> str:
    """`value|date:format_name` for a date (not a datetime: those depend on the time zone)."""
    return _day(value, format_name, get_language())


def day_of(value: dt.datetime, format_name: str = "DATE_FORMAT") -> str:
    """`value|date:format_name` for an aware datetime: its date in the current time zone."""
    return day(timezone.localdate(value), format_name)


def esc(value: object) -> str:
    """HTML-escape any value (quotes included), as the template engine's autoescape does."""
    return _escape(str(value), quote=True)
