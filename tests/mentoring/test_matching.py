"""The matcher (mentoring/matching.py): optimal totals against brute force, hard constraints,
locks, reasons for the unmatched, and the conversion of weekly availability to UTC hours."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import zoneinfo

import numpy as np
import pytest

from mentoring import matching, matching_week
from mentoring.matching import StudentIn, VolunteerIn, pair_allowed, pair_breakdown, solve

TOPICS = range(1, 6)
INDUSTRIES = ["fintech", "health", "energy", "media"]


def _random_instance(rng: random.Random, n_students: int, n_volunteers: int):
    volunteers = [
        VolunteerIn(
            id=100 + j,
            topics=frozenset(rng.sample(TOPICS, rng.randint(0, 3))),
            industry=rng.choice([*INDUSTRIES, ""]),
            capacity=rng.randint(1, 2),
            availability=frozenset(rng.sample(range(20), rng.randint(0, 6))),
            bookable=rng.random() < 0.8,
            organization=rng.choice([1, 2, 3, None]),
        )
        for j in range(n_volunteers)
    ]
    students = []
    for i in range(n_students):
        preferred = rng.sample([v.id for v in volunteers], rng.randint(0, min(3, n_volunteers)))
        students.append(
            StudentIn(
                id=i + 1,
                topics=frozenset(rng.sample(TOPICS, rng.randint(0, 3))),
                industries=frozenset(rng.sample(INDUSTRIES, rng.randint(0, 2))),
                preferences={vid: rank for rank, vid in enumerate(preferred, start=1)},
                excluded=frozenset(
                    v.id for v in volunteers if v.id not in preferred and rng.random() < 0.15
                ),
                availability=frozenset(rng.sample(range(20), rng.randint(0, 8))),
                already_served=rng.random() < 0.3,
                organizations=frozenset(rng.sample([1, 2, 3], rng.randint(0, 1))),
            )
        )
    forbidden = frozenset((s.id, v.id) for s in students for v in volunteers if rng.random() < 0.1)
    return students, volunteers, forbidden


def _brute_force(students, volunteers, forbidden, locked=()) -> float:
    """The best total over every assignment (each student: one allowed volunteer or none)."""
    locked = dict(locked)
    by_id = {v.id: v for v in volunteers}
    base = sum(pair_breakdown(s, by_id[locked[s.id]])["total"] for s in students if s.id in locked)
    free = [s for s in students if s.id not in locked]
    options = [[None] + [v for v in volunteers if pair_allowed(s, v, forbidden)] for s in free]
    best = 0.0
    for choice in itertools.product(*options):
        load: dict[int, int] = {}
        for vid in locked.values():
            load[vid] = load.get(vid, 0) + 1
        total = 0.0
        feasible = True
        for student, volunteer in zip(free, choice, strict=True):
            if volunteer is None:
                continue
            load[volunteer.id] = load.get(volunteer.id, 0) + 1
            if load[volunteer.id] > volunteer.capacity:
                feasible = False
                break
            total += pair_breakdown(student, volunteer)["total"]
        if feasible:
            best = max(best, total)
    return base + best


def _assert_hard_constraints(result, students, volunteers, forbidden, locked=()):
    by_student = {s.id: s for s in students}
    by_volunteer = {v.id: v for v in volunteers}
    locked = set(locked)
    seen = set()
    load: dict[int, int] = {}
    for m in result.matches:
        assert m.student_id not in seen, "a student matched twice"
        seen.add(m.student_id)
        load[m.volunteer_id] = load.get(m.volunteer_id, 0) + 1
        if (m.student_id, m.volunteer_id) in locked:
            assert m.locked
            continue
        student, volunteer = by_student[m.student_id], by_volunteer[m.volunteer_id]
        assert volunteer.id not in student.excluded
        assert (student.id, volunteer.id) not in forbidden
        assert student.availability & volunteer.availability
        assert volunteer.bookable, "a volunteer with no time to book in the round's dates"
    for vid, count in load.items():
        locked_here = sum(1 for _, v in locked if v == vid)
        assert count <= max(by_volunteer[vid].capacity, locked_here)
    assert seen.isdisjoint(result.unmatched)
    assert seen | set(result.unmatched) == set(by_student)


@pytest.mark.parametrize("seed", range(150))
def test_total_equals_brute_force_optimum(seed):
    rng = random.Random(seed)
    students, volunteers, forbidden = _random_instance(rng, rng.randint(1, 6), rng.randint(1, 4))
    result = solve(students, volunteers, forbidden=forbidden)
    _assert_hard_constraints(result, students, volunteers, forbidden)
    assert result.total_score == pytest.approx(
        _brute_force(students, volunteers, forbidden), abs=1e-9
    )
    assert result.total_score == pytest.approx(sum(m.score for m in result.matches), abs=1e-9)


@pytest.mark.parametrize("seed", range(60))
def test_locks_are_kept_and_the_rest_is_optimal(seed):
    rng = random.Random(1000 + seed)
    students, volunteers, forbidden = _random_instance(rng, rng.randint(2, 6), rng.randint(1, 4))
    # Lock one or two students to volunteers that still have room, allowed or not.
    locked: list[tuple[int, int]] = []
    room = {v.id: v.capacity for v in volunteers}
    for s in rng.sample(students, rng.randint(1, 2)):
        candidates = [vid for vid, left in room.items() if left > 0]
        if candidates:
            vid = rng.choice(candidates)
            room[vid] -= 1
            locked.append((s.id, vid))
    result = solve(students, volunteers, forbidden=forbidden, locked=locked)
    kept = {(m.student_id, m.volunteer_id) for m in result.matches if m.locked}
    assert kept == set(locked)
    _assert_hard_constraints(result, students, volunteers, forbidden, locked)
    assert result.total_score == pytest.approx(
        _brute_force(students, volunteers, forbidden, locked), abs=1e-9
    )


@pytest.mark.parametrize("seed", range(20))
def test_vectorised_scores_equal_pair_by_pair_scores(seed):
    rng = random.Random(5000 + seed)
    students, volunteers, forbidden = _random_instance(rng, 8, 5)
    scores, allowed = matching.score_matrix(students, volunteers, forbidden)
    for i, s in enumerate(students):
        for j, v in enumerate(volunteers):
            assert scores[i, j] == pytest.approx(pair_breakdown(s, v)["total"], abs=1e-12)
            assert bool(allowed[i, j]) == pair_allowed(s, v, forbidden)


def test_score_components_and_weights():
    volunteer = VolunteerIn(
        id=7, topics=frozenset({1, 2, 3}), industry="fintech", availability=frozenset(range(12))
    )
    student = StudentIn(
        id=1,
        topics=frozenset({2, 3, 4}),
        industries=frozenset({"fintech", "media"}),
        preferences={7: 2},
        availability=frozenset(range(10)),
    )
    why = pair_breakdown(student, volunteer)
    assert why["shared_topics"] == [2, 3]
    assert why["topics"] == 2 * matching.TOPIC_POINTS
    assert why["industry"] == "fintech"
    assert why["industry_points"] == matching.INDUSTRY_POINTS
    assert why["preference_rank"] == 2
    assert why["preference"] == matching.PREFERENCE_POINTS[2]
    assert why["not_yet_served"] is True
    assert why["priority"] == matching.NOT_YET_SERVED_POINTS
    assert why["shared_hours"] == 10
    # Overlap counts up to a working day.
    assert why["availability"] == matching.AVAILABILITY_POINTS_PER_HOUR * 8
    assert why["total"] == pytest.approx(matching.MATCH_POINTS + 6 + 4 + 8 + 6 + 2)
    served = pair_breakdown(
        StudentIn(id=2, availability=frozenset({0}), already_served=True), volunteer
    )
    assert served["priority"] == 0
    assert served["not_yet_served"] is False
    assert served["preference_rank"] is None
    assert served["industry"] == ""
    assert served["target_organization"] is False
    assert served["organization_points"] == 0


def test_a_volunteer_at_a_target_organization_scores_the_organization_points():
    volunteer = VolunteerIn(id=7, organization=40, availability=frozenset({1}))
    student = StudentIn(id=1, organizations=frozenset({40, 41}), availability=frozenset({1}))
    why = pair_breakdown(student, volunteer)
    assert why["target_organization"] is True
    assert why["organization_points"] == matching.ORGANIZATION_POINTS
    elsewhere = pair_breakdown(student, VolunteerIn(id=8, organization=42))
    assert elsewhere["organization_points"] == 0
    scores, _ = matching.score_matrix([student], [volunteer, VolunteerIn(id=8, organization=42)])
    assert scores[0, 0] - scores[0, 1] == pytest.approx(
        matching.ORGANIZATION_POINTS + matching.AVAILABILITY_POINTS_PER_HOUR
    )


def test_preference_ranks_are_ordered():
    assert (
        matching.PREFERENCE_POINTS[1]
        > matching.PREFERENCE_POINTS[2]
        > matching.PREFERENCE_POINTS[3]
        > 0
    )


def test_a_student_not_yet_served_wins_the_last_seat():
    volunteer = VolunteerIn(id=10, capacity=1, availability=frozenset({5}))
    served = StudentIn(id=1, availability=frozenset({5}), already_served=True)
    new = StudentIn(id=2, availability=frozenset({5}))
    result = solve([served, new], [volunteer])
    assert [(m.student_id, m.volunteer_id) for m in result.matches] == [(2, 10)]
    assert result.unmatched == {1: matching.ALL_FULL}


def test_first_preference_is_honoured_when_nothing_else_differs():
    a = VolunteerIn(id=10, capacity=1, availability=frozenset({1}))
    b = VolunteerIn(id=11, capacity=1, availability=frozenset({1}))
    first = StudentIn(id=1, availability=frozenset({1}), preferences={11: 1, 10: 3})
    second = StudentIn(id=2, availability=frozenset({1}), preferences={10: 1})
    result = solve([first, second], [a, b])
    assert {(m.student_id, m.volunteer_id) for m in result.matches} == {(1, 11), (2, 10)}


def test_capacity_is_used_to_the_full():
    volunteer = VolunteerIn(id=10, capacity=3, availability=frozenset({1}))
    students = [StudentIn(id=i, availability=frozenset({1})) for i in range(1, 6)]
    result = solve(students, [volunteer])
    assert len(result.matches) == 3
    assert set(result.unmatched.values()) == {matching.ALL_FULL}


def test_reasons_for_unmatched_students():
    v1 = VolunteerIn(id=10, capacity=1, availability=frozenset({1, 2}))
    v2 = VolunteerIn(id=11, capacity=1, availability=frozenset({3}))
    students = [
        StudentIn(id=1, availability=frozenset()),  # no availability at all
        StudentIn(id=2, availability=frozenset({50})),  # nobody free then
        StudentIn(id=3, availability=frozenset({3}), excluded=frozenset({11})),
        StudentIn(id=4, availability=frozenset({3})),  # met v2 before
        StudentIn(id=5, availability=frozenset({1}), preferences={10: 1}),  # takes v1
        StudentIn(id=6, availability=frozenset({2})),  # v1 is taken by 5
    ]
    result = solve(students, [v1, v2], forbidden={(4, 11)})
    assert {(m.student_id, m.volunteer_id) for m in result.matches} == {(5, 10)}
    assert result.unmatched == {
        1: matching.NO_AVAILABILITY,
        2: matching.NO_SHARED_TIME,
        3: matching.ALL_EXCLUDED,
        4: matching.ALL_EXCLUDED,
        6: matching.ALL_FULL,
    }
    assert solve([StudentIn(id=1, availability=frozenset({1}))], []).unmatched == {
        1: matching.NO_VOLUNTEERS
    }


def test_locked_pair_is_kept_even_if_it_breaks_a_rule_and_takes_the_seat():
    volunteer = VolunteerIn(id=10, capacity=1, availability=frozenset({1}))
    locked_student = StudentIn(id=1, availability=frozenset({99}))  # no shared hour now
    other = StudentIn(id=2, availability=frozenset({1}), preferences={10: 1})
    result = solve([locked_student, other], [volunteer], locked=[(1, 10)])
    assert [(m.student_id, m.volunteer_id, m.locked) for m in result.matches] == [(1, 10, True)]
    assert result.unmatched == {2: matching.ALL_FULL}


def test_bad_locks_are_refused():
    volunteer = VolunteerIn(id=10, capacity=2, availability=frozenset({1}))
    student = StudentIn(id=1, availability=frozenset({1}))
    with pytest.raises(ValueError, match="not in the round"):
        solve([student], [volunteer], locked=[(1, 99)])
    with pytest.raises(ValueError, match="one volunteer"):
        solve([student], [volunteer], locked=[(1, 10), (1, 10)])


def test_empty_inputs():
    result = solve([], [])
    assert result.matches == []
    assert result.unmatched == {}
    assert result.total_score == 0


def test_larger_instance_is_solved_quickly_and_consistently():
    rng = np.random.default_rng(3)
    volunteers = [
        VolunteerIn(
            id=1000 + j,
            topics=frozenset(rng.choice(12, 3, replace=False).tolist()),
            industry=str(rng.choice(INDUSTRIES)),
            capacity=4,
            availability=frozenset(rng.choice(168, 12, replace=False).tolist()),
        )
        for j in range(50)
    ]
    students = [
        StudentIn(
            id=i,
            topics=frozenset(rng.choice(12, 2, replace=False).tolist()),
            industries=frozenset({str(rng.choice(INDUSTRIES))}),
            availability=frozenset(rng.choice(168, 20, replace=False).tolist()),
        )
        for i in range(300)
    ]
    result = solve(students, volunteers)
    _assert_hard_constraints(result, students, volunteers, frozenset())
    assert result.solver_seconds < 5
    assert len(result.matches) + len(result.unmatched) == 300


def test_swap_problems():
    v1 = VolunteerIn(id=10, availability=frozenset({1}))
    v2 = VolunteerIn(id=11, availability=frozenset({2}))
    s1 = StudentIn(id=1, availability=frozenset({1, 2}))
    s2 = StudentIn(id=2, availability=frozenset({1, 2}), excluded=frozenset({10}))
    s3 = StudentIn(id=3, availability=frozenset({2}))
    assert matching.swap_problems([(s1, v2)]) == []
    assert matching.swap_problems([(s2, v1)]) == [(2, 10, matching.SWAP_EXCLUDED)]
    assert matching.swap_problems([(s3, v1)]) == [(3, 10, matching.SWAP_NO_SHARED_TIME)]
    assert matching.swap_problems([(s1, v2)], frozenset({(1, 11)})) == [(1, 11, matching.SWAP_MET)]
    full = VolunteerIn(id=12, availability=frozenset({2}), bookable=False)
    assert matching.swap_problems([(s1, full)]) == [(1, 12, matching.SWAP_NOT_BOOKABLE)]


def test_a_volunteer_with_no_time_to_book_is_never_matched():
    """Sharing a weekly hour is not enough: the volunteer's slots must leave a time the student
    can book in the round's dates (issue 15). Worked out per volunteer, before solving."""
    no_time = VolunteerIn(id=10, capacity=5, availability=frozenset({1, 2}), bookable=False)
    has_time = VolunteerIn(id=11, capacity=1, availability=frozenset({2}))
    students = [
        StudentIn(id=1, availability=frozenset({1, 2}), preferences={10: 1}),
        StudentIn(id=2, availability=frozenset({1})),  # shares an hour with no_time only
    ]
    assert not pair_allowed(students[0], no_time, frozenset())
    _scores, allowed = matching.score_matrix(students, [no_time, has_time])
    assert allowed.tolist() == [[False, True], [False, False]]
    result = solve(students, [no_time, has_time])
    assert {(m.student_id, m.volunteer_id) for m in result.matches} == {(1, 11)}
    assert result.unmatched == {2: matching.NO_BOOKABLE_TIME}


