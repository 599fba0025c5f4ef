"""Mentoring's reminder kinds, registered with networking_app.notifications at start-up
(MentoringConfig.ready), and `sync_session`, which mentoring.services calls after every change
of a session so both people's reminders follow it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentoring.attendance_links import HELD, NO_SHOW, attendance_link
from mentoring.models import Feedback, Session, SessionStatus
from networking_app.core.emails import format_when
from networking_app.notifications import services as notify
from networking_app.notifications.kinds import ReminderKind, Timing, register
from networking_app.notifications.models import Reminder

MORNING = 9  # "the morning before" is 9:00 in each person's own time zone

SESSION_TOMORROW = "session_tomorrow"
SESSION_FEEDBACK = "session_feedback"
SESSION_BRIEF = "session_brief"
BRIEF_MINUTES = 60
ROLES = ("student", "volunteer")

# Where `_prefetch` leaves a reminder's session (None: it no longer exists).
SUBJECT = "_prefetched_session"
SESSIONS = Session.objects.select_related(
    "student__profile",
    "volunteer__profile",
    # For the brief: what the student shared, and who the volunteer is.
    "request",
    "student__student_profile",
    "volunteer__mentor__organization",
)


def subject_key(session: Session) -> str:
    return f"session:{session.pk}"


def _id(reminder: Reminder) -> int:
    return int(reminder.subject_key.split(":")[1])


# Where `_prefetch` leaves the ids of the people who gave feedback on the reminder's session.
FEEDBACK_GIVEN = "_prefetched_feedback_authors"


def _prefetch(reminders: list[Reminder]) -> None:
    """Two queries load the sessions of many reminders and who gave feedback on them (the
    reminders page, a digest); each reminder's user comes from its session, profile included."""
    ids = {_id(r) for r in reminders}
    found = {s.pk: s for s in SESSIONS.filter(pk__in=ids)}
    given: dict[int, set[int]] = {}
    for session_id, author_id in Feedback.objects.filter(session_id__in=ids).values_list(
        "session_id", "author_id"
    ):
        given.setdefault(session_id, set()).add(author_id)
    for reminder in reminders:
        session = found.get(_id(reminder))
        vars(reminder)[SUBJECT] = session
        vars(reminder)[FEEDBACK_GIVEN] = given.get(_id(reminder), set())
        if session is not None and reminder.user_id in (session.student_id, session.volunteer_id):
            reminder.user = (
                session.student if reminder.user_id == session.student_id else session.volunteer
            )


def _session(reminder: Reminder) -> Session | None:
    if SUBJECT in vars(reminder):
        session = vars(reminder)[SUBJECT]
    else:
        session = SESSIONS.filter(pk=_id(reminder)).first()
    # A reminder only ever speaks about a session its own user takes part in.
    if session is None or reminder.user_id not in (session.student_id, session.volunteer_id):
        return None
    return session


def _other(session: Session, user_id: int):
    return session.volunteer if user_id == session.student_id else session.student


def _when(session: Session, user) -> str:
    return format_when(session.start_at, notify.user_zone(user))


def _url(session: Session) -> str:
    return reverse("mentoring:session", kwargs={"session_id": session.pk})


# --- Session tomorrow ------------------------------------------------------------------------


def _tomorrow_relevant(reminder: Reminder) -> bool:
    session = _session(reminder)
    return (
        session is not None
        and session.status == SessionStatus.SCHEDULED
        and session.start_at > timezone.now()
    )


