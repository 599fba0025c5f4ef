"""What the email time zone tests share: the two seasons (winter, and the eve of the spring
change), the people and things the emails are about, and one scenario per kind of email. Each
scenario makes the real service that sends it write to a recipient in America/New_York, and
returns the email as that recipient reads it (Written) with the instants it may mention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from contacts.models import Cadence, ConversationStatus
from events.models import RSVPStatus
from events.services import event_cancel, event_update, rsvp_cancel
from mentoring.models import Match, MatchRound
from mentoring.services import requests as mentoring_requests
from mentoring.services import responsiveness as mentoring_responsiveness
from mentoring.services import round_intros
from mentoring.services import sessions as mentoring_sessions
from networking_app.accounts import retention
from networking_app.accounts.deletion import account_delete
from networking_app.console import services as console
from networking_app.console.services import volunteer_decide
from networking_app.notifications import services as notify
from networking_app.notifications.models import NotificationSettings, Reminder, ReminderState
from tests.contacts.factories import (
    ActionItemFactory,
    ContactFactory,
    ConversationFactory,
    PreparedQuestionFactory,
)
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import StaffFactory, StudentFactory, VolunteerFactory
from tests.mentoring.factories import AvailabilityWindowFactory, MentorFactory

NEW_YORK = "America/New_York"
ELSEWHERE = "Asia/Tokyo"  # the other person, and whoever is acting when the email is written


@dataclass(frozen=True)
class Season:
    name: str
    now: dt.datetime  # the frozen clock
    start: dt.datetime  # when the conversation, session or event starts


SEASONS = [
    # Sunday 6 December 2026, 10:00 AM EST; the thing is Monday 7 December, 11:00 AM EST.
    Season(
        "winter",
        dt.datetime(2026, 12, 6, 15, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC),
    ),
    # Saturday 7 March 2026, 9:00 AM EST; the clocks go forward that night, so the thing is
    # Sunday 8 March, 11:00 AM EDT (10:00 AM if the email kept the sending day's offset).
    Season(
        "spring_forward",
        dt.datetime(2026, 3, 7, 14, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 8, 15, 0, tzinfo=dt.UTC),
    ),
]


@dataclass
class Written:
    """An email as its recipient reads it, and the instants it may mention (the first one
    must be shown; none at all for an email that mentions no time)."""

    subject: str
    text: str
    html: str
    instants: list[dt.datetime]


def _written(message, *instants: dt.datetime) -> Written:
    html = next((body for body, kind in message.alternatives if kind == "text/html"), "")
    return Written(message.subject, message.body, html, list(instants))


def _to(person):
    """The one email written to `person`."""
    found = [m for m in mail.outbox if m.to == [person.email]]
    assert len(found) == 1, [m.subject for m in found]
    return found[0]


# --- People and things ------------------------------------------------------------------------


def _student(zone=NEW_YORK, **kwargs):
    return StudentFactory(profile__time_zone=zone, profile__display_name="Nia Student", **kwargs)


def _volunteer(zone=NEW_YORK):
    return VolunteerFactory(profile__time_zone=zone, profile__display_name="Kenji Volunteer")


def _mentor(volunteer):
    """Bookable at any half hour of any day in the volunteer's zone, without notice."""
    mentor = MentorFactory(
        user=volunteer, monthly_capacity=50, booking_window_days=60, slot_minutes=30
    )
    for weekday in range(7):
        AvailabilityWindowFactory(
            mentor=mentor, weekday=weekday, start_time=dt.time(0), end_time=dt.time(23, 30)
        )
    return type(mentor).objects.get(pk=mentor.pk)


def _request(student, volunteer, start):
    mentor = _mentor(volunteer)
    flash_request = mentoring_requests.flash_request_create(
        student=student, mentor=mentor, start_at=start, message="Your first year"
    )
    return flash_request


def _session(student, volunteer, start):
    flash_request = _request(student, volunteer, start)
    session = mentoring_requests.flash_request_accept(
        flash_request=flash_request, by=volunteer, location="https://meet.example.com/n"
    )
    mail.outbox.clear()
    return session


