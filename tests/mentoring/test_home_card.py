"""The mentoring card of the home pages (mentoring:sessions as a fragment): what waits on the
student among their flash requests (another time proposed), what waits on a volunteer, the
answers of the last two weeks, and the match rounds they may still join (issue 17: Today shows
what waits on the student; open rounds announced inside the app)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import FlashRequest, RequestStatus
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.helpers import open_round, sign_up_student, sign_up_volunteer
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

CARD = reverse("mentoring:sessions")


def _card(client) -> str:
    return client.get(CARD, HTTP_HX_REQUEST="true").content.decode()


def _request(student, volunteer, status, *, days_from_now=3, answered_days_ago=None):
    start = timezone.now() + dt.timedelta(days=days_from_now)
    answered = (
        None if answered_days_ago is None else timezone.now() - dt.timedelta(days=answered_days_ago)
    )
    return FlashRequest.objects.create(
        student=student,
        volunteer=volunteer,
        start_at=start,
        end_at=start + dt.timedelta(minutes=20),
        message="How did you start?",
        status=status,
        proposed_start_at=start + dt.timedelta(days=1)
        if status == RequestStatus.PROPOSED
        else None,
        responded_at=answered,
        expires_at=answered or start,
    )


def _volunteer(name: str):
    return VolunteerFactory(profile__display_name=name)


def test_a_student_sees_what_waits_on_them_and_on_volunteers(student, student_client):
    proposed = _request(student, _volunteer("Priya <Proposes>"), RequestStatus.PROPOSED)
    pending = _request(student, _volunteer("Paul Pending"), RequestStatus.PENDING)
    declined = _request(student, _volunteer("Dana Declines"), RequestStatus.DECLINED,
                        answered_days_ago=2)  # fmt: skip
    expired = _request(student, _volunteer("Eve Expired"), RequestStatus.EXPIRED,
                       answered_days_ago=1)  # fmt: skip
    _request(student, _volunteer("Old Answer"), RequestStatus.DECLINED, answered_days_ago=20)
    _request(student, _volunteer("Alex Accepted"), RequestStatus.ACCEPTED, answered_days_ago=1)
    _request(StudentFactory(), _volunteer("Someone Else's"), RequestStatus.PROPOSED)

    html = _card(student_client)
    assert '<h3 id="requests-mine">Your requests</h3>' in html
    # Another time proposed: the student's move, with a link to answer.
    item = html[html.index(f'id="request-{proposed.pk}"') :].split("</li>")[0]
    assert "Priya &lt;Proposes&gt;" in item
    assert "proposed another time" in item
    assert reverse("mentoring:request", kwargs={"request_id": proposed.pk}) in item
    assert ">Answer<" in item
    assert "waiting for their answer" in html.split(f'id="request-{pending.pk}"')[1]
    assert "declined your request" in html.split(f'id="request-{declined.pk}"')[1]
    assert "did not answer in time" in html.split(f'id="request-{expired.pk}"')[1]
    assert reverse("mentoring:directory") in html.split(f'id="request-{expired.pk}"')[1]
    # Proposed first, then pending, then the answers, latest first: the student's moves lead.
    order = [html.index(f'id="request-{r.pk}"') for r in (proposed, pending, expired, declined)]
    assert order == sorted(order)
    for absent in ("Old Answer", "Alex Accepted", "Someone Else"):
        assert absent not in html


def test_nothing_to_show_shows_no_requests_heading(student_client):
    assert "requests-mine" not in _card(student_client)


def test_open_rounds_are_announced_until_joined(
    student, student_client, volunteer, volunteer_client
):
    joinable = open_round(name="Spring <round>")
    for_others = open_round(name="Class of 2031 only", class_years=[2031])
    html = _card(student_client)
    join = reverse("mentoring:round_join", kwargs={"round_id": joinable.pk})
    assert f'<a href="{join}">Spring &lt;round&gt;</a>' in html
    assert for_others.name not in html
    volunteer_join = reverse("mentoring:round_volunteer_join", kwargs={"round_id": joinable.pk})
    assert f'<a href="{volunteer_join}">' in _card(volunteer_client)

    sign_up_student(joinable, student)
    sign_up_volunteer(joinable, volunteer)
    assert "Spring &lt;round&gt;" not in _card(student_client)
    assert "Spring &lt;round&gt;" not in _card(volunteer_client)


def test_the_card_costs_the_same_queries_with_few_and_many_requests_and_rounds(
    student, student_client
):
    def add_rows(n):
        for i in range(n):
            status = [RequestStatus.PROPOSED, RequestStatus.PENDING, RequestStatus.DECLINED][i % 3]
            _request(student, _volunteer(f"Volunteer {i}"), status, days_from_now=2 + i,
                     answered_days_ago=1)  # fmt: skip
            open_round(name=f"Round {i}")

    assert_queries_stable(lambda: _card(student_client), add_rows, small=3, large=15)
    assert _card(student_client).count('id="request-') == 15
