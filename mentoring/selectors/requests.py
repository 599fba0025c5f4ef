"""Reads about flash requests: a person's own, looked up so anyone else gets a plain 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils import timezone

from mentoring.models import OPEN_REQUEST_STATUSES, FlashRequest, Mentor, RequestStatus
from networking_app.accounts.models import User


def flash_request_get_for_user(*, user: User, request_id: int) -> FlashRequest:
    """The request if `user` is its student or its volunteer; a 404 for anyone else."""
    found = (
        FlashRequest.objects.select_related(
            "student__profile",
            "student__student_profile",
            "volunteer__profile",
            "volunteer__mentor",  # their photo
            "session",
        )
        .filter(Q(student=user) | Q(volunteer=user), pk=request_id)
        .first()
    )
    if found is None:
        raise Http404("No such request")
    return found


def flash_request_from_link(*, request_id: int, volunteer_id: int) -> FlashRequest | None:
    """The request a signed answer link names, if it is still the volunteer's (None if it is
    gone, or the volunteer's account was closed)."""
    return (
        FlashRequest.objects.filter(
            pk=request_id, volunteer_id=volunteer_id, volunteer__is_active=True
        )
        .select_related("student__profile", "student__student_profile", "volunteer__profile")
        .first()
    )


def flash_requests_for_user(*, user: User):
    """A volunteer's received requests, or a student's sent ones: open ones first (the
    soonest first), then the others, latest first."""
    mine = Q(volunteer=user) if user.is_volunteer else Q(student=user)
    return (
        FlashRequest.objects.filter(mine)
        .select_related(
            "student__profile",
            "student__student_profile",
            "volunteer__profile",
            "volunteer__mentor",  # their photo
            "session",
        )
        .annotate(
            is_open=Case(
                When(status__in=OPEN_REQUEST_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("is_open", "start_at")
    )


# How long an answer that needs nothing more (declined, expired) stays on the home page.
ANSWERS_SHOWN_DAYS = 14


@dataclass
class StudentRequests:
    """A student's requests as their home page shows them."""

    proposed: list[FlashRequest] = field(default_factory=list)  # another time: their answer
    pending: list[FlashRequest] = field(default_factory=list)  # waiting for the volunteer
    closed: list[FlashRequest] = field(default_factory=list)  # declined or expired lately

    def __bool__(self) -> bool:
        return bool(self.proposed or self.pending or self.closed)


def student_requests_for_home(*, student: User, now: dt.datetime | None = None) -> StudentRequests:
    """What waits on the student (another time proposed), what waits on a volunteer, and the
    requests declined or expired in the last ANSWERS_SHOWN_DAYS (accepted ones are sessions):
    one query."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=ANSWERS_SHOWN_DAYS)
    closed = Q(status=RequestStatus.DECLINED, responded_at__gte=since) | Q(
        status=RequestStatus.EXPIRED, expires_at__gte=since
    )
    rows = (
        FlashRequest.objects.filter(Q(status__in=OPEN_REQUEST_STATUSES) | closed, student=student)
        .select_related("volunteer__profile")
        .order_by("start_at", "pk")
    )
    found = StudentRequests()
    for row in rows:
        if row.status == RequestStatus.PROPOSED:
            found.proposed.append(row)
        elif row.status == RequestStatus.PENDING:
            found.pending.append(row)
        else:
            found.closed.append(row)
    found.closed.sort(key=lambda row: row.responded_at or row.expires_at, reverse=True)
    return found


def flash_requests_waiting_count(*, volunteer: User) -> int:
    return FlashRequest.objects.filter(volunteer=volunteer, status=RequestStatus.PENDING).count()


def mentor_get_bookable(*, mentor_id: int) -> Mentor:
    mentor = (
        Mentor.objects.select_related("user__profile", "organization")
        .filter(pk=mentor_id, is_bookable=True)
        .first()
    )
    if mentor is None:
        raise Http404("No such mentor")
    return mentor


def mentor_of(volunteer_id: int) -> Mentor | None:
    """The volunteer's mentor profile (with their name and zone), if they have one."""
    return Mentor.objects.select_related("user__profile").filter(user_id=volunteer_id).first()


def flash_request_open_between(*, student: User, volunteer: User) -> FlashRequest | None:
    """The student's latest request to this volunteer that is still open, if any."""
    return (
        FlashRequest.objects.filter(
            student=student, volunteer=volunteer, status__in=OPEN_REQUEST_STATUSES
        )
        .order_by("-created_at")
        .first()
    )


def flash_request_message_of(*, student: User, request_id) -> str:
    """The message of one of the student's own requests ("" for anything else)."""
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        return ""
    return (
        FlashRequest.objects.filter(student=student, pk=pk)
        .values_list("message", flat=True)
        .first()
        or ""
    )
