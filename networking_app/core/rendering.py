"""Cheap URL strings for long lists (dates: `|when` in core/templatetags/rows.py).

A list of fifty rows through {% for %}, {% url %} and |date spends more time in reverse() and
date formatting than in the rest of the row (bench/RESULTS.md, "Template rendering (issue
16)"). These helpers compute only strings; the markup stays in templates
(networking_app/core/templatetags/rows.py: `{% object_url %}`, `|when`; the site navigation):

- `object_url` reverses a URL pattern once per process with a marker in place of the id, then
  substitutes the id: reverse() walks the resolver each time (tens of microseconds).
- `url_of` reverses a URL without arguments once per process.
"""

from __future__ import annotations

import functools

from django.urls import reverse

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
