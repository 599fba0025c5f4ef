"""The sparse solver (mentoring/matching_sparse.py): the same optimum as the dense solver on
random instances of every shape, brute force on tiny ones, and a certificate that proves the
optimum and fails when a better pair exists."""

from __future__ import annotations

import dataclasses
import itertools
import random

import numpy as np
import pytest

from mentoring import matching, matching_dense, matching_sparse
from mentoring.matching import (
    MatchSettings,
    Proposal,
    StudentIn,
    VolunteerIn,
    pair_allowed,
    pair_breakdown,
)
from mentoring.matching_sparse import certify, solve_sparse

TOPICS = range(1, 7)
INDUSTRIES = ["fintech", "health", "energy", "media"]


def _instance(rng: random.Random):
    """Varied shapes: seats scarce or plentiful, capacities 1-4, many forbidden pairs or none,
    few hours (ties) or many, preferences and exclusions."""
    n_students = rng.randint(1, 40)
    n_volunteers = rng.randint(1, 15)
    hours = rng.choice([4, 10, 30])
    forbidden_rate = rng.choice([0.0, 0.1, 0.4])
    plain = rng.random() < 0.3  # everyone alike: many ties
    volunteers = [
        VolunteerIn(
            id=100 + j,
            topics=frozenset() if plain else frozenset(rng.sample(TOPICS, rng.randint(0, 3))),
            industry="" if plain else rng.choice([*INDUSTRIES, ""]),
            capacity=rng.randint(1, 4),
            availability=frozenset(rng.sample(range(hours), rng.randint(0, min(hours, 8)))),
            bookable=rng.random() < 0.9,
            organization=rng.choice([1, 2, None]),
        )
        for j in range(n_volunteers)
    ]
    students = []
    for i in range(n_students):
        preferred = (
            []
            if plain
            else rng.sample([v.id for v in volunteers], rng.randint(0, min(3, n_volunteers)))
        )
        students.append(
            StudentIn(
                id=i + 1,
                topics=frozenset() if plain else frozenset(rng.sample(TOPICS, rng.randint(0, 3))),
                industries=frozenset(rng.sample(INDUSTRIES, rng.randint(0, 2))),
                preferences={vid: rank for rank, vid in enumerate(preferred, start=1)},
                excluded=frozenset(
                    v.id for v in volunteers if v.id not in preferred and rng.random() < 0.1
                ),
                availability=frozenset(rng.sample(range(hours), rng.randint(0, min(hours, 10)))),
                already_served=rng.random() < 0.3,
                organizations=frozenset(rng.sample([1, 2], rng.randint(0, 1))),
            )
        )
    forbidden = frozenset(
        (s.id, v.id) for s in students for v in volunteers if rng.random() < forbidden_rate
    )
    locked: list[tuple[int, int]] = []
    if rng.random() < 0.4:
        room = {v.id: v.capacity for v in volunteers}
        for s in rng.sample(students, rng.randint(1, min(3, n_students))):
            open_ = [vid for vid, left in room.items() if left > 0]
            if open_:
                vid = rng.choice(open_)
                room[vid] -= 1
                locked.append((s.id, vid))
    return students, volunteers, forbidden, locked


def _assert_feasible(result, students, volunteers, forbidden, locked):
    by_student = {s.id: s for s in students}
    by_volunteer = {v.id: v for v in volunteers}
    assert {(x.student_id, x.volunteer_id) for x in result.matches if x.locked} == set(locked)
    load: dict[int, int] = {}
    for x in result.matches:
        load[x.volunteer_id] = load.get(x.volunteer_id, 0) + 1
        if not x.locked:
            assert pair_allowed(by_student[x.student_id], by_volunteer[x.volunteer_id], forbidden)
    for vid, count in load.items():
        assert count <= by_volunteer[vid].capacity
    matched = [x.student_id for x in result.matches]
    assert len(matched) == len(set(matched))
    assert set(matched) | set(result.unmatched) == set(by_student)


def test_same_optimum_as_the_dense_solver_on_600_random_instances():
    shapes = 0
    for seed in range(600):
        rng = random.Random(seed)
        students, volunteers, forbidden, locked = _instance(rng)
        # Few candidates per student, so that pricing has pairs to add back.
        k = rng.choice([1, 2, 3, 50])
        dense = matching_dense.solve_dense(students, volunteers, forbidden=forbidden, locked=locked)
        sparse = solve_sparse(students, volunteers, forbidden=forbidden, locked=locked, k=k)
        assert sparse.total_score == pytest.approx(dense.total_score, abs=1e-9), seed
        _assert_feasible(sparse, students, volunteers, forbidden, locked)
        certificate = certify(sparse, students, volunteers, forbidden)
        assert certificate.optimal, (seed, certificate)
        assert certificate.gap == 0
        shapes += sum(v.capacity for v in volunteers) < len(students)
    assert shapes > 100  # scarce seats were among the shapes


