"""Calendar invitations (iCalendar, RFC 5545 / iTIP RFC 5546) for flash-mentoring sessions.

One session is one calendar event for its whole life: the UID never changes
(`Session.ics_uid`) and every change raises the SEQUENCE (`Session.ics_sequence`), so a
calendar that received the first invitation updates or removes that same event when the
reschedule or the cancellation arrives.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from mentoring.models import Mode, Session, SessionStatus
from networking_app.notifications import links

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//Rapport//Flash mentoring//EN"
MIMETYPES = {
    REQUEST: "text/calendar; method=REQUEST",
    CANCEL: "text/calendar; method=CANCEL",
}


def method_for(session: Session) -> str:
    return CANCEL if session.status == SessionStatus.CANCELLED else REQUEST


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _is_link(location: str) -> bool:
    return location.startswith(("https://", "http://"))


def session_ics(session: Session, *, for_user, method: str | None = None) -> bytes:
    """The session as an iCalendar object, worded for `for_user` (the summary names the other
    person). `method` defaults to CANCEL for a cancelled session, REQUEST otherwise."""
    method = method or method_for(session)
    student, volunteer = session.student, session.volunteer
    other = volunteer if for_user.pk == student.pk else student

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", session.ics_uid)
    event.add("sequence", session.ics_sequence)
    event.add("dtstamp", _utc(timezone.now()).replace(microsecond=0))
    event.add("dtstart", _utc(session.start_at))
    event.add("dtend", _utc(session.end_at))
    event.add("summary", f"{settings.MENTORING_PROGRAMME_NAME} with {other.display_name}")
    page = links.absolute(reverse("mentoring:session", kwargs={"session_id": session.pk}))
    mode = Mode(session.mode).label if session.mode in Mode.values else ""
    description = [
        f"A {settings.MENTORING_PROGRAMME_NAME.lower()} conversation ({mode.lower()}) "
        f"between {student.display_name} and {volunteer.display_name}.",
        f"Details, changes and cancellation: {page}",
    ]
    event.add("description", "\n".join(description))
    if session.location:
        event.add("location", session.location)
        if _is_link(session.location):
            event.add("url", session.location)
    elif mode:
        event.add("location", mode)
    # Rapport sends every update, so it is the organizer: neither participant's calendar
    # treats the event as one they own and must send out themselves.
    from_name, from_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    event.add("organizer", _address(from_email, from_name or "Rapport"))
    for person in (student, volunteer):
        event.add(
            "attendee",
            _address(
                person.email,
                person.display_name,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="ACCEPTED",
                RSVP="FALSE",
            ),
            encode=0,
        )
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()


def filename_for(session: Session) -> str:
    return f"flash-mentoring-{session.pk}.ics"