def _event(start, **fields):
    return EventFactory(
        title="Finance night",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone=ELSEWHERE,
        **fields,
    )


# --- One scenario per email kind --------------------------------------------------------------


def mentoring_request_new(season: Season) -> Written:
    volunteer = _volunteer()
    flash_request = _request(_student(ELSEWHERE), volunteer, season.start)
    return _written(_to(volunteer), season.start, flash_request.expires_at)


def mentoring_request_declined(season: Season) -> Written:
    student, volunteer = _student(), _volunteer(ELSEWHERE)
    flash_request = _request(student, volunteer, season.start)
    mentoring_requests.flash_request_decline(flash_request=flash_request, by=volunteer, note="")
    return _written(_to(student), season.start)


def mentoring_request_proposed(season: Season) -> Written:
    student, volunteer = _student(), _volunteer(ELSEWHERE)
    flash_request = _request(student, volunteer, season.start - dt.timedelta(hours=1))
    mentoring_requests.flash_request_propose(
        flash_request=flash_request, by=volunteer, start_at=season.start
    )
    flash_request.refresh_from_db()
    return _written(
        _to(student),
        season.start,
        season.start - dt.timedelta(hours=1),
        flash_request.expires_at,
    )


def mentoring_request_withdrawn(season: Season) -> Written:
    student, volunteer = _student(ELSEWHERE), _volunteer()
    flash_request = _request(student, volunteer, season.start)
    mail.outbox.clear()
    mentoring_requests.flash_request_withdraw(flash_request=flash_request, by=student)
    return _written(_to(volunteer), season.start)


def mentoring_request_expired(season: Season) -> Written:
    student, volunteer = _student(), _volunteer(ELSEWHERE)
    _request(student, volunteer, season.start)
    mentoring_requests.flash_requests_expire(now=season.start + dt.timedelta(days=8))
    return _written(_to(student), season.start)


def mentoring_request_reminder(season: Season) -> Written:
    student, volunteer = _student(ELSEWHERE), _volunteer()
    start = season.start + dt.timedelta(days=5)
    flash_request = _request(student, volunteer, start)
    mail.outbox.clear()
    mentoring_responsiveness.flash_requests_remind(now=season.now + dt.timedelta(days=4, hours=1))
    flash_request.refresh_from_db()
    assert flash_request.reminders_sent == 2
    last = [m for m in mail.outbox if m.subject.startswith("Last reminder")]
    mail.outbox[:] = last
    return _written(_to(volunteer), start, mentoring_requests.request_expires_at(flash_request))


def mentoring_paused_unanswered(season: Season) -> Written:
    volunteer = _volunteer()
    mentor = _mentor(volunteer)
    for hours in (1, 2, 3):
        mentoring_requests.flash_request_create(
            student=_student(ELSEWHERE),
            mentor=mentor,
            start_at=season.start + dt.timedelta(days=10, hours=hours),
            message="Your first year",
        )
    mail.outbox.clear()
    mentoring_requests.flash_requests_expire(now=season.now + dt.timedelta(days=8))
    return _written(_to(volunteer))


def mentoring_session_confirmed(season: Season) -> Written:
    student, volunteer = _student(), _volunteer(ELSEWHERE)
    flash_request = _request(student, volunteer, season.start)
    mentoring_requests.flash_request_accept(flash_request=flash_request, by=volunteer)
    return _written(_to(student), season.start)


def mentoring_session_rescheduled(season: Season) -> Written:
    student, volunteer = _student(), _volunteer(ELSEWHERE)
    session = _session(student, volunteer, season.start - dt.timedelta(hours=1))
    mentoring_sessions.session_reschedule(
        session=session, by=volunteer, start_at=season.start, reason="A meeting moved"
    )
    return _written(_to(student), season.start)


