"""Flash-mentoring sessions in calendars: the emailed invitation (iTIP REQUEST or CANCEL) and
the entry in a person's subscribed feed (events' personal feed). The files are written by
`networking_app.core.calendar_files`; this module says what a session looks like in them.

One session is one calendar item for its whole life: the UID never changes
(`Session.ics_uid`) and every change raises the SEQUENCE (`Session.ics_sequence`), so a
calendar that received the first invitation updates or removes that same item when the
reschedule or the cancellation arrives, and the subscribed copy and the emailed copy merge.

The words are in the active language: the emailed invitation's is its recipient's
(mentoring.services.sessions.send_mentoring_email), the subscribed feed's English
(events.ics.ICS_LANGUAGE).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from mentoring.models import Mode, Session, SessionStatus
from networking_app.core.calendar_files import (
    MEETING_ALARM,
    Alarm,
    Attendee,
    CalendarItem,
    Method,
    Status,
    calendar_file,
    site_organizer,
)
from networking_app.notifications import links

REQUEST = Method.REQUEST
CANCEL = Method.CANCEL
PRODID = "-//Rapport//Flash mentoring//EN"
MIMETYPES = {
    REQUEST: "text/calendar; method=REQUEST",
    CANCEL: "text/calendar; method=CANCEL",
}


def method_for(session: Session) -> Method:
    return CANCEL if session.status == SessionStatus.CANCELLED else REQUEST


def _page(session: Session) -> str:
    return links.absolute(reverse("mentoring:session", kwargs={"session_id": session.pk}))


def _mode_label(session: Session) -> str:
    return str(Mode(session.mode).label) if session.mode in Mode.values else ""


def _is_link(location: str) -> bool:
    return location.startswith(("https://", "http://"))


def session_ics(session: Session, *, for_user, method: Method | None = None) -> bytes:
    """The invitation, worded for `for_user` (the summary names the other person). `method`
    defaults to CANCEL for a cancelled session, REQUEST otherwise."""
    method = method or method_for(session)
    student, volunteer = session.student, session.volunteer
    other = volunteer if for_user.pk == student.pk else student
    programme = settings.MENTORING_PROGRAMME_NAME
    mode = _mode_label(session)
    description = [
        gettext("A %(programme)s conversation (%(mode)s) between %(student)s and %(volunteer)s.")
        % {
            "programme": programme.lower(),
            "mode": mode.lower(),
            "student": student.display_name,
            "volunteer": volunteer.display_name,
        },
        gettext("Details, changes and cancellation: %(url)s") % {"url": _page(session)},
    ]
    item = CalendarItem(
        uid=session.ics_uid,
        sequence=session.ics_sequence,
        stamp=timezone.now(),
        start=session.start_at,
        end=session.end_at,
        summary=_summary(programme, other),
        description="\n".join(description),
        location=session.location or mode,
        url=session.location if _is_link(session.location) else "",
        organizer=site_organizer(),
        attendees=tuple(
            Attendee(email=person.email, name=person.display_name, accepted=True)
            for person in (student, volunteer)
        ),
        status=Status.CANCELLED if method == CANCEL else Status.CONFIRMED,
    )
    return calendar_file([item], prodid=PRODID, method=method)


def _summary(programme: str, other) -> str:
    return gettext("%(programme)s with %(name)s") % {
        "programme": programme,
        "name": other.display_name,
    }


def filename_for(session: Session) -> str:
    return f"flash-mentoring-{session.pk}.ics"


def session_feed_item(session: Session, *, for_user) -> CalendarItem:
    """The session in `for_user`'s subscribed calendar, with a reminder an hour before.
    DTSTAMP is the session's `updated_at`, so the same session always gives the same bytes."""
    other = session.volunteer if for_user.pk == session.student_id else session.student
    programme = settings.MENTORING_PROGRAMME_NAME
    cancelled = session.status == SessionStatus.CANCELLED
    summary = _summary(programme, other)
    page = _page(session)
    mode = _mode_label(session)
    lines = [
        gettext("A %(programme)s conversation (%(mode)s) with %(name)s.")
        % {"programme": programme.lower(), "mode": mode.lower(), "name": other.display_name}
    ]
    if session.location:
        lines.append(gettext("Place or link: %(place)s") % {"place": session.location})
    lines.append(gettext("Details, changes and cancellation: %(url)s") % {"url": page})
    stamp = session.updated_at or timezone.now()
    return CalendarItem(
        uid=session.ics_uid,
        sequence=session.ics_sequence,
        stamp=stamp,
        last_modified=stamp,
        start=session.start_at,
        end=session.end_at,
        summary=gettext("Cancelled: %(summary)s") % {"summary": summary} if cancelled else summary,
        description="\n".join(lines),
        location=session.location or mode,
        url=page,
        status=Status.CANCELLED if cancelled else Status.CONFIRMED,
        alarm=(
            Alarm(
                trigger=MEETING_ALARM,
                text=gettext("In one hour: %(summary)s") % {"summary": summary},
            )
            if session.status == SessionStatus.SCHEDULED
            else None
        ),
    )
