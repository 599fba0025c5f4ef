"""What closing an account does to mentoring (a step registered with accounts/closing.py in
MentoringConfig.ready): the sessions held are counted for the tally; upcoming sessions and
open requests with someone else are called off and that person is told (without naming who
left), with a calendar cancellation for a session; their ids leave the match rounds they were
in; the directory forgets them; their photo file is deleted once the account's removal has
committed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from mentoring.models import (
    OPEN_REQUEST_STATUSES,
    FlashRequest,
    MatchRound,
    Mentor,
    RequestStatus,
    RoundRun,
    RoundStudent,
    RoundVolunteer,
    Session,
    SessionStatus,
)
from mentoring.reminders import sync_session
from mentoring.services.photos import photo_delete_on_commit
from mentoring.services.sessions import when_for
from networking_app.accounts.closing import ClosingStep, register
from networking_app.accounts.models import User
from networking_app.core.cache import DIRECTORY, bump_version
from networking_app.core.calendar_files import (
    Attendee,
    CalendarItem,
    Method,
    Status,
    calendar_file,
    site_organizer,
)
from networking_app.core.emails import Attachment, as_recipient, send_templated_email
from networking_app.notifications import links


def _tally(user: User) -> dict:
    kept = {
        "flash_sessions_held": Session.objects.filter(
            Q(student=user) | Q(volunteer=user), status=SessionStatus.COMPLETED
        ).count()
    }
    if user.is_volunteer:
        mentor = getattr(user, "mentor", None)
        kept["major"] = mentor.major if mentor else ""
    return kept


# --- Telling the people they were due to meet ------------------------------------------------


def _cancellation_ics(session, recipient: User) -> bytes:
    """METHOD:CANCEL for the session's UID, naming only the recipient (and Rapport as the
    organizer, as in mentoring.ics), so the event leaves their calendar."""
    item = CalendarItem(
        uid=session.ics_uid,
        sequence=session.ics_sequence + 1,
        stamp=timezone.now(),
        start=session.start_at,
        end=session.end_at,
        summary=gettext("Cancelled: %(summary)s") % {"summary": settings.MENTORING_PROGRAMME_NAME},
        organizer=site_organizer(),
        attendees=(Attendee(email=recipient.email, name=recipient.display_name),),
        status=Status.CANCELLED,
    )
    return calendar_file([item], prodid="-//Rapport//Flash mentoring//EN", method=Method.CANCEL)


def _notify(*, recipient: User, start_at: dt.datetime, key: str, session=None) -> None:
    attachments = []
    if session is not None:
        # Worded in the recipient's language, like the email it comes with.
        with as_recipient(recipient):
            content = _cancellation_ics(session, recipient)
        attachments.append(
            Attachment(f"flash-mentoring-{session.pk}.ics", content, "text/calendar; method=CANCEL")
        )
    send_templated_email(
        "account_closed_notice",
        context={
            "recipient": recipient,
            "programme": settings.MENTORING_PROGRAMME_NAME,
            "when": when_for(recipient, start_at),
            "is_session": session is not None,
            "recipient_is_student": recipient.is_student,
            "directory_url": links.absolute(reverse("mentoring:directory")),
        },
        recipient=recipient,
        key=key,
        attachments=attachments,
    )


def _call_off(user: User, now: dt.datetime) -> None:
    """Upcoming sessions and open requests with someone else: tell that person."""
    mine = Q(student=user) | Q(volunteer=user)
    sessions = list(
        Session.objects.select_for_update(of=("self",))
        .select_related("student__profile", "volunteer__profile")
        .filter(mine, status=SessionStatus.SCHEDULED, start_at__gt=now)
    )
    for session in sessions:
        other = session.volunteer if session.student_id == user.pk else session.student
        _notify(
            recipient=other,
            start_at=session.start_at,
            session=session,
            key=f"account-closed:session:{session.pk}:{other.pk}",
        )
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = ""
        session.save(update_fields=["status", "cancel_reason", "updated_at"])
        sync_session(session)  # the other person's "tomorrow" and feedback reminders go
    requests = list(
        FlashRequest.objects.select_for_update(of=("self",))
        .select_related("student__profile", "volunteer__profile")
        .filter(mine, status__in=OPEN_REQUEST_STATUSES, start_at__gt=now)
    )
    for flash_request in requests:
        other = (
            flash_request.volunteer
            if flash_request.student_id == user.pk
            else flash_request.student
        )
        _notify(
            recipient=other,
            start_at=flash_request.start_at,
            key=f"account-closed:request:{flash_request.pk}:{other.pk}",
        )
        flash_request.status = RequestStatus.WITHDRAWN
        flash_request.save(update_fields=["status"])


# --- Their ids in shared rows -----------------------------------------------------------------


def _clean_match_rounds(user: User, now: dt.datetime) -> None:
    """Match rounds keep people's ids in JSON (preferences, exclusions, removed pairs, why a
    student was left unmatched): take theirs out of the rounds they were in. A volunteer
    leaves the directory."""
    if hasattr(user, "mentor"):
        bump_version(DIRECTORY)
    round_ids = set(RoundStudent.objects.filter(student=user).values_list("round_id", flat=True))
    round_ids |= set(
        RoundVolunteer.objects.filter(volunteer=user).values_list("round_id", flat=True)
    )
    if not round_ids:
        return
    pk = user.pk
    for signup in RoundStudent.objects.filter(round_id__in=round_ids).exclude(student=user):
        preferences = [v for v in signup.preferences or [] if v != pk]
        excluded = [v for v in signup.excluded or [] if v != pk]
        if preferences != signup.preferences or excluded != signup.excluded:
            signup.preferences, signup.excluded = preferences, excluded
            signup.save(update_fields=["preferences", "excluded"])
    for match_round in MatchRound.objects.filter(pk__in=round_ids):
        pairs = [p for p in match_round.removed_pairs or [] if pk not in p]
        if pairs != match_round.removed_pairs:
            match_round.removed_pairs = pairs
            match_round.save(update_fields=["removed_pairs"])
    for run in RoundRun.objects.filter(round_id__in=round_ids):
        if str(pk) in (run.unmatched or {}):
            run.unmatched = {k: v for k, v in run.unmatched.items() if k != str(pk)}
            run.save(update_fields=["unmatched"])


# --- Their photo ------------------------------------------------------------------------------


def _delete_photo(user: User, now: dt.datetime) -> None:
    """The row goes with the account (the cascade); the file once that has committed, so a
    rollback leaves both."""
    name = Mentor.objects.filter(user=user).values_list("photo", flat=True).first()
    photo_delete_on_commit(name or "")


def register_closing_steps() -> None:
    register(ClosingStep("mentoring.call_off", order=10, tally=_tally, run=_call_off))
    register(ClosingStep("mentoring.match_rounds", order=30, run=_clean_match_rounds))
    register(ClosingStep("mentoring.photo", order=40, run=_delete_photo))
