"""Suggested for you (issue 17): volunteers ranked for a student with the matcher's scoring,
each with the reasons shown, on Today and the directory (loaded by htmx) and a page of its own."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from contacts.models import Organization, TargetOrganization
from mentoring import matching, matching_week
from mentoring.models import RequestStatus, StudentInterests
from mentoring.selectors.suggestions import suggested_volunteers
from tests.factories import VolunteerFactory
from tests.mentoring.factories import TopicFactory
from tests.mentoring.helpers import NOW, bookable_mentor, hold
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _volunteer(name: str, *, topics=(), organization="Elsewhere Inc", industry="Retail", **kw):
    user = VolunteerFactory(profile__display_name=name, profile__time_zone="America/New_York")
    mentor = bookable_mentor(user, organization=organization, industry=industry, **kw)
    mentor.topics.set(topics)
    return mentor


def _interests(student, *topics):
    interests, _ = StudentInterests.objects.get_or_create(student=student)
    interests.topics.set(topics)


def _target(student, name: str):
    organization, _ = Organization.objects.get_or_create(
        normalized_name=name.casefold(), defaults={"name": name}
    )
    TargetOrganization.objects.create(owner=student, organization=organization)


def test_nothing_is_suggested_before_the_student_says_what_they_look_for(student):
    _volunteer("Vera Match", topics=[TopicFactory(name="Consulting")])
    assert suggested_volunteers(user=student) == []


def test_volunteers_are_ranked_by_the_matchers_score_with_reasons(student):
    consulting, finance, design = (
        TopicFactory(name=n) for n in ("Consulting", "Finance", "Design")
    )
    student.profile.time_zone = "America/New_York"
    student.profile.save()
    _interests(student, consulting, finance)
    _target(student, "Acme Partners")
    profile = student.student_profile
    profile.target_industries = "Fintech, health"
    profile.save()
    both = _volunteer("Beth Both", topics=[consulting, finance])
    at_target = _volunteer("Tom Target", topics=[consulting], organization="Acme Partners")
    industry = _volunteer("Ivy Industry", industry="FinTech")
    _volunteer("Nora Nothing", topics=[design])  # shares nothing: not a candidate

    cards = suggested_volunteers(user=student)

    # 2 topics (6) vs 1 topic + target organization (3 + 4) vs industry (4), same hours.
    assert [c.mentor_id for c in cards] == [at_target.pk, both.pk, industry.pk]
    assert cards[0].reasons[:2] == [
        "Can talk about Consulting, which you chose",
        "Works at Acme Partners, on your list of organizations",
    ]
    assert cards[1].reasons[0] == "Can talk about Consulting and Finance, which you chose"
    assert cards[2].reasons[0] == "Works in FinTech, an industry you named"
    # Windows 8:00-20:00 in New York, the student's daytime 8:00-20:00 in New York.
    assert cards[0].reasons[-1] == "84 hours a week free in your daytime"
    assert all(c.next_slot is not None for c in cards)


def test_shared_daytime_follows_the_students_time_zone(student):
    topic = TopicFactory(name="Consulting")
    _interests(student, topic)
    student.profile.time_zone = "Asia/Tokyo"
    student.profile.save()
    # 8:00-20:00 in New York is 21:00/22:00-9:00/10:00 in Tokyo: only the mornings overlap.
    mentor = _volunteer("Nate York", topics=[topic])
    [card] = suggested_volunteers(user=student)
    assert card.mentor_id == mentor.pk
    student_in = matching.StudentIn(
        id=1,
        availability=matching_week.local_spans_to_utc_hours(
            [(d, 8 * 60, 20 * 60) for d in range(7)],
            zone=student.profile.zone,
            reference=NOW.date(),
        ),
    )
    volunteer_in = matching.VolunteerIn(
        id=2,
        availability=matching_week.windows_to_utc_hours(
            [(d, dt.time(8), dt.time(20)) for d in range(7)],
            zone=mentor.user.profile.zone,
            reference=NOW.date(),
        ),
    )
    hours = len(student_in.availability & volunteer_in.availability)
    assert 0 < hours < 84
    assert card.reasons[-1] == f"{hours} hours a week free in your daytime"


def test_volunteers_already_asked_or_met_or_full_are_left_out(student):
    topic = TopicFactory(name="Consulting")
    _interests(student, topic)
    asked = _volunteer("Ann Asked", topics=[topic])
    request = hold(asked, NOW + dt.timedelta(days=3))
    request.student = student
    request.save()
    no_time = _volunteer("Bo Busy", topics=[topic], booking_window_days=0)
    other = _volunteer("Cy Free", topics=[topic])
    ids = [c.mentor_id for c in suggested_volunteers(user=student)]
    assert ids == [other.pk]
    assert asked.pk not in ids
    assert no_time.pk not in ids


def test_a_declined_request_does_not_hide_the_volunteer(student):
    topic = TopicFactory(name="Consulting")
    _interests(student, topic)
    mentor = _volunteer("Dee Declined", topics=[topic])
    request = hold(mentor, NOW + dt.timedelta(days=3), status=RequestStatus.DECLINED)
    request.student = student
    request.save()
    assert [c.mentor_id for c in suggested_volunteers(user=student)] == [mentor.pk]


def test_the_fragment_and_the_page_show_the_cards_with_why(student, student_client):
    topic = TopicFactory(name="Consulting")
    _interests(student, topic)
    _volunteer("Vera Match", topics=[topic])
    url = reverse("mentoring:suggestions")
    fragment = student_client.get(url, headers={"HX-Request": "true"}).text
    assert "<html" not in fragment
    assert 'id="suggested"' in fragment
    assert "Vera Match" in fragment
    assert "Can talk about Consulting, which you chose" in fragment
    assert "Ask for this time" in fragment
    page = student_client.get(url).text
    assert "<h1>Suggested for you</h1>" in page
    assert "Vera Match" in page


def test_without_interests_the_fragment_asks_for_them(student_client):
    html = student_client.get(reverse("mentoring:suggestions"), headers={"HX-Request": "true"}).text
    assert reverse("mentoring:onboarding_step", kwargs={"step": "interests"}) in html


def test_today_and_the_first_directory_page_load_the_suggestions(student_client):
    placeholder = f'hx-get="{reverse("mentoring:suggestions")}"'
    assert placeholder in student_client.get(reverse("home")).text
    directory = reverse("mentoring:directory")
    assert placeholder in student_client.get(directory).text
    assert placeholder not in student_client.get(directory, {"q": "analyst"}).text
    assert placeholder not in student_client.get(directory, {"page": "2"}).text


def test_a_topic_name_is_escaped_in_a_reason(student, student_client):
    topic = TopicFactory(name="<b>Consulting</b>")
    _interests(student, topic)
    _volunteer("Vera Match", topics=[topic])
    html = student_client.get(reverse("mentoring:suggestions"), headers={"HX-Request": "true"}).text
    assert "&lt;b&gt;Consulting&lt;/b&gt;" in html
    assert "<b>Consulting</b>" not in html


def test_the_suggestions_cost_the_same_queries_for_few_and_many_volunteers(student, student_client):
    topic = TopicFactory(name="Consulting")
    _interests(student, topic)
    _target(student, "Acme Partners")
    url = reverse("mentoring:suggestions")

    def grow(n):
        for i in range(n):
            _volunteer(f"Volunteer {i}", topics=[topic], organization="Acme Partners")

    count = assert_queries_stable(
        lambda: student_client.get(url, headers={"HX-Request": "true"}), grow
    )
    # The cards are one query on PostgreSQL and five elsewhere (directory_cards): SQLite is a
    # run without services.
    assert count <= (12 if connection.vendor == "postgresql" else 16)
