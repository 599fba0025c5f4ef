"""Flash-mentoring sessions: opening one when a request is accepted, moving, cancelling,
changing its place, reporting a no-show, marking it held (which records it in the student's
pipeline) and feedback; the calendar invitations and emails that go with each change.

Locking: every write that takes or moves a slot locks the volunteer's Mentor row first, then
its own rows. The Mentor lock is what serialises the slot and monthly-capacity checks of
everyone booking that volunteer (mentoring.services.requests takes it too), and taking it
first everywhere keeps the lock order the same, so two writers cannot deadlock.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact, Conversation, Relationship, Source
from contacts.services import people as contact_people
from contacts.services import pipeline as contact_pipeline
from mentoring import ics
from mentoring.models import (
    Feedback,
    FlashRequest,
    Mentor,
    Mode,
    RequestStatus,
    Session,
    SessionChange,
    SessionStatus,
)
from mentoring.reminders import sync_session
from mentoring.selectors.sessions import other_person
from mentoring.services.availability import Slot, open_slots
from networking_app.accounts.models import Affiliation, User
from networking_app.core.emails import (
    Attachment,
    as_recipient,
    format_when,
    recipient_zone,
    send_templated_email,
)
from networking_app.notifications import links

SLOT_TAKEN = _(
    "That time is no longer available: someone may have just booked it. Please choose another time."
)
RESCHEDULED = "rescheduled"
CANCELLED = "cancelled"
PLACE_CHANGED = "place"
DEFAULT_MIN_NOTICE_HOURS = 24


# --- Shared by requests and sessions -------------------------------------------------------


def lock_mentor(*, volunteer_id: int) -> Mentor | None:
    """Lock the volunteer's Mentor row for the rest of the transaction (see module docstring)."""
    return (
        Mentor.objects.select_for_update(of=("self",))
        .select_related("user__profile", "organization")
        .filter(user_id=volunteer_id)
        .first()
    )


def open_slots_ignoring(mentor: Mentor, flash_request: FlashRequest, **kwargs) -> list[Slot]:
    """The volunteer's open slots as if `flash_request` did not hold its slot: moving a
    booking must not be blocked by its own time, nor by its own unit of monthly capacity.

    The request is released in a savepoint that is rolled back at once, so availability is
    computed by the one implementation (mentoring.services.availability) and no other
    transaction ever sees the released row."""
    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            FlashRequest.objects.filter(pk=flash_request.pk).update(status=RequestStatus.WITHDRAWN)
            return open_slots(mentor, **kwargs)
        finally:
            transaction.savepoint_rollback(savepoint)


def slot_is_open_ignoring(
    mentor: Mentor, flash_request: FlashRequest, start_at: dt.datetime
) -> bool:
    horizon = start_at + dt.timedelta(minutes=mentor.slot_minutes)
    return any(
        slot.start_at == start_at
        for slot in open_slots_ignoring(mentor, flash_request, until=horizon)
    )


# Formatted when the email that shows it is rendered, so in the language it is written in.
_format_when_lazily = lazy(format_when, str)


def when_for(user: User, value: dt.datetime) -> str:
    """A date-time as `user` reads it: in their own time zone, with the zone's name."""
    return _format_when_lazily(value, recipient_zone(user))


def send_mentoring_email(
    *,
    template: str,
    to: User,
    context: dict,
    key: str,
    invitation: tuple[Session, str] | None = None,
) -> None:
    """Render templates/emails/<template>.* for `to` and put it in the outbox (in the caller's
    transaction). `invitation` = (session, ics method) attaches the calendar file."""
    attachments = []
    if invitation is not None:
        session, method = invitation
        # Worded in the recipient's language, like the email it comes with.
        with as_recipient(to):
            content = ics.session_ics(session, for_user=to, method=method)
        attachments.append(
            Attachment(
                filename=ics.filename_for(session),
                content=content,
                mimetype=ics.MIMETYPES[method],
            )
        )
    send_templated_email(
        template,
        context={**context, "recipient": to, "programme": settings.MENTORING_PROGRAMME_NAME},
        recipient=to,
        key=key,
        attachments=attachments,
    )


def _session_url(session: Session) -> str:
    return links.absolute(reverse("mentoring:session", kwargs={"session_id": session.pk}))


