"""Direct flash requests: a student asks a volunteer for one of their open slots; the volunteer
accepts (a Session opens), declines with a note, or proposes another of their slots, which the
student accepts or declines; the student may withdraw; open requests expire after a week, or
when the time they wait on begins (`request_expires_at`).

Locking: every write that takes or moves a slot locks the volunteer's Mentor row first
(`sessions.lock_mentor`), then the request. Holding that lock serialises the slot check, the
monthly-capacity check and the insert or move that relies on them, for everyone booking the
same volunteer; the partial unique constraint on (volunteer, start_at) is the last line of
defence and turns into the same message.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from mentoring.answer_links import answer_link
from mentoring.models import OPEN_REQUEST_STATUSES, FlashRequest, Mentor, Mode, RequestStatus
from mentoring.services import attendance, responsiveness
from mentoring.services.availability import HOLDING, mentor_zone, slot_is_open
from mentoring.services.sessions import (
    SLOT_TAKEN,
    lock_mentor,
    send_mentoring_email,
    session_open,
    slot_is_open_ignoring,
    when_for,
)
from networking_app.accounts.models import User
from networking_app.notifications import links

REQUEST_LIFETIME = dt.timedelta(days=7)
MESSAGE_MAX_LENGTH = 2000


def _request_url(flash_request: FlashRequest) -> str:
    return links.absolute(reverse("mentoring:request", kwargs={"request_id": flash_request.pk}))


def _name(user: User) -> str:
    return user.display_name


# --- Expiry: one rule for what is shown and what is enforced ---------------------------------


def request_expires_at(flash_request: FlashRequest) -> dt.datetime:
    """When an open request expires: a week after it was sent (or after the volunteer proposed
    another time), or as soon as the time it is waiting on begins, whichever comes first. The
    time waited on is the one asked for, or once the volunteer proposed another, that one.
    Its page and emails show this; `flash_requests_expire` enforces it (`_expired_by`)."""
    waiting_on = flash_request.start_at
    if flash_request.status == RequestStatus.PROPOSED and flash_request.proposed_start_at:
        waiting_on = flash_request.proposed_start_at
    return min(flash_request.expires_at, waiting_on)


def _expired_by(now: dt.datetime) -> Q:
    """Open requests whose `request_expires_at` is `now` or earlier, as a filter."""
    return (
        Q(expires_at__lte=now)
        | Q(status=RequestStatus.PENDING, start_at__lte=now)
        | Q(
            status=RequestStatus.PROPOSED,
            proposed_start_at__isnull=True,
            start_at__lte=now,
        )
        | Q(status=RequestStatus.PROPOSED, proposed_start_at__lte=now)
    )


# --- Reads ----------------------------------------------------------------------------------


# --- Create ---------------------------------------------------------------------------------


def _month_name(when: dt.datetime, mentor: Mentor) -> str:
    return formats.date_format(when.astimezone(mentor_zone(mentor)), "YEAR_MONTH_FORMAT")


def booked_in_month(mentor: Mentor, when: dt.datetime) -> int:
    """Requests holding a slot in the calendar month of `when`, in the volunteer's zone (the
    month their monthly capacity counts)."""
    zone = mentor_zone(mentor)
    local = when.astimezone(zone)
    first = dt.datetime(local.year, local.month, 1, tzinfo=zone)
    following = dt.datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=zone)
    return FlashRequest.objects.filter(
        volunteer_id=mentor.user_id,
        status__in=HOLDING,
        start_at__gte=first,
        start_at__lt=following,
    ).count()


def flash_request_create(
    *, student: User, mentor: Mentor, start_at: dt.datetime, message: str
) -> FlashRequest:
    """A student asks for one of the volunteer's open slots; the volunteer is emailed."""
    message = message.strip()
    if not student.is_student:
        raise ValidationError(gettext("Only students can ask for a flash mentoring conversation."))
    if not message:
        raise ValidationError({"message": gettext("Say what you would like to learn.")})
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "message": gettext("Keep it under %(limit)s characters: a few lines is best.")
                % {"limit": MESSAGE_MAX_LENGTH}
            }
        )
    if timezone.is_naive(start_at):
        raise ValueError("start_at must be aware")
    with transaction.atomic():
        locked = lock_mentor(volunteer_id=mentor.user_id)
        if locked is None or locked.pk != mentor.pk:
            raise ValidationError(gettext("This volunteer is not taking requests at the moment."))
        mentor = locked
        volunteer = mentor.user
        name = _name(volunteer)
        if not mentor.is_bookable or not volunteer.is_active:
            raise ValidationError(
                gettext("%(name)s is not taking requests at the moment.") % {"name": name}
            )
        if FlashRequest.objects.filter(
            student=student, volunteer=volunteer, status__in=OPEN_REQUEST_STATUSES
        ).exists():
            raise ValidationError(
                gettext(
                    "You already have a request waiting for %(name)s. Wait for their answer, "
                    "or withdraw that request first."
                )
                % {"name": name}
            )
        allowed = attendance.open_requests_allowed(student)
        if (
            allowed is not None
            and FlashRequest.objects.filter(
                student=student, status__in=OPEN_REQUEST_STATUSES
            ).count()
            >= allowed
        ):
            raise ValidationError(
                ngettext(
                    "After a missed conversation you may have %(count)d request open at a "
                    "time: wait for an answer, or withdraw one first.",
                    "After a missed conversation you may have %(count)d requests open at a "
                    "time: wait for an answer, or withdraw one first.",
                    allowed,
                )
                % {"count": allowed}
            )
        if booked_in_month(mentor, start_at) >= mentor.monthly_capacity:
            raise ValidationError(
                gettext(
                    "%(name)s has no more room for conversations in %(month)s. Please choose "
                    "a time in another month."
                )
                % {"name": name, "month": _month_name(start_at, mentor)}
            )
        if not slot_is_open(mentor, start_at):
            raise ValidationError(SLOT_TAKEN)
        now = timezone.now()
        try:
            with transaction.atomic():
                flash_request = FlashRequest.objects.create(
                    student=student,
                    volunteer=volunteer,
                    start_at=start_at,
                    end_at=start_at + dt.timedelta(minutes=mentor.slot_minutes),
                    message=message,
                    expires_at=now + REQUEST_LIFETIME,
                )
        except IntegrityError as error:
            raise ValidationError(SLOT_TAKEN) from error
        send_mentoring_email(
            template="mentoring_request_new",
            to=volunteer,
            context={
                "flash_request": flash_request,
                "student": student,
                "student_profile": getattr(student, "student_profile", None),
                "when": when_for(volunteer, start_at),
                "expires": when_for(volunteer, request_expires_at(flash_request)),
                "url": _request_url(flash_request),
                # One-click answers that need no sign-in (mentoring/answer_links.py).
                "accept_url": answer_link(flash_request, "accept"),
                "propose_url": answer_link(flash_request, "propose"),
                "decline_url": answer_link(flash_request, "decline"),
            },
            key=f"mentoring:request:{flash_request.pk}:new",
        )
    return flash_request


