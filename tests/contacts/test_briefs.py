"""A brief before each meeting (issue 19): the conversation's brief (page, email an hour
before, Today card) and the flash mentoring session's, for both people, on a frozen clock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from contacts import services
from contacts.briefs import briefs_starting_soon, conversation_brief, may_start_soon
from contacts.models import AskedBy, ConversationStatus, Relationship
from mentoring.services import requests as request_services
from mentoring.services.availability import open_slots
from networking_app.notifications import services as notify
from networking_app.notifications.models import Reminder, ReminderState
from tests.contacts.factories import (
    ContactFactory,
    ConversationFactory,
    InteractionFactory,
    PreparedQuestionFactory,
)
from tests.factories import VolunteerFactory
from tests.mentoring.helpers import bookable_mentor
from tests.querycount import assert_queries_stable, capture_queries

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _scheduled(student, *, hours: float = 5, **fields):
    referrer = ContactFactory(owner=student, name="Prof. Ruiz")
    contact = ContactFactory(
        owner=student,
        name="Ada Lee",
        title="Head of Research",
        relationship=Relationship.ALUMNI,
        how_met="Alumni panel, October",
        referred_by=referrer,
        may_use_referrer_name=True,
    )
    conversation = ConversationFactory(
        owner=student, contact=contact, status=ConversationStatus.PLANNED, goal="How to start"
    )
    services.conversation_schedule(
        conversation=conversation,
        scheduled_at=NOW + dt.timedelta(hours=hours),
        mode="video",
        location="https://meet.example.com/ada",
        **fields,
    )
    conversation.refresh_from_db()
    return conversation


def test_the_brief_holds_who_how_history_questions_and_place(student):
    conversation = _scheduled(student)
    contact = conversation.contact
    InteractionFactory(owner=student, contact=contact, kind="email", note="Sent my intro")
    earlier = ConversationFactory(
        owner=student,
        contact=contact,
        status=ConversationStatus.THANKED,
        held_at=NOW - dt.timedelta(days=60),
        takeaways="Apply for the summer programme",
        notes="She moved from lab work to policy",
    )
    PreparedQuestionFactory(conversation=conversation, text="What surprised you most?")

    brief = conversation_brief(conversation)

    assert brief.who.startswith("Ada Lee, Head of Research")
    assert "Met: Alumni panel, October" in brief.how_you_know
    assert "Referred by Prof. Ruiz (you may use their name)" in brief.how_you_know
    assert any(i.note == "Sent my intro" for i in brief.interactions)
    assert brief.earlier[0].takeaways == earlier.takeaways
    assert brief.questions == ["What surprised you most?"]
    assert brief.goal == "How to start"
    assert brief.place == "https://meet.example.com/ada"
    assert "Be on time." in brief.things_to_remember


def test_the_brief_page_is_the_students_alone(student, student_client, other_student_client):
    conversation = _scheduled(student)
    url = reverse("contacts:conversation_brief", kwargs={"conversation_id": conversation.pk})
    page = student_client.get(url)
    assert page.status_code == 200
    assert "Brief: Ada Lee" in page.text
    assert "Things to remember" in page.text
    assert other_student_client.get(url).status_code == 404


def test_the_email_goes_an_hour_before_and_follows_a_reschedule(student):
    conversation = _scheduled(student, hours=5)
    reminder = Reminder.objects.get(user=student, kind="brief")
    assert reminder.due_at == NOW + dt.timedelta(hours=4)

    services.conversation_reschedule(
        conversation=conversation,
        scheduled_at=NOW + dt.timedelta(hours=8),
        asked_by=AskedBy.THEM,
        reason="Moved",
    )
    reminder.refresh_from_db()
    assert reminder.due_at == NOW + dt.timedelta(hours=7)

    with time_machine.travel(NOW + dt.timedelta(hours=7, minutes=1), tick=False):
        notify.reminders_dispatch()
    [email] = [m for m in mail.outbox if "In an hour" in m.subject]
    assert "Ada Lee, Head of Research" in email.body
    assert "What you want to learn: How to start" in email.body
    assert "/brief/" in email.body


def test_a_cancelled_conversation_sends_no_brief(student):
    conversation = _scheduled(student)
    services.conversation_cancel(conversation=conversation, asked_by=AskedBy.THEM, reason="Ill")
    [brief] = Reminder.objects.filter(user=student, kind="brief")
    assert brief.state == ReminderState.CANCELLED


def test_today_shows_a_brief_for_what_starts_within_three_hours(student, student_client):
    soon = _scheduled(student, hours=2)
    later = _scheduled(student, hours=6)
    assert briefs_starting_soon(user=student) == [soon]
    html = student_client.get(reverse("home")).text
    assert 'id="starting-soon"' in html
    assert reverse("contacts:conversation_brief", kwargs={"conversation_id": soon.pk}) in html
    assert reverse("contacts:conversation_brief", kwargs={"conversation_id": later.pk}) not in html


def test_today_shows_a_brief_as_the_clock_reaches_it_while_its_lists_are_cached(
    student, student_client, settings
):
    settings.PRIVATE_PAGE_CACHE_SECONDS = 300
    soon = _scheduled(student, hours=3 + 2 / 60)
    brief = reverse("contacts:conversation_brief", kwargs={"conversation_id": soon.pk})
    with capture_queries() as before:
        assert brief not in student_client.get(reverse("home")).text
    later = time_machine.travel(NOW + dt.timedelta(minutes=3), tick=False)
    with later, capture_queries() as after:
        html = student_client.get(reverse("home")).text
    assert brief in html
    # The lists came from the cache (no conversation list read), the brief was asked for.
    assert not any("contacts_capturedmessage" in sql for sql in after)
    assert len(after) < len(before)


def test_today_asks_for_no_brief_when_nothing_scheduled_is_near(student, student_client, settings):
    settings.PRIVATE_PAGE_CACHE_SECONDS = 300
    _scheduled(student, hours=30)
    student_client.get(reverse("home"))
    with capture_queries() as queries:
        html = student_client.get(reverse("home")).text
    assert 'id="starting-soon"' not in html
    assert not any('"contacts_conversation"."scheduled_at" >=' in sql for sql in queries)


@pytest.mark.parametrize(
    ("times", "seen_until", "expected"),
    [
        ((), None, True),  # not looked up: ask
        ((), NOW + dt.timedelta(hours=2), True),  # looked up not far enough: ask
        ((), NOW + dt.timedelta(days=7), False),
        ((NOW + dt.timedelta(hours=3),), NOW + dt.timedelta(days=7), True),
        ((NOW + dt.timedelta(hours=3, seconds=1),), NOW + dt.timedelta(days=7), False),
        ((NOW - dt.timedelta(minutes=30),), NOW + dt.timedelta(days=7), True),
        ((NOW - dt.timedelta(minutes=31),), NOW + dt.timedelta(days=7), False),
    ],
)
def test_may_start_soon_follows_the_briefs_window(times, seen_until, expected):
    assert may_start_soon(now=NOW, scheduled_times=times, seen_until=seen_until) is expected


def test_the_brief_page_costs_the_same_queries_with_a_long_history(student, student_client):
    conversation = _scheduled(student)
    url = reverse("contacts:conversation_brief", kwargs={"conversation_id": conversation.pk})

    def grow(n):
        for _ in range(n):
            InteractionFactory(owner=student, contact=conversation.contact)
            ConversationFactory(
                owner=student,
                contact=conversation.contact,
                status=ConversationStatus.HELD,
                held_at=NOW - dt.timedelta(days=3),
                takeaways="More",
            )

    assert_queries_stable(lambda: student_client.get(url), grow)


def test_a_session_brief_reaches_both_in_their_own_zones(student):
    student.profile.time_zone = "America/New_York"
    student.profile.save()
    profile = student.student_profile
    profile.major = "History"
    profile.save()
    volunteer = VolunteerFactory(profile__time_zone="Asia/Tokyo")
    mentor = bookable_mentor(volunteer)
    slot = open_slots(mentor)[0]
    flash_request = request_services.flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message="Moving to museums"
    )
    session = request_services.flash_request_accept(flash_request=flash_request, by=volunteer)
    for user in (student, volunteer):
        reminder = Reminder.objects.get(user=user, kind="session_brief")
        assert reminder.due_at == session.start_at - dt.timedelta(hours=1)
    mail.outbox.clear()
    with time_machine.travel(session.start_at - dt.timedelta(minutes=59), tick=False):
        notify.reminders_dispatch()
    [for_student] = [
        m for m in mail.outbox if m.to == [student.email] and "In an hour" in m.subject
    ]
    [for_volunteer] = [
        m for m in mail.outbox if m.to == [volunteer.email] and "In an hour" in m.subject
    ]
    assert "What you asked to learn: Moving to museums" in for_student.body
    assert "class of 2027, History" in for_volunteer.body
    assert "What they would like to learn: Moving to museums" in for_volunteer.body
    assert "EST" in for_student.body  # New York's zone name
    assert "JST" in for_volunteer.body
