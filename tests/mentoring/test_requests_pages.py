"""Direct flash requests, the pages: the student's request page, the volunteer's answers
from the pages, the requests lists and their query counts, and who may post the request
and session actions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.forms.requests import parse_start, slot_value
from mentoring.models import FlashRequest, RequestStatus, Session
from mentoring.services import requests as services
from mentoring.services.availability import open_slots
from networking_app.accounts.models import Profile
from tests.factories import StudentFactory
from tests.mentoring.helpers import ask as _ask
from tests.mentoring.helpers import (
    bookable_mentor,
    mentor_fixture,  # noqa: F401 (the `mentor` fixture)
    request_objects,
    slots_fixture,  # noqa: F401 (the `slots` fixture)
)
from tests.mentoring.helpers import logged_in_client as _client
from tests.querycount import assert_queries_stable
from tests.routes import POST_ONLY, ROUTES, route_kwargs

pytestmark = pytest.mark.django_db


# --- The student's request page -------------------------------------------------------------


def _new_url(mentor, start=None) -> str:
    url = reverse("mentoring:request_new", kwargs={"mentor_id": mentor.pk})
    return f"{url}?start={start}" if start else url


def test_the_request_page_shows_the_slot_in_the_students_time_zone(
    student, student_client, mentor, slots
):
    Profile.objects.filter(user=student).update(time_zone="America/New_York")
    slot = slots[0]
    # An unencoded "+00:00" arrives as " 00:00": it is read all the same.
    response = student_client.get(_new_url(mentor, slot.start_at.isoformat()))
    assert response.status_code == 200
    local = slot.start_at.astimezone(ZoneInfo("America/New_York"))
    hour = local.hour % 12 or 12
    html = response.content.decode()
    assert f"{hour}:{local:%M} {local:%p}" in html
    assert local.tzname() in html
    assert 'id="chosen-slot"' in html
    assert "What I would like to learn" in html


def test_without_a_time_the_page_offers_the_next_open_ones(student_client, mentor, slots):
    response = student_client.get(_new_url(mentor))
    assert response.status_code == 200
    assert slot_value(slots[0].start_at) in response.content.decode()


def test_a_taken_time_says_so_and_offers_others(other_student, student_client, mentor, slots):
    _ask(other_student, mentor, slots[0])
    response = student_client.get(_new_url(mentor, slot_value(slots[0].start_at)))
    html = response.content.decode()
    assert "That time is no longer available" in html
    assert slot_value(slots[1].start_at) in html


def test_posting_the_form_sends_the_request(student, student_client, mentor, slots):
    response = student_client.post(
        _new_url(mentor),
        {"start": slot_value(slots[0].start_at), "message": "Your path into analytics"},
    )
    flash_request = FlashRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "mentoring:request", kwargs={"request_id": flash_request.pk}
    )
    assert flash_request.student == student
    assert flash_request.message == "Your path into analytics"


def test_a_refused_post_keeps_what_was_typed_and_says_why(
    other_student, student_client, mentor, slots
):
    _ask(other_student, mentor, slots[0])
    response = student_client.post(
        _new_url(mentor),
        {"start": slot_value(slots[0].start_at), "message": "Keep this text"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "That time is no longer available" in html
    assert "Keep this text" in html
    assert FlashRequest.objects.count() == 1


def test_a_mentor_who_is_not_bookable_has_no_request_page(student_client, mentor):
    mentor.is_bookable = False
    mentor.save()
    assert student_client.get(_new_url(mentor)).status_code == 404


def test_parse_start_reads_iso_links():
    when = dt.datetime(2030, 5, 6, 14, 30, tzinfo=dt.UTC)
    assert parse_start("2030-05-06T16:30:00+02:00") == when
    assert parse_start("2030-05-06T16:30:00 02:00") == when
    assert parse_start("2030-05-06T14:30:00Z") == when
    assert parse_start("2030-05-06T14:30") == when
    assert parse_start("tomorrow") is None
    assert parse_start("") is None


# --- The volunteer's pages ------------------------------------------------------------------


def test_the_volunteer_answers_from_the_request_page(
    student, volunteer, volunteer_client, mentor, slots
):
    flash_request = _ask(student, mentor, slots[0])
    page = volunteer_client.get(
        reverse("mentoring:request", kwargs={"request_id": flash_request.pk})
    )
    assert "Accept the request" in page.content.decode()
    response = volunteer_client.post(
        reverse("mentoring:request_accept", kwargs={"request_id": flash_request.pk}),
        {"mode": "phone", "location": "+1 555 0100"},
    )
    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:session", kwargs={"session_id": session.pk})
    assert (session.mode, session.location) == ("phone", "+1 555 0100")


def test_the_volunteer_declines_and_proposes_from_the_page(
    student, other_student, volunteer_client, mentor, slots
):
    first = _ask(student, mentor, slots[0])
    second = _ask(other_student, mentor, slots[2])
    volunteer_client.post(
        reverse("mentoring:request_decline", kwargs={"request_id": first.pk}),
        {"note": "Not this month"},
    )
    response = volunteer_client.post(
        reverse("mentoring:request_propose", kwargs={"request_id": second.pk}),
        {"start": slot_value(slots[5].start_at)},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decline_note) == (RequestStatus.DECLINED, "Not this month")
    assert (second.status, second.proposed_start_at) == (
        RequestStatus.PROPOSED,
        slots[5].start_at,
    )


def test_the_student_accepts_a_proposal_from_the_page(
    student, student_client, volunteer, mentor, slots
):
    flash_request = _ask(student, mentor, slots[0])
    services.flash_request_propose(
        flash_request=flash_request, by=volunteer, start_at=slots[4].start_at
    )
    page = student_client.get(reverse("mentoring:request", kwargs={"request_id": flash_request.pk}))
    assert "Accept the proposed time" in page.content.decode()
    response = student_client.post(
        reverse("mentoring:request_accept_proposal", kwargs={"request_id": flash_request.pk})
    )
    assert response.status_code == 302
    assert Session.objects.get().start_at == slots[4].start_at


def test_a_student_cannot_answer_for_the_volunteer(student, student_client, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    response = student_client.post(
        reverse("mentoring:request_accept", kwargs={"request_id": flash_request.pk}),
        {"mode": "video"},
        follow=True,
    )
    assert "volunteer can do this." in response.content.decode()
    assert not Session.objects.exists()


def test_the_requests_list_shows_only_the_volunteers_own_pending_first(
    student, other_student, volunteer, volunteer_client, other_volunteer, mentor, slots
):
    other_mentor = bookable_mentor(other_volunteer)
    answered = _ask(student, mentor, slots[0])
    services.flash_request_decline(flash_request=answered, by=volunteer)
    pending = _ask(other_student, mentor, slots[6])
    not_mine = _ask(student, other_mentor, open_slots(other_mentor, limit=1)[0])

    response = volunteer_client.get(reverse("mentoring:requests"))
    html = response.content.decode()
    assert f'id="request-{pending.pk}"' in html
    assert f'id="request-{answered.pk}"' in html
    assert f'id="request-{not_mine.pk}"' not in html
    assert html.index(f'id="request-{pending.pk}"') < html.index(f'id="request-{answered.pk}"')


def test_the_requests_list_costs_the_same_queries_at_5_and_200_rows(
    volunteer, volunteer_client, mentor
):
    students = StudentFactory.create_batch(5)
    start = timezone.now() + dt.timedelta(days=2)
    statuses = [RequestStatus.PENDING, RequestStatus.DECLINED, RequestStatus.ACCEPTED]
    added = []

    def add_rows(n):
        rows = []
        for i in range(len(added), len(added) + n):
            at = start + dt.timedelta(hours=i)
            rows.append(
                FlashRequest(
                    student=students[i % 5],
                    volunteer=volunteer,
                    start_at=at,
                    end_at=at + dt.timedelta(minutes=30),
                    message=f"Question {i}",
                    status=statuses[i % 3],
                    expires_at=at,
                )
            )
        added.extend(FlashRequest.objects.bulk_create(rows))

    url = reverse("mentoring:requests")
    assert_queries_stable(lambda: volunteer_client.get(url), add_rows, small=5, large=200)
    assert volunteer_client.get(url).content.decode().count('id="request-') == 200


# --- Access ---------------------------------------------------------------------------------


# The request and session actions (every one is POST only: tests/routes.py).
POST_ACTIONS = [
    name
    for name, row in ROUTES.items()
    if name.startswith(("mentoring:request_", "mentoring:session_")) and row.get == POST_ONLY
]


@pytest.mark.parametrize("name", sorted(POST_ACTIONS))
def test_strangers_cannot_post_actions(
    name, client, student, other_student, volunteer, other_volunteer, staff
):
    objects = request_objects(student, volunteer)
    url = reverse(name, kwargs=route_kwargs(name, objects))
    response = client.post(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    for stranger in (other_student, other_volunteer, staff):
        assert _client(stranger).post(url, {"reason": "x", "rating": 5}).status_code == 404
    assert FlashRequest.objects.get(pk=objects["request_id"]).status == RequestStatus.PENDING
    assert Session.objects.get(pk=objects["session_id"]).status == "scheduled"


def test_the_student_withdraws_from_the_page(student, student_client, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    page = student_client.get(reverse("mentoring:request", kwargs={"request_id": flash_request.pk}))
    assert "Withdraw the request" in page.content.decode()
    response = student_client.post(
        reverse("mentoring:request_withdraw", kwargs={"request_id": flash_request.pk}),
        follow=True,
    )
    assert "Your request is withdrawn." in response.content.decode()
    flash_request.refresh_from_db()
    assert flash_request.status == RequestStatus.WITHDRAWN


def test_the_students_own_list_shows_their_requests(
    student, student_client, other_student, mentor, slots
):
    mine = _ask(student, mentor, slots[0])
    theirs = _ask(other_student, mentor, slots[2])
    html = student_client.get(reverse("mentoring:requests")).content.decode()
    assert f'id="request-{mine.pk}"' in html
    assert f'id="request-{theirs.pk}"' not in html
