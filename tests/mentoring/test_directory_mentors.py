"""What students see of a listed volunteer: hidden fields never shown, the mentor page and its
open times, "add to my contacts", warm paths, who may add, and the query counts of the
mentor and warm paths pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from contacts.models import Contact, Relationship, Source
from mentoring.models import HIDEABLE_FIELDS, Mentor, Mode
from mentoring.services.profiles import mentor_refresh_bookable
from networking_app.accounts.models import Affiliation
from tests.contacts.factories import (
    ContactFactory,
    OrganizationFactory,
    TargetOrganizationFactory,
)
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.factories import (
    AvailabilityWindowFactory,
    MentorFactory,
    TopicFactory,
)
from tests.mentoring.helpers import (
    DIRECTORY,
    HTMX,
    add_url,
    every_day,
    mentor_url,
    named,
    names,
)
from tests.mentoring.helpers import add_mentors as _add_mentors
from tests.querycount import assert_queries_stable

WARM_PATHS = reverse("mentoring:warm_paths")

pytestmark = pytest.mark.django_db


# --- Access --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["volunteer_client", "staff_client"])
def test_add_to_contacts_is_for_students_only(request, who):
    mentor = MentorFactory()
    response = request.getfixturevalue(who).post(add_url(mentor))
    assert response.status_code == 404
    assert not Contact.objects.exists()


def test_add_to_contacts_needs_a_login(client):
    mentor = MentorFactory()
    response = client.post(add_url(mentor))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.get(add_url(mentor)).status_code == 405


# --- Hidden fields never reach students ----------------------------------------------------

MARKERS = {
    "title": "Zqxtitlemarker",
    "industry": "Zqxindustrymarker",
    "job_function": "Zqxfunctionmarker",
    "location": "Zqxlocationmarker",
    "major": "Zqxmajormarker",
    "bio": "Zqxbiomarker",
    "linkedin_url": "https://www.linkedin.com/in/zqxlinkedinmarker",
}


def test_hidden_fields_never_appear_to_students(student_client, student):
    hidden = named(
        "Hidden Hana",
        organization="Initrode",
        hidden_fields=list(HIDEABLE_FIELDS),
        user_fields={"volunteer_profile__class_year": 1987},
        **MARKERS,
    )
    every_day(hidden)
    TargetOrganizationFactory(owner=student, organization=hidden.organization)
    pages = [
        student_client.get(DIRECTORY),
        student_client.get(DIRECTORY, {"q": "initrode"}, **HTMX),
        student_client.get(mentor_url(hidden)),
        student_client.get(WARM_PATHS),
    ]
    for response in pages:
        html = response.content.decode()
        assert "Hidden Hana" in html
        assert "Initrode" in html
        for marker in [*MARKERS.values(), "zqxlinkedinmarker", "1987"]:
            assert marker.lower() not in html.lower(), (response.request["PATH_INFO"], marker)
    # Nor can a search or a filter find them by a hidden value.
    for params in [
        {"q": "Zqxtitlemarker"},
        {"q": "Zqxbiomarker"},
        {"q": "Zqxlocationmarker"},
        {"industry": "Zqxindustrymarker"},
        {"job_function": "Zqxfunctionmarker"},
        {"location": "Zqxlocationmarker"},
        {"class_year": "1987"},
    ]:
        assert names(student_client.get(DIRECTORY, params)) == [], params


def test_visible_fields_are_shown(student_client):
    shown = named("Shown Sam", organization="Initrode", **MARKERS)
    every_day(shown)
    html = student_client.get(mentor_url(shown)).content.decode()
    for marker in MARKERS.values():
        assert marker in html
    assert names(student_client.get(DIRECTORY, {"industry": "Zqxindustrymarker"})) == ["Shown Sam"]


def test_hiding_one_field_keeps_the_others(student_client):
    mentor = named("Half Hal", hidden_fields=["title"], **MARKERS)
    html = student_client.get(mentor_url(mentor)).content.decode()
    assert MARKERS["title"] not in html
    assert MARKERS["industry"] in html
    assert MARKERS["bio"] in html


# --- Mentor page ---------------------------------------------------------------------------


def test_mentor_page_shows_slots_in_the_students_time_zone(student_client, student):
    student.profile.time_zone = "Asia/Tokyo"
    student.profile.save()
    volunteer = VolunteerFactory(profile__time_zone="America/New_York")
    mentor = MentorFactory(
        user=volunteer,
        modes=[Mode.VIDEO, Mode.IN_PERSON],
        topics=[TopicFactory(slug="interview-practice")],
        min_notice_hours=24,
        slot_minutes=60,
    )
    AvailabilityWindowFactory(mentor=mentor, weekday=2, start_time=dt.time(9), end_time=dt.time(10))

    response = student_client.get(mentor_url(mentor))

    html = response.content.decode()
    week = response.context["week"]
    slots = [slot for day in week.days for slot in day.slots]
    assert slots
    tokyo, new_york = zoneinfo.ZoneInfo("Asia/Tokyo"), zoneinfo.ZoneInfo("America/New_York")
    for slot in slots:
        assert slot.start.tzinfo == tokyo
        assert slot.start.astimezone(new_york).strftime("%a %H:%M") == "Wed 09:00"
        # 9:00 AM Wednesday in New York is 10 or 11 PM Wednesday in Tokyo.
        assert slot.start.strftime("%a") == "Wed"
        assert slot.start.hour in (22, 23)
    # The week's Wednesday column holds it, written in Tokyo's time.
    [wednesday] = [day for day in week.days if day.slots]
    assert wednesday.date.weekday() == 2
    assert "In your time zone, Asia/Tokyo." in html
    assert "Interview practice" in html
    assert "Video, In person" in html
    first = slots[0]
    request_new = reverse("mentoring:request_new", kwargs={"mentor_id": mentor.pk})
    assert f'href="{request_new}?start={first.value}"' in html
    assert f">{first.start.strftime('%-I:%M %p')}</time>" in html
    assert "request this time" in html

    # The volunteer's zone on request: the same time, written as New York has it.
    theirs = student_client.get(mentor_url(mentor), {"zone": "theirs"})
    [slot] = [s for day in theirs.context["week"].days for s in day.slots][:1]
    assert slot.start.tzinfo == new_york
    assert slot.start == first.start
    assert f"In {volunteer.display_name}\u2019s time zone, America/New_York." in theirs.text
    assert ">9:00 AM</time>" in theirs.text


def test_mentor_page_without_slots(student_client):
    mentor = MentorFactory()
    html = student_client.get(mentor_url(mentor)).content.decode()
    assert "has no open time in the coming weeks" in html


# --- Add to my contacts --------------------------------------------------------------------


def test_add_to_contacts_creates_one_contact_with_visible_fields(student_client, student):
    mentor = named(
        "Rosa Lopez",
        organization="Umbrella Labs",
        title="Research Director",
        industry="Biotech",
        hidden_fields=["title"],
        user_fields={"email": "rosa@example.org"},
    )

    response = student_client.post(add_url(mentor), follow=True)

    contact = Contact.objects.get(owner=student)
    assert contact.name == "Rosa Lopez"
    assert contact.email == "rosa@example.org"
    assert contact.organization.name == "Umbrella Labs"
    assert contact.title == ""  # hidden
    assert contact.industry == "Biotech"
    assert contact.relationship == Relationship.ALUMNI
    assert contact.source == Source.DIRECTORY
    assert "Rosa Lopez" in contact.search_text
    html = response.content.decode()
    assert "Rosa Lopez is now in your contacts." in html
    assert reverse("contacts:detail", kwargs={"contact_id": contact.pk}) in html

    again = student_client.post(add_url(mentor), follow=True)
    assert Contact.objects.filter(owner=student).count() == 1
    assert "already in your contacts" in again.content.decode()


def test_add_to_contacts_matches_an_existing_contact_by_email(student_client, student):
    mentor = named(
        "Pia Parent",
        user_fields={"email": "pia@example.org", "volunteer_profile__affiliation": "parent"},
    )
    ContactFactory(owner=student, name="Pia (met at the fair)", email="PIA@example.org")
    ContactFactory(owner=StudentFactory(), email="pia@example.org")  # another student's

    student_client.post(add_url(mentor))

    assert Contact.objects.filter(owner=student).count() == 1
    other = StudentFactory()
    from mentoring.services.profiles import mentor_contact_add

    contact, created = mentor_contact_add(student=other, mentor=mentor)
    assert created
    assert contact.relationship == Relationship.OTHER
    assert mentor.user.volunteer_profile.affiliation == Affiliation.PARENT


# --- Warm paths ----------------------------------------------------------------------------


def test_warm_paths_show_volunteers_next_to_the_students_contacts(student_client, student):
    northwind = OrganizationFactory(name="Northwind Traders")
    globex = OrganizationFactory(name="Globex")
    TargetOrganizationFactory(owner=student, organization=northwind)
    TargetOrganizationFactory(owner=student, organization=globex)
    there = named("Nia Northwind", title="Buyer")
    Mentor.objects.filter(pk=there.pk).update(organization=northwind)
    mentor_refresh_bookable(user=there.user)
    named("Elsewhere Eli", organization="Initech")
    unlisted = named("Quiet Quin", listed=False)
    Mentor.objects.filter(pk=unlisted.pk).update(organization=northwind)
    ContactFactory(owner=student, name="Known Kim", organization=northwind)
    ContactFactory(owner=StudentFactory(), name="Not Mine", organization=northwind)

    response = student_client.get(WARM_PATHS)

    paths = {p.target.organization.name: p for p in response.context["paths"]}
    assert [c.name for c in paths["Northwind Traders"].volunteers] == ["Nia Northwind"]
    assert [c.name for c in paths["Northwind Traders"].contacts] == ["Known Kim"]
    assert paths["Globex"].volunteers == []
    assert paths["Globex"].contacts == []
    html = response.content.decode()
    assert mentor_url(there) in html
    assert "Elsewhere Eli" not in html
    assert "Quiet Quin" not in html
    assert "Not Mine" not in html
    assert "Nobody from Globex is listed yet." in html


def test_warm_paths_without_targets(student_client):
    html = student_client.get(WARM_PATHS).content.decode()
    assert "You have no target organization yet." in html
    assert reverse("contacts:targets") in html


# --- Query counts ---------------------------------------------------------------------------


def test_warm_paths_query_count_does_not_grow(student_client, student):
    organizations = [OrganizationFactory(), OrganizationFactory()]
    for organization in organizations:
        TargetOrganizationFactory(owner=student, organization=organization)

    def add_rows(n):
        for i in range(n):
            _add_mentors(1, organization=organizations[i % 2])
            ContactFactory(owner=student, organization=organizations[i % 2])

    assert_queries_stable(lambda: student_client.get(WARM_PATHS), add_rows, small=5, large=60)


def test_mentor_page_query_count_does_not_grow_with_the_directory(student_client):
    mentor = MentorFactory()
    every_day(mentor)
    assert_queries_stable(
        lambda: student_client.get(mentor_url(mentor)), _add_mentors, small=5, large=50
    )
