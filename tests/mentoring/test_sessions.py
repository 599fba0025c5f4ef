"""Sessions: moving, cancelling, the place or link, no-shows, marking held (and the student's
pipeline), feedback, reminders, the pages, and the session lists of both home pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, ConversationStatus, Source
from mentoring.forms.requests import slot_value
from mentoring.models import Feedback, FlashRequest, RequestStatus, Session, SessionStatus
from mentoring.reminders import SESSION_FEEDBACK, SESSION_TOMORROW
from mentoring.services import requests as request_services
from mentoring.services import sessions as services
from mentoring.services.availability import open_slots, slot_is_open
from networking_app.accounts.models import Profile
from networking_app.notifications import services as notify
from networking_app.notifications.kinds import get_kind, kinds_for_role
from networking_app.notifications.models import OutgoingEmail, Reminder, ReminderState
from tests.contacts.factories import ContactFactory
from tests.factories import StudentFactory
from tests.mentoring.helpers import bookable_mentor
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(volunteer):
    return bookable_mentor(volunteer, title="Senior analyst", monthly_capacity=20)


@pytest.fixture
def slots(mentor):
    return open_slots(mentor, limit=30)


def _book(student, volunteer, mentor, slot, **accept) -> Session:
    flash_request = request_services.flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message="Your first year"
    )
    return request_services.flash_request_accept(
        flash_request=flash_request, by=volunteer, **accept
    )


@pytest.fixture
def session(student, volunteer, mentor, slots):
    booked = _book(student, volunteer, mentor, slots[0], location="https://meet.example.com/c")
    mail.outbox.clear()
    return booked


def _move_to(session: Session, start: dt.datetime) -> Session:
    """Time passes: put the session (and its request) at `start`."""
    length = session.end_at - session.start_at
    Session.objects.filter(pk=session.pk).update(start_at=start, end_at=start + length)
    FlashRequest.objects.filter(pk=session.request_id).update(start_at=start, end_at=start + length)
    return Session.objects.select_related("student", "volunteer", "request").get(pk=session.pk)


def _in_the_past(session: Session) -> Session:
    return _move_to(session, timezone.now() - dt.timedelta(hours=2))


def _error(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- Reschedule -----------------------------------------------------------------------------


def test_rescheduling_moves_both_rows_raises_the_sequence_and_invites_again(
    session, student, volunteer, mentor, slots
):
    target = slots[5]
    moved = services.session_reschedule(
        session=session, by=student, start_at=target.start_at, reason="An exam moved"
    )

    assert (moved.start_at, moved.end_at) == (target.start_at, target.end_at)
    assert moved.ics_sequence == 1
    flash_request = FlashRequest.objects.get(pk=session.request_id)
    assert flash_request.start_at == target.start_at
    [change] = moved.changes.all()
    assert (change.kind, change.by, change.reason) == ("rescheduled", student, "An exam moved")
    assert (change.previous_start_at, change.new_start_at) == (slots[0].start_at, target.start_at)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([student.email, volunteer.email])
    assert all(m.attachments[0][2] == "text/calendar; method=REQUEST" for m in mail.outbox)
    assert "An exam moved" in mail.outbox[0].body
    assert slot_is_open(mentor, slots[0].start_at)
    assert not slot_is_open(mentor, target.start_at)


def test_rescheduling_is_refused_inside_the_minimum_notice(session, volunteer, slots):
    soon = _move_to(session, timezone.now() + dt.timedelta(hours=5))
    with pytest.raises(ValidationError) as excinfo:
        services.session_reschedule(session=soon, by=volunteer, start_at=slots[5].start_at)
    assert "Less than 24 hours before the session, it can no longer be moved here" in _error(
        excinfo
    )
    assert "Alice Student (alice@example.edu)" in _error(excinfo)
    assert Session.objects.get(pk=session.pk).ics_sequence == 0
    assert not mail.outbox


def test_rescheduling_to_a_time_that_is_not_open_is_refused(
    session, student, other_student, mentor, slots
):
    request_services.flash_request_create(
        student=other_student, mentor=mentor, start_at=slots[5].start_at, message="Hi"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.session_reschedule(session=session, by=student, start_at=slots[5].start_at)
    assert _error(excinfo) == services.SLOT_TAKEN


def test_a_move_to_a_neighbouring_slot_is_not_blocked_by_the_sessions_own_time(
    session, student, slots
):
    moved = services.session_reschedule(session=session, by=student, start_at=slots[1].start_at)
    assert moved.start_at == slots[1].start_at


# --- Cancel ---------------------------------------------------------------------------------


def test_cancelling_needs_a_reason_sends_a_cancel_and_frees_the_slot(
    session, student, volunteer, mentor, slots
):
    with pytest.raises(ValidationError):
        services.session_cancel(session=session, by=volunteer, reason="  ")

    cancelled = services.session_cancel(session=session, by=volunteer, reason="Called to a trial")

    assert cancelled.status == SessionStatus.CANCELLED
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == (volunteer, "Called to a trial")
    assert cancelled.ics_sequence == 1
    assert FlashRequest.objects.get(pk=session.request_id).status == RequestStatus.WITHDRAWN
    assert slot_is_open(mentor, slots[0].start_at)
    assert [c.kind for c in cancelled.changes.all()] == ["cancelled"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([student.email, volunteer.email])
    for email in mail.outbox:
        assert email.subject.startswith("Cancelled:")
        assert "Called to a trial" in email.body
        assert email.attachments[0][2] == "text/calendar; method=CANCEL"
    states = set(
        Reminder.objects.filter(subject_key=f"session:{session.pk}").values_list("state", flat=True)
    )
    assert states == {ReminderState.CANCELLED}


def test_cancelling_is_refused_inside_the_minimum_notice(session, student):
    soon = _move_to(session, timezone.now() + dt.timedelta(hours=23))
    with pytest.raises(ValidationError) as excinfo:
        services.session_cancel(session=soon, by=student, reason="Sick")
    assert "it can no longer be cancelled here" in _error(excinfo)
    assert Session.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED


def test_the_minimum_notice_is_the_volunteers(session, student, mentor):
    mentor.min_notice_hours = 2
    mentor.save()
    soon = _move_to(session, timezone.now() + dt.timedelta(hours=5))
    assert services.session_cancel(session=soon, by=student, reason="Sick").status == "cancelled"


# --- Place or link --------------------------------------------------------------------------


def test_changing_the_place_sends_an_updated_invitation(session, volunteer):
    updated = services.session_update_place(
        session=session, by=volunteer, mode="in_person", location="Café Lumière, 3 rue Haute"
    )
    assert (updated.mode, updated.location, updated.ics_sequence) == (
        "in_person",
        "Café Lumière, 3 rue Haute",
        1,
    )
    assert len(mail.outbox) == 2
    # Saving the same again changes nothing and sends nothing.
    services.session_update_place(
        session=updated, by=volunteer, mode="in_person", location="Café Lumière, 3 rue Haute"
    )
    assert Session.objects.get(pk=session.pk).ics_sequence == 1
    assert len(mail.outbox) == 2


# --- After the start: held, no-show ---------------------------------------------------------


def test_held_and_no_show_only_after_the_start(session, student, volunteer):
    with pytest.raises(ValidationError) as excinfo:
        services.session_complete(session=session, by=volunteer)
    assert "once the session has started" in _error(excinfo)
    with pytest.raises(ValidationError):
        services.session_report_no_show(session=session, by=student)


def test_a_no_show_is_recorded_and_stops_the_feedback_reminders(session, student):
    past = _in_the_past(session)
    reported = services.session_report_no_show(session=past, by=student)
    assert (reported.status, reported.no_show_reported_by) == (SessionStatus.NO_SHOW, student)
    assert not Reminder.objects.filter(kind=SESSION_FEEDBACK, state=ReminderState.PENDING).exists()
    with pytest.raises(ValidationError) as excinfo:
        services.session_complete(session=past, by=student)
    assert "already marked “No-show”" in _error(excinfo)


def test_marking_held_creates_the_contact_and_a_held_conversation(
    session, student, volunteer, mentor
):
    past = _in_the_past(session)
    services.session_complete(session=past, by=volunteer)

    assert Session.objects.get(pk=session.pk).status == SessionStatus.COMPLETED
    contact = Contact.objects.get(owner=student)
    assert contact.name == "Carol Volunteer"
    assert contact.email == volunteer.email
    assert contact.source == Source.MENTORING
    assert contact.organization.name == "Northwind Analytics"
    assert contact.title == "Senior analyst"
    conversation = contact.conversations.get()
    assert conversation.status == ConversationStatus.HELD
    assert conversation.held_at == past.start_at
    assert conversation.goal == "Your first year"
    assert conversation.mode == "video"
    assert conversation.location == "https://meet.example.com/c"
    assert contact.interactions.count() == 1
    thank_you = Reminder.objects.get(user=student, kind="thank_you")
    assert thank_you.due_at == past.start_at + dt.timedelta(hours=24)
    with pytest.raises(ValidationError) as excinfo:
        services.session_complete(session=past, by=student)
    assert "already marked “Held”" in _error(excinfo)


def test_a_hidden_title_stays_hidden(session, student, mentor):
    mentor.hidden_fields = ["title"]
    mentor.save()
    services.session_complete(session=_in_the_past(session), by=student)
    assert Contact.objects.get(owner=student).title == ""


def test_an_existing_contact_is_matched_by_email_and_updated(session, student, volunteer):
    existing = ContactFactory(
        owner=student,
        name="Carol V.",
        email=volunteer.email.upper(),
        title="Analyst",
        notes="Met at the alumni fair",
    )
    services.session_complete(session=_in_the_past(session), by=student)
    contact = Contact.objects.get(owner=student)
    assert contact.pk == existing.pk
    assert contact.name == "Carol V."  # what the student typed stays
    assert contact.notes == "Met at the alumni fair"
    assert contact.title == "Senior analyst"  # the volunteer's current, visible title
    assert contact.organization.name == "Northwind Analytics"
    assert contact.conversations.get().status == ConversationStatus.HELD


# --- Feedback -------------------------------------------------------------------------------


def test_feedback_once_per_person_a_second_submit_edits(session, student, volunteer):
    with pytest.raises(ValidationError):
        services.feedback_submit(session=session, author=student, rating=5)
    past = _in_the_past(session)
    feedback, created = services.feedback_submit(
        session=past, author=student, rating=4, comments="Very kind", would_meet_again=True
    )
    assert created
    again, created = services.feedback_submit(session=past, author=student, rating=5)
    assert not created
    assert again.pk == feedback.pk
    assert Feedback.objects.get(author=student).rating == 5
    services.feedback_submit(session=past, author=volunteer, rating=3)
    assert Feedback.objects.filter(session=past).count() == 2
    with pytest.raises(ValidationError):
        services.feedback_submit(session=past, author=student, rating=6)


def test_giving_feedback_cancels_that_persons_feedback_reminder(session, student, volunteer):
    past = _in_the_past(session)
    services.feedback_submit(session=past, author=student, rating=4)
    pending = set(
        Reminder.objects.filter(kind=SESSION_FEEDBACK, state=ReminderState.PENDING).values_list(
            "user_id", flat=True
        )
    )
    assert pending == {volunteer.pk}


# --- Reminders ------------------------------------------------------------------------------


def test_both_kinds_are_registered_for_students_and_volunteers():
    for name in (SESSION_TOMORROW, SESSION_FEEDBACK):
        assert get_kind(name).roles == ("student", "volunteer")
    assert {SESSION_TOMORROW, SESSION_FEEDBACK} <= {k.name for k in kinds_for_role("volunteer")}


def test_the_morning_before_reminder_goes_out_at_9_in_each_persons_zone(
    student, volunteer, mentor, slots
):
    Profile.objects.filter(user=student).update(time_zone="America/New_York")
    Profile.objects.filter(user=volunteer).update(time_zone="Europe/Paris")
    mentor = type(mentor).objects.get(pk=mentor.pk)  # the volunteer's new zone
    [far] = open_slots(mentor, now=timezone.now() + dt.timedelta(days=3), limit=1)
    session = _book(student, volunteer, mentor, far)
    for user, zone in ((student, "America/New_York"), (volunteer, "Europe/Paris")):
        user.refresh_from_db()
        reminder = Reminder.objects.get(user=user, kind=SESSION_TOMORROW)
        local = timezone.localtime(reminder.due_at, notify.user_zone(user))
        assert str(notify.user_zone(user)) == zone
        assert local.hour == 9
        assert local.date() == timezone.localtime(
            session.start_at, notify.user_zone(user)
        ).date() - dt.timedelta(days=1)
    feedback = Reminder.objects.get(user=student, kind=SESSION_FEEDBACK)
    assert feedback.due_at == session.end_at + dt.timedelta(hours=1)


def test_due_reminders_become_emails_for_both(session, settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    notify.reminders_dispatch(now=session.start_at - dt.timedelta(minutes=1))
    rows = OutgoingEmail.objects.filter(kind=SESSION_TOMORROW)
    assert sorted(r.to[0] for r in rows) == sorted([session.student.email, session.volunteer.email])
    student_row = rows.get(user=session.student)
    assert "flash mentoring with Carol Volunteer" in student_row.subject
    assert "https://meet.example.com/c" in student_row.text
    assert student_row.html


def test_a_reminder_about_a_cancelled_session_is_not_sent(session, student, settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    notify.reminders_dispatch(now=session.end_at + dt.timedelta(hours=2))
    assert not OutgoingEmail.objects.filter(kind__startswith="session_").exists()


# --- Pages ----------------------------------------------------------------------------------


def _url(name, session) -> str:
    return reverse(name, kwargs={"session_id": session.pk})


def test_the_session_page_offers_moves_before_the_notice(session, student_client):
    html = student_client.get(_url("mentoring:session", session)).content.decode()
    assert "Move the session" in html
    assert "Cancel the session" in html
    assert "https://meet.example.com/c" in html
    assert "Mark as held" not in html


def test_inside_the_notice_the_page_says_to_write_directly(session, volunteer_client):
    _move_to(session, timezone.now() + dt.timedelta(hours=3))
    html = volunteer_client.get(_url("mentoring:session", session)).content.decode()
    assert 'id="notice-passed"' in html
    assert "Move the session" not in html


def test_moving_and_cancelling_from_the_page(session, student_client, slots):
    response = student_client.post(
        _url("mentoring:session_reschedule", session),
        {"start": slot_value(slots[6].start_at), "reason": "Exam"},
    )
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).start_at == slots[6].start_at
    response = student_client.post(_url("mentoring:session_cancel", session), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    student_client.post(_url("mentoring:session_cancel", session), {"reason": "Exam again"})
    assert Session.objects.get(pk=session.pk).status == SessionStatus.CANCELLED


def test_a_refused_cancel_shows_the_clear_message(session, student_client):
    _move_to(session, timezone.now() + dt.timedelta(hours=3))
    response = student_client.post(
        _url("mentoring:session_cancel", session), {"reason": "Ill"}, follow=True
    )
    assert "it can no longer be cancelled here" in response.content.decode()
    assert Session.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED


def test_after_the_start_both_can_mark_held_and_give_feedback_from_the_page(
    session, student, student_client, volunteer_client
):
    _in_the_past(session)
    html = volunteer_client.get(_url("mentoring:session", session)).content.decode()
    assert "Mark as held" in html
    assert "Report a no-show" in html
    volunteer_client.post(_url("mentoring:session_complete", session))
    assert Session.objects.get(pk=session.pk).status == SessionStatus.COMPLETED
    response = student_client.post(
        _url("mentoring:session_feedback", session),
        {"rating": "5", "comments": "Great", "would_meet_again": "on"},
        follow=True,
    )
    assert "Thank you for your feedback." in response.content.decode()
    response = student_client.post(
        _url("mentoring:session_feedback", session), {"rating": "4"}, follow=True
    )
    assert "Your feedback is updated." in response.content.decode()
    assert Feedback.objects.get(author=student).rating == 4


def test_the_ics_download(session, student_client):
    response = student_client.get(_url("mentoring:session_ics", session))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert b"BEGIN:VCALENDAR" in response.content


# --- Session lists on the home pages --------------------------------------------------------


def test_the_home_pages_load_the_sessions_list(student_client, volunteer_client):
    for client in (student_client, volunteer_client):
        html = client.get(reverse("home")).content.decode()
        assert f'hx-get="{reverse("mentoring:sessions")}"' in html


def test_the_sessions_list_shows_upcoming_first_then_past(
    session, student, volunteer, mentor, slots, student_client
):
    later = _book(student, volunteer, mentor, slots[8])
    past = _in_the_past(_book(student, volunteer, mentor, slots[12]))
    html = student_client.get(reverse("mentoring:sessions"), HTTP_HX_REQUEST="true").content
    html = html.decode()
    assert html.index(f'id="session-{session.pk}"') < html.index(f'id="session-{later.pk}"')
    assert html.index(f'id="session-{later.pk}"') < html.index(f'id="session-{past.pk}"')
    assert "Give your feedback" in html
    assert "<html" not in html  # just the fragment


def _add_sessions(student, volunteer, *, many_students: bool):
    students = StudentFactory.create_batch(5) if many_students else [student]
    added = []
    start = timezone.now() - dt.timedelta(days=20)

    def add_rows(n):
        for i in range(len(added), len(added) + n):
            at = start + dt.timedelta(hours=3 * i)
            owner = students[i % len(students)]
            flash_request = FlashRequest.objects.create(
                student=owner,
                volunteer=volunteer,
                start_at=at,
                end_at=at + dt.timedelta(minutes=30),
                message="Hi",
                status=RequestStatus.ACCEPTED,
                expires_at=at,
            )
            added.append(
                Session.objects.create(
                    request=flash_request,
                    student=owner,
                    volunteer=volunteer,
                    start_at=at,
                    end_at=at + dt.timedelta(minutes=30),
                    status=SessionStatus.COMPLETED if i % 2 else SessionStatus.SCHEDULED,
                )
            )
            if i % 3 == 0:
                Feedback.objects.create(session=added[-1], author=owner, rating=4)

    return add_rows


@pytest.mark.parametrize("who", ["student", "volunteer"])
def test_the_session_lists_cost_the_same_queries_at_5_and_200_rows(
    who, student, volunteer, student_client, volunteer_client
):
    client = student_client if who == "student" else volunteer_client
    add_rows = _add_sessions(student, volunteer, many_students=who == "volunteer")
    url = reverse("mentoring:sessions")

    def get_page():
        return client.get(url, HTTP_HX_REQUEST="true")

    assert_queries_stable(get_page, add_rows, small=5, large=200)
    assert get_page().content.decode().count('id="session-') > 20


@pytest.mark.parametrize("who", ["student", "volunteer"])
def test_the_home_pages_cost_the_same_queries_at_5_and_200_sessions(
    who, student, volunteer, student_client, volunteer_client
):
    client = student_client if who == "student" else volunteer_client
    add_rows = _add_sessions(student, volunteer, many_students=who == "volunteer")
    assert_queries_stable(lambda: client.get(reverse("home")), add_rows, small=5, large=200)


def test_setting_the_place_and_reporting_a_no_show_from_the_page(session, volunteer_client):
    response = volunteer_client.post(
        _url("mentoring:session_place", session), {"mode": "phone", "location": "+33 1 23 45"}
    )
    assert response.status_code == 302
    updated = Session.objects.get(pk=session.pk)
    assert (updated.mode, updated.location, updated.ics_sequence) == ("phone", "+33 1 23 45", 1)
    response = volunteer_client.post(_url("mentoring:session_no_show", session), follow=True)
    assert "once the session has started" in response.content.decode()
    _in_the_past(session)
    volunteer_client.post(_url("mentoring:session_no_show", session))
    assert Session.objects.get(pk=session.pk).status == SessionStatus.NO_SHOW