# --- Volunteer's answers --------------------------------------------------------------------


def _lock_request(flash_request: FlashRequest) -> tuple[FlashRequest, Mentor | None]:
    mentor = lock_mentor(volunteer_id=flash_request.volunteer_id)
    locked = (
        FlashRequest.objects.select_for_update(of=("self",))
        .select_related("student__profile", "volunteer__profile")
        .get(pk=flash_request.pk)
    )
    return locked, mentor


def _require(user: User, flash_request: FlashRequest, role: str) -> None:
    owner_id = flash_request.volunteer_id if role == "volunteer" else flash_request.student_id
    if user.pk != owner_id:
        raise ValidationError(
            gettext("Only the request's volunteer can do this.")
            if role == "volunteer"
            else gettext("Only the request's student can do this.")
        )


def _require_status(flash_request: FlashRequest, *statuses: str) -> None:
    if flash_request.status not in statuses:
        raise ValidationError(
            gettext("This request is “%(status)s”: it can no longer be changed.")
            % {"status": flash_request.get_status_display()}
        )


def _require_future(start_at: dt.datetime) -> None:
    if start_at <= timezone.now():
        raise ValidationError(
            gettext("This time has already passed. Propose or ask for another time instead.")
        )


def flash_request_accept(
    *, flash_request: FlashRequest, by: User, mode: str = Mode.VIDEO, location: str = ""
):
    """The volunteer says yes: a session opens and both get a calendar invitation."""
    _require(by, flash_request, "volunteer")
    with transaction.atomic():
        flash_request, _mentor = _lock_request(flash_request)
        _require_status(flash_request, RequestStatus.PENDING)
        _require_future(flash_request.start_at)
        flash_request.status = RequestStatus.ACCEPTED
        flash_request.responded_at = timezone.now()
        flash_request.save(update_fields=["status", "responded_at"])
        session = session_open(flash_request=flash_request, mode=mode, location=location)
    return session


