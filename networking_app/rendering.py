"""Helpers for markup built in Python for long lists (template tags that render rows).

A list of fifty rows through {% for %}, {% url %} and |date spent more time in the template
engine than in its queries. These helpers keep the per-row work to string building:

- `object_url` reverses a URL pattern once per process with a marker in place of the id, then
  substitutes the id: reverse() walks the resolver each time (tens of microseconds).
- `day` formats a date like the |date filter, remembering recent results: the same few hundred
  dates recur on every page a student opens.
- `esc` is the standard library's HTML escape (what django.utils.html.escape calls, without the
  lazy-string wrapper): every value written into markup goes through it or format_html.
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
