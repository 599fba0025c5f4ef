"""Calendar feeds: one event's .ics (the same instant in every time zone, no video link,
updates and cancellation replacing the same entry, who may download it) and the public feed.

Every calendar is read back with vobject (tests/events/helpers.py), a second iCalendar parser
independent of the icalendar library that writes them, so a file only one library understands
fails here.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Audience, EventStatus, RSVPStatus
from events.services import event_cancel, event_update
from tests.events.factories import EventFactory, RSVPFactory
from tests.events.helpers import VIDEO, get_ics, one, parse, value
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

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