def mentoring_session_cancelled(season: Season) -> Written:
    student, volunteer = _student(), _volunteer(ELSEWHERE)
    session = _session(student, volunteer, season.start)
    mentoring_sessions.session_cancel(session=session, by=volunteer, reason="Called to a trial")
    return _written(_to(student), season.start)


def account_closed_notice(season: Season) -> Written:
    student, volunteer = _student(), _volunteer(ELSEWHERE)
    _session(student, volunteer, season.start)
    account_delete(user=volunteer)
    return _written(_to(student), season.start)


def retention_notice(season: Season) -> Written:
    """An inactive graduate is told when their account will be deleted."""
    student = _student(student_profile__class_year=2020)
    student.last_login = season.now - dt.timedelta(days=340)
    student.save(update_fields=["last_login"])
    retention.graduates_apply(now=timezone.now())
    return _written(_to(student), season.now + dt.timedelta(days=settings.RETENTION_NOTICE_DAYS))


def event_cancelled(season: Season) -> Written:
    student = _student()
    event = _event(season.start)
    RSVPFactory(event=event, user=student)
    event_cancel(event=event, by=StaffFactory(), reason="The speaker is ill")
    return _written(_to(student), season.start, event.ends_at)


def event_updated(season: Season) -> Written:
    student = _student()
    event = _event(season.start - dt.timedelta(hours=3))
    RSVPFactory(event=event, user=student)
    event_update(
        event=event,
        by=StaffFactory(),
        starts_at=season.start,
        ends_at=season.start + dt.timedelta(hours=2),
    )
    return _written(_to(student), season.start, season.start + dt.timedelta(hours=2))


def event_promoted(season: Season) -> Written:
    student = _student()
    event = _event(season.start, capacity=1)
    seat = RSVPFactory(event=event, user=_student(ELSEWHERE))
    RSVPFactory(event=event, user=student, status=RSVPStatus.WAITLISTED)
    rsvp_cancel(rsvp=seat)
    return _written(_to(student), season.start, event.ends_at)


def console_invitation(season: Season) -> Written:
    invitation = console.invitation_create(email="new.volunteer@example.org", staff=StaffFactory())
    return _written(mail.outbox[-1], invitation.expires_at)


# The invitee has no account yet: they read the school's default zone (New York here).
console_invitation.default_zone = NEW_YORK


def _nudge(audience: str) -> Callable[[Season], Written]:
    def scenario(season: Season) -> Written:
        subject, text, html = console.nudge_render(console.NudgeSpec(audience=audience), _student())
        return Written(subject, text, html, [])

    scenario.__name__ = console.Audience.TEMPLATES[audience]
    return scenario


def volunteer_reviewed(season: Season) -> Written:
    volunteer = VolunteerFactory(profile__time_zone=NEW_YORK, volunteer_profile__status="pending")
    with TestCase.captureOnCommitCallbacks(execute=True):
        volunteer_decide(
            profile=volunteer.volunteer_profile, staff=StaffFactory(), decision="approve"
        )
    return _written(_to(volunteer))


def round_intro(season: Season) -> Written:
    """One message to both people (an introduction: each can reply to the other), so it
    must not show a time at all: one time could only be right in one of their zones."""
    student, volunteer = _student(), _volunteer(ELSEWHERE)
    match_round = MatchRound.objects.create(
        name="Spring round",
        signup_deadline=season.now,
        window_start=season.now.date(),
        window_end=season.now.date() + dt.timedelta(days=30),
    )
    match = Match.objects.create(round=match_round, student=student, volunteer=volunteer)
    subject, text, html = round_intros.intro_render(match)
    return Written(subject, text, html, [])


def allauth(season: Season) -> Written:
    student = _student()
    Client().post(reverse("account_reset_password"), {"email": student.email})
    return _written(_to(student))


# Reminders: a due reminder of each kind, sent by the notifications tick.


def _dispatch(user, kind: str, subject_key: str) -> None:
    Reminder.objects.create(user=user, kind=kind, subject_key=subject_key, due_at=timezone.now())
    notify.reminders_dispatch()