def _send_invitations(session: Session, *, template: str, reason: str = "", by=None) -> None:
    """Tell both people, each with the calendar file for the session's current state."""
    method = ics.method_for(session)
    for person in (session.student, session.volunteer):
        send_mentoring_email(
            template=template,
            to=person,
            context={
                "session": session,
                "other": other_person(session, person),
                "when": when_for(person, session.start_at),
                "url": _session_url(session),
                "reason": reason,
                "by": by,
                "is_student": person.pk == session.student_id,
            },
            key=f"mentoring:session:{session.pk}:{session.ics_sequence}:{method}:{person.pk}",
            invitation=(session, method),
        )


def _require_participant(session: Session | FlashRequest, user: User) -> None:
    if user.pk not in (session.student_id, session.volunteer_id):
        raise ValidationError(gettext("Only the student and the volunteer can change this."))


# --- Reads ----------------------------------------------------------------------------------


def min_notice(mentor: Mentor | None) -> dt.timedelta:
    hours = mentor.min_notice_hours if mentor is not None else DEFAULT_MIN_NOTICE_HOURS
    return dt.timedelta(hours=hours)


def session_can_change(session: Session, mentor: Mentor | None, now: dt.datetime) -> bool:
    """Moving and cancelling close at the volunteer's minimum notice before the start."""
    return session.status == SessionStatus.SCHEDULED and now < session.start_at - min_notice(mentor)


def session_has_started(session: Session, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= session.start_at


def reschedule_choices(*, session: Session, mentor: Mentor, limit: int = 60) -> list[Slot]:
    """Where the session could move: the volunteer's open slots, its own time excepted."""
    return [
        slot
        for slot in open_slots_ignoring(mentor, session.request, limit=limit + 1)
        if slot.start_at != session.start_at
    ][:limit]


# --- Opening a session (a request was accepted) --------------------------------------------


def session_open(*, flash_request: FlashRequest, mode: str, location: str = "") -> Session:
    """Create the session of an accepted request and send both people the invitation.
    Called by mentoring.services.requests inside its transaction, with the locks held."""
    session = Session.objects.create(
        request=flash_request,
        student_id=flash_request.student_id,
        volunteer_id=flash_request.volunteer_id,
        start_at=flash_request.start_at,
        end_at=flash_request.end_at,
        mode=mode if mode in Mode.values else Mode.VIDEO,
        location=location.strip(),
    )
    session = Session.objects.select_related(
        "student__profile", "volunteer__profile", "request"
    ).get(pk=session.pk)
    sync_session(session)
    _send_invitations(session, template="mentoring_session_confirmed")
    return session


# --- Changing a session --------------------------------------------------------------------


def _lock(session: Session) -> tuple[Session, Mentor | None]:
    mentor = lock_mentor(volunteer_id=session.volunteer_id)
    locked = (
        Session.objects.select_for_update(of=("self",))
        .select_related("student__profile", "volunteer__profile", "request")
        .get(pk=session.pk)
    )
    return locked, mentor


def _refuse_inside_notice(session: Session, mentor: Mentor | None, by: User, what: str) -> None:
    """`what`: RESCHEDULED or CANCELLED, the change refused."""
    moving = what == RESCHEDULED
    if session.status != SessionStatus.SCHEDULED:
        message = (
            gettext("This session is %(status)s: it cannot be moved.")
            if moving
            else gettext("This session is %(status)s: it cannot be cancelled.")
        )
        raise ValidationError(message % {"status": session.get_status_display().lower()})
    now = timezone.now()
    if not session_can_change(session, mentor, now):
        hours = int(min_notice(mentor).total_seconds() // 3600)
        other = other_person(session, by)
        if now >= session.start_at:
            raise ValidationError(
                gettext("This session has already started: it cannot be moved.")
                if moving
                else gettext("This session has already started: it cannot be cancelled.")
            )
        if moving:
            message = ngettext(
                "Less than %(hours)s hour before the session, it can no longer be moved here. "
                "Please write to %(name)s (%(email)s) directly.",
                "Less than %(hours)s hours before the session, it can no longer be moved here. "
                "Please write to %(name)s (%(email)s) directly.",
                hours,
            )
        else:
            message = ngettext(
                "Less than %(hours)s hour before the session, it can no longer be cancelled "
                "here. Please write to %(name)s (%(email)s) directly.",
                "Less than %(hours)s hours before the session, it can no longer be cancelled "
                "here. Please write to %(name)s (%(email)s) directly.",
                hours,
            )
        raise ValidationError(
            message % {"hours": hours, "name": other.display_name, "email": other.email}
        )


def session_reschedule(
    *, session: Session, by: User, start_at: dt.datetime, reason: str = ""
) -> Session:
    """Move the session to another open slot of the volunteer; both get an updated
    invitation (same UID, SEQUENCE + 1)."""
    _require_participant(session, by)
    with transaction.atomic():
        session, mentor = _lock(session)
        _refuse_inside_notice(session, mentor, by, RESCHEDULED)
        if mentor is None:
            raise ValidationError(
                gettext("This volunteer has no availability to move the session to.")
            )
        if start_at == session.start_at:
            raise ValidationError(gettext("Choose a different time from the current one."))
        if not slot_is_open_ignoring(mentor, session.request, start_at):
            raise ValidationError(SLOT_TAKEN)
        length = session.end_at - session.start_at
        previous = session.start_at
        flash_request = session.request
        flash_request.start_at, flash_request.end_at = start_at, start_at + length
        try:
            with transaction.atomic():
                flash_request.save(update_fields=["start_at", "end_at"])
        except IntegrityError as error:  # the partial unique constraint: last line of defence
            raise ValidationError(SLOT_TAKEN) from error
        session.start_at, session.end_at = start_at, start_at + length
        session.ics_sequence += 1
        session.save(update_fields=["start_at", "end_at", "ics_sequence", "updated_at"])
        SessionChange.objects.create(
            session=session,
            kind=RESCHEDULED,
            by=by,
            reason=reason.strip()[:500],
            previous_start_at=previous,
            new_start_at=start_at,
        )
        sync_session(session)
        _send_invitations(
            session, template="mentoring_session_rescheduled", reason=reason.strip(), by=by
        )
    return session


def session_cancel(*, session: Session, by: User, reason: str) -> Session:
    """Call the session off, with a reason; both get a cancellation (METHOD:CANCEL) and the
    slot and the month's capacity are free again."""
    _require_participant(session, by)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext("Say briefly why, so the other person understands.")}
        )
    with transaction.atomic():
        session, mentor = _lock(session)
        _refuse_inside_notice(session, mentor, by, CANCELLED)
        session.status = SessionStatus.CANCELLED
        session.cancelled_by = by
        session.cancel_reason = reason[:500]
        session.ics_sequence += 1
        session.save(
            update_fields=[
                "status",
                "cancelled_by",
                "cancel_reason",
                "ics_sequence",
                "updated_at",
            ]
        )
        # RequestStatus has no "cancelled": the request stops holding its slot as withdrawn.
        FlashRequest.objects.filter(pk=session.request_id).update(status=RequestStatus.WITHDRAWN)
        SessionChange.objects.create(
            session=session,
            kind=CANCELLED,
            by=by,
            reason=reason[:500],
            previous_start_at=session.start_at,
        )
        sync_session(session)
        _send_invitations(session, template="mentoring_session_cancelled", reason=reason, by=by)
    return session


