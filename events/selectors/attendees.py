"""Reads for staff: an event's attendees, their counts, and the RSVP behind a check-in."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from events.models import RSVP, Event, EventStatus, RSVPStatus

# --- Staff: attendees and check-in -----------------------------------------------------------

ATTENDEE_ORDER = Case(
    When(status=RSVPStatus.GOING, then=Value(0)),
    When(status=RSVPStatus.WAITLISTED, then=Value(1)),
    default=Value(2),
)


def attendees_for(*, event: Event, q: str = "") -> QuerySet[RSVP]:
    """Every RSVP of the event (going, waitlisted, cancelled), with the people's names."""
    rsvps = RSVP.objects.filter(event=event).select_related(
        "user__profile", "user__student_profile", "checked_in_by__profile"
    )
    for word in q.split()[:5]:
        rsvps = rsvps.filter(
            Q(user__profile__display_name__icontains=word) | Q(user__email__icontains=word)
        )
    return rsvps.order_by(ATTENDEE_ORDER, "queued_at", "pk")


@dataclass
class AttendeeCounts:
    going: int
    waitlisted: int
    cancelled: int
    checked_in: int
    no_shows: int | None  # None until the event has ended


def attendee_counts(*, event: Event, now=None) -> AttendeeCounts:
    now = now or timezone.now()
    counts = RSVP.objects.filter(event=event).aggregate(
        going=Count("pk", filter=Q(status=RSVPStatus.GOING)),
        waitlisted=Count("pk", filter=Q(status=RSVPStatus.WAITLISTED)),
        cancelled=Count("pk", filter=Q(status=RSVPStatus.CANCELLED)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        not_checked_in=Count("pk", filter=Q(status=RSVPStatus.GOING, checked_in_at__isnull=True)),
    )
    ended = now >= event.ends_at and event.status == EventStatus.PUBLISHED
    return AttendeeCounts(
        going=counts["going"],
        waitlisted=counts["waitlisted"],
        cancelled=counts["cancelled"],
        checked_in=counts["checked_in"],
        no_shows=counts["not_checked_in"] if ended else None,
    )


def rsvp_get_for_event(*, event: Event, rsvp_id: int) -> RSVP:
    rsvp = (
        RSVP.objects.select_related("user__profile", "user__student_profile")
        .filter(event=event, pk=rsvp_id)
        .first()
    )
    if rsvp is None:
        raise Http404("No such RSVP.")
    return rsvp


def _bare_code(code: str) -> str:
    """A check-in code as scanned or typed (the bare code or the whole URL), bare; "" if it
    cannot be one."""
    code = (code or "").strip()
    if "code=" in code:
        code = code.rsplit("code=", 1)[1].split("&", 1)[0]
    code = code.strip().strip("/")
    return code if len(code) <= 64 else ""


def rsvp_for_code(*, event: Event, code: str) -> RSVP | None:
    """The RSVP whose check-in code was scanned or typed: the bare code or the whole URL."""
    code = _bare_code(code)
    if not code:
        return None
    return (
        RSVP.objects.select_related(
            "user__profile", "user__student_profile", "checked_in_by__profile"
        )
        .filter(event=event, check_in_code=code)
        .first()
    )


def event_for_code(*, code: str) -> Event | None:
    """The event a check-in code belongs to, whichever it is: at the door, a code that is not
    this event's is told apart from one that is nobody's (staff only; they see every event)."""
    code = _bare_code(code)
    if not code:
        return None
    rsvp = RSVP.objects.select_related("event").filter(check_in_code=code).first()
    return rsvp.event if rsvp else None
