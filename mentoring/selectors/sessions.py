"""Reads about flash-mentoring sessions: a person's own (anyone else gets a plain 404), their
changes and feedback, and what other apps' pages need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mentoring.models import Feedback, FlashRequest, Session, SessionChange, SessionStatus
from networking_app.accounts.models import User


def other_person(session: Session | FlashRequest, user: User) -> User:
    """The session's other participant, seen from `user`."""
    return session.volunteer if user.pk == session.student_id else session.student


def has_session_this_week(*, user, now: dt.datetime | None = None) -> bool:
    """Whether the user (student or volunteer) has a scheduled session in the next 7 days."""
    now = now or timezone.now()
    return Session.objects.filter(
        Q(student=user) | Q(volunteer=user),
        status=SessionStatus.SCHEDULED,
        start_at__gte=now,
        start_at__lt=now + dt.timedelta(days=7),
    ).exists()


def session_get_for_user(*, user: User, session_id: int) -> Session:
    """The session if `user` is its student or its volunteer; a 404 for anyone else."""
    session = (
        Session.objects.select_related(
            "student__profile",
            "volunteer__profile",
            "volunteer__mentor",  # their photo
            "request",
            "cancelled_by__profile",
        )
        .filter(Q(student=user) | Q(volunteer=user), pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("No such session")
    return session


@dataclass(frozen=True)
class SessionLists:
    upcoming: list[Session]
    past: list[Session]


PAST_SHOWN = 20


def sessions_for_user(*, user: User, now: dt.datetime | None = None) -> SessionLists:
    """A student's or volunteer's sessions: upcoming first (soonest first), then the most
    recent past ones. Each session says whether `user` still owes feedback (`needs_feedback`)."""
    now = now or timezone.now()
    mine = Q(volunteer=user) if user.is_volunteer else Q(student=user)
    sessions = (
        Session.objects.filter(mine)
        .select_related("student__profile", "volunteer__profile")
        .annotate(
            has_my_feedback=Exists(Feedback.objects.filter(session=OuterRef("pk"), author=user))
        )
    )
    upcoming = list(
        sessions.filter(status=SessionStatus.SCHEDULED, end_at__gt=now).order_by("start_at")
    )
    past = list(
        sessions.exclude(status=SessionStatus.SCHEDULED, end_at__gt=now).order_by("-start_at")[
            :PAST_SHOWN
        ]
    )
    for session in upcoming + past:
        session.other = other_person(session, user)
        session.needs_feedback = (
            session.start_at <= now
            and session.status in (SessionStatus.SCHEDULED, SessionStatus.COMPLETED)
            and not session.has_my_feedback
        )
    return SessionLists(upcoming=upcoming, past=past)


def session_changes(*, session: Session) -> list[SessionChange]:
    return list(session.changes.select_related("by__profile").order_by("created_at", "pk"))


def feedback_for(*, session: Session, author: User) -> Feedback | None:
    return Feedback.objects.filter(session=session, author=author).first()


def sessions_for_calendar(*, user, since: dt.datetime) -> QuerySet[Session]:
    """Sessions the person takes part in (as student or volunteer) that end after `since`,
    with both people's names, for their subscribed calendar (mentoring.ics.session_feed_item)."""
    return (
        Session.objects.filter(Q(student=user) | Q(volunteer=user), end_at__gte=since)
        .select_related("student__profile", "volunteer__profile")
        .order_by("start_at", "pk")
    )


def session_for_attendance(*, session_id: int, user_id: int) -> Session | None:
    """The session an attendance link names, if that person is still in it."""
    return (
        Session.objects.select_related("student__profile", "volunteer__profile")
        .filter(pk=session_id)
        .filter(Q(student_id=user_id) | Q(volunteer_id=user_id))
        .first()
    )
