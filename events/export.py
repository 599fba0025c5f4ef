"""The attendee list as CSV rows. A spreadsheet runs a cell that starts with = + - @ (or a tab
or carriage return that hides one) as a formula, so such cells get a leading quote."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import RSVP

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    _("Name"),
    _("Email"),
    _("Status"),
    _("Class year"),
    _("RSVP time"),
    _("Checked in at"),
]


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(DANGEROUS_FIRST):
        return "'" + text
    return text


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def attendee_rows(rsvps: Iterable[RSVP]) -> Iterator[list[str]]:
    """The header, then one row per RSVP (going, waitlisted, cancelled), every cell neutralised."""
    yield [str(title) for title in HEADER]
    for rsvp in rsvps:
        student = getattr(rsvp.user, "student_profile", None)
        yield [
            neutralise(cell)
            for cell in (
                rsvp.user.display_name,
                rsvp.user.email,
                rsvp.get_status_display(),
                student.class_year if student and student.class_year else "",
                _when(rsvp.queued_at),
                _when(rsvp.checked_in_at),
            )
        ]