def _tomorrow_render(reminder: Reminder) -> dict:
    session = _session(reminder)
    other = _other(session, reminder.user_id)
    values = {
        "name": other.display_name,
        "when": _when(session, reminder.user),
        "mode": session.get_mode_display().lower(),
        "place": session.location,
    }
    lines = [
        gettext(
            "Your flash mentoring conversation with %(name)s is on %(when)s, %(mode)s: %(place)s."
        )
        % values
        if session.location
        else gettext("Your flash mentoring conversation with %(name)s is on %(when)s, %(mode)s.")
        % values
    ]
    if reminder.user_id == session.student_id:
        lines.append(
            gettext(
                "Be on time, keep to the time you were given, have two or three questions "
                "ready, and ask who else you should talk to."
            )
        )
    else:
        lines.append(
            gettext(
                "Thank you for giving your time. If you can no longer make it, tell the "
                "student from the session page as early as you can."
            )
        )
    zone = notify.user_zone(reminder.user)
    same_day = timezone.localtime(session.start_at, zone).date() == timezone.localdate(None, zone)
    title = (
        gettext("Today: flash mentoring with %(name)s")
        if same_day
        else gettext("Tomorrow: flash mentoring with %(name)s")
    )
    return {
        "title": title % {"name": other.display_name},
        "lines": lines,
        "url": _url(session),
        "action": gettext("Open the session"),
    }


# --- The brief, an hour before ----------------------------------------------------------------


def _brief_render(reminder: Reminder) -> dict:
    """The student's brief: who the volunteer is, what they asked to learn, the place, the
    guide's reminders. The volunteer's: what the student chose to share (their request's
    message, class year and major) and the place."""
    session = _session(reminder)
    other = _other(session, reminder.user_id)
    place = f"{session.get_mode_display()}" + (f": {session.location}" if session.location else "")
    lines = [f"{_when(session, reminder.user)} · {place}."]
    if reminder.user_id == session.student_id:
        mentor = getattr(other, "mentor", None)
        role = ""
        if mentor is not None:
            at = mentor.organization.name if mentor.organization_id else ""
            role = (
                gettext("%(title)s at %(organization)s")
                % {"title": mentor.title, "organization": at}
                if mentor.title and at
                else (mentor.title or at)
            )
        lines += [
            f"{other.display_name}" + (f", {role}" if role else "") + ".",
            gettext("What you asked to learn: %(message)s") % {"message": session.request.message},
            gettext(
                "Have two or three questions ready, keep to the time, and ask who else you should "
                "talk to. Thank them within a day."
            ),
        ]
    else:
        profile = getattr(other, "student_profile", None)
        about = []
        if profile is not None and profile.class_year:
            about.append(gettext("class of %(year)s") % {"year": profile.class_year})
        if profile is not None and profile.major:
            about.append(profile.major)
        lines += [
            f"{other.display_name}" + (f" ({', '.join(about)})" if about else "") + ".",
            gettext("What they would like to learn: %(message)s")
            % {"message": session.request.message},
        ]
    return {
        "title": gettext("In an hour: flash mentoring with %(name)s")
        % {"name": other.display_name},
        "lines": lines,
        "url": _url(session),
        "action": gettext("Open the session"),
    }


# --- Feedback --------------------------------------------------------------------------------


def _feedback_relevant(reminder: Reminder) -> bool:
    session = _session(reminder)
    if session is None or session.status not in (SessionStatus.SCHEDULED, SessionStatus.COMPLETED):
        return False
    if FEEDBACK_GIVEN in vars(reminder):
        return reminder.user_id not in vars(reminder)[FEEDBACK_GIVEN]
    return not Feedback.objects.filter(session=session, author_id=reminder.user_id).exists()


def _feedback_render(reminder: Reminder) -> dict:
    session = _session(reminder)
    other = _other(session, reminder.user_id)
    return {
        "title": gettext("How was your conversation with %(name)s?") % {"name": other.display_name},
        "lines": [
            gettext(
                "Two minutes of feedback (a rating, and whether you would meet again) helps "
                "the career office keep flash mentoring useful for everyone."
            ),
            gettext(
                "If the conversation took place, you can also mark it as held on the same page."
            ),
        ],
        "url": _url(session) + "#feedback",
        "action": gettext("Give your feedback"),
        # One click, no sign-in: whether it took place (mentoring.services.attendance).
        "choices": _attendance_choices(session, reminder.user),
    }


