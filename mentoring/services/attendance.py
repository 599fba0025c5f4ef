"""Shows that count (issue 19). After a session each side says whether it happened, in one
click from the email (signed links, no sign-in) or on the session's page. What they say:

- both "held", or one "held" and the other silent: the session is held (services.sessions);
- one reports a no-show: the session is a no-show of the other person;
- one says held and the other reports a no-show: disputed, until staff decide
  (`dispute_resolve`), who see the disputes on the console.

A person's no-shows of the last NO_SHOW_WINDOW count under the career office's policy
(MentoringPolicy): a student loses points in match rounds (shown in "why this match") and may
have fewer open requests; a volunteer is paused after too many.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from mentoring.attendance_links import HELD, NO_SHOW
from mentoring.models import Mentor, MentoringPolicy, Session, SessionStatus
from mentoring.services import sessions as session_services
from mentoring.services.profiles import mentor_refresh_bookable
from networking_app.accounts.models import User
from networking_app.core.audit import audit_record

NO_SHOW_WINDOW = dt.timedelta(days=180)


# --- What each side says ----------------------------------------------------------------------


def _side(session: Session, user: User) -> str:
    if user.pk == session.student_id:
        return "student_said"
    if user.pk == session.volunteer_id:
        return "volunteer_said"
    raise ValidationError(gettext("Only the session's student and volunteer can say how it went."))


def attendance_record(*, session: Session, by: User, said: str) -> Session:
    """Record what `by` says of the session and settle its status when the sides agree."""
    if said not in (HELD, NO_SHOW):
        raise ValueError(said)
    field = _side(session, by)
    other_field = "volunteer_said" if field == "student_said" else "student_said"
    with transaction.atomic():
        locked = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if locked.start_at > timezone.now():
            raise ValidationError(gettext("You can say how it went once the session has started."))
        if locked.status == SessionStatus.CANCELLED:
            raise ValidationError(gettext("This session was cancelled."))
        setattr(locked, field, said)
        other = getattr(locked, other_field)
        locked.save(update_fields=[field, "updated_at"])
        if other and other != said:
            locked.disputed_at = timezone.now()
            locked.save(update_fields=["disputed_at"])
            return locked
        if locked.status == SessionStatus.SCHEDULED:
            if said == HELD:
                locked = session_services.session_complete(session=locked, by=by)
            else:
                locked = session_services.session_report_no_show(session=locked, by=by)
                after_no_show(locked)
    return locked


def no_show_of(session: Session) -> int | None:
    """Who missed a no-show session: the other person than the one who reported it."""
    if session.status != SessionStatus.NO_SHOW or session.no_show_reported_by_id is None:
        return None
    if session.no_show_reported_by_id == session.student_id:
        return session.volunteer_id
    return session.student_id


def dispute_resolve(*, session: Session, staff: User, outcome: str) -> Session:
    """Staff decide a disputed session: "held", "student" (the student did not come) or
    "volunteer" (the volunteer did not come)."""
    if outcome not in (HELD, "student", "volunteer"):
        raise ValidationError(gettext("Choose held, or who did not come."))
    with transaction.atomic():
        locked = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if locked.disputed_at is None:
            raise ValidationError(gettext("This session is not disputed."))
        if outcome == HELD:
            locked.status = SessionStatus.COMPLETED
            locked.no_show_reported_by = None
        else:
            locked.status = SessionStatus.NO_SHOW
            # Recorded as reported by the other person, so no_show_of names who missed it.
            locked.no_show_reported_by_id = (
                locked.volunteer_id if outcome == "student" else locked.student_id
            )
        locked.disputed_at = None
        locked.save(update_fields=["status", "no_show_reported_by", "disputed_at", "updated_at"])
        audit_record(
            actor=staff,
            action="mentoring.dispute",
            summary="Decided a disputed flash mentoring session",
            target=locked,
            outcome=outcome,
        )
        if outcome != HELD:
            after_no_show(locked)
    return locked


# --- What no-shows change ---------------------------------------------------------------------


def _recent(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(status=SessionStatus.NO_SHOW, start_at__gte=now - NO_SHOW_WINDOW)


def student_no_shows(*, student_ids, now: dt.datetime | None = None) -> dict[int, int]:
    """Recent sessions each student missed (reported by their volunteer). One query
    (`student_ids` may be a subquery)."""
    rows = (
        Session.objects.filter(_recent(now), student_id__in=student_ids)
        .filter(no_show_reported_by_id=F("volunteer_id"))
        .values("student_id")
        .annotate(n=Count("pk"))
    )
    return {row["student_id"]: row["n"] for row in rows}


def volunteer_no_shows(*, volunteer_ids, now: dt.datetime | None = None) -> dict[int, int]:
    rows = (
        Session.objects.filter(_recent(now), volunteer_id__in=list(volunteer_ids))
        .filter(no_show_reported_by_id=F("student_id"))
        .values("volunteer_id")
        .annotate(n=Count("pk"))
    )
    return {row["volunteer_id"]: row["n"] for row in rows}


def open_requests_allowed(student: User) -> int | None:
    """How many open requests the student may have (None: no limit beyond one per volunteer)."""
    if not student_no_shows(student_ids=[student.pk]).get(student.pk):
        return None
    return MentoringPolicy.current().student_open_requests_after_no_show


def after_no_show(session: Session) -> None:
    """Pause a volunteer who reached the policy's count of recent no-shows."""
    missed = no_show_of(session)
    if missed != session.volunteer_id:
        return
    limit = MentoringPolicy.current().volunteer_pause_after_no_shows
    if not limit:
        return
    if volunteer_no_shows(volunteer_ids=[missed]).get(missed, 0) < limit:
        return
    if Mentor.objects.filter(user_id=missed, paused_no_shows_at__isnull=True).update(
        paused_no_shows_at=timezone.now()
    ):
        mentor_refresh_bookable(user=session.volunteer)


