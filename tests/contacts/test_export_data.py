""" "Download my data": a ZIP of JSON, CSV and ICS with everything of the person's own, and
nothing of anyone else's, at a query count that does not grow with the data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
import vobject
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from contacts import services
from contacts.models import (
    AskedBy,
    ChangeKind,
    ConversationChange,
    PreparedQuestion,
    Relationship,
)
from events.models import RSVP, Event, EventHost, HostRole, MetAtEvent, RSVPStatus
from mentoring.models import (
    AvailabilityWindow,
    Feedback,
    FlashRequest,
    MatchRound,
    Mentor,
    RoundStudent,
    RoundVolunteer,
)
from tests.contacts.factories import (
    ActionItemFactory,
    ConversationFactory,
    InteractionFactory,
    OrganizationFactory,
    OutcomeFactory,
    TargetOrganizationFactory,
)
from tests.contacts.helpers import fill_student_data, past_session
from tests.events.factories import EventFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

DOWNLOAD = reverse("account_data_download")
DATA_PAGE = reverse("account_data")

STUDENT_FILES = {
    "README.txt",
    "profile.json",
    "contacts.json",
    "contacts.csv",
    "contacts.vcf",
    "tags.json",
    "target_organizations.json",
    "conversations.json",
    "imports.json",
    "action_items.json",
    "interactions.json",
    "outcomes.json",
    "email_templates.json",
    "questions.json",
    "reminders.json",
    "notification_settings.json",
    "flash_requests.json",
    "mentoring_sessions.json",
    "match_rounds.json",
    "event_rsvps.json",
    "met_at_events.json",
    "calendar.ics",
}
VOLUNTEER_FILES = {
    "README.txt",
    "profile.json",
    "reminders.json",
    "notification_settings.json",
    "flash_requests.json",
    "mentoring_sessions.json",
    "match_rounds.json",
    "mentor_profile.json",
    "availability.json",
    "event_rsvps.json",
    "events_hosted.json",
    "calendar.ics",
}


def open_zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="rapport-my-data-')
    return zipfile.ZipFile(io.BytesIO(response.content))


def read_json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name).decode("utf-8"))


def test_a_students_zip_holds_everything_of_theirs(student_client, student, volunteer):
    made = fill_student_data(student, volunteer)
    archive = open_zip(student_client.get(DOWNLOAD))
    assert set(archive.namelist()) == STUDENT_FILES
    assert archive.testzip() is None

    profile = read_json(archive, "profile.json")
    assert profile["email"] == "alice@example.edu"
    assert profile["display_name"] == "Alice Student"
    assert profile["student"]["class_year"] == 2027

    contacts = {c["name"]: c for c in read_json(archive, "contacts.json")}
    assert set(contacts) == {"Ada Lovelace", "Grace Hopper"}
    assert contacts["Ada Lovelace"]["tags"] == ["math", "mentor"]
    assert contacts["Ada Lovelace"]["organization"] == "Analytical Engines"
    assert contacts["Ada Lovelace"]["notes"] == "Loves poetry"
    assert {t["name"]: t["contacts"] for t in read_json(archive, "tags.json")} == {
        "math": 2,
        "mentor": 1,
    }

    conversations = {c["id"]: c for c in read_json(archive, "conversations.json")}
    held = conversations[made["held"].pk]
    assert held["notes"] == "She started by translating a paper"
    assert held["prepared_questions"] == [
        {"question": "How did you start?", "answer": "By accident"}
    ]
    assert held["changes"][0]["reason"] == "Travel"
    assert held["contact"] == {"id": made["ada"].pk, "name": "Ada Lovelace"}

    assert read_json(archive, "action_items.json")[0]["text"] == "Send my resume to Ada"
    assert read_json(archive, "interactions.json")[0]["note"] == "Coffee near campus"
    assert read_json(archive, "target_organizations.json")[0]["notes"] == "Dream job"
    assert read_json(archive, "outcomes.json")[0]["helped_by"] == ["Ada Lovelace"]
    assert read_json(archive, "email_templates.json")[0]["subject"] == "Hello {first_name}"
    assert read_json(archive, "questions.json")[0]["text"] == "What surprised you most?"
    assert read_json(archive, "notification_settings.json")["digest_hour"] == 7
    texts = [r["text"] for r in read_json(archive, "reminders.json")]
    assert "Call Ada about the internship" in texts

    requests = read_json(archive, "flash_requests.json")
    assert len(requests) == 3  # the accepted one, the pending one, the held one
    assert {r["volunteer"]["email"] for r in requests} == {"carol@example.org"}
    sessions = read_json(archive, "mentoring_sessions.json")
    assert [s["status"] for s in sessions] == ["completed", "scheduled"]
    assert sessions[0]["my_feedback"][0]["comments"] == "Generous with her time"
    assert "VOLUNTEER-PRIVATE-NOTE" not in archive.read("mentoring_sessions.json").decode()

    rounds = read_json(archive, "match_rounds.json")
    assert rounds["student_signups"][0]["round"] == "Spring round"
    assert rounds["volunteer_signups"] == []
    rsvps = {r["event"]: r for r in read_json(archive, "event_rsvps.json")}
    assert set(rsvps) == {"Alumni networking night", "Career fair"}
    assert rsvps["Career fair"]["checked_in_at"] is not None
    met = read_json(archive, "met_at_events.json")
    assert met == [
        {
            "event": "Career fair",
            "contact": {"id": made["grace"].pk, "name": "Grace Hopper"},
            "created_at": met[0]["created_at"],
        }
    ]

    rows = list(csv.reader(io.StringIO(archive.read("contacts.csv").decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Ada Lovelace", "Grace Hopper"]
    assert rows[1][2] == "'+44 20 7946 0000"  # neutralised here too
    cards = list(vobject.readComponents(archive.read("contacts.vcf").decode()))
    assert [c.fn.value for c in cards] == ["Ada Lovelace", "Grace Hopper"]

    calendar = Calendar.from_ical(archive.read("calendar.ics"))
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert f"conversation-{made['upcoming'].pk}@rapport" in events
    assert f"conversation-{made['held'].pk}@rapport" in events
    assert made["session"].ics_uid in events
    assert made["held_session"].ics_uid in events
    assert "Grace Hopper" in str(events[f"conversation-{made['upcoming'].pk}@rapport"]["summary"])

    readme = archive.read("README.txt").decode()
    assert "alice@example.edu" in readme
    for name in STUDENT_FILES - {"README.txt"}:
        assert name in readme, f"README.txt does not explain {name}"


def test_the_zip_never_holds_another_students_data(
    student, other_student, volunteer, student_client, other_student_client
):
    fill_student_data(student, volunteer)
    services.contact_create(
        owner=other_student, name="Bob's Own Contact", relationship=Relationship.OTHER
    )
    archive = open_zip(other_student_client.get(DOWNLOAD))
    everything = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    assert "Bob's Own Contact" in everything
    assert "bob@example.edu" in everything
    for alices in ["alice@example.edu", "Ada Lovelace", "Loves poetry", "Grace Hopper"]:
        assert alices not in everything
    assert read_json(archive, "flash_requests.json") == []


def test_a_volunteers_zip_holds_their_mentoring(volunteer_client, student, volunteer):
    made = fill_student_data(student, volunteer)
    EventHost.objects.create(event=made["event"], user=volunteer, role=HostRole.SPEAKER)
    Event.objects.filter(pk=made["event"].pk).update(title="Alumni panel")
    AvailabilityWindow.objects.filter(mentor__user=volunteer).delete()
    AvailabilityWindow.objects.create(
        mentor=volunteer.mentor, weekday=2, start_time=dt.time(9), end_time=dt.time(11)
    )
    archive = open_zip(volunteer_client.get(DOWNLOAD))
    assert set(archive.namelist()) == VOLUNTEER_FILES
    mentor = read_json(archive, "mentor_profile.json")
    assert mentor["organization"] == "Northwind Analytics"
    assert mentor["title"] == "Data analyst"
    availability = read_json(archive, "availability.json")
    assert availability["weekly_windows"] == [
        {"start_time": "09:00:00", "end_time": "11:00:00", "weekday": "Wednesday"}
    ]
    sessions = read_json(archive, "mentoring_sessions.json")
    assert {s["student"]["email"] for s in sessions} == {"alice@example.edu"}
    # Their own feedback, never the student's.
    held = next(s for s in sessions if s["ics_uid"] == made["held_session"].ics_uid)
    assert held["my_feedback"][0]["comments"] == "VOLUNTEER-PRIVATE-NOTE"
    assert "Generous with her time" not in archive.read("mentoring_sessions.json").decode()
    assert read_json(archive, "match_rounds.json")["volunteer_signups"][0]["capacity"] == 2
    assert read_json(archive, "events_hosted.json") == [
        {
            "event": "Alumni panel",
            "starts_at": made["event"].starts_at.astimezone(dt.UTC).isoformat(),
            "role": "speaker",
        }
    ]
    # The student's private contacts and conversations are not the volunteer's.
    assert "Ada Lovelace" not in "".join(archive.read(n).decode() for n in archive.namelist())


def test_staff_get_their_profile(staff_client):
    archive = open_zip(staff_client.get(DOWNLOAD))
    assert "profile.json" in archive.namelist()
    assert "contacts.json" not in archive.namelist()
    assert read_json(archive, "profile.json")["role"] == "staff"


def test_the_data_page_links_the_download_and_the_deletion(student_client, staff_client):
    page = student_client.get(DATA_PAGE).content.decode()
    assert DOWNLOAD in page
    assert reverse("account_delete") in page
    staff_page = staff_client.get(DATA_PAGE).content.decode()
    assert DOWNLOAD in staff_page
    assert reverse("account_delete") not in staff_page


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(DOWNLOAD)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_zip_queries_do_not_grow(student_client, student, volunteer):
    def add_rows(n):
        for _ in range(n):
            fill_one_more(student, volunteer)

    assert_queries_stable(lambda: student_client.get(DOWNLOAD), add_rows, small=1, large=4)


def test_volunteer_zip_queries_do_not_grow(volunteer_client, student, volunteer):
    def add_rows(n):
        for _ in range(n):
            fill_one_more(student, volunteer)

    assert_queries_stable(lambda: volunteer_client.get(DOWNLOAD), add_rows, small=1, large=4)


def fill_one_more(student, volunteer):
    """One more row of each kind (a new contact with everything hanging off it)."""
    now = timezone.now()
    organization = OrganizationFactory()
    contact = services.contact_create(
        owner=student,
        name=f"Person at {organization.name}",
        organization_name=organization.name,
        relationship=Relationship.ALUMNI,
        tags=["t1", f"t-{organization.pk}"],
    )
    conversation = ConversationFactory(
        owner=student, contact=contact, scheduled_at=now + dt.timedelta(days=2)
    )
    PreparedQuestion.objects.create(conversation=conversation, text="Q")
    ConversationChange.objects.create(
        conversation=conversation, kind=ChangeKind.CANCELLED, asked_by=AskedBy.ME
    )
    InteractionFactory(owner=student, contact=contact)
    ActionItemFactory(owner=student, contact=contact, conversation=conversation)
    TargetOrganizationFactory(owner=student, organization=organization)
    OutcomeFactory(owner=student, organization=organization).helped_by.set([contact])
    session = past_session(student, volunteer, days_ago=FlashRequest.objects.count() + 1)
    Feedback.objects.create(session=session, author=student, rating=4)
    Feedback.objects.create(session=session, author=volunteer, rating=4)
    event = EventFactory()
    RSVP.objects.create(event=event, user=student, status=RSVPStatus.GOING)
    RSVP.objects.create(event=event, user=volunteer, status=RSVPStatus.GOING)
    EventHost.objects.create(event=event, user=volunteer)
    MetAtEvent.objects.create(event=event, contact=contact)
    match_round = MatchRound.objects.create(
        name="Round",
        signup_deadline=now,
        window_start=timezone.localdate(),
        window_end=timezone.localdate(),
    )
    RoundStudent.objects.create(round=match_round, student=student)
    RoundVolunteer.objects.create(round=match_round, volunteer=volunteer)
    AvailabilityWindow.objects.create(
        mentor=Mentor.objects.get_or_create(user=volunteer)[0],
        weekday=FlashRequest.objects.count() % 7,
        start_time=dt.time(6),
        end_time=dt.time(7),
    )