# --- Availability in UTC ------------------------------------------------------------------


def test_student_blocks_convert_with_their_zone_and_the_rounds_week():
    new_york = zoneinfo.ZoneInfo("America/New_York")
    # A week in June (EDT, UTC-4): Monday morning 9-12 is 13:00-16:00 UTC.
    june = dt.date(2026, 6, 10)
    assert matching_week.blocks_to_utc_hours([[0, 9, 12]], zone=new_york, reference=june) == {
        13,
        14,
        15,
    }
    # In January (EST, UTC-5) the same block is an hour later in UTC.
    january = dt.date(2026, 1, 14)
    assert matching_week.blocks_to_utc_hours([[0, 9, 12]], zone=new_york, reference=january) == {
        14,
        15,
        16,
    }


def test_blocks_wrap_around_the_week():
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")  # UTC+9: Monday 09:00 is Monday 00:00 UTC
    hours = matching_week.blocks_to_utc_hours(
        [[0, 7, 10]], zone=tokyo, reference=dt.date(2026, 3, 4)
    )
    assert hours == {166, 167, 0}  # Sunday 22:00 and 23:00 UTC, Monday 00:00 UTC


def test_half_hour_zones_count_whole_hours_only():
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")  # UTC+5:30
    hours = matching_week.windows_to_utc_hours(
        [(2, dt.time(9), dt.time(12))], zone=kolkata, reference=dt.date(2026, 3, 4)
    )
    # 03:30-06:30 UTC on Wednesday: the whole hours 04:00 and 05:00.
    assert hours == {2 * 24 + 4, 2 * 24 + 5}


def test_bad_blocks_are_ignored():
    utc = zoneinfo.ZoneInfo("UTC")
    assert (
        matching_week.blocks_to_utc_hours(
            [[7, 9, 12], [1, 12, 9], ["x"], None], zone=utc, reference=dt.date(2026, 3, 4)
        )
        == set()
    )


def test_industries_are_normalised():
    assert matching_week.parse_industries(" Fintech ,  Climate   tech,, ") == {
        "fintech",
        "climate tech",
    }