def flash_request_decline(*, flash_request: FlashRequest, by: User, note: str = "") -> FlashRequest:
    """The volunteer says no, with a note for the student, who is emailed."""
    _require(by, flash_request, "volunteer")
    with transaction.atomic():
        flash_request, _mentor = _lock_request(flash_request)
        _require_status(flash_request, *OPEN_REQUEST_STATUSES)
        flash_request.status = RequestStatus.DECLINED
        flash_request.decline_note = note.strip()[:500]
        flash_request.responded_at = timezone.now()
        flash_request.save(update_fields=["status", "decline_note", "responded_at"])
        student = flash_request.student
        send_mentoring_email(
            template="mentoring_request_declined",
            to=student,
            context={
                "flash_request": flash_request,
                "volunteer": flash_request.volunteer,
                "when": when_for(student, flash_request.start_at),
                "url": _request_url(flash_request),
            },
            key=f"mentoring:request:{flash_request.pk}:declined",
        )
    return flash_request


def flash_request_propose(
    *, flash_request: FlashRequest, by: User, start_at: dt.datetime
) -> FlashRequest:
    """The volunteer offers another of their open slots instead; the student is emailed and
    has a week to accept it."""
    _require(by, flash_request, "volunteer")
    with transaction.atomic():
        flash_request, mentor = _lock_request(flash_request)
        _require_status(flash_request, RequestStatus.PENDING)
        if start_at == flash_request.start_at:
            raise ValidationError(
                gettext("Choose a time other than the one the student asked for.")
            )
        if mentor is None or not slot_is_open_ignoring(mentor, flash_request, start_at):
            raise ValidationError(SLOT_TAKEN)
        now = timezone.now()
        flash_request.status = RequestStatus.PROPOSED
        flash_request.proposed_start_at = start_at
        flash_request.responded_at = now
        flash_request.expires_at = now + REQUEST_LIFETIME
        flash_request.save(
            update_fields=["status", "proposed_start_at", "responded_at", "expires_at"]
        )
        student = flash_request.student
        send_mentoring_email(
            template="mentoring_request_proposed",
            to=student,
            context={
                "flash_request": flash_request,
                "volunteer": flash_request.volunteer,
                "asked": when_for(student, flash_request.start_at),
                "proposed": when_for(student, start_at),
                "expires": when_for(student, request_expires_at(flash_request)),
                "url": _request_url(flash_request),
            },
            key=f"mentoring:request:{flash_request.pk}:proposed:{start_at.timestamp():.0f}",
        )
    return flash_request


# --- Student's answers ----------------------------------------------------------------------


