"""Match rounds: who may do what. Only staff run a round's actions, only students and
volunteers sign up, a match page is its pair's alone and only once published, and
students never see a draft round."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentoring.models import (
    Match,
    RoundStatus,
    RoundStudent,
    RoundVolunteer,
)
from tests.mentoring.helpers import closed_round as _closed_round
from tests.mentoring.helpers import (
    mentor_for,
    open_round,
    round_objects,
    sign_up_student,
    sign_up_volunteer,
)
from tests.mentoring.helpers import named_student as _student
from tests.mentoring.helpers import named_volunteer as _volunteer
from tests.mentoring.helpers import round_join_post as _join_post
from tests.urlconf import all_routes

pytestmark = pytest.mark.django_db


STAFF_POSTS = ["round_status", "round_run", "round_match_lock", "round_match_remove", "round_swap"]


@pytest.mark.parametrize("name", [*STAFF_POSTS, "round_publish"])
def test_staff_actions_refuse_other_roles(
    name, client, student_client, volunteer_client, staff, student, volunteer
):
    match_round = _closed_round()
    match = Match.objects.create(round=match_round, student=student, volunteer=volunteer)
    kwargs = {"round_id": match_round.pk}
    if "match_id" in all_routes()[f"mentoring:{name}"].params:
        kwargs["match_id"] = match.pk
    url = reverse(f"mentoring:{name}", kwargs=kwargs)
    assert reverse("account_login") in client.post(url)["Location"]
    assert student_client.post(url, {"status": "open", "locked": "1"}).status_code == 403
    assert volunteer_client.post(url, {"status": "open", "locked": "1"}).status_code == 403
    match.refresh_from_db()
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.CLOSED
    assert not match.locked
    assert not match.published


def test_signup_actions_refuse_other_roles(
    client, student_client, volunteer_client, staff_client, student, volunteer
):
    match_round = open_round()
    mentor_for(volunteer)
    sign_up_student(match_round, student)
    sign_up_volunteer(match_round, volunteer)
    leave = reverse("mentoring:round_leave", args=[match_round.pk])
    volunteer_leave = reverse("mentoring:round_volunteer_leave", args=[match_round.pk])
    assert reverse("account_login") in client.post(leave)["Location"]
    assert volunteer_client.post(leave).status_code == 404
    assert staff_client.post(leave).status_code == 404
    assert student_client.post(volunteer_leave).status_code == 403
    assert staff_client.post(volunteer_leave).status_code == 403
    join = reverse("mentoring:round_join", args=[match_round.pk])
    assert volunteer_client.post(join, _join_post()).status_code == 404
    assert (
        student_client.post(
            reverse("mentoring:round_volunteer_join", args=[match_round.pk]), {"capacity": 5}
        ).status_code
        == 403
    )
    assert RoundStudent.objects.filter(round=match_round).count() == 1
    assert RoundVolunteer.objects.get(round=match_round).capacity == 2


def test_a_match_page_is_a_404_for_someone_else(other_student_client, staff_client, staff):
    student, volunteer = _student("Sam"), _volunteer("Val")
    params = round_objects(staff, student, volunteer)
    url = reverse("mentoring:round_match", kwargs={"match_id": params["match_id"]})
    assert other_student_client.get(url).status_code == 404
    book = reverse("mentoring:round_match_book", kwargs={"match_id": params["match_id"]})
    assert other_student_client.post(book, {"message": "hi"}).status_code == 404


def test_an_unpublished_match_page_is_a_404_even_for_its_student(student, student_client):
    volunteer = _volunteer("Val")
    match = Match.objects.create(round=_closed_round(), student=student, volunteer=volunteer)
    url = reverse("mentoring:round_match", kwargs={"match_id": match.pk})
    assert student_client.get(url).status_code == 404


def test_students_do_not_see_draft_rounds(student_client):
    draft = open_round(status=RoundStatus.DRAFT)
    assert student_client.get(reverse("mentoring:round_join", args=[draft.pk])).status_code == 404
