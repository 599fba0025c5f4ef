"""Match rounds: set-up, eligibility and deadline, sign-up, the matcher from the database, the
review actions (lock, remove, swap), publication and its emails, booking, access, queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring import matching
from mentoring.models import (
    FlashRequest,
    Match,
    MatchRound,
    Mentor,
    RequestStatus,
    RoundRun,
    RoundStatus,
    RoundStudent,
    RoundVolunteer,
    Session,
    SessionStatus,
)
from mentoring.selectors import round_review as review_selectors
from mentoring.selectors import rounds as selectors
from mentoring.services import round_intros, round_matches
from mentoring.services import rounds as services
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.helpers import (
    mentor_for,
    open_round,
    round_objects,
    sign_up_student,
    sign_up_volunteer,
    topic,
)
from tests.querycount import assert_queries_stable, capture_queries
from tests.urlconf import all_routes

pytestmark = pytest.mark.django_db


def _closed_round(**fields) -> MatchRound:
    return open_round(status=RoundStatus.CLOSED, **fields)


def _volunteer(name: str, **mentor):
    volunteer = VolunteerFactory(profile__display_name=name)
    mentor_for(volunteer, **mentor)
    return volunteer


def _student(name: str, **kwargs):
    return StudentFactory(profile__display_name=name, **kwargs)


def _pairs(match_round) -> set[tuple[int, int]]:
    return set(Match.objects.filter(round=match_round).values_list("student_id", "volunteer_id"))


# --- Access ----------------------------------------------------------------------------------


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


# --- Staff: creating and editing a round -----------------------------------------------------


def _round_post(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "name": "Finance week",
        "signup_deadline": (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "window_start": (today + dt.timedelta(days=7)).isoformat(),
        "window_end": (today + dt.timedelta(days=21)).isoformat(),
        "class_years": "2027, 2028",
        "majors": "Economics; Mathematics",
        "intro_subject": round_intros.DEFAULT_INTRO_SUBJECT,
        "intro_body": round_intros.DEFAULT_INTRO_BODY,
    }
    return {**data, **overrides}


def test_staff_create_a_draft_round_with_eligibility(staff_client, staff):
    page = staff_client.get(reverse("mentoring:round_new"))
    assert page.status_code == 200
    assert "{booking_url}" in page.content.decode()  # the default email is pre-filled

    response = staff_client.post(reverse("mentoring:round_new"), _round_post())
    match_round = MatchRound.objects.get()
    assert response["Location"] == reverse("mentoring:round", args=[match_round.pk])
    assert match_round.status == RoundStatus.DRAFT
    assert match_round.class_years == [2027, 2028]
    assert match_round.majors == ["Economics", "Mathematics"]
    assert match_round.created_by == staff
    assert match_round.intro_body == round_intros.DEFAULT_INTRO_BODY


def test_round_form_errors(staff_client):
    today = timezone.localdate()
    response = staff_client.post(
        reverse("mentoring:round_new"),
        _round_post(
            window_end=(today - dt.timedelta(days=30)).isoformat(),
            class_years="2027, next year",
            intro_body="Hello {studnet_name}",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "“next year” is not a class year." in errors["class_years"]
    assert "Unknown merge field: {studnet_name}" in errors["intro_body"][0]
    assert not MatchRound.objects.exists()
    response = staff_client.post(
        reverse("mentoring:round_new"),
        _round_post(window_end=(today - dt.timedelta(days=30)).isoformat()),
    )
    assert response.context["form"].errors["window_end"] == [
        "The conversation window ends before it starts."
    ]


def test_staff_edit_a_round(staff_client):
    match_round = open_round()
    url = reverse("mentoring:round_edit", args=[match_round.pk])
    assert staff_client.get(url).status_code == 200
    staff_client.post(url, _round_post(name="Renamed", class_years="", majors=""))
    match_round.refresh_from_db()
    assert match_round.name == "Renamed"
    assert match_round.class_years == []
    assert match_round.majors == []


def test_staff_tune_the_matcher_on_the_round_form(staff_client):
    match_round = open_round()
    url = reverse("mentoring:round_edit", args=[match_round.pk])
    staff_client.post(
        url,
        _round_post(
            topic_points="5.5",
            third_choice_points="0",
            require_shared_topic="on",
            objective=matching.OBJECTIVE_MOST_MATCHED,
        ),
    )
    match_round.refresh_from_db()
    settings = matching.MatchSettings.from_json(match_round.matching_settings)
    assert settings.topic_points == 5.5
    assert settings.preference_points == (12.0, 8.0, 0.0)
    assert settings.industry_points == matching.INDUSTRY_POINTS  # left empty: the default
    assert settings.require_shared_topic
    assert not settings.require_same_industry
    assert settings.objective == matching.OBJECTIVE_MOST_MATCHED
    form = staff_client.get(url).context["form"]
    assert form.initial["topic_points"] == 5.5
    assert form.initial["require_shared_topic"] is True

    response = staff_client.post(url, _round_post(topic_points="2.1", industry_points="-1"))
    errors = response.context["form"].errors
    assert errors["topic_points"] == ["Use steps of 0.25 (e.g. 2.5 or 2.75)."]
    assert "industry_points" in errors
    # Back to the defaults: stored as nothing, so the round follows the defaults.
    staff_client.post(url, _round_post())
    match_round.refresh_from_db()
    assert match_round.matching_settings == {}


def test_bad_matching_settings_are_refused_by_the_service(staff):
    with pytest.raises(ValidationError, match="objective"):
        services.round_create(
            created_by=staff,
            name="x",
            signup_deadline=timezone.now() + dt.timedelta(days=1),
            window_start=timezone.localdate() + dt.timedelta(days=3),
            window_end=timezone.localdate() + dt.timedelta(days=9),
            matching_settings={"objective": "fastest"},
        )


def test_a_tuned_round_matches_with_its_settings_and_says_so(staff_client):
    match_round, _, _, ann, _, _ = _scenario()
    match_round.matching_settings = matching.MatchSettings(
        topic_points=7.0, require_shared_topic=True
    ).as_json()
    match_round.save()
    run = round_matches.round_run_matcher(match_round=match_round)
    assert run.certificate["optimal"] is True
    ann_match = Match.objects.get(round=match_round, student=ann)
    assert ann_match.breakdown["topics"] == 7.0
    assert ann_match.breakdown["settings"]["require_shared_topic"] is True
    html = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk])).content
    assert "a shared topic required" in html.decode()


def test_a_published_round_cannot_be_edited(staff_client):
    match_round = open_round(status=RoundStatus.PUBLISHED)
    response = staff_client.post(
        reverse("mentoring:round_edit", args=[match_round.pk]), _round_post(name="Renamed")
    )
    assert "can no longer change" in str(response.context["form"].non_field_errors())
    match_round.refresh_from_db()
    assert match_round.name == "Spring flash mentoring"


def test_status_changes(staff_client):
    match_round = open_round(status=RoundStatus.DRAFT)
    url = reverse("mentoring:round_status", args=[match_round.pk])
    staff_client.post(url, {"status": "open"})
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.OPEN
    response = staff_client.post(url, {"status": "closed"})
    assert response["Location"] == reverse("mentoring:round_review", args=[match_round.pk])
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.CLOSED
    staff_client.post(url, {"status": "draft"})  # closed -> draft is not a transition
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.CLOSED
    staff_client.post(url, {"status": "open"})
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.OPEN


def test_a_round_whose_deadline_passed_cannot_open():
    match_round = open_round(
        status=RoundStatus.DRAFT, signup_deadline=timezone.now() - dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="deadline has passed"):
        services.round_set_status(match_round=match_round, status=RoundStatus.OPEN)
    with pytest.raises(ValidationError, match="cannot become"):
        services.round_set_status(match_round=match_round, status=RoundStatus.PUBLISHED)


# --- Sign-up: eligibility, deadline, join, leave ---------------------------------------------


def _join_post(**overrides) -> dict:
    data = {
        "topics": [topic("Industry insight").pk],
        "industries": "Fintech, Consulting",
        "availability": ["0:morning", "2:evening"],
    }
    return {**data, **overrides}


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


# --- The matcher, from the database ----------------------------------------------------------


def test_matcher_input_converts_zones_and_finds_served_and_met_pairs():
    match_round = _closed_round(window_start=dt.date(2026, 6, 8), window_end=dt.date(2026, 6, 30))
    student = _student("Sam", profile__time_zone="America/New_York")
    veteran = _student("Vet")
    volunteer = VolunteerFactory(profile__time_zone="Europe/Paris")
    mentor_for(
        volunteer,
        industry=" FinTech ",
        topics=("Resume review",),
        windows=[(0, dt.time(19), dt.time(21))],  # 17:00-19:00 UTC in June
    )
    sign_up_student(
        match_round,
        student,
        topics=("Resume review",),
        industries="fintech",
        availability=[[0, 12, 17]],  # 16:00-21:00 UTC in June
    )
    sign_up_student(match_round, veteran)
    sign_up_volunteer(match_round, volunteer, capacity=3)
    earlier = open_round(name="Earlier", status=RoundStatus.PUBLISHED)
    Match.objects.create(round=earlier, student=veteran, volunteer=volunteer, published=True)

    data = selectors.matcher_input(match_round=match_round)
    sam = next(s for s in data.students if s.id == student.pk)
    vet = next(s for s in data.students if s.id == veteran.pk)
    (offer,) = data.volunteers
    assert sam.availability == {16, 17, 18, 19, 20}
    assert offer.availability == {17, 18}
    assert offer.industry == "fintech"
    assert offer.capacity == 3
    assert sam.industries == {"fintech"}
    assert sam.topics == offer.topics
    assert not sam.already_served
    assert vet.already_served
    assert data.forbidden == {(veteran.pk, volunteer.pk)}


def test_matcher_input_queries_do_not_grow():
    match_round = _closed_round()
    counts = []
    for size in (2, 10):
        while RoundStudent.objects.filter(round=match_round).count() < size:
            sign_up_student(match_round, StudentFactory(), topics=("Resume review",))
            volunteer = VolunteerFactory()
            mentor_for(volunteer, topics=("Resume review",))
            sign_up_volunteer(match_round, volunteer)
        with capture_queries() as queries:
            data = selectors.matcher_input(match_round=match_round)
        assert len(data.students) == size
        counts.append(len(queries))
    # 10, 4 to work out who has time to book, and 2 for no-shows: the policy and the counts.
    assert counts[0] == counts[1] == 16


def test_sessions_make_a_student_served_and_the_pair_forbidden(student, volunteer):
    match_round = _closed_round()
    mentor_for(volunteer)
    sign_up_student(match_round, student)
    sign_up_volunteer(match_round, volunteer)
    start = timezone.now() - dt.timedelta(days=30)
    request = FlashRequest.objects.create(
        student=student,
        volunteer=volunteer,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        message="Hello",
        status=RequestStatus.ACCEPTED,
        expires_at=start,
    )
    session = Session.objects.create(
        request=request,
        student=student,
        volunteer=volunteer,
        start_at=start,
        end_at=request.end_at,
        status=SessionStatus.COMPLETED,
    )
    data = selectors.matcher_input(match_round=match_round)
    assert data.students[0].already_served
    assert data.forbidden == {(student.pk, volunteer.pk)}
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    data = selectors.matcher_input(match_round=match_round)
    assert not data.students[0].already_served
    assert data.forbidden == frozenset()


def _scenario():
    """Two volunteers with one seat each; Ann prefers Carol, Ben prefers Dave."""
    match_round = _closed_round()
    carol = _volunteer("Carol", industry="Fintech", topics=("Industry insight",))
    dave = _volunteer("Dave", industry="Health", topics=("Resume review",))
    ann, ben, cy = _student("Ann"), _student("Ben"), _student("Cy")
    for v in (carol, dave):
        sign_up_volunteer(match_round, v, capacity=1)
    sign_up_student(match_round, ann, topics=("Industry insight",), preferences=[carol.pk])
    sign_up_student(match_round, ben, topics=("Resume review",), preferences=[dave.pk])
    sign_up_student(match_round, cy, availability=[[6, 20, 21]])  # Sunday night: nobody
    return match_round, carol, dave, ann, ben, cy


def test_run_proposes_matches_and_records_the_run(staff_client):
    match_round, carol, dave, ann, ben, cy = _scenario()
    response = staff_client.post(reverse("mentoring:round_run", args=[match_round.pk]), follow=True)
    assert "The matcher proposed 2 matches" in response.content.decode()
    assert _pairs(match_round) == {(ann.pk, carol.pk), (ben.pk, dave.pk)}
    run = RoundRun.objects.get(round=match_round)
    assert run.matched == 2
    assert run.unmatched == {str(cy.pk): matching.NO_SHARED_TIME}
    assert run.total_score == pytest.approx(
        sum(Match.objects.filter(round=match_round).values_list("score", flat=True))
    )
    assert run.solver_seconds > 0
    assert run.certificate["optimal"] is True
    assert run.certificate["gap"] == 0
    assert run.certificate["violations"] == 0
    ann_match = Match.objects.get(round=match_round, student=ann)
    assert ann_match.breakdown["shared_topic_names"] == ["Industry insight"]
    assert ann_match.breakdown["preference_rank"] == 1

    page = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk]))
    html = page.content.decode()
    assert "Industry insight" in html
    assert "first choice" in html
    assert "no volunteer with a shared time" in html
    assert "Cy" in html
    assert "proved optimal (gap 0)" in html


def test_a_run_that_is_not_proved_optimal_says_so(staff_client):
    match_round, *_ = _scenario()
    run = round_matches.round_run_matcher(match_round=match_round)
    run.certificate = {**run.certificate, "optimal": False, "gap": 4.25}
    run.save(update_fields=["certificate"])
    html = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk])).content
    assert "not proved optimal (gap 4.25)" in html.decode()


def test_run_needs_a_closed_round():
    match_round = open_round()
    with pytest.raises(ValidationError, match="Close sign-up"):
        round_matches.round_run_matcher(match_round=match_round)
    assert not RoundRun.objects.exists()


def test_lock_is_kept_on_rerun(staff_client):
    match_round, carol, dave, ann, ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    # Staff would rather have Ann with Dave; swap, which locks both.
    ann_match = Match.objects.get(round=match_round, student=ann)
    ben_match = Match.objects.get(round=match_round, student=ben)
    round_matches.match_swap(match_round=match_round, first_id=ann_match.pk, second_id=ben_match.pk)
    round_matches.round_run_matcher(match_round=match_round)
    assert _pairs(match_round) == {(ann.pk, dave.pk), (ben.pk, carol.pk)}
    # Unlock one: the matcher is free again for both seats.
    url = reverse("mentoring:round_match_lock", args=[match_round.pk, ann_match.pk])
    staff_client.post(url, {"locked": "0"})
    staff_client.post(
        reverse("mentoring:round_match_lock", args=[match_round.pk, ben_match.pk]),
        {"locked": "0"},
    )
    round_matches.round_run_matcher(match_round=match_round)
    assert _pairs(match_round) == {(ann.pk, carol.pk), (ben.pk, dave.pk)}

    # Lock through the page, then re-run: kept.
    ann_match = Match.objects.get(round=match_round, student=ann)
    staff_client.post(
        reverse("mentoring:round_match_lock", args=[match_round.pk, ann_match.pk]),
        {"locked": "1"},
    )
    staff_client.post(reverse("mentoring:round_run", args=[match_round.pk]))
    assert Match.objects.get(pk=ann_match.pk).locked
    assert RoundRun.objects.filter(round=match_round).count() == 4


def test_a_lock_on_someone_who_left_is_dropped_on_rerun():
    match_round, _carol, _dave, ann, _ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    match = Match.objects.get(round=match_round, student=ann)
    round_matches.match_set_locked(match_round=match_round, match_id=match.pk, locked=True)
    RoundStudent.objects.filter(round=match_round, student=ann).delete()
    round_matches.round_run_matcher(match_round=match_round)
    assert not Match.objects.filter(round=match_round, student=ann).exists()


def test_remove_keeps_the_pair_apart_on_rerun(staff_client):
    match_round, carol, _dave, ann, _ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    ann_match = Match.objects.get(round=match_round, student=ann)
    response = staff_client.post(
        reverse("mentoring:round_match_remove", args=[match_round.pk, ann_match.pk]), follow=True
    )
    assert "will not pair them again" in response.content.decode()
    match_round.refresh_from_db()
    assert match_round.removed_pairs == [[ann.pk, carol.pk]]
    assert "staff removed their match" in response.content.decode()
    round_matches.round_run_matcher(match_round=match_round)
    assert (ann.pk, carol.pk) not in _pairs(match_round)
    # Carol's only seat goes to nobody else who wants her... Ann takes Dave or Ben keeps him.
    assert len(_pairs(match_round)) == 2


def test_a_locked_match_cannot_be_removed():
    match_round, _carol, _dave, ann, _ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    match = Match.objects.get(round=match_round, student=ann)
    round_matches.match_set_locked(match_round=match_round, match_id=match.pk, locked=True)
    with pytest.raises(ValidationError, match="unlock it first"):
        round_matches.match_remove(match_round=match_round, match_id=match.pk)
    assert Match.objects.filter(pk=match.pk).exists()


def test_review_actions_refuse_an_open_or_published_round_and_stale_matches(staff_client):
    match_round, _carol, _dave, ann, _ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    match = Match.objects.get(round=match_round, student=ann)
    with pytest.raises(ValidationError, match="no longer proposed"):
        round_matches.match_set_locked(match_round=match_round, match_id=999999, locked=True)
    MatchRound.objects.filter(pk=match_round.pk).update(status=RoundStatus.OPEN)
    with pytest.raises(ValidationError, match="Close sign-up"):
        round_matches.match_set_locked(match_round=match_round, match_id=match.pk, locked=True)
    MatchRound.objects.filter(pk=match_round.pk).update(status=RoundStatus.PUBLISHED)
    response = staff_client.post(
        reverse("mentoring:round_match_remove", args=[match_round.pk, match.pk]), follow=True
    )
    assert "its matches can no longer change" in response.content.decode()
    assert Match.objects.filter(pk=match.pk).exists()


def test_swap_exchanges_volunteers_and_locks(staff_client):
    match_round, carol, dave, ann, ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    ann_match = Match.objects.get(round=match_round, student=ann)
    ben_match = Match.objects.get(round=match_round, student=ben)
    response = staff_client.post(
        reverse("mentoring:round_swap", args=[match_round.pk]),
        {"match": [ann_match.pk, ben_match.pk]},
        follow=True,
    )
    assert "Swapped: Ann now meets Dave and Ben meets Carol" in response.content.decode()
    ann_match.refresh_from_db()
    ben_match.refresh_from_db()
    assert (ann_match.volunteer_id, ben_match.volunteer_id) == (dave.pk, carol.pk)
    assert ann_match.locked
    assert ben_match.locked
    assert ann_match.breakdown["preference_rank"] is None
    assert ann_match.score == pytest.approx(ann_match.breakdown["total"])


def test_swap_is_refused_when_it_breaks_a_hard_constraint(staff_client):
    match_round, carol, dave, ann, ben, _ = _scenario()
    RoundStudent.objects.filter(student=ben).update(excluded=[carol.pk])
    round_matches.round_run_matcher(match_round=match_round)
    ann_match = Match.objects.get(round=match_round, student=ann)
    ben_match = Match.objects.get(round=match_round, student=ben)
    response = staff_client.post(
        reverse("mentoring:round_swap", args=[match_round.pk]),
        {"match": [ann_match.pk, ben_match.pk]},
        follow=True,
    )
    assert (
        "Not swapped. Ben cannot be matched with Carol: the student excluded this volunteer."
        in response.content.decode()
    )
    assert _pairs(match_round) == {(ann.pk, carol.pk), (ben.pk, dave.pk)}

    # No shared hour.
    RoundStudent.objects.filter(student=ben).update(excluded=[])
    carol.mentor.windows.update(weekday=6)  # Carol is now free on Sundays only
    with pytest.raises(ValidationError, match="Ben cannot be matched with Carol: they share no"):
        round_matches.match_swap(
            match_round=match_round, first_id=ann_match.pk, second_id=ben_match.pk
        )
    # Tick one, or the same volunteer twice.
    response = staff_client.post(
        reverse("mentoring:round_swap", args=[match_round.pk]),
        {"match": [ann_match.pk]},
        follow=True,
    )
    assert "Tick exactly two matches" in response.content.decode()


def test_swap_of_two_students_with_the_same_volunteer_is_refused():
    match_round = _closed_round()
    carol = _volunteer("Carol")
    sign_up_volunteer(match_round, carol, capacity=2)
    ann, ben = _student("Ann"), _student("Ben")
    sign_up_student(match_round, ann)
    sign_up_student(match_round, ben)
    round_matches.round_run_matcher(match_round=match_round)
    first, second = Match.objects.filter(round=match_round)
    with pytest.raises(ValidationError, match="already have the same volunteer"):
        round_matches.match_swap(match_round=match_round, first_id=first.pk, second_id=second.pk)


# --- Publication -----------------------------------------------------------------------------


def test_publish_emails_each_pair_once_with_both_parts(staff_client, mailoutbox):
    match_round, carol, _dave, ann, _ben, _ = _scenario()
    mentor = carol.mentor
    from contacts.services.people import organization_get_or_create

    mentor.organization = organization_get_or_create(name="Acme Bank")
    mentor.save()
    round_matches.round_run_matcher(match_round=match_round)
    url = reverse("mentoring:round_publish", args=[match_round.pk])
    preview = staff_client.get(url).content.decode()
    assert "Publish and send 2 emails" in preview

    response = staff_client.post(url, follow=True)
    assert "2 introduction emails sent, one to each pair" in response.content.decode()
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.PUBLISHED
    assert match_round.published_at is not None
    assert set(Match.objects.filter(round=match_round).values_list("published", flat=True)) == {
        True
    }
    assert len(mailoutbox) == 2
    by_recipients = {frozenset(m.to): m for m in mailoutbox}
    message = by_recipients[frozenset({ann.email, carol.email})]
    ann_match = Match.objects.get(round=match_round, student=ann)
    booking = "http://testserver" + reverse("mentoring:round_match", args=[ann_match.pk])
    assert message.subject == "Spring flash mentoring: meet Carol"
    assert "Hello Ann and Carol," in message.body
    assert "Carol (Acme Bank)" in message.body
    assert booking in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{booking}"' in html
    assert message.extra_headers["X-Rapport-Idempotency-Key"] == f"round-intro:{ann_match.pk}"

    # Publishing again sends nothing.
    response = staff_client.post(url, follow=True)
    assert "was already published: nothing sent" in response.content.decode()
    assert round_matches.round_publish(match_round=match_round) == 0
    assert len(mailoutbox) == 2


def test_publish_with_the_outbox_stores_one_row_per_pair(settings, staff):
    from networking_app.notifications.models import OutgoingEmail

    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    match_round, *_ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    assert round_matches.round_publish(match_round=match_round) == 2
    rows = OutgoingEmail.objects.filter(kind="round_intro")
    assert rows.count() == 2
    assert all(row.html and row.text for row in rows)
    assert round_matches.round_publish(match_round=match_round) == 0
    assert rows.count() == 2


def test_publish_uses_the_rounds_own_template(mailoutbox):
    match_round, _carol, _dave, ann, _ben, _ = _scenario()
    MatchRound.objects.filter(pk=match_round.pk).update(
        intro_subject="Say hi to {volunteer_name}",
        intro_body="{student_name}, meet {volunteer_name}. {student_name.__class__} {unknown}",
    )
    match_round.refresh_from_db()
    round_matches.round_run_matcher(match_round=match_round)
    round_matches.round_publish(match_round=match_round)
    message = next(m for m in mailoutbox if ann.email in m.to)
    assert message.subject == "Say hi to Carol"
    # Unknown fields stay as typed; nothing is evaluated; the booking link is added.
    assert message.body.startswith("Ann, meet Carol. {student_name.__class__} {unknown}")
    assert "Book a time: http://testserver/" in message.body


def test_publish_needs_a_closed_round_with_matches(mailoutbox):
    match_round = open_round()
    with pytest.raises(ValidationError, match="Close sign-up"):
        round_matches.round_publish(match_round=match_round)
    closed = _closed_round()
    with pytest.raises(ValidationError, match="nothing to publish"):
        round_matches.round_publish(match_round=closed)
    assert mailoutbox == []


def test_merge_fields():
    assert round_intros.unknown_merge_fields("{student_name} {x} {round_name} {y}") == ["x", "y"]
    assert round_intros.merge("{a} {round_name}", {"round_name": "R"}) == "{a} R"


# --- Booking after publication ---------------------------------------------------------------


def test_student_books_a_slot_of_their_volunteer(student, student_client, volunteer, mailoutbox):
    match_round = open_round(status=RoundStatus.PUBLISHED)
    mentor_for(volunteer, bookable=True, windows=[(d, dt.time(9), dt.time(17)) for d in range(7)])
    match = Match.objects.create(
        round=match_round, student=student, volunteer=volunteer, published=True
    )
    url = reverse("mentoring:round_match", args=[match.pk])
    page = student_client.get(url)
    slots = page.context["slots"]
    assert slots
    assert all(s.start_at.date() >= match_round.window_start for s in slots)
    response = student_client.post(
        reverse("mentoring:round_match_book", args=[match.pk]),
        {"start_at": slots[0].start_at.isoformat(), "message": "How did you start in fintech?"},
        follow=True,
    )
    assert "Your request is on its way" in response.content.decode()
    flash_request = FlashRequest.objects.get()
    assert flash_request.match == match
    assert flash_request.start_at == slots[0].start_at
    assert student_client.get(url).context["booked"] == flash_request


def test_volunteer_sees_their_match_without_booking(volunteer, volunteer_client, student):
    match_round = open_round(status=RoundStatus.PUBLISHED)
    mentor_for(volunteer)
    match = Match.objects.create(
        round=match_round, student=student, volunteer=volunteer, published=True
    )
    page = volunteer_client.get(reverse("mentoring:round_match", args=[match.pk]))
    assert "Your match: Alice Student" in page.content.decode()
    assert page.context["slots"] == []
    response = volunteer_client.post(reverse("mentoring:round_match_book", args=[match.pk]))
    assert response.status_code == 404


# --- Query counts ----------------------------------------------------------------------------


def test_review_page_queries_do_not_grow(staff_client):
    match_round = _closed_round()
    run = RoundRun.objects.create(round=match_round, unmatched={})
    url = reverse("mentoring:round_review", args=[match_round.pk])

    def add_rows(n):
        unmatched = dict(run.unmatched)
        for _ in range(n):
            volunteer = VolunteerFactory()
            mentor_for(volunteer, organization=f"Org {volunteer.pk}", windows=[])
            student = StudentFactory()
            Match.objects.create(
                round=match_round,
                student=student,
                volunteer=volunteer,
                score=20,
                locked=student.pk % 2 == 0,
                breakdown=matching.pair_breakdown(
                    matching.StudentIn(id=student.pk, availability=frozenset({1})),
                    matching.VolunteerIn(id=volunteer.pk, availability=frozenset({1})),
                )
                | {"shared_topic_names": ["Resume review"]},
            )
            left_out = StudentFactory()
            sign_up_student(match_round, left_out)
            unmatched[str(left_out.pk)] = matching.ALL_FULL
        run.unmatched = unmatched
        run.save()

    assert_queries_stable(lambda: staff_client.get(url), add_rows, small=5, large=100)
    review = staff_client.get(url).context["review"]
    assert len(review.matches) == review_selectors.REVIEW_PAGE_SIZE == 50
    assert review.match_count == 100
    assert review.locked_count == sum(1 for m in Match.objects.all() if m.locked)
    assert len(review.unmatched) == review.unmatched_count == 100
    second = staff_client.get(url, {"page": 2}).context["review"]
    assert {m.pk for m in second.matches}.isdisjoint(m.pk for m in review.matches)
    assert len(second.matches) == 50


def test_filtered_review_page_queries_do_not_grow(staff_client):
    match_round = _closed_round()
    url = reverse("mentoring:round_review", args=[match_round.pk])
    filters = {"min_score": "10", "max_score": "30", "warning": "no_time", "page": "2"}

    def add_rows(n):
        for _ in range(n):
            volunteer = VolunteerFactory()
            mentor_for(volunteer, windows=[])
            Match.objects.create(
                round=match_round, student=StudentFactory(), volunteer=volunteer, score=20
            )

    assert_queries_stable(lambda: staff_client.get(url, filters), add_rows, small=3, large=60)
    review = staff_client.get(url, filters).context["review"]
    assert len(review.matches) == 10  # page 2 of 60 matches without a time to book
    assert review.without_bookable_time == 10


def test_review_filters_by_volunteer_score_and_warning(staff_client):
    match_round, _, _, ann, ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    url = reverse("mentoring:round_review", args=[match_round.pk])
    Match.objects.filter(round=match_round, student=ben).update(score=20, locked=True)
    Match.objects.filter(round=match_round, student=ann).update(score=30.5)

    def shown(**query):
        return {m.student_id for m in staff_client.get(url, query).context["review"].matches}

    assert shown() == {ann.pk, ben.pk}
    assert shown(volunteer="caro") == {ann.pk}
    assert shown(volunteer="DAVE") == {ben.pk}
    assert shown(min_score="30.5") == {ann.pk}
    assert shown(max_score="25") == {ben.pk}
    assert shown(min_score="21", max_score="30") == set()
    assert shown(warning="locked") == {ben.pk}
    assert shown(warning="no_time") == set()  # both volunteers have times to book
    page = staff_client.get(url, {"volunteer": "nobody"})
    assert "No match fits these filters." in page.content.decode()
    # A filter that is not a number is ignored, not an error.
    assert shown(min_score="lots") == {ann.pk, ben.pk}


def test_review_shows_the_first_students_without_a_match_and_counts_them_all(
    staff_client, monkeypatch
):
    monkeypatch.setattr(review_selectors, "UNMATCHED_SHOWN", 3)
    match_round = _closed_round()
    for _ in range(5):
        sign_up_student(match_round, StudentFactory())
    page = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk]))
    review = page.context["review"]
    assert len(review.unmatched) == 3
    assert review.unmatched_count == 5
    assert "Students without a match (5)" in page.content.decode()
    assert "The first 3 of 5 are shown." in page.content.decode()


def test_review_csv_exports_every_match(staff_client):
    match_round, carol, dave, ann, ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    ann.profile.display_name = "=HYPERLINK(1)"
    ann.profile.save()
    response = staff_client.get(reverse("mentoring:round_review_csv", args=[match_round.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["student", "student_email", "volunteer"]
    assert len(rows) == 3
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email[ann.email][0] == "'=HYPERLINK(1)"  # a formula is neutralised
    assert by_email[ann.email][2] == carol.display_name
    assert by_email[ann.email][8] == "Industry insight"
    assert by_email[ben.email][2] == dave.display_name


def test_round_list_and_detail_queries_do_not_grow(staff_client):
    match_round = open_round()

    def add_rounds(n):
        for _ in range(n):
            open_round()

    assert_queries_stable(
        lambda: staff_client.get(reverse("mentoring:rounds")), add_rounds, small=2, large=12
    )

    def add_signups(n):
        for _ in range(n):
            sign_up_student(match_round, StudentFactory(), topics=("Resume review",))
            volunteer = VolunteerFactory()
            mentor_for(volunteer, organization=f"Org {volunteer.pk}")
            sign_up_volunteer(match_round, volunteer)

    assert_queries_stable(
        lambda: staff_client.get(reverse("mentoring:round", args=[match_round.pk])),
        add_signups,
        small=2,
        large=12,
    )


def test_rounds_open_page_queries_do_not_grow(student, student_client):
    def add_rows(n):
        for _ in range(n):
            match_round = open_round(status=RoundStatus.PUBLISHED)
            volunteer = VolunteerFactory()
            mentor_for(volunteer, organization=f"Org {volunteer.pk}")
            Match.objects.create(
                round=match_round, student=student, volunteer=volunteer, published=True
            )
            sign_up_student(open_round(), student)

    assert_queries_stable(lambda: student_client.get(reverse("mentoring:rounds_open")), add_rows)


# --- Time the student can book (issue 15) ------------------------------------------------------

TUESDAY_8_DEC = dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC)


def _january_round():
    """Conversations from Mon 18 to Fri 29 January 2027, six weeks after the frozen now."""
    return _closed_round(
        signup_deadline=TUESDAY_8_DEC - dt.timedelta(days=1),
        window_start=dt.date(2027, 1, 18),
        window_end=dt.date(2027, 1, 29),
    )


def _bookable_volunteers(match_round):
    """Far: books 30 days ahead, so nothing in January yet. Full: January's capacity is taken.
    Near: books 60 days ahead, with room, on weekday mornings only."""
    far = _volunteer("Far Away")
    full = _volunteer("Full January")
    near = _volunteer("Near Enough", windows=[(d, dt.time(9), dt.time(12)) for d in range(5)])
    Mentor.objects.filter(user__in=[full, near]).update(booking_window_days=60)
    Mentor.objects.filter(user=full).update(monthly_capacity=1)
    start = dt.datetime(2027, 1, 5, 10, 0, tzinfo=dt.UTC)
    FlashRequest.objects.create(
        student=StudentFactory(),
        volunteer=full,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        message="Hello",
        status=RequestStatus.ACCEPTED,
        expires_at=start,
    )
    for volunteer in (far, full, near):
        sign_up_volunteer(match_round, volunteer, capacity=2)
    return far, full, near


def test_matcher_pairs_only_volunteers_with_time_to_book_in_the_round(time_machine):
    time_machine.move_to(TUESDAY_8_DEC, tick=False)
    match_round = _january_round()
    far, full, near = _bookable_volunteers(match_round)
    ann, ben, cy = _student("Ann"), _student("Ben"), _student("Cy")
    sign_up_student(match_round, ann, preferences=[far.pk, full.pk])
    sign_up_student(match_round, ben, preferences=[full.pk])
    sign_up_student(match_round, cy, availability=[[d, 14, 16] for d in range(5)])

    data = selectors.matcher_input(match_round=match_round)
    assert {v.id: v.bookable for v in data.volunteers} == {
        far.pk: False,
        full.pk: False,
        near.pk: True,
    }
    run = round_matches.round_run_matcher(match_round=match_round)
    assert _pairs(match_round) == {(ann.pk, near.pk), (ben.pk, near.pk)}
    assert run.unmatched == {str(cy.pk): matching.NO_BOOKABLE_TIME}


def test_matcher_input_works_out_bookable_time_in_fixed_queries(time_machine):
    time_machine.move_to(TUESDAY_8_DEC, tick=False)
    match_round = _january_round()
    counts = []
    for size in (3, 12):
        while RoundVolunteer.objects.filter(round=match_round).count() < size:
            volunteer = VolunteerFactory()
            mentor_for(volunteer)
            Mentor.objects.filter(user=volunteer).update(booking_window_days=60)
            sign_up_volunteer(match_round, volunteer)
        with capture_queries() as queries:
            bookable = selectors.round_bookable_volunteers(
                match_round=match_round,
                volunteer_ids=RoundVolunteer.objects.filter(round=match_round).values(
                    "volunteer_id"
                ),
            )
        assert len(bookable) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.fixture
def on_tuesday_8_dec(time_machine):
    """The clock stopped before staff sign in (a session, or a second factor, from another
    date may have run out by then)."""
    time_machine.move_to(TUESDAY_8_DEC, tick=False)
    return time_machine


def test_review_warns_about_a_match_with_no_time_to_book(on_tuesday_8_dec, staff_client):
    """An older match (a lock, a swap, or availability changed since the run) whose volunteer
    has no slot left in the round's dates is flagged on the review page."""
    match_round = _january_round()
    far, _full, near = _bookable_volunteers(match_round)
    stuck = Match.objects.create(
        round=match_round, student=_student("Ann"), volunteer=far, locked=True
    )
    fine = Match.objects.create(round=match_round, student=_student("Ben"), volunteer=near)
    page = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk]))
    html = page.content.decode()
    assert f'id="no-time-{stuck.pk}"' in html
    assert f'id="no-time-{fine.pk}"' not in html
    assert "1 match below has no time the student can book" in html
    # The volunteer adds time (books further ahead): the warning goes.
    Mentor.objects.filter(user=far).update(booking_window_days=60)
    html = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk])).content
    assert b"no-time-" not in html
    assert b"no time the student can book" not in html


def test_swap_to_a_volunteer_with_no_time_to_book_is_refused(time_machine):
    time_machine.move_to(TUESDAY_8_DEC, tick=False)
    match_round = _january_round()
    far, _full, near = _bookable_volunteers(match_round)
    ann, ben = _student("Ann"), _student("Ben")
    for student in (ann, ben):
        sign_up_student(match_round, student)
    first = Match.objects.create(round=match_round, student=ann, volunteer=far, locked=True)
    second = Match.objects.create(round=match_round, student=ben, volunteer=near)
    with pytest.raises(ValidationError, match="no time to book in the round's dates"):
        round_matches.match_swap(match_round=match_round, first_id=first.pk, second_id=second.pk)