def flash_request_accept_proposal(*, flash_request: FlashRequest, by: User):
    """The student takes the time the volunteer proposed: the request moves there and is
    accepted, under the same lock and checks as a new request."""
    _require(by, flash_request, "student")
    with transaction.atomic():
        flash_request, mentor = _lock_request(flash_request)
        _require_status(flash_request, RequestStatus.PROPOSED)
        proposed = flash_request.proposed_start_at
        _require_future(proposed)
        if mentor is None or not slot_is_open_ignoring(mentor, flash_request, proposed):
            raise ValidationError(
                gettext(
                    "The proposed time is no longer available. Ask for another time, or "
                    "withdraw this request."
                )
            )
        length = flash_request.end_at - flash_request.start_at
        flash_request.start_at, flash_request.end_at = proposed, proposed + length
        flash_request.proposed_start_at = None
        flash_request.status = RequestStatus.ACCEPTED
        flash_request.responded_at = timezone.now()
        try:
            with transaction.atomic():
                flash_request.save(
                    update_fields=[
                        "start_at",
                        "end_at",
                        "proposed_start_at",
                        "status",
                        "responded_at",
                    ]
                )
        except IntegrityError as error:
            raise ValidationError(SLOT_TAKEN) from error
        modes = [m for m in (mentor.modes or []) if m in Mode.values]
        session = session_open(flash_request=flash_request, mode=modes[0] if modes else Mode.VIDEO)
    return session


def flash_request_withdraw(*, flash_request: FlashRequest, by: User) -> FlashRequest:
    """The student no longer wants it (or declines the proposed time); the volunteer is
    emailed and the slot is free again."""
    _require(by, flash_request, "student")
    with transaction.atomic():
        flash_request, _mentor = _lock_request(flash_request)
        _require_status(flash_request, *OPEN_REQUEST_STATUSES)
        was_proposed = flash_request.status == RequestStatus.PROPOSED
        flash_request.status = RequestStatus.WITHDRAWN
        flash_request.save(update_fields=["status"])
        volunteer = flash_request.volunteer
        send_mentoring_email(
            template="mentoring_request_withdrawn",
            to=volunteer,
            context={
                "flash_request": flash_request,
                "student": flash_request.student,
                "was_proposed": was_proposed,
                "when": when_for(volunteer, flash_request.start_at),
                "proposed": (
                    when_for(volunteer, flash_request.proposed_start_at)
                    if flash_request.proposed_start_at
                    else ""
                ),
            },
            key=f"mentoring:request:{flash_request.pk}:withdrawn",
        )
    return flash_request


# --- Expiry (periodic) ----------------------------------------------------------------------


def flash_requests_expire(*, now: dt.datetime | None = None, batch_size: int = 100) -> int:
    """Open requests past `request_expires_at` become expired and the student is told: nobody
    answered within a week, or the time they wait on has begun and can no longer be accepted.
    Safe to run in several processes at once: rows are claimed with SKIP LOCKED and each
    email has its own idempotency key."""
    now = now or timezone.now()
    due = _expired_by(now)
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                FlashRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("student__profile", "volunteer__profile")
                .filter(due, status__in=OPEN_REQUEST_STATUSES)
                .order_by("expires_at", "pk")[:batch_size]
            )
            if not batch:
                break
            for flash_request in batch:
                flash_request.status = RequestStatus.EXPIRED
                flash_request.save(update_fields=["status"])
                student = flash_request.student
                send_mentoring_email(
                    template="mentoring_request_expired",
                    to=student,
                    context={
                        "flash_request": flash_request,
                        "volunteer": flash_request.volunteer,
                        "when": when_for(student, flash_request.start_at),
                        "url": _request_url(flash_request),
                        # One click to the best suggested volunteer but this one.
                        "next_choice": responsiveness.next_choice_for(flash_request),
                    },
                    key=f"mentoring:request:{flash_request.pk}:expired",
                )
                responsiveness.after_expiry(flash_request, now=now)
                expired += 1
    return expired