def session_update_place(*, session: Session, by: User, mode: str, location: str) -> Session:
    """Set how and where the session takes place (a video link, a phone number, an address);
    both get an updated invitation."""
    _require_participant(session, by)
    if mode not in Mode.values:
        raise ValidationError({"mode": gettext("Choose video, phone or in person.")})
    location = location.strip()
    with transaction.atomic():
        session, _mentor = _lock(session)
        if session.status != SessionStatus.SCHEDULED or timezone.now() >= session.end_at:
            raise ValidationError(gettext("Only an upcoming session can change its place or link."))
        if session.mode == mode and session.location == location:
            return session
        session.mode, session.location = mode, location
        session.ics_sequence += 1
        session.save(update_fields=["mode", "location", "ics_sequence", "updated_at"])
        SessionChange.objects.create(session=session, kind=PLACE_CHANGED, by=by)
        sync_session(session)
        _send_invitations(session, template="mentoring_session_rescheduled", by=by)
    return session


def _require_started(session: Session, refusal: str) -> None:
    if not session_has_started(session):
        raise ValidationError(refusal)


def _require_scheduled(session: Session) -> None:
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            gettext("This session is already marked “%(status)s”.")
            % {"status": session.get_status_display()}
        )


def session_report_no_show(*, session: Session, by: User) -> Session:
    """The other person did not come. Only after the start."""
    _require_participant(session, by)
    with transaction.atomic():
        session, _mentor = _lock(session)
        _require_started(session, gettext("You can report a no-show once the session has started."))
        _require_scheduled(session)
        session.status = SessionStatus.NO_SHOW
        session.no_show_reported_by = by
        session.save(update_fields=["status", "no_show_reported_by", "updated_at"])
        sync_session(session)
    return session


