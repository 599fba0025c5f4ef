"""Calendar invitations, parsed back with icalendar: one UID for the session's whole life, a
SEQUENCE that only goes up, times in UTC, and a METHOD:CANCEL when it is called off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from mentoring import ics
from mentoring.models import Session
from mentoring.services import requests as request_services
from mentoring.services import sessions as services
from mentoring.services.availability import open_slots
from networking_app.accounts.models import Profile
from tests.mentoring.helpers import bookable_mentor

pytestmark = pytest.mark.django_db

LINK = "https://meet.example.com/carol"


@pytest.fixture
def mentor(volunteer):
    Profile.objects.filter(user=volunteer).update(time_zone="Europe/Paris")
    volunteer.refresh_from_db()
    return bookable_mentor(volunteer)


@pytest.fixture
def slots(mentor):
    return open_slots(mentor, limit=10)


@pytest.fixture
def session(student, volunteer, mentor, slots):
    flash_request = request_services.flash_request_create(
        student=student, mentor=mentor, start_at=slots[0].start_at, message="Hello"
    )
    return request_services.flash_request_accept(
        flash_request=flash_request, by=volunteer, mode="video", location=LINK
    )


def _event(raw: bytes | str):
    calendar = Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def _attachment(to: str):
    """The calendar file of the last email sent to `to`."""
    email = [m for m in mail.outbox if m.to == [to]][-1]
    [(filename, content, mimetype)] = email.attachments
    assert filename.endswith(".ics")
    return _event(content), mimetype


def test_the_invitation_is_a_request_in_utc_with_both_people(session, student, volunteer):
    (calendar, event), mimetype = _attachment(student.email)

    assert mimetype == "text/calendar; method=REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == session.ics_uid
    assert int(event["SEQUENCE"]) == 0
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.utcoffset() == dt.timedelta(0)
    assert (start, end) == (session.start_at, session.end_at)
    assert event["DTSTART"].to_ical().endswith(b"Z")
    assert event["DTEND"].to_ical().endswith(b"Z")
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == LINK
    assert str(event["URL"]) == LINK
    assert str(event["ORGANIZER"]).startswith("mailto:")
    attendees = sorted(str(a) for a in event["ATTENDEE"])
    assert attendees == sorted([f"mailto:{student.email}", f"mailto:{volunteer.email}"])
    assert reverse("mentoring:session", kwargs={"session_id": session.pk}) in str(
        event["DESCRIPTION"]
    )


def test_each_person_sees_the_other_persons_name(session, student, volunteer):
    (_, for_student), _ = _attachment(student.email)
    (_, for_volunteer), _ = _attachment(volunteer.email)
    assert str(for_student["SUMMARY"]) == "Flash Mentoring with Carol Volunteer"
    assert str(for_volunteer["SUMMARY"]) == "Flash Mentoring with Alice Student"
    assert str(for_student["UID"]) == str(for_volunteer["UID"])


def test_a_place_that_is_not_a_link_has_no_url(session, volunteer):
    services.session_update_place(
        session=session, by=volunteer, mode="in_person", location="Café Lumière"
    )
    (_, event), _ = _attachment(volunteer.email)
    assert str(event["LOCATION"]) == "Café Lumière"
    assert "URL" not in event
    assert int(event["SEQUENCE"]) == 1


def test_the_uid_stays_and_the_sequence_rises_across_changes(session, student, slots):
    uid = session.ics_uid
    moved = services.session_reschedule(session=session, by=student, start_at=slots[4].start_at)
    (calendar, event), _ = _attachment(student.email)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == slots[4].start_at

    services.session_reschedule(session=moved, by=student, start_at=slots[7].start_at)
    (_, event), _ = _attachment(student.email)
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTART") == slots[7].start_at


def test_cancelling_sends_method_cancel_with_status_cancelled_and_a_higher_sequence(
    session, student, volunteer
):
    services.session_cancel(session=session, by=student, reason="Exam")
    for person in (student, volunteer):
        (calendar, event), mimetype = _attachment(person.email)
        assert mimetype == "text/calendar; method=CANCEL"
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == session.ics_uid
        assert int(event["SEQUENCE"]) == 1


def test_the_download_is_the_current_state(session, student, student_client):
    url = reverse("mentoring:session_ics", kwargs={"session_id": session.pk})
    calendar, event = _event(student_client.get(url).content)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["SUMMARY"]) == "Flash Mentoring with Carol Volunteer"

    services.session_cancel(session=session, by=student, reason="Exam")
    response = student_client.get(url)
    assert "method=CANCEL" in response["Content-Type"]
    calendar, event = _event(response.content)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_times_are_utc_whatever_the_zones(session):
    # The volunteer is in Paris, the student in the default zone: the file carries UTC only.
    raw = ics.session_ics(Session.objects.get(pk=session.pk), for_user=session.student)
    assert b"TZID" not in raw
    assert b"VTIMEZONE" not in raw