def _brute_force(students, volunteers, forbidden) -> float:
    options = [[None] + [v for v in volunteers if pair_allowed(s, v, forbidden)] for s in students]
    best = 0.0
    for choice in itertools.product(*options):
        load: dict[int, int] = {}
        total = 0.0
        for student, volunteer in zip(students, choice, strict=True):
            if volunteer is not None:
                load[volunteer.id] = load.get(volunteer.id, 0) + 1
                total += pair_breakdown(student, volunteer)["total"]
        if all(load[v.id] <= v.capacity for v in volunteers if v.id in load):
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_brute_force_on_tiny_instances(seed):
    rng = random.Random(10_000 + seed)
    students, volunteers, forbidden, _ = _instance(rng)
    students, volunteers = students[: rng.randint(1, 5)], volunteers[: rng.randint(1, 3)]
    result = solve_sparse(students, volunteers, forbidden=forbidden, k=1)
    assert result.total_score == pytest.approx(_brute_force(students, volunteers, forbidden))
    assert certify(result, students, volunteers, forbidden).optimal


@pytest.mark.parametrize("seed", range(10))
def test_block_scores_equal_the_dense_scores(seed, monkeypatch):
    monkeypatch.setattr(matching_sparse, "BLOCK_CELLS", 7)  # several blocks of a row or two
    rng = random.Random(20_000 + seed)
    students, volunteers, forbidden, _ = _instance(rng)
    settings = _random_settings(rng) if seed % 2 else MatchSettings()
    scores, allowed = matching.score_matrix(students, volunteers, forbidden, settings)
    scorer = matching_sparse._Scorer(students, volunteers, forbidden, settings)
    for block, block_scores, block_allowed, _ in scorer.blocks():
        assert np.array_equal(block_scores.astype(np.float64), scores[block])
        assert np.array_equal(block_allowed, allowed[block])


def _plain_round():
    volunteers = [
        VolunteerIn(id=10, topics=frozenset({1}), capacity=1, availability=frozenset({1, 2})),
        VolunteerIn(id=11, topics=frozenset(), capacity=1, availability=frozenset({1})),
    ]
    students = [
        StudentIn(id=1, topics=frozenset({1}), availability=frozenset({1, 2})),
        StudentIn(id=2, availability=frozenset({1})),
        StudentIn(id=3, availability=frozenset({2})),
    ]
    return students, volunteers


def test_certificate_fails_when_a_match_is_worse_than_it_could_be():
    students, volunteers = _plain_round()
    result = solve_sparse(students, volunteers)
    assert certify(result, students, volunteers).optimal
    # Swap the two matches: still feasible, lower total, same duals.
    by_student = {x.student_id: x for x in result.matches}
    assert by_student[1].volunteer_id == 10
    worse = []
    for x, vid in ((by_student[1], 11), (by_student[2], 10)):
        breakdown = pair_breakdown(
            next(s for s in students if s.id == x.student_id),
            next(v for v in volunteers if v.id == vid),
        )
        worse.append(Proposal(x.student_id, vid, breakdown["total"], breakdown))
    corrupted = dataclasses.replace(result, matches=worse)
    certificate = certify(corrupted, students, volunteers)
    assert not certificate.optimal
    assert certificate.gap > 0


def test_certificate_fails_when_a_better_pair_is_planted_after_the_fact():
    students, volunteers = _plain_round()
    result = solve_sparse(students, volunteers)
    assert certify(result, students, volunteers).optimal
    # A new volunteer with a free seat who shares an hour with the unmatched student.
    planted = [*volunteers, VolunteerIn(id=12, capacity=1, availability=frozenset({2}))]
    certificate = certify(result, students, planted)
    assert not certificate.optimal
    assert certificate.violations >= 1
    assert certificate.max_violation > 0


def test_certificate_fails_when_a_dropped_match_leaves_a_seat_free():
    students, volunteers = _plain_round()
    result = solve_sparse(students, volunteers)
    dropped = dataclasses.replace(result, matches=result.matches[1:])
    assert not certify(dropped, students, volunteers).optimal


def test_certificate_refuses_a_forbidden_match_and_missing_duals():
    students, volunteers = _plain_round()
    result = solve_sparse(students, volunteers)
    pair = (result.matches[0].student_id, result.matches[0].volunteer_id)
    certificate = certify(result, students, volunteers, forbidden={pair})
    assert not certificate.optimal
    assert certificate.problems
    assert not certify(dataclasses.replace(result, duals=None), students, volunteers).optimal