def session_complete(*, session: Session, by: User) -> Session:
    """The conversation took place. The student's pipeline gets the volunteer as a contact and
    a held conversation, so the thank-you reminder follows."""
    _require_participant(session, by)
    with transaction.atomic():
        session, mentor = _lock(session)
        _require_started(session, gettext("You can mark it as held once the session has started."))
        _require_scheduled(session)
        session.status = SessionStatus.COMPLETED
        session.save(update_fields=["status", "updated_at"])
        _record_in_pipeline(session, mentor)
        sync_session(session)
    return session


RELATIONSHIP_FOR = {Affiliation.ALUMNI: Relationship.ALUMNI}


def _mentor_facts(mentor: Mentor | None) -> dict:
    """What the volunteer shows students: organization always, the rest unless hidden."""
    if mentor is None:
        return {"organization_name": "", "title": "", "industry": "", "linkedin_url": ""}
    return {
        "organization_name": mentor.organization.name if mentor.organization_id else "",
        "title": mentor.title if mentor.shows("title") else "",
        "industry": mentor.industry if mentor.shows("industry") else "",
        "linkedin_url": mentor.linkedin_url if mentor.shows("linkedin_url") else "",
    }


def _contact_for(session: Session, mentor: Mentor | None) -> Contact:
    """The student's contact for the volunteer, matched by email, created if there is none;
    the volunteer's visible organization and title replace older ones."""
    volunteer = session.volunteer
    facts = _mentor_facts(mentor)
    contact = (
        Contact.objects.select_related("organization")
        .filter(owner_id=session.student_id, email__iexact=volunteer.email)
        .order_by("pk")
        .first()
    )
    if contact is None:
        profile = getattr(volunteer, "volunteer_profile", None)
        affiliation = profile.affiliation if profile is not None else ""
        return contact_people.contact_create(
            owner=session.student,
            name=volunteer.display_name,
            email=volunteer.email,
            relationship=RELATIONSHIP_FOR.get(affiliation, Relationship.OTHER),
            how_met=gettext("%(programme)s on Rapport")
            % {"programme": settings.MENTORING_PROGRAMME_NAME},
            source=Source.MENTORING,
            **facts,
        )
    organization_name = facts.pop("organization_name") or (
        contact.organization.name if contact.organization_id else ""
    )
    changed = {name: value for name, value in facts.items() if value}
    return contact_people.contact_update(
        contact=contact, organization_name=organization_name, **changed
    )


def _record_in_pipeline(session: Session, mentor: Mentor | None) -> Conversation:
    contact = _contact_for(session, mentor)
    goal = session.request.message.strip() or gettext("%(programme)s conversation") % {
        "programme": settings.MENTORING_PROGRAMME_NAME
    }
    return contact_pipeline.conversation_record_held(
        contact=contact,
        goal=goal,
        held_at=session.start_at,
        duration_minutes=int((session.end_at - session.start_at).total_seconds() // 60),
        mode=session.mode,
        location=session.location,
    )


# --- Feedback -------------------------------------------------------------------------------


def feedback_submit(
    *,
    session: Session,
    author: User,
    rating: int,
    comments: str = "",
    would_meet_again: bool = False,
) -> tuple[Feedback, bool]:
    """Each person's feedback, once: a second submission edits the first. Returns
    (feedback, created)."""
    _require_participant(session, author)
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": gettext("Choose a rating from 1 to 5.")})
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if not session_has_started(session):
            raise ValidationError(
                gettext("You can give feedback once the session has taken place.")
            )
        if session.status not in (SessionStatus.SCHEDULED, SessionStatus.COMPLETED):
            raise ValidationError(
                gettext(
                    "This session is marked “%(status)s”: there is nothing to give feedback on."
                )
                % {"status": session.get_status_display()}
            )
        feedback, created = Feedback.objects.update_or_create(
            session=session,
            author=author,
            defaults={
                "rating": rating,
                "comments": comments.strip(),
                "would_meet_again": would_meet_again,
            },
        )
        session = Session.objects.select_related("student", "volunteer").get(pk=session.pk)
        sync_session(session)
    return feedback, created
