"""Calendar feeds: what the personal subscription carries: the events a person is going to
(with the video link and an alarm), their mentoring sessions and scheduled conversations under
the UID of the emailed invitation, every change raising the sequence, for each role.

Every calendar is read back with vobject (tests/events/helpers.py), a second iCalendar parser
independent of the icalendar library that writes them, so a file only one library understands
fails here.
"""

from __future__ import annotations

import datetime as dt

import pytest
import vobject
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contacts.models import ConversationStatus, MeetingMode
from contacts.services.pipeline import (
    conversation_cancel,
    conversation_reschedule,
    conversation_schedule,
)
from events.models import CalendarFeed, EventStatus, RSVPStatus
from events.services import event_cancel
from mentoring.services.sessions import session_cancel
from tests.contacts.factories import ContactFactory, ConversationFactory
from tests.events.factories import EventFactory, RSVPFactory
from tests.events.helpers import VIDEO, alarm_triggers, get_ics, one, parse, value
from tests.mentoring.helpers import request_objects

pytestmark = pytest.mark.django_db

# --- The personal feed ---------------------------------------------------------------------


def test_personal_feed_carries_going_events_with_video_link_and_day_before_alarm(
    client, student, other_student, feed_url
):
    going = EventFactory(title="Networking night", video_url=VIDEO, place="")
    waitlisted = EventFactory(title="Full panel")
    cancelled_rsvp = EventFactory(title="Changed my mind")
    draft = EventFactory(title="Draft", status=EventStatus.DRAFT)
    RSVPFactory(event=going, user=student, status=RSVPStatus.GOING)
    RSVPFactory(event=waitlisted, user=student, status=RSVPStatus.WAITLISTED)
    RSVPFactory(event=cancelled_rsvp, user=student, status=RSVPStatus.CANCELLED)
    RSVPFactory(event=draft, user=student, status=RSVPStatus.GOING)
    # Another student's private event and its link never reach Alice's feed.
    theirs = EventFactory(
        title="Bob's private workshop",
        is_public=False,
        video_url="https://video.example.com/bob-only",
    )
    RSVPFactory(event=theirs, user=other_student, status=RSVPStatus.GOING)

    response = get_ics(client, feed_url)
    assert response.status_code == 200
    entries = parse(response.content)
    assert set(entries) == {going.ics_uid}
    vevent = entries[going.ics_uid][0]
    assert VIDEO in value(vevent, "description")
    assert value(vevent, "location") == VIDEO
    assert alarm_triggers(vevent) == [dt.timedelta(days=-1)]
    assert b"bob-only" not in response.content
    assert b"Bob's private" not in response.content
    assert "private" in response["Cache-Control"]


def test_personal_feed_shows_a_cancelled_event_with_a_higher_sequence(
    client, student, staff, feed_url
):
    event = EventFactory(video_url=VIDEO)
    RSVPFactory(event=event, user=student, status=RSVPStatus.GOING)
    before = one(client.get(feed_url).content, event.ics_uid)
    event_cancel(event=event, by=staff, reason="Venue closed.")
    after = one(client.get(feed_url).content, event.ics_uid)
    assert value(after, "status") == "CANCELLED"
    assert int(value(after, "sequence")) > int(value(before, "sequence"))
    assert alarm_triggers(after) == []