def test_pricing_adds_back_the_pairs_the_candidates_left_out():
    # Everyone's best volunteer is the same one seat; with one candidate each, only pricing
    # finds the second volunteer for the student who loses the seat.
    volunteers = [
        VolunteerIn(id=10, topics=frozenset({1, 2}), capacity=1, availability=frozenset({1})),
        VolunteerIn(id=11, capacity=1, availability=frozenset({1})),
    ]
    students = [
        StudentIn(id=1, topics=frozenset({1, 2}), availability=frozenset({1})),
        StudentIn(id=2, topics=frozenset({1}), availability=frozenset({1})),
    ]
    stats: dict = {}
    result = solve_sparse(students, volunteers, k=1, stats=stats)
    assert len(result.matches) == 2
    assert stats["rounds"] >= 2
    assert certify(result, students, volunteers).optimal


# --- Staff-tunable matching ----------------------------------------------------------------


def _random_settings(rng: random.Random) -> MatchSettings:
    def weight() -> float:
        return rng.randint(0, 40) / 4

    return MatchSettings(
        topic_points=weight(),
        industry_points=weight(),
        preference_points=(weight(), weight(), weight()),
        not_yet_served_points=weight(),
        availability_points_per_hour=weight() / 4 if rng.random() < 0.5 else weight(),
        require_shared_topic=rng.random() < 0.3,
        require_same_industry=rng.random() < 0.2,
        objective=rng.choice(matching.OBJECTIVES),
    )


def test_default_settings_change_nothing():
    assert MatchSettings.from_json({}) == matching.DEFAULT_SETTINGS
    assert MatchSettings.from_json(matching.DEFAULT_SETTINGS.as_json()) == MatchSettings()
    for seed in range(100):
        rng = random.Random(seed)
        students, volunteers, forbidden, locked = _instance(rng)
        before = matching_dense.solve_dense(
            students, volunteers, forbidden=forbidden, locked=locked
        )
        default = matching.solve(
            students, volunteers, forbidden=forbidden, locked=locked, settings=MatchSettings()
        )
        assert (
            default.matches
            == matching.solve(students, volunteers, forbidden=forbidden, locked=locked).matches
        )
        assert default.total_score == pytest.approx(before.total_score, abs=1e-9)
        for x in default.matches:
            assert "settings" not in x.breakdown
        scores = sorted(x.score for x in default.matches)
        if len({x.score for x in before.matches}) == len(before.matches):
            # No two matches score alike: the same scores, match for match.
            assert scores == sorted(x.score for x in before.matches)


def test_tuned_settings_same_optimum_as_the_dense_solver_and_certified():
    for seed in range(250):
        rng = random.Random(30_000 + seed)
        students, volunteers, forbidden, locked = _instance(rng)
        settings = _random_settings(rng)
        k = rng.choice([1, 2, 50])
        dense = matching_dense.solve_dense(
            students, volunteers, forbidden=forbidden, locked=locked, settings=settings
        )
        sparse = solve_sparse(
            students, volunteers, forbidden=forbidden, locked=locked, k=k, settings=settings
        )
        assert len(sparse.matches) == len(dense.matches) or (
            settings.objective == matching.OBJECTIVE_TOTAL
        ), seed
        assert sparse.total_score == pytest.approx(dense.total_score, abs=1e-9), (seed, settings)
        for x in sparse.matches:
            s = next(s for s in students if s.id == x.student_id)
            v = next(v for v in volunteers if v.id == x.volunteer_id)
            assert x.locked or pair_allowed(s, v, forbidden, settings)
            assert x.score == pair_breakdown(s, v, settings)["total"]
        certificate = certify(sparse, students, volunteers, forbidden, settings)
        assert certificate.optimal, (seed, certificate)
        if settings != matching.DEFAULT_SETTINGS and sparse.matches:
            assert sparse.matches[0].breakdown["settings"] == settings.as_json()


def _brute_force_most_matched(students, volunteers, forbidden, settings):
    options = [
        [None] + [v for v in volunteers if pair_allowed(s, v, forbidden, settings)]
        for s in students
    ]
    best = (0, 0.0)
    for choice in itertools.product(*options):
        load: dict[int, int] = {}
        total, count = 0.0, 0
        for student, volunteer in zip(students, choice, strict=True):
            if volunteer is not None:
                load[volunteer.id] = load.get(volunteer.id, 0) + 1
                total += pair_breakdown(student, volunteer, settings)["total"]
                count += 1
        if all(load[v.id] <= v.capacity for v in volunteers if v.id in load):
            best = max(best, (count, total))
    return best


