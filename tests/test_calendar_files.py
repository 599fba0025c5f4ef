"""The one calendar-file writer (networking_app/core/calendar_files.py), read back with icalendar.

What each app puts in its files is tested with the app (tests/events/test_feeds_*.py,
tests/mentoring/test_ics.py, tests/contacts/test_export_data.py, tests/accounts/test_deletion.py).
"""

from __future__ import annotations

import datetime as dt

import time_machine
from icalendar import Calendar

from networking_app.core.calendar_files import (
    Alarm,
    Attendee,
    CalendarItem,
    Method,
    Person,
    Status,
    calendar_file,
)

START = dt.datetime(2027, 3, 20, 17, 30, 15, 250000, tzinfo=dt.UTC)


def _item(**values) -> CalendarItem:
    return CalendarItem(
        uid="thing-1@rapport",
        start=START,
        end=START + dt.timedelta(hours=1),
        summary="Coffee",
        stamp=START - dt.timedelta(days=1),
        **values,
    )


def _read(raw: bytes):
    calendar = Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_bare_item_is_written_in_utc_with_only_what_it_has():
    raw = calendar_file([_item()], prodid="-//Rapport//Test//EN")
    calendar, event = _read(raw)
    assert str(calendar["PRODID"]) == "-//Rapport//Test//EN"
    assert str(calendar["VERSION"]) == "2.0"
    for absent in ("METHOD", "X-WR-CALNAME", "X-WR-CALDESC", "REFRESH-INTERVAL"):
        assert absent not in calendar
    for absent in ("SEQUENCE", "LAST-MODIFIED", "DESCRIPTION", "LOCATION", "URL", "ORGANIZER"):
        assert absent not in event
    assert b"DTSTART:20270320T173015Z" in raw
    assert b"DTSTAMP:20270319T173015Z" in raw
    assert b"VTIMEZONE" not in raw
    assert str(event["STATUS"]) == "CONFIRMED"
    assert not event.walk("VALARM")


def test_an_item_with_a_zone_is_written_in_it_with_its_vtimezone():
    with time_machine.travel(dt.datetime(2026, 12, 7, tzinfo=dt.UTC), tick=False):
        raw = calendar_file(
            [_item(time_zone="Europe/Paris"), _item(time_zone="Asia/Jerusalem")],
            prodid="-//Rapport//Test//EN",
        )
    assert b"DTSTART;TZID=Europe/Paris:20270320T183015" in raw
    assert raw.count(b"BEGIN:VTIMEZONE") == 1
    assert b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in raw
    # No yearly rule describes Israel's changes: the same instant, in UTC.
    assert b"DTSTART:20270320T173015Z" in raw


def test_an_invitation_carries_its_method_organizer_attendees_and_reminder():
    raw = calendar_file(
        [
            _item(
                sequence=3,
                status=Status.CANCELLED,
                organizer=Person(email="office@example.edu", name="Career Office"),
                attendees=(
                    Attendee(email="a@example.edu", name="Alice", accepted=True),
                    Attendee(email="b@example.edu", name="Bob"),
                ),
                alarm=Alarm(trigger=dt.timedelta(hours=-1), text="In one hour: Coffee"),
            )
        ],
        prodid="-//Rapport//Test//EN",
        method=Method.CANCEL,
    )
    calendar, event = _read(raw)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert int(event["SEQUENCE"]) == 3
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["ORGANIZER"]) == "mailto:office@example.edu"
    alice, bob = event["ATTENDEE"]
    assert (str(alice), str(alice.params["PARTSTAT"])) == ("mailto:a@example.edu", "ACCEPTED")
    assert str(bob.params["CN"]) == "Bob"
    assert "PARTSTAT" not in bob.params
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == dt.timedelta(hours=-1)


def test_a_feed_names_itself_and_says_how_often_to_refresh():
    raw = calendar_file(
        [],
        prodid="-//Rapport//Test//EN",
        method=Method.PUBLISH,
        name="Rapport: Alice",
        description="Private.",
        refresh=dt.timedelta(hours=1),
    )
    calendar = Calendar.from_ical(raw)
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"]) == "Rapport: Alice"
    assert str(calendar["X-WR-CALDESC"]) == "Private."
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in raw
    assert b"X-PUBLISHED-TTL:PT1H" in raw


def test_the_same_values_give_the_same_bytes():
    def item():
        return _item(description="x " * 100, categories=("Panel",), url="https://e.x/1")

    assert calendar_file([item()], prodid="p") == calendar_file([item()], prodid="p")
