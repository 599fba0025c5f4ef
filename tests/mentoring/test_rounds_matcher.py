"""Match rounds, the matcher from the database: its input (time zones, who was served, pairs
who met), a run and its record, and the review actions on its proposal: lock, remove and
swap, kept on a re-run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring import matching
from mentoring.models import (
    FlashRequest,
    Match,
    MatchRound,
    RequestStatus,
    RoundRun,
    RoundStatus,
    RoundStudent,
    Session,
    SessionStatus,
)
from mentoring.selectors import rounds as selectors
from mentoring.services import round_matches
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.helpers import closed_round as _closed_round
from tests.mentoring.helpers import (
    mentor_for,
    open_round,
    sign_up_student,
    sign_up_volunteer,
)
from tests.mentoring.helpers import named_student as _student
from tests.mentoring.helpers import named_volunteer as _volunteer
from tests.mentoring.helpers import round_pairs as _pairs
from tests.mentoring.helpers import round_scenario as _scenario
from tests.querycount import capture_queries

pytestmark = pytest.mark.django_db


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


# --- Runs and the review actions ------------------------------------------------------------


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
