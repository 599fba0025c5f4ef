"""Match rounds, sign-up: students join, change their answers and leave; the form's and the
service's checks; eligibility by class year and major; the deadline; volunteers giving
time; the page of rounds open to a student."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring.models import (
    MatchRound,
    RoundStatus,
    RoundStudent,
    RoundVolunteer,
)
from mentoring.selectors import rounds as selectors
from mentoring.services import rounds as services
from tests.mentoring.helpers import closed_round as _closed_round
from tests.mentoring.helpers import (
    mentor_for,
    open_round,
    sign_up_student,
    sign_up_volunteer,
)
from tests.mentoring.helpers import named_student as _student
from tests.mentoring.helpers import named_volunteer as _volunteer
from tests.mentoring.helpers import round_join_post as _join_post

pytestmark = pytest.mark.django_db


def test_student_joins_changes_answers_and_leaves(student, student_client):
    match_round = open_round()
    carol, dave = _volunteer("Carol"), _volunteer("Dave")
    sign_up_volunteer(match_round, carol)
    sign_up_volunteer(match_round, dave)
    url = reverse("mentoring:round_join", args=[match_round.pk])
    page = student_client.get(url)
    assert page.status_code == 200
    assert "Carol" in page.content.decode()

    response = student_client.post(
        url, _join_post(preferred_1=dave.pk, preferred_2=carol.pk), follow=True
    )
    assert "You joined Spring flash mentoring" in response.content.decode()
    signup = RoundStudent.objects.get(round=match_round, student=student)
    assert signup.preferences == [dave.pk, carol.pk]
    assert signup.availability == [[0, 9, 12], [2, 17, 21]]
    assert signup.industries == "Fintech, Consulting"
    assert list(signup.topics.values_list("name", flat=True)) == ["Industry insight"]
    # The page shows the answers back.
    page = student_client.get(url).content.decode()
    assert re.search(r'<input[^>]*value="0:morning"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="1:morning"[^>]*checked', page)

    student_client.post(url, _join_post(excluded=[carol.pk], availability=["4:afternoon"]))
    signup.refresh_from_db()
    assert signup.excluded == [carol.pk]
    assert signup.preferences == []
    assert signup.availability == [[4, 12, 17]]

    student_client.post(reverse("mentoring:round_leave", args=[match_round.pk]))
    assert not RoundStudent.objects.filter(round=match_round).exists()


def test_join_form_validations(student, student_client):
    match_round = open_round()
    carol = _volunteer("Carol")
    sign_up_volunteer(match_round, carol)
    outsider = _volunteer("Outsider")  # did not opt in to this round
    url = reverse("mentoring:round_join", args=[match_round.pk])

    response = student_client.post(url, _join_post(availability=[]))
    assert response.context["form"].errors["availability"] == [
        "Pick at least one time of the week when you could talk."
    ]
    response = student_client.post(url, _join_post(preferred_1=outsider.pk))
    assert "preferred_1" in response.context["form"].errors
    response = student_client.post(url, _join_post(preferred_1=carol.pk, preferred_2=carol.pk))
    assert response.context["form"].errors["preferred_2"] == ["Choose each volunteer once."]
    response = student_client.post(url, _join_post(preferred_1=carol.pk, excluded=[carol.pk]))
    assert response.context["form"].errors["excluded"] == [
        "A volunteer cannot be both preferred and excluded."
    ]
    assert not RoundStudent.objects.exists()


def test_join_service_validations(student):
    match_round = open_round()
    volunteers = [_volunteer(f"V{i}") for i in range(4)]
    for v in volunteers:
        sign_up_volunteer(match_round, v)
    join = {
        "match_round": match_round,
        "student": student,
        "topic_ids": [],
        "industries": "",
        "excluded": [],
        "availability": [[0, 9, 12]],
    }
    with pytest.raises(ValidationError, match="at most 3"):
        services.round_student_join(preferences=[v.pk for v in volunteers], **join)
    with pytest.raises(ValidationError, match="not a time of the week"):
        services.round_student_join(preferences=[], **{**join, "availability": [[9, 9, 12]]})


def test_ineligible_students_get_a_clear_message(student_client, student):
    by_year = open_round(class_years=[2030])
    response = student_client.get(reverse("mentoring:round_join", args=[by_year.pk]))
    assert response.status_code == 403
    assert "This round is for the class of 2030 only." in response.content.decode()
    response = student_client.post(reverse("mentoring:round_join", args=[by_year.pk]), _join_post())
    assert response.status_code == 403
    assert not RoundStudent.objects.exists()
    with pytest.raises(ValidationError, match="class of 2030"):
        services.round_student_join(
            match_round=by_year,
            student=student,
            topic_ids=[],
            industries="",
            preferences=[],
            excluded=[],
            availability=[[0, 9, 12]],
        )

    by_major = open_round(majors=["Economics"])
    response = student_client.get(reverse("mentoring:round_join", args=[by_major.pk]))
    assert response.status_code == 403
    assert "your profile has no major" in response.content.decode()


def test_eligibility_by_class_year_and_major():
    economist = _student(
        "Eco", student_profile__class_year=2027, student_profile__major="Economics"
    )
    historian = _student("His", student_profile__class_year=2027, student_profile__major="History")
    senior = _student("Sen", student_profile__class_year=2026, student_profile__major="economics")
    match_round = open_round(class_years=[2027], majors=["ECONOMICS "])
    assert selectors.student_ineligibility(match_round=match_round, student=economist) == ""
    assert "majoring in" in selectors.student_ineligibility(
        match_round=match_round, student=historian
    )
    assert "class of 2027" in selectors.student_ineligibility(
        match_round=match_round, student=senior
    )
    everyone = open_round()
    assert selectors.student_ineligibility(match_round=everyone, student=historian) == ""
    # The "Rounds open to you" list holds eligible rounds only.
    listed = [item.round for item in selectors.rounds_open_to(user=historian)]
    assert listed == [everyone]
    assert [i.round for i in selectors.rounds_open_to(user=economist)] == [match_round, everyone]


def test_signup_closes_at_the_deadline(student, student_client, volunteer):
    match_round = open_round(signup_deadline=timezone.now() + dt.timedelta(minutes=5))
    later = timezone.now() + dt.timedelta(minutes=6)
    join = {
        "match_round": match_round,
        "student": student,
        "topic_ids": [],
        "industries": "",
        "preferences": [],
        "excluded": [],
        "availability": [[0, 9, 12]],
    }
    services.round_student_join(**join)  # before the deadline
    with pytest.raises(ValidationError, match="closed at its deadline"):
        services.round_student_join(**join, now=later)
    with pytest.raises(ValidationError, match="closed at its deadline"):
        services.round_student_leave(match_round=match_round, student=student, now=later)
    mentor_for(volunteer)
    with pytest.raises(ValidationError, match="closed at its deadline"):
        services.round_volunteer_join(
            match_round=match_round, volunteer=volunteer, capacity=2, now=later
        )

    MatchRound.objects.filter(pk=match_round.pk).update(
        signup_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    url = reverse("mentoring:round_join", args=[match_round.pk])
    page = student_client.get(url)
    assert page.status_code == 200
    assert "Sign-up for this round is closed." in page.content.decode()
    student_client.post(url, _join_post(availability=["6:evening"]))
    assert RoundStudent.objects.get().availability == [[0, 9, 12]]  # unchanged


def test_a_closed_round_refuses_signups(student):
    match_round = _closed_round()
    with pytest.raises(ValidationError, match="not open for sign-up"):
        services.round_student_join(
            match_round=match_round,
            student=student,
            topic_ids=[],
            industries="",
            preferences=[],
            excluded=[],
            availability=[[0, 9, 12]],
        )


def test_volunteer_gives_time_and_withdraws(volunteer, volunteer_client):
    match_round = open_round()
    url = reverse("mentoring:round_volunteer_join", args=[match_round.pk])
    page = volunteer_client.get(url).content.decode()
    assert "Set up your mentor profile first" in page
    volunteer_client.post(url, {"capacity": 3})
    assert not RoundVolunteer.objects.exists()

    mentor_for(volunteer)
    response = volunteer_client.post(url, {"capacity": 3}, follow=True)
    assert "you are giving time in Spring flash mentoring" in response.content.decode()
    assert RoundVolunteer.objects.get(round=match_round, volunteer=volunteer).capacity == 3
    response = volunteer_client.post(url, {"capacity": 50})
    assert "capacity" in response.context["form"].errors
    volunteer_client.post(reverse("mentoring:round_volunteer_leave", args=[match_round.pk]))
    assert not RoundVolunteer.objects.exists()


def test_pending_volunteers_cannot_give_time(pending_volunteer):
    mentor_for(pending_volunteer)
    with pytest.raises(ValidationError, match="approved volunteers"):
        services.round_volunteer_join(
            match_round=open_round(), volunteer=pending_volunteer, capacity=1
        )


def test_rounds_open_page_lists_rounds_and_matches(student, student_client, volunteer_client):
    match_round = open_round(name="Open round")
    open_round(name="Closed round", status=RoundStatus.CLOSED)
    page = student_client.get(reverse("mentoring:rounds_open")).content.decode()
    assert "Rounds open to you:" in page
    assert "Join Open round" in page
    assert "Closed round" not in page
    sign_up_student(match_round, student)
    page = student_client.get(reverse("mentoring:rounds_open")).content.decode()
    assert "Change your answers" in page
    assert (
        "Give time in Open round"
        in volunteer_client.get(reverse("mentoring:rounds_open")).content.decode()
    )