def _attendance_choices(session: Session, user) -> list[tuple[str, str]]:
    side = session.student_said if user.pk == session.student_id else session.volunteer_said
    if side or session.status == SessionStatus.CANCELLED:
        return []
    return [
        (gettext("Yes, it happened"), attendance_link(session, user, HELD)),
        (gettext("They did not come"), attendance_link(session, user, NO_SHOW)),
    ]


def register_kinds() -> None:
    register(
        ReminderKind(
            name=SESSION_TOMORROW,
            label=_("Mentoring session tomorrow"),
            description=_("The morning before a flash mentoring session."),
            render=_tomorrow_render,
            is_relevant=_tomorrow_relevant,
            prefetch=_prefetch,
            roles=ROLES,
        )
    )
    register(
        ReminderKind(
            name=SESSION_BRIEF,
            label=_("Brief before a mentoring session"),
            description=_(
                "Shortly before a flash mentoring session: who, what to talk about, where."
            ),
            render=_brief_render,
            is_relevant=_tomorrow_relevant,
            prefetch=_prefetch,
            timing=Timing(_("Minutes before a session"), "minutes", BRIEF_MINUTES, 15, 240),
            roles=ROLES,
        )
    )
    register(
        ReminderKind(
            name=SESSION_FEEDBACK,
            label=_("Mentoring feedback"),
            description=_("After a flash mentoring session, until you have given your feedback."),
            render=_feedback_render,
            is_relevant=_feedback_relevant,
            prefetch=_prefetch,
            timing=Timing(_("Hours after a session ends"), "hours", 1, 0, 72),
            roles=ROLES,
        )
    )


# --- Keeping reminders in step with sessions (called by mentoring.services) -----------------


def _tomorrow_due(session: Session, user) -> dt.datetime:
    zone = notify.user_zone(user)
    local_day = timezone.localtime(session.start_at, zone).date()
    due = notify.local_time_on(local_day - dt.timedelta(days=1), MORNING, zone)
    # Booked or moved at short notice: remind now rather than never, never after the start.
    return min(max(due, timezone.now()), session.start_at)


def sync_session(session: Session) -> None:
    """Schedule or cancel both people's reminders for the session's current state.

    Reminders are (re)scheduled only while the session lies ahead (booked, moved, new place):
    calling this again after the start must not turn a reminder that was already sent into a
    new one that goes out a second time."""
    key = subject_key(session)
    upcoming = session.status == SessionStatus.SCHEDULED and session.start_at > timezone.now()
    called_off = session.status in (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)
    given = set(Feedback.objects.filter(session=session).values_list("author_id", flat=True))
    for user in (session.student, session.volunteer):
        if upcoming:
            notify.reminder_schedule(
                user=user,
                kind=SESSION_TOMORROW,
                subject_key=key,
                due_at=_tomorrow_due(session, user),
            )
            minutes = notify.timing_for(user, SESSION_BRIEF)
            notify.reminder_schedule(
                user=user,
                kind=SESSION_BRIEF,
                subject_key=key,
                due_at=max(session.start_at - dt.timedelta(minutes=minutes), timezone.now()),
            )
        elif called_off:
            notify.reminder_cancel(user=user, kind=SESSION_TOMORROW, subject_key=key)
            notify.reminder_cancel(user=user, kind=SESSION_BRIEF, subject_key=key)
        if called_off or user.pk in given:
            notify.reminder_cancel(user=user, kind=SESSION_FEEDBACK, subject_key=key)
        elif upcoming:
            hours = notify.timing_for(user, SESSION_FEEDBACK)
            notify.reminder_schedule(
                user=user,
                kind=SESSION_FEEDBACK,
                subject_key=key,
                due_at=session.end_at + dt.timedelta(hours=hours),
            )