def volunteer_resume_after_no_shows(*, volunteer: User, staff: User) -> None:
    with transaction.atomic():
        Mentor.objects.filter(user=volunteer).update(paused_no_shows_at=None)
        mentor_refresh_bookable(user=volunteer)
        audit_record(
            actor=staff,
            action="mentoring.resume_no_shows",
            summary="Listed a volunteer again after no-shows",
            target=volunteer,
        )


# --- For staff --------------------------------------------------------------------------------


def disputed_sessions():
    return (
        Session.objects.filter(disputed_at__isnull=False)
        .select_related("student__profile", "volunteer__profile")
        .order_by("disputed_at")
    )


def no_show_leaders(*, now: dt.datetime | None = None, limit: int = 20) -> dict[str, list]:
    """The people with the most recent no-shows, with their sessions and rate: students who
    missed sessions, and volunteers. Two queries each."""
    now = now or timezone.now()
    since = now - NO_SHOW_WINDOW
    result = {}
    for role, person, other in (
        ("students", "student", "volunteer"),
        ("volunteers", "volunteer", "student"),
    ):
        rows = (
            Session.objects.filter(start_at__gte=since, start_at__lte=now)
            .exclude(status=SessionStatus.CANCELLED)
            .values(f"{person}_id", f"{person}__profile__display_name", f"{person}__email")
            .annotate(
                sessions=Count("pk"),
                missed=Count(
                    "pk",
                    filter=Q(status=SessionStatus.NO_SHOW, no_show_reported_by_id=F(f"{other}_id")),
                ),
            )
            .filter(missed__gt=0)
            .order_by("-missed", f"{person}__profile__display_name")[:limit]
        )
        result[role] = [
            {
                "id": row[f"{person}_id"],
                "name": row[f"{person}__profile__display_name"] or row[f"{person}__email"],
                "sessions": row["sessions"],
                "missed": row["missed"],
                "rate": round(100 * row["missed"] / row["sessions"]),
            }
            for row in rows
        ]
    return result


def no_shows_by_month(*, now: dt.datetime | None = None, months: int = 12) -> list[dict]:
    """Sessions that were due and how many were no-shows, per month (UTC), newest first."""
    now = now or timezone.now()
    since = (now - dt.timedelta(days=31 * months)).replace(day=1)
    rows = (
        Session.objects.filter(start_at__gte=since, start_at__lte=now)
        .exclude(status=SessionStatus.CANCELLED)
        .annotate(month=TruncMonth("start_at", tzinfo=dt.UTC))
        .values("month")
        .annotate(sessions=Count("pk"), missed=Count("pk", filter=Q(status=SessionStatus.NO_SHOW)))
        .order_by("-month")
    )
    return [
        {**row, "rate": round(100 * row["missed"] / row["sessions"]) if row["sessions"] else 0}
        for row in rows
    ]


def paused_for_no_shows():
    return Mentor.objects.filter(paused_no_shows_at__isnull=False).select_related("user__profile")