def test_personal_feed_sessions_keep_the_uid_of_the_emailed_invitation(
    client, student, volunteer, feed_url
):
    mail.outbox.clear()
    session_id = request_objects(student, volunteer)["session_id"]
    from mentoring.models import Session

    session = Session.objects.get(pk=session_id)
    invitations = [
        attachment
        for message in mail.outbox
        for attachment in getattr(message, "attachments", [])
        if attachment[2].startswith("text/calendar")
    ]
    invited_uids = {
        vevent.uid.value
        for _name, content, _type in invitations
        for cal in vobject.readComponents(content if isinstance(content, str) else content.decode())
        for vevent in cal.contents.get("vevent", [])
    }
    # The emailed invitation and the feed name the same calendar event.
    assert invitations
    assert invited_uids == {session.ics_uid}

    body = client.get(feed_url).content
    vevent = one(body, session.ics_uid)
    assert int(value(vevent, "sequence")) == session.ics_sequence
    assert alarm_triggers(vevent) == [dt.timedelta(hours=-1)]
    assert "Carol Volunteer" in value(vevent, "summary")

    # The volunteer's own feed carries the same session, named after the student.
    volunteer_feed = CalendarFeed.objects.create(user=volunteer)
    theirs = one(
        client.get(
            reverse("events:feed_personal", kwargs={"feed_token": volunteer_feed.token})
        ).content,
        session.ics_uid,
    )
    assert "Alice Student" in value(theirs, "summary")

    session_cancel(session=session, by=student, reason="Exam moved.")
    session.refresh_from_db()
    cancelled = one(client.get(feed_url).content, session.ics_uid)
    assert value(cancelled, "status") == "CANCELLED"
    assert int(value(cancelled, "sequence")) == session.ics_sequence
    assert int(value(cancelled, "sequence")) > int(value(vevent, "sequence"))


def test_personal_feed_conversations_rise_in_sequence_through_every_change(
    client, student, other_student, feed_url
):
    contact = ContactFactory(owner=student, name="Priya Raman")
    conversation = ConversationFactory(
        owner=student, contact=contact, status=ConversationStatus.REQUESTED
    )
    unscheduled = ConversationFactory(owner=student, status=ConversationStatus.PLANNED)
    bobs = ConversationFactory(owner=other_student)
    when = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    conversation_schedule(
        conversation=conversation,
        scheduled_at=when,
        mode=MeetingMode.VIDEO,
        location="https://meet.example.com/priya",
    )
    uid = f"conversation-{conversation.pk}@rapport"
    entries = parse(client.get(feed_url).content)
    assert set(entries) == {uid}
    assert f"conversation-{unscheduled.pk}@rapport" not in entries
    assert f"conversation-{bobs.pk}@rapport" not in entries
    scheduled = entries[uid][0]
    assert "Priya Raman" in value(scheduled, "summary")
    assert scheduled.dtstart.value == when
    assert scheduled.dtend.value == when + dt.timedelta(minutes=30)
    assert value(scheduled, "location") == "https://meet.example.com/priya"
    assert alarm_triggers(scheduled) == [dt.timedelta(hours=-1)]

    sequences = [int(value(scheduled, "sequence"))]
    conversation_reschedule(
        conversation=conversation, scheduled_at=when + dt.timedelta(days=1), asked_by="them"
    )
    moved = one(client.get(feed_url).content, uid)
    assert moved.dtstart.value == when + dt.timedelta(days=1)
    sequences.append(int(value(moved, "sequence")))

    conversation_cancel(conversation=conversation, asked_by="them", reason="Travel")
    cancelled = one(client.get(feed_url).content, uid)
    assert value(cancelled, "status") == "CANCELLED"
    assert cancelled.dtstart.value == when + dt.timedelta(days=1)  # the date that is off
    assert alarm_triggers(cancelled) == []
    sequences.append(int(value(cancelled, "sequence")))

    conversation.refresh_from_db()
    conversation_schedule(
        conversation=conversation,
        scheduled_at=when + dt.timedelta(days=5),
        mode=MeetingMode.PHONE,
    )
    again = one(client.get(feed_url).content, uid)
    assert value(again, "status") == "CONFIRMED"
    sequences.append(int(value(again, "sequence")))
    assert sequences == sorted(set(sequences)), sequences


def test_volunteer_feed_has_no_conversations_and_staff_feed_works(client, volunteer, staff):
    for user in (volunteer, staff):
        feed = CalendarFeed.objects.create(user=user)
        response = client.get(reverse("events:feed_personal", kwargs={"feed_token": feed.token}))
        assert response.status_code == 200
        assert parse(response.content) == {}