@pytest.mark.parametrize("seed", range(30))
def test_most_matched_first_is_lexicographic(seed):
    rng = random.Random(40_000 + seed)
    students, volunteers, forbidden, _ = _instance(rng)
    students, volunteers = students[: rng.randint(1, 5)], volunteers[: rng.randint(1, 3)]
    settings = dataclasses.replace(_random_settings(rng), objective=matching.OBJECTIVE_MOST_MATCHED)
    result = solve_sparse(students, volunteers, forbidden=forbidden, k=1, settings=settings)
    count, total = _brute_force_most_matched(students, volunteers, forbidden, settings)
    assert len(result.matches) == count
    assert result.total_score == pytest.approx(total)
    assert certify(result, students, volunteers, forbidden, settings).optimal


def test_a_required_shared_topic_leaves_out_pairs_without_one():
    carol = VolunteerIn(id=10, topics=frozenset({1, 2, 3}), availability=frozenset({1}))
    dave = VolunteerIn(id=11, availability=frozenset({2}))
    ann = StudentIn(id=1, topics=frozenset({1, 2, 3}), availability=frozenset({1}))
    ben = StudentIn(id=2, availability=frozenset({1}))
    cy = StudentIn(id=3, availability=frozenset({2}))
    total = solve_sparse([ann, ben, cy], [carol, dave])
    assert {(x.student_id, x.volunteer_id) for x in total.matches} == {(1, 10), (3, 11)}
    required = MatchSettings(require_shared_topic=True)
    result = solve_sparse([ann, ben, cy], [carol, dave], settings=required)
    assert {(x.student_id, x.volunteer_id) for x in result.matches} == {(1, 10)}
    assert result.unmatched[2] == matching.NONE_MEETS_REQUIREMENTS
    assert result.unmatched[3] == matching.NONE_MEETS_REQUIREMENTS


def test_most_matched_first_prefers_two_matches_to_one_better_one():
    # Ann fits the good volunteer far better than Ben does, but Ben can meet no one else;
    # Ann can also meet a volunteer who suits her less.
    good = VolunteerIn(id=10, topics=frozenset({1, 2, 3, 4}), availability=frozenset({1}))
    other = VolunteerIn(id=11, availability=frozenset({1}))
    ann = StudentIn(id=1, topics=frozenset({1, 2, 3, 4}), availability=frozenset({1}))
    ben = StudentIn(id=2, availability=frozenset({1}), excluded=frozenset({11}))
    students, volunteers = [ann, ben], [good, other]
    # Topics weigh so much that Ann with the good volunteer (16 + 200) beats both matched
    # (16 with the other volunteer, 16 for Ben with the good one).
    heavy = MatchSettings(topic_points=50.0)
    alone = solve_sparse(students, volunteers, settings=heavy)
    assert {(x.student_id, x.volunteer_id) for x in alone.matches} == {(1, 10)}
    most = dataclasses.replace(heavy, objective=matching.OBJECTIVE_MOST_MATCHED)
    both = solve_sparse(students, volunteers, settings=most)
    assert {(x.student_id, x.volunteer_id) for x in both.matches} == {(1, 11), (2, 10)}
    assert certify(both, students, volunteers, settings=most).optimal
    # The best-total result does not pass as a most-matched optimum, nor the reverse.
    assert not certify(alone, students, volunteers, settings=most).optimal
    assert not certify(both, students, volunteers, settings=heavy).optimal


@pytest.mark.parametrize(
    "data",
    [
        {"topic_points": -1},
        {"topic_points": 0.1},
        {"topic_points": 101},
        {"topic_points": "3"},
        {"topic_points": True},
        {"preference_points": [1, 2]},
        {"require_shared_topic": "yes"},
        {"objective": "fastest"},
        {"colour": "blue"},
    ],
)
def test_bad_settings_are_refused(data):
    with pytest.raises(ValueError, match=r"must|unknown"):
        MatchSettings.from_json(data)


def test_swap_problems_name_the_required_criteria():
    settings = MatchSettings(require_shared_topic=True, require_same_industry=True)
    student = StudentIn(id=1, topics=frozenset({1}), industries=frozenset({"media"}))
    volunteer = VolunteerIn(id=2, topics=frozenset({2}), industry="media")
    student_hours = dataclasses.replace(student, availability=frozenset({1}))
    volunteer_hours = dataclasses.replace(volunteer, availability=frozenset({1}))
    assert matching.swap_problems([(student_hours, volunteer_hours)], settings=settings) == [
        (1, 2, matching.SWAP_NO_SHARED_TOPIC)
    ]
    other = dataclasses.replace(volunteer_hours, topics=frozenset({1}), industry="energy")
    assert matching.swap_problems([(student_hours, other)], settings=settings) == [
        (1, 2, matching.SWAP_OTHER_INDUSTRY)
    ]
    assert matching.swap_problems([(student_hours, other)]) == []
