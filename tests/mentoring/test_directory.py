"""The networking directory: who is listed, search and filters, what students may see of a
volunteer, warm paths, the mentor page, "add to my contacts", access and query counts."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

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
    AvailabilityOverrideFactory,
    AvailabilityWindowFactory,
    MentorFactory,
    TopicFactory,
)
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("mentoring:directory")
WARM_PATHS = reverse("mentoring:warm_paths")
HTMX = {"HTTP_HX_REQUEST": "true"}


def mentor_url(mentor) -> str:
    return reverse("mentoring:mentor", kwargs={"mentor_id": mentor.pk})


def add_url(mentor) -> str:
    return reverse("mentoring:add_contact", kwargs={"mentor_id": mentor.pk})


def named(name: str, organization: str = "", **fields) -> Mentor:
    user = VolunteerFactory(profile__display_name=name, **fields.pop("user_fields", {}))
    if organization:
        fields["organization"] = OrganizationFactory(name=organization)
    return MentorFactory(user=user, **fields)


CARD = re.compile(r'<li class="card mentor-card">.*?</li>', re.S)
CARD_NAME = re.compile(r'<h3 class="mentor-name"><a href="[^"]*">([^<]*)</a></h3>')


# The results are read from the HTML, as students get them: a page of results may come from
# the cache (views.directory), with no card objects in its context.


def names(response) -> list[str]:
    return [html.unescape(name) for name in CARD_NAME.findall(response.content.decode())]


def cards(response) -> dict[str, str]:
    """Each volunteer's card on the page, by name."""
    found = CARD.findall(response.content.decode())
    return {html.unescape(CARD_NAME.search(card).group(1)): card for card in found}


def every_day(mentor, start=dt.time(9), end=dt.time(17)):
    for weekday in range(7):
        AvailabilityWindowFactory(mentor=mentor, weekday=weekday, start_time=start, end_time=end)


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


# --- Who is listed -------------------------------------------------------------------------


def test_only_bookable_volunteers_are_listed(student_client):
    named("Listed Lee")
    named("Unlisted Uma", listed=False)
    named("Pending Pat", user_fields={"volunteer_profile__status": "pending"})
    named("Away Ana", on_leave_until=timezone.localdate() + dt.timedelta(days=3))
    inactive = named("Gone Gil")
    inactive.user.is_active = False
    inactive.user.save()

    response = student_client.get(DIRECTORY)

    assert names(response) == ["Listed Lee"]
    for mentor in Mentor.objects.exclude(user__profile__display_name="Listed Lee"):
        assert student_client.get(mentor_url(mentor)).status_code == 404
        assert student_client.post(add_url(mentor)).status_code == 404


def test_empty_directory_says_so(student_client):
    html = student_client.get(DIRECTORY).content.decode()
    assert "Nobody is listed in the Networking Directory yet." in html


def test_results_are_by_name_and_paginated(student_client):
    for n in range(23):
        named(f"Volunteer {n:02d}")
    first = student_client.get(DIRECTORY)
    assert names(first) == [f"Volunteer {n:02d}" for n in range(20)]
    assert "Page 1 of 2" in first.content.decode()
    second = student_client.get(DIRECTORY, {"page": 2})
    assert names(second) == ["Volunteer 20", "Volunteer 21", "Volunteer 22"]


def test_many_matches_are_counted_up_to_a_cap(student_client, monkeypatch, settings):
    from mentoring.views import directory as views

    settings.DIRECTORY_CACHE_SECONDS = 0  # the same search again, after a change
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for n in range(4):
        named(f"Capped {n}")
    html = student_client.get(DIRECTORY).content.decode()
    assert "more than 3 volunteers" in html
    assert "Add a word or a filter to narrow the list." in html
    Mentor.objects.filter(user__profile__display_name="Capped 3").update(listed=False)
    mentor_refresh_bookable(user=Mentor.objects.get(user__profile__display_name="Capped 3").user)
    html = student_client.get(DIRECTORY).content.decode()
    assert "(3 volunteers)" in html


def test_name_and_organization_matches_come_first(student_client):
    named("Zoe Globex-Fan", organization="Initech", bio="I love Globex.")
    named("Yann Zed", organization="Initech", bio="Globex alumni know me.")
    named("Bea Able", organization="Initech", bio="Ask me about globex.")
    named("Wes West", organization="Globex")
    assert names(student_client.get(DIRECTORY, {"q": "globex"})) == [
        "Wes West",
        "Zoe Globex-Fan",
        "Bea Able",
        "Yann Zed",
    ]


