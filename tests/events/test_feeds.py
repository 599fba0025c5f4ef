"""Calendar feeds: one event's .ics, the public feed and the personal subscription.

Every calendar is read back with vobject, a second iCalendar parser independent of the
icalendar library that writes them, so a file only one library understands fails here.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

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
from events.models import Audience, CalendarFeed, EventStatus, RSVPStatus
from events.services import event_cancel, event_update
from mentoring.services.sessions import session_cancel
from tests.contacts.factories import ContactFactory, ConversationFactory
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.helpers import request_objects

VIDEO = "https://video.example.com/secret-room-4711"
pytestmark = pytest.mark.django_db


def parse(body: bytes) -> dict[str, list]:
    """Every VEVENT of a calendar, parsed by vobject, by UID (a list: a UID must appear once)."""
    calendars = list(vobject.readComponents(body.decode("utf-8")))
    assert len(calendars) == 1
    by_uid: dict[str, list] = {}
    for vevent in calendars[0].contents.get("vevent", []):
        by_uid.setdefault(vevent.uid.value, []).append(vevent)
    return by_uid


def one(body: bytes, uid: str):
    entries = parse(body).get(uid, [])
    assert len(entries) == 1, f"{uid}: {len(entries)} entries"
    return entries[0]


def value(vevent, name: str, default=None):
    prop = getattr(vevent, name, None) if name in vevent.contents else None
    return prop.value if prop is not None else default


def alarm_triggers(vevent) -> list[dt.timedelta]:
    return [alarm.trigger.value for alarm in vevent.contents.get("valarm", [])]


def get_ics(client, url: str, **headers):
    response = client.get(url, **headers)
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/calendar")
    return response


@pytest.fixture
def feed_url(student_client, student):
    student_client.post(reverse("events:feed_create"))
    feed = CalendarFeed.objects.get(user=student)
    return reverse("events:feed_personal", kwargs={"feed_token": feed.token})


# --- One event -----------------------------------------------------------------------------


def test_event_ics_has_uid_sequence_zone_place_and_page_but_no_video_link(client):
    zone = zoneinfo.ZoneInfo("America/New_York")
    start = dt.datetime(2031, 3, 20, 18, 30, tzinfo=zone)
    event = EventFactory(
        title="Alumni panel: climate careers",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="America/New_York",
        place="Hall B",
        video_url=VIDEO,
    )
    response = get_ics(client, reverse("events:event_ics", kwargs={"ics_event_id": event.pk}))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    vevent = one(body, event.ics_uid)
    assert value(vevent, "sequence") == "0"
    assert value(vevent, "summary") == "Alumni panel: climate careers"
    assert value(vevent, "location") == "Hall B"
    assert value(vevent, "url") == f"http://testserver/events/{event.pk}/"
    assert value(vevent, "status") == "CONFIRMED"
    assert vevent.dtstart.value == start
    assert vevent.dtend.value == start + dt.timedelta(hours=2)
    assert b"DTSTART;TZID=America/New_York:20310320T183000" in body
    assert b"BEGIN:VTIMEZONE" in body
    assert b"TZID:America/New_York" in body
    assert b"secret-room" not in body


ZONES = [
    "America/New_York",
    "America/St_Johns",
    "Europe/Paris",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Tehran",
    "America/Sao_Paulo",
    "Asia/Jerusalem",
    "America/Santiago",
    "Africa/Casablanca",
    "Not/AZone",
]


@pytest.mark.parametrize("name", ZONES)
def test_every_start_reads_back_as_the_same_instant_in_vobject(name):
    """The VTIMEZONEs are our own (yearly RRULEs): vobject, reading them with dateutil, must
    land on the same instant for dates all through three years, across every change of
    offset. Zones without such a rule are written in UTC, which is exact too."""
    from events import ics

    events = []
    for day in range(0, 3 * 365, 3):
        start = (timezone.now() + dt.timedelta(days=day, hours=day % 24)).replace(
            minute=30, second=0, microsecond=0
        )
        events.append(
            EventFactory.build(
                pk=day + 1,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                time_zone=name,
                updated_at=start,
            )
        )
    body = ics.public_calendar(events)
    parsed = parse(body)
    for event in events:
        vevent = parsed[event.ics_uid][0]
        # Through UTC: Python calls any datetime in a repeated hour unequal to one in another
        # zone (PEP 495); astimezone() reads it as RFC 5545 does, the first occurrence.
        assert vevent.dtstart.value.astimezone(dt.UTC) == event.starts_at, event.starts_at
        assert vevent.dtend.value.astimezone(dt.UTC) == event.ends_at, event.ends_at
    if name in ("Asia/Jerusalem", "America/Santiago", "Africa/Casablanca", "Not/AZone"):
        assert b"BEGIN:VTIMEZONE" not in body  # no yearly rule: written in UTC
    else:
        assert f"DTSTART;TZID={name}:".encode() in body


def test_a_start_in_the_repeated_hour_is_written_in_utc():
    """Paris, 31 Oct 2027: 02:30 happens twice. The first time is written in Paris time; the
    second cannot be (iCalendar would read the first), so it is written in UTC."""
    from events import ics

    first = dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC)
    second = dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.UTC)
    events = [
        EventFactory.build(
            pk=pk,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            time_zone="Europe/Paris",
            updated_at=start,
        )
        for pk, start in ((1, first), (2, second))
    ]
    body = ics.public_calendar(events)
    assert b"DTSTART;TZID=Europe/Paris:20271031T023000" in body
    assert b"DTSTART:20271031T013000Z" in body
    parsed = parse(body)
    for event in events:
        start = parsed[event.ics_uid][0].dtstart.value.astimezone(dt.UTC)
        assert start == event.starts_at


def test_video_link_stays_out_of_the_download_even_for_someone_going(student_client, student):
    event = EventFactory(video_url=VIDEO, place="")
    RSVPFactory(event=event, user=student, status=RSVPStatus.GOING)
    response = student_client.get(reverse("events:event_ics", kwargs={"ics_event_id": event.pk}))
    assert response.status_code == 200
    assert b"secret-room" not in response.content
    assert "location" not in one(response.content, event.ics_uid).contents


def test_update_then_cancellation_replace_the_same_entry(client, staff):
    event = EventFactory(title="Info session", place="Room 1")
    url = reverse("events:event_ics", kwargs={"ics_event_id": event.pk})
    first = one(client.get(url).content, event.ics_uid)

    event_update(event=event, by=staff, place="Room 2")
    updated = one(client.get(url).content, event.ics_uid)
    assert value(updated, "location") == "Room 2"
    assert int(value(updated, "sequence")) > int(value(first, "sequence"))

    event_cancel(event=event, by=staff, reason="The speaker is ill.")
    cancelled = one(client.get(url).content, event.ics_uid)
    assert value(cancelled, "status") == "CANCELLED"
    assert int(value(cancelled, "sequence")) > int(value(updated, "sequence"))
    assert "The speaker is ill." in value(cancelled, "description")


def test_event_ics_follows_who_may_see_the_event(
    client, student_client, volunteer_client, staff_client
):
    private = EventFactory(is_public=False, audience=Audience.STUDENTS)
    url = reverse("events:event_ics", kwargs={"ics_event_id": private.pk})
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert reverse("account_login") in anonymous["Location"]
    assert student_client.get(url).status_code == 200
    assert volunteer_client.get(url).status_code == 404
    assert staff_client.get(url).status_code == 200
    missing = reverse("events:event_ics", kwargs={"ics_event_id": private.pk + 1000})
    assert client.get(missing).status_code == 302  # the same answer as an existing id
    assert student_client.get(missing).status_code == 404


# --- The public feed -----------------------------------------------------------------------


def test_public_feed_lists_public_events_only_without_links_or_attendees(client, staff):
    public = EventFactory(title="Career fair", video_url=VIDEO)
    private = EventFactory(title="Students only", is_public=False)
    draft = EventFactory(title="Draft night", status=EventStatus.DRAFT)
    old = EventFactory(
        title="Long ago",
        starts_at=timezone.now() - dt.timedelta(days=400),
        ends_at=timezone.now() - dt.timedelta(days=400) + dt.timedelta(hours=1),
    )
    going = StudentFactory(profile__display_name="Zed Attendee")
    RSVPFactory(event=public, user=going)
    response = get_ics(client, reverse("events:feed_public"))
    assert response.status_code == 200
    entries = parse(response.content)
    assert set(entries) == {public.ics_uid}
    assert private.ics_uid not in entries
    assert draft.ics_uid not in entries
    assert old.ics_uid not in entries
    body = response.content
    assert b"secret-room" not in body
    assert b"Zed Attendee" not in body
    assert going.email.encode() not in body
    assert b"ATTENDEE" not in body
    assert b"ORGANIZER" not in body
    assert "public" in response["Cache-Control"]

    event_cancel(event=public, by=staff, reason="Weather.")
    cancelled = one(client.get(reverse("events:feed_public")).content, public.ics_uid)
    assert value(cancelled, "status") == "CANCELLED"
    assert int(value(cancelled, "sequence")) == 1


def test_public_feed_answers_304_while_nothing_changed(client, staff):
    event = EventFactory()
    url = reverse("events:feed_public")
    first = client.get(url)
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    event_update(event=event, by=staff, place="Another room")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


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


# --- The subscription: create, rotate, revoke ----------------------------------------------


def test_rotating_replaces_the_address_and_the_old_one_answers_404(
    client, student_client, student, feed_url
):
    assert client.get(feed_url).status_code == 200
    response = student_client.post(reverse("events:feed_rotate"))
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(user=student)
    assert feed.rotated_at is not None
    new_url = reverse("events:feed_personal", kwargs={"feed_token": feed.token})
    assert new_url != feed_url
    assert client.get(feed_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_revoking_deletes_the_address(client, student_client, student, feed_url):
    student_client.post(reverse("events:feed_revoke"))
    assert not CalendarFeed.objects.filter(user=student).exists()
    assert client.get(feed_url).status_code == 404
    page = student_client.get(reverse("events:feed_settings"))
    assert b"Create my calendar address" in page.content


def test_creating_twice_keeps_one_address_and_others_cannot_touch_it(
    client, student_client, other_student_client, student, feed_url
):
    student_client.post(reverse("events:feed_create"))
    assert CalendarFeed.objects.filter(user=student).count() == 1
    assert (
        reverse(
            "events:feed_personal",
            kwargs={"feed_token": CalendarFeed.objects.get(user=student).token},
        )
        == feed_url
    )
    # Bob's rotate and revoke act on Bob's address only.
    other_student_client.post(reverse("events:feed_rotate"))
    other_student_client.post(reverse("events:feed_revoke"))
    assert client.get(feed_url).status_code == 200


def test_unknown_token_and_inactive_user_get_404(client, student, feed_url):
    bogus = reverse("events:feed_personal", kwargs={"feed_token": "x" * 32})
    assert client.get(bogus).status_code == 404
    student.is_active = False
    student.save(update_fields=["is_active"])
    assert client.get(feed_url).status_code == 404


def test_feed_actions_are_post_only_and_need_a_login(client, student_client):
    for name in ("feed_create", "feed_rotate", "feed_revoke"):
        url = reverse(f"events:{name}")
        assert student_client.get(url).status_code == 405
        response = client.post(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert not CalendarFeed.objects.exists()


def test_settings_page_shows_the_address_and_instructions(student_client, student, feed_url):
    page = student_client.get(reverse("events:feed_settings"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"http://testserver{feed_url}" in html
    assert f"webcal://testserver{feed_url}" in html
    for app in ("Google Calendar", "Apple Calendar", "Outlook"):
        assert app in html
    assert "http://testserver/events/calendar/public.ics" in html


def test_fetches_are_recorded_at_most_every_quarter_hour(client, student, feed_url):
    client.get(feed_url)
    feed = CalendarFeed.objects.get(user=student)
    first = feed.last_fetched_at
    assert first is not None
    client.get(feed_url)
    feed.refresh_from_db()
    assert feed.last_fetched_at == first
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=first - dt.timedelta(minutes=20))
    client.get(feed_url)
    feed.refresh_from_db()
    assert feed.last_fetched_at > first - dt.timedelta(minutes=20)


def test_personal_feed_answers_304_while_nothing_changed(client, student, staff, feed_url):
    event = EventFactory()
    RSVPFactory(event=event, user=student)
    etag = client.get(feed_url)["ETag"]
    assert client.get(feed_url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    event_update(event=event, by=staff, title="Renamed night")
    assert client.get(feed_url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_an_unchanged_feed_is_rendered_once_and_any_change_shows(
    client, student, volunteer, feed_url, monkeypatch
):
    from events import ics

    session_id = request_objects(student, volunteer)["session_id"]
    renders = []
    original = ics.personal_calendar
    monkeypatch.setattr(ics, "personal_calendar", lambda **kw: renders.append(1) or original(**kw))
    first = client.get(feed_url).content
    assert client.get(feed_url).content == first
    assert len(renders) == 1

    # A change in a related row (the volunteer's name) is a new cache key, not a stale feed.
    volunteer.profile.display_name = "Carol Renamed"
    volunteer.profile.save()
    from mentoring.models import Session

    uid = Session.objects.get(pk=session_id).ics_uid
    assert "Carol Renamed" in value(one(client.get(feed_url).content, uid), "summary")
    assert len(renders) == 2


def test_calendar_apps_may_ask_with_head(client, feed_url):
    assert client.head(feed_url).status_code == 200
    assert client.head(reverse("events:feed_public")).status_code == 200
    assert client.post(feed_url).status_code == 405


def test_a_host_or_speaker_gets_the_event_with_its_link_in_their_feed(client, volunteer):
    from events.models import EventHost, HostRole

    event = EventFactory(title="Alumni panel", video_url=VIDEO)
    other = EventFactory(title="Someone else's panel", video_url="https://video.example.com/b")
    EventHost.objects.create(event=event, user=volunteer, role=HostRole.SPEAKER)
    EventHost.objects.create(event=other, user=VolunteerFactory(), role=HostRole.HOST)
    RSVPFactory(event=event, user=volunteer, status=RSVPStatus.GOING)  # listed once only
    feed = CalendarFeed.objects.create(user=volunteer)
    body = client.get(reverse("events:feed_personal", kwargs={"feed_token": feed.token})).content
    entries = parse(body)
    assert set(entries) == {event.ics_uid}
    assert VIDEO in value(entries[event.ics_uid][0], "description")
    assert b"video.example.com/b" not in body