def _conversation(student, status, **fields):
    conversation = ConversationFactory(owner=student, status=status, **fields)
    return conversation


def _reminder_of(kind: str) -> Callable[[Season], Written]:
    def scenario(season: Season) -> Written:
        student = _student()
        instants: list[dt.datetime] = []
        if kind == "thank_you":
            c = _conversation(student, ConversationStatus.HELD, held_at=season.now)
            key = f"conversation:{c.pk}"
        elif kind == "follow_up":
            c = _conversation(student, ConversationStatus.REQUESTED, requested_on=season.now.date())
            key = f"conversation:{c.pk}"
        elif kind in ("prep", "brief"):
            c = _conversation(
                student, ConversationStatus.SCHEDULED, scheduled_at=season.start, location="Cafe"
            )
            PreparedQuestionFactory(conversation=c)
            key, instants = f"conversation:{c.pk}", [season.start]
        elif kind in ("stay_in_touch", "custom"):
            # Stay in touch goes to the digest by default: this one is sent at once.
            NotificationSettings.objects.create(user=student, delivery={kind: "immediate"})
            contact = ContactFactory(owner=student, cadence_days=Cadence.ONE_MONTH)
            contact.last_interaction_on = season.now.date() - dt.timedelta(days=400)
            contact.save(update_fields=["last_interaction_on"])
            key = f"contact:{contact.pk}" + (":abcd1234" if kind == "custom" else "")
        elif kind == "action_item":
            item = ActionItemFactory(owner=student, due_on=season.now.date())
            key = f"action_item:{item.pk}"
        elif kind in ("session_tomorrow", "session_feedback", "session_brief"):
            session = _session(student, _volunteer(ELSEWHERE), season.start)
            key = f"session:{session.pk}"
            instants = [] if kind == "session_feedback" else [season.start]
        elif kind == "event_tomorrow":
            event = _event(season.start)
            RSVPFactory(event=event, user=student)
            key, instants = f"event:{event.pk}", [season.start]
        else:  # pragma: no cover - a kind added to the registry needs its scenario here
            raise AssertionError(f"no scenario for the reminder kind {kind!r}")
        Reminder.objects.filter(user=student).delete()
        _dispatch(student, kind, key)
        return _written(_to(student), *instants)

    scenario.__name__ = f"reminder:{kind}"
    return scenario


def reminder_digest(season: Season) -> Written:
    student = _student()
    NotificationSettings.objects.create(user=student, digest_hour=0, delivery={"prep": "digest"})
    c = _conversation(student, ConversationStatus.SCHEDULED, scheduled_at=season.start)
    Reminder.objects.create(
        user=student,
        kind="prep",
        subject_key=f"conversation:{c.pk}",
        due_at=season.now,
        state=ReminderState.DIGEST,
    )
    notify.digests_dispatch()
    return _written(_to(student), season.start)


REMINDER_KINDS = [
    "thank_you",
    "follow_up",
    "prep",
    "brief",
    "stay_in_touch",
    "action_item",
    "custom",
    "session_tomorrow",
    "session_feedback",
    "session_brief",
    "event_tomorrow",
]

SCENARIOS: list[Callable[[Season], Written]] = [
    mentoring_request_new,
    mentoring_request_declined,
    mentoring_request_proposed,
    mentoring_request_withdrawn,
    mentoring_request_expired,
    mentoring_request_reminder,
    mentoring_paused_unanswered,
    mentoring_session_confirmed,
    mentoring_session_rescheduled,
    mentoring_session_cancelled,
    account_closed_notice,
    retention_notice,
    event_cancelled,
    event_updated,
    event_promoted,
    console_invitation,
    _nudge(console.Audience.STUDENTS_NOT_STARTED),
    _nudge(console.Audience.VOLUNTEERS_UNUSED_CAPACITY),
    volunteer_reviewed,
    round_intro,
    allauth,
    *[_reminder_of(kind) for kind in REMINDER_KINDS],
    reminder_digest,
]