def test_htmx_gets_the_results_fragment(student_client):
    named("Frag Mentor", organization="Initech")
    response = student_client.get(DIRECTORY, {"q": "initech"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="directory-results"')
    assert "<html" not in html
    assert "Frag Mentor" in html
    assert "HX-Request" in response["Vary"]


# --- Search and filters --------------------------------------------------------------------


def test_full_text_search_over_name_organization_title_topics_and_bio(student_client):
    named(
        "Maya Chen",
        organization="Northwind Traders",
        title="Supply Chain Analyst",
        bio="I switched from teaching to logistics.",
        topics=[TopicFactory(slug="career-switch")],
    )
    named("Omar Diaz", organization="Globex", title="Nurse")

    for q in ["maya", "northwind", "supply chain", "analy", "teaching", "career switch"]:
        assert names(student_client.get(DIRECTORY, {"q": q})) == ["Maya Chen"], q
    assert names(student_client.get(DIRECTORY, {"q": "glob nurse"})) == ["Omar Diaz"]
    assert names(student_client.get(DIRECTORY, {"q": "maya nurse"})) == []


def test_names_first_continues_across_pages_of_the_cap(student_client, monkeypatch):
    """Name matches and the others come from two queries; the cap counts both together."""
    from mentoring.views import directory as views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    named("Ann Globex", organization="Initech")
    named("Bob Able", organization="Initech", bio="Globex fan.")
    named("Cy Bird", organization="Initech", bio="Globex too.")
    named("Dee Cole", organization="Initech", bio="Globex as well.")
    html = student_client.get(DIRECTORY, {"q": "globex"}).content.decode()
    assert "more than 3 volunteers" in html
    assert names(student_client.get(DIRECTORY, {"q": "globex"})) == [
        "Ann Globex",
        "Bob Able",
        "Cy Bird",
    ]


@pytest.mark.postgres
def test_the_stored_search_vector_follows_every_write(student_client, settings):
    """A trigger keeps search_vector equal to the text, bulk updates included."""
    settings.DIRECTORY_CACHE_SECONDS = 0  # the same search again, after a change
    mentor = named("Vera Vector", organization="Initech")
    Mentor.objects.filter(pk=mentor.pk).update(search_text="Vera Vector\nInitech\nzeppelins")
    assert names(student_client.get(DIRECTORY, {"q": "zeppel"})) == ["Vera Vector"]
    Mentor.objects.filter(pk=mentor.pk).update(search_text="Vera Vector\nInitech")
    assert names(student_client.get(DIRECTORY, {"q": "zeppel"})) == []


@pytest.mark.postgres
def test_typo_tolerance_is_for_words_that_find_few_people(student_client, monkeypatch):
    from mentoring.selectors.directory import search

    monkeypatch.setattr(search, "TYPO_TOLERANCE_BELOW", 2)
    named("Ann Able", organization="Northwind")
    named("Bob Baker", organization="Northwind")
    named("Cy Cole", organization="Nortwind Labs")
    # Two people have "northwind" as typed: taken as typed, the look-alike is left out.
    assert names(student_client.get(DIRECTORY, {"q": "northwind"})) == ["Ann Able", "Bob Baker"]
    # One person has "nortwind": the look-alikes come too.
    assert names(student_client.get(DIRECTORY, {"q": "nortwind"})) == [
        "Cy Cole",
        "Ann Able",
        "Bob Baker",
    ]


@pytest.mark.postgres
def test_a_typo_in_an_organization_or_a_name_still_finds_them(student_client):
    named("Maya Johnson", organization="Northwind Traders")
    named("Omar Diaz", organization="Globex")

    assert names(student_client.get(DIRECTORY, {"q": "Nortwind"})) == ["Maya Johnson"]
    assert names(student_client.get(DIRECTORY, {"q": "Jonson"})) == ["Maya Johnson"]
    assert names(student_client.get(DIRECTORY, {"q": "nortwind analyst"})) == []


def test_filters(student_client):
    this_year = timezone.localdate().year
    TopicFactory(slug="resume-review")
    named(
        "Ada",
        organization="Acme Health",
        industry="Healthcare",
        job_function="Nursing",
        location="Boston, MA",
        user_fields={"volunteer_profile__class_year": 2011},
        topics=[TopicFactory(slug="resume-review")],
    )
    named(
        "Ben",
        organization="Globex",
        industry="Software",
        job_function="Engineering",
        location="Remote",
        user_fields={"volunteer_profile__class_year": this_year - 1},
    )

    def found(**params):
        return names(student_client.get(DIRECTORY, params))

    assert found() == ["Ada", "Ben"]
    assert found(organization="acme") == ["Ada"]
    assert found(industry="software") == ["Ben"]
    assert found(job_function="Nurs") == ["Ada"]
    assert found(location="boston") == ["Ada"]
    assert found(class_year="2011") == ["Ada"]
    assert found(topic="resume-review") == ["Ada"]
    assert found(topic="resume-review", industry="software") == []
    # A filter value that does not validate is ignored, never an error.
    assert found(class_year="eleven", topic="no-such-topic") == ["Ada", "Ben"]


def test_has_open_slots_filter_checks_the_real_slots(student_client):
    free = named("Free Fay")
    every_day(free)
    named("Nowhere Ned")  # no window at all
    full = named("Full Flo", monthly_capacity=0)  # windows, but no capacity left
    every_day(full)

    assert names(student_client.get(DIRECTORY, {"has_slots": "1"})) == ["Free Fay"]
    everyone = cards(student_client.get(DIRECTORY))
    assert "Next open time: <time" in everyone["Free Fay"]
    assert "Next open time" not in everyone["Nowhere Ned"]
    assert "No open time in the coming weeks" in everyone["Nowhere Ned"]


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


# --- Query counts --------------------------------------------------------------------------


def _add_mentors(count: int, organization=None, topic=None):
    for _ in range(count):
        mentor = MentorFactory(
            **({"organization": organization} if organization else {}),
            topics=[topic] if topic else [],
            title="Analyst",
        )
        AvailabilityWindowFactory(mentor=mentor, weekday=timezone.localdate().weekday())
        AvailabilityOverrideFactory(mentor=mentor)


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({}, {}),
        ({}, HTMX),
        ({"q": "analyst", "topic": "resume-review", "has_slots": "1"}, HTMX),
        ({"page": "2"}, {}),
    ],
)
def test_directory_query_count_does_not_grow(student_client, params, headers):
    topic = TopicFactory(slug="resume-review")
    count = assert_queries_stable(
        lambda: student_client.get(DIRECTORY, params, **headers),
        lambda n: _add_mentors(n, topic=topic),
        # A text search that finds fewer than a page of people is tried again with typo
        # tolerance (a bounded second pass, not an N+1): start both sizes above that.
        small=5 if "page" not in params and "q" not in params else 25,
        large=70,
    )
    assert count > 0


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
