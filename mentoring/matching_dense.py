"""The dense reference solver of the matcher: scipy's linear_sum_assignment over students x seats,
the same objective and constraints as mentoring.matching.solve (which uses the sparse solver,
mentoring/matching_sparse.py): what the sparse solver is tested and benchmarked against."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from mentoring.matching import (
    DEFAULT_SETTINGS,
    FORBIDDEN_COST,
    OBJECTIVE_MOST_MATCHED,
    MatchSettings,
    Proposal,
    Result,
    StudentIn,
    VolunteerIn,
    locked_matches,
    most_matched_bonus,
    pair_breakdown,
    score_arrays,
    unmatched_reason,
)


def solve_dense(
    students: Sequence[StudentIn],
    volunteers: Sequence[VolunteerIn],
    *,
    forbidden: Iterable[tuple[int, int]] = (),
    locked: Iterable[tuple[int, int]] = (),
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> Result:
    """`solve` with scipy's dense linear_sum_assignment over students x seats: the reference
    the sparse solver is tested against, and the faster one for small rounds."""
    started = time.perf_counter()
    forbidden = frozenset(forbidden)
    matches, free, used = locked_matches(students, volunteers, list(locked), settings)
    scores, allowed, overlap = score_arrays(free, volunteers, forbidden, settings)
    bookable = np.array([v.bookable for v in volunteers], dtype=bool)

    # One column per remaining seat of each volunteer, but never more seats than students
    # who could take them: fewer columns, same optimum.
    seats = []
    for j, v in enumerate(volunteers):
        remaining = max(0, v.capacity - used[v.id])
        seats.extend([j] * min(remaining, int(allowed[:, j].sum())))
    seat_volunteer = np.array(seats, dtype=np.int64)
    seat_allowed = allowed[:, seat_volunteer]
    # Students with no allowed seat at all stay unmatched: leave them out of the matrix.
    candidates = np.flatnonzero(seat_allowed.any(axis=1))
    n = len(candidates)
    assigned: dict[int, int] = {}
    if n:
        gain = scores[candidates][:, seat_volunteer]
        if settings.objective == OBJECTIVE_MOST_MATCHED:
            gain = gain + most_matched_bonus(float(scores[allowed].max()), len(free))
        cost = np.where(seat_allowed[candidates], -gain, FORBIDDEN_COST)
        # "Unmatched" columns of cost 0: a student with no allowed seat left takes one, so
        # the optimum maximises the total score (an unmatched student adds 0) rather than
        # the number of matches, and never picks a forbidden pair.
        cost = np.hstack([cost, np.zeros((n, n))])
        rows, columns = linear_sum_assignment(cost)
        for r, c in zip(rows.tolist(), columns.tolist(), strict=True):
            if c < len(seats) and seat_allowed[candidates[r], c]:
                assigned[int(candidates[r])] = int(seat_volunteer[c])

    unmatched: dict[int, str] = {}
    for i, s in enumerate(free):
        j = assigned.get(i)
        if j is None:
            unmatched[s.id] = unmatched_reason(
                i, s, volunteers, allowed, overlap, bookable, settings
            )
            continue
        breakdown = pair_breakdown(s, volunteers[j], settings)
        matches.append(Proposal(s.id, volunteers[j].id, breakdown["total"], breakdown))
    matches.sort(key=lambda p: (-p.score, p.student_id))
    return Result(
        matches=matches,
        unmatched=unmatched,
        total_score=sum(p.score for p in matches),
        solver_seconds=time.perf_counter() - started,
    )
