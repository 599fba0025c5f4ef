"""The matcher at the scale of a whole university: a sparse exact solver and its certificate.

Same objective and hard constraints as mentoring.matching (maximise the total score, an
unmatched student adds 0, locks kept first), without the dense students x seats matrix:

1. Score students against every volunteer in blocks of rows (`_Scorer`), keeping each
   student's best `k` allowed volunteers (the candidates) and the best score left out.
2. Solve the assignment on the candidate pairs only (scipy's sparse LAPJV over seats, plus one
   "unmatched" column per student).
3. Work out the duals of that optimum (a price `p` per volunteer, a value `u` per student)
   from shortest paths in its residual graph, then price every allowed pair left out: a pair
   with score > u + p would improve the total, so it joins the candidates and the solve
   repeats, until no pair does.

The duals are the certificate: `certify` checks, without the solver, that u and p are
non-negative, that u_i + p_j >= score_ij for every allowed pair (all of them, block by
block) and that sum(u) + sum(seats left x p) equals the total. Linear programming duality then
says no assignment scores more (the assignment LP of a bipartite graph has integral optima).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from mentoring import matching
from mentoring.matching import (
    DEFAULT_SETTINGS,
    OBJECTIVE_MOST_MATCHED,
    MatchSettings,
    Proposal,
    Result,
    StudentIn,
    VolunteerIn,
)
from mentoring.matching_week import HOURS_PER_WEEK

CANDIDATES_PER_STUDENT = 12
# Cells of students x volunteers scored at once (float32 and a few temporaries each).
BLOCK_CELLS = 4_000_000
# Scores are sums of quarters; anything above this is a real violation, not rounding.
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Duals:
    student: dict[int, float]  # free student id -> u
    volunteer: dict[int, float]  # volunteer id -> p (volunteers with a seat left)
    # Added to every match's score under OBJECTIVE_MOST_MATCHED (matching.most_matched_bonus).
    bonus: float = 0.0


@dataclass(frozen=True)
class Certificate:
    optimal: bool
    gap: float  # dual objective - total score of the free students' matches
    primal: float
    dual: float
    violations: int  # allowed pairs with score > u + p
    max_violation: float
    pairs_checked: int
    problems: tuple[str, ...]  # primal infeasibilities found
    seconds: float

    def as_dict(self) -> dict:
        return {
            "optimal": self.optimal,
            "gap": self.gap,
            "primal": self.primal,
            "dual": self.dual,
            "violations": self.violations,
            "max_violation": self.max_violation,
            "pairs_checked": self.pairs_checked,
            "problems": list(self.problems),
            "seconds": self.seconds,
        }


# --- Scoring in blocks ---------------------------------------------------------------------


class _Scorer:
    """Scores and allowed pairs of any rows of students against all volunteers, equal to
    matching.score_matrix cell by cell (tests/mentoring/test_matching_sparse.py). The
    volunteers' side is built once; a block of rows costs a few array operations."""

    def __init__(
        self,
        students,
        volunteers,
        forbidden: frozenset[tuple[int, int]],
        settings: MatchSettings = DEFAULT_SETTINGS,
    ):
        self.settings = settings
        self.students = students
        self.volunteers = volunteers
        n, m = len(students), len(volunteers)
        self.n, self.m = n, m
        column = {v.id: j for j, v in enumerate(volunteers)}
        row = {s.id: i for i, s in enumerate(students)}

        topic_ids = sorted({t for p in (*students, *volunteers) for t in p.topics})
        topic_column = {t: k for k, t in enumerate(topic_ids)}
        self.student_topics = np.zeros((n, len(topic_ids)), dtype=np.float32)
        volunteer_topics = np.zeros((m, len(topic_ids)), dtype=np.float32)
        for i, s in enumerate(students):
            self.student_topics[i, [topic_column[t] for t in s.topics]] = 1
        for j, v in enumerate(volunteers):
            volunteer_topics[j, [topic_column[t] for t in v.topics]] = 1
        self.volunteer_topics_t = np.ascontiguousarray(volunteer_topics.T)

        self.student_hours = np.zeros((n, HOURS_PER_WEEK), dtype=np.float32)
        volunteer_hours = np.zeros((m, HOURS_PER_WEEK), dtype=np.float32)
        for i, s in enumerate(students):
            self.student_hours[i, list(s.availability)] = 1
        for j, v in enumerate(volunteers):
            volunteer_hours[j, list(v.availability)] = 1
        self.volunteer_hours_t = np.ascontiguousarray(volunteer_hours.T)

        industry_ids = {
            x: k for k, x in enumerate(sorted({v.industry for v in volunteers if v.industry}))
        }
        self.student_industries = np.zeros((n, len(industry_ids) + 1), dtype=bool)
        for i, s in enumerate(students):
            self.student_industries[
                i, [industry_ids[x] for x in s.industries if x in industry_ids]
            ] = True
        # The last column stands for "no industry" and never matches.
        self.volunteer_industry = np.array(
            [
                industry_ids.get(v.industry, len(industry_ids)) if v.industry else len(industry_ids)
                for v in volunteers
            ],
            dtype=np.int64,
        )
        self.volunteer_organization = np.array(
            [-1 if v.organization is None else v.organization for v in volunteers], dtype=np.int64
        )
        self.student_organizations = [
            np.array(sorted(s.organizations), dtype=np.int64) for s in students
        ]
        self.any_organizations = any(s.organizations for s in students)
        self.priority = np.array(
            [
                (0.0 if s.already_served else settings.not_yet_served_points) - s.no_show_points
                for s in students
            ],
            dtype=np.float32,
        )
        self.unbookable = np.array([not v.bookable for v in volunteers], dtype=bool)

        # Topics, industry, priority and the points per match in one matrix product: each
        # student's row holds the points a volunteer's column picks (every product and partial
        # sum a multiple of a quarter below 2**20, so exact in float32 in any order).
        industries = np.zeros((len(industry_ids) + 1, m), dtype=np.float32)
        industries[self.volunteer_industry, np.arange(m)] = 1
        self.student_points = np.hstack(
            [
                self.student_topics * np.float32(settings.topic_points),
                self.student_industries.astype(np.float32) * np.float32(settings.industry_points),
                (self.priority + np.float32(matching.MATCH_POINTS))[:, None],
            ]
        )
        self.volunteer_points_t = np.ascontiguousarray(
            np.vstack([self.volunteer_topics_t, industries, np.ones((1, m), dtype=np.float32)])
        )

        # Sparse per-row additions: preference points, and pairs the student may not meet.
        self.preferences: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.disallowed: dict[int, list[int]] = {}
        for i, s in enumerate(students):
            columns = [column[vid] for vid in s.preferences if vid in column]
            if columns:
                points = [
                    settings.preference(s.preferences[vid])
                    for vid in s.preferences
                    if vid in column
                ]
                self.preferences[i] = (np.array(columns), np.array(points, dtype=np.float32))
            excluded = [column[vid] for vid in s.excluded if vid in column]
            if excluded:
                self.disallowed[i] = excluded
        for student_id, volunteer_id in forbidden:
            i, j = row.get(student_id), column.get(volunteer_id)
            if i is not None and j is not None:
                self.disallowed.setdefault(i, []).append(j)

    def block_rows(self) -> int:
        return max(1, BLOCK_CELLS // max(1, self.m))

    def score(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(scores float32, allowed, overlap) of students `rows` x all volunteers. Every
        component is a multiple of a quarter well below 2**20, so float32 sums are exact."""
        shared_hours = self.student_hours[rows] @ self.volunteer_hours_t
        overlap = shared_hours > 0
        scores = self.student_points[rows] @ self.volunteer_points_t
        np.minimum(shared_hours, matching.AVAILABILITY_HOURS_COUNTED, out=shared_hours)
        shared_hours *= self.settings.availability_points_per_hour
        scores += shared_hours
        del shared_hours
        allowed = overlap.copy()
        allowed[:, self.unbookable] = False
        if self.settings.require_same_industry:
            allowed &= self.student_industries[rows][:, self.volunteer_industry]
        if self.settings.require_shared_topic:
            # Counted apart: a topic weighted 0 is still a shared topic.
            allowed &= (self.student_topics[rows] @ self.volunteer_topics_t) > 0
        for r, i in enumerate(rows.tolist()):
            if self.any_organizations and len(self.student_organizations[i]):
                hit = np.isin(self.volunteer_organization, self.student_organizations[i])
                scores[r, hit] += matching.ORGANIZATION_POINTS
            preference = self.preferences.get(i)
            if preference is not None:
                scores[r, preference[0]] += preference[1]
            disallowed = self.disallowed.get(i)
            if disallowed:
                allowed[r, disallowed] = False
        return scores, allowed, overlap

    def blocks(self, rows: np.ndarray | None = None):
        rows = np.arange(self.n) if rows is None else rows
        step = self.block_rows()
        for start in range(0, len(rows), step):
            block = rows[start : start + step]
            yield block, *self.score(block)


# --- The assignment on candidate pairs -----------------------------------------------------


def _assign(n: int, m: int, edge_row, edge_col, edge_score, seats: np.ndarray) -> np.ndarray:
    """The best assignment over the given pairs: for each student row, a volunteer column or
    -1 (unmatched). Each volunteer column is expanded into its seats; every row also has a
    column of its own that stands for "unmatched"."""
    matched = np.full(n, -1, dtype=np.int64)
    # Never more seats than the pairs that could fill them: fewer columns, same optimum.
    degree = np.bincount(edge_col, minlength=m)
    seats = np.minimum(seats, degree)
    keep = seats[edge_col] > 0
    edge_row, edge_col, edge_score = edge_row[keep], edge_col[keep], edge_score[keep]
    if not len(edge_row):
        return matched
    first_seat = np.concatenate([[0], np.cumsum(seats)[:-1]])
    total_seats = int(seats.sum())
    repeat = seats[edge_col]
    rows = np.repeat(edge_row, repeat)
    seat_offset = np.arange(len(rows)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    columns = np.repeat(first_seat[edge_col], repeat) + seat_offset
    # Costs must be positive (the sparse matrix holds no zeros): every row takes exactly one
    # column, so shifting all of them by the same constant keeps the optimum.
    shift = float(edge_score.max()) + 1.0
    costs = shift - np.repeat(edge_score.astype(np.float64), repeat)
    rows = np.concatenate([rows, np.arange(n)])
    columns = np.concatenate([columns, total_seats + np.arange(n)])
    costs = np.concatenate([costs, np.full(n, shift)])
    graph = csr_matrix((costs, (rows, columns)), shape=(n, total_seats + n))
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    seat_volunteer = np.repeat(np.arange(m), seats)
    real = col_ind < total_seats
    matched[row_ind[real]] = seat_volunteer[col_ind[real]]
    return matched


def _duals(n, m, edge_row, edge_col, edge_score, seats, matched) -> tuple[np.ndarray, np.ndarray]:
    """Duals (u per row, p per column) of an optimal assignment over the given pairs, from
    shortest distances in its residual graph (Bellman-Ford, relaxing every arc at once with
    numpy). Nodes: rows 0..n-1, columns n..n+m-1, the sink n+m that "unmatched" and free seats
    lead to. An arc's cost is minus the score it adds."""
    sink = n + m
    is_matched = matched[edge_row] == edge_col
    used = np.bincount(matched[matched >= 0], minlength=m)
    student = np.arange(n)
    volunteer = np.arange(m)
    unmatched = matched < 0
    sources = [edge_row, edge_col[is_matched] + n, student, np.full(unmatched.sum(), sink)]
    targets = [edge_col + n, edge_row[is_matched], np.full(n, sink), student[unmatched]]
    costs = [-edge_score, edge_score[is_matched], np.zeros(n), np.zeros(unmatched.sum())]
    free_seat = used < seats
    sources += [volunteer[free_seat] + n, np.full((used > 0).sum(), sink)]
    targets += [np.full(free_seat.sum(), sink), volunteer[used > 0] + n]
    costs += [np.zeros(free_seat.sum()), np.zeros((used > 0).sum())]
    source = np.concatenate(sources)
    target = np.concatenate(targets)
    cost = np.concatenate(costs).astype(np.float64)
    order = np.argsort(target, kind="stable")
    source, target, cost = source[order], target[order], cost[order]
    heads, starts = np.unique(target, return_index=True)

    distance = np.zeros(n + m + 1)
    for _ in range(n + m + 2):
        best = np.minimum.reduceat(distance[source] + cost, starts)
        better = best < distance[heads] - 1e-9
        if not better.any():
            break
        distance[heads[better]] = best[better]
    else:
        raise RuntimeError("the assignment is not optimal over its own pairs (negative cycle)")
    u = distance[:n] - distance[sink]
    p = np.maximum(0.0, distance[sink] - distance[n : n + m])
    return u, p


# --- Solving -------------------------------------------------------------------------------


def _top_candidates(scores, allowed, k):
    """Per row: the k best allowed columns, and the best allowed score left out (-inf if
    none)."""
    masked = np.where(allowed, scores, -np.inf)
    m = masked.shape[1]
    if k >= m:
        columns = np.broadcast_to(np.arange(m), masked.shape)
        left_out = np.full(masked.shape[0], -np.inf)
    else:
        part = np.argpartition(-masked, k, axis=1)
        columns = part[:, :k]
        left_out = np.take_along_axis(masked, part[:, k : k + 1], axis=1)[:, 0]
        # argpartition puts the (k+1)-th best at position k; anything after is no better.
    chosen = np.take_along_axis(masked, columns, axis=1)
    rows, position = np.nonzero(np.isfinite(chosen))
    return rows, np.asarray(columns)[rows, position], chosen[rows, position], left_out


def _most_improving(reduced: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the pairs with a positive reduced score, at most k per row, the
    largest first: enough to make progress (every row that can improve gets its best pairs)
    without adding thousands of pairs for a student whom a crowded volunteer pushed out."""
    rows = np.flatnonzero((reduced > TOLERANCE).any(axis=1))
    if not len(rows):
        return rows, rows
    sub = reduced[rows]
    if sub.shape[1] > k:
        columns = np.argpartition(-sub, k, axis=1)[:, :k]
    else:
        columns = np.broadcast_to(np.arange(sub.shape[1]), sub.shape)
    values = np.take_along_axis(sub, columns, axis=1)
    r, position = np.nonzero(values > TOLERANCE)
    return rows[r], np.asarray(columns)[r, position]


def solve_sparse(
    students: Sequence[StudentIn],
    volunteers: Sequence[VolunteerIn],
    *,
    forbidden: Iterable[tuple[int, int]] = (),
    locked: Iterable[tuple[int, int]] = (),
    k: int = CANDIDATES_PER_STUDENT,
    stats: dict | None = None,
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> Result:
    """matching.solve's optimum, found on candidate pairs and proved over all allowed pairs.
    The result carries its duals (`Result.duals`) for `certify`."""
    started = time.perf_counter()
    forbidden = frozenset(forbidden)
    locked = list(locked)
    stats = stats if stats is not None else {}
    stats["rounds"] = 0
    matches, free, used = matching.locked_matches(students, volunteers, locked, settings)
    if not free:
        return Result(
            matches, {}, sum(x.score for x in matches), time.perf_counter() - started, Duals({}, {})
        )
    n, m = len(free), len(volunteers)
    seats = np.array([max(0, v.capacity - used[v.id]) for v in volunteers], dtype=np.int64)
    scorer = _Scorer(free, volunteers, forbidden, settings)

    rows_parts, cols_parts, score_parts = [], [], []
    left_out = np.full(n, -np.inf)
    has_allowed = np.zeros(n, dtype=bool)
    seat_columns = seats > 0
    for block, scores, allowed, _ in scorer.blocks():
        allowed &= seat_columns
        has_allowed[block] = allowed.any(axis=1)
        r, c, s, best_left = _top_candidates(scores, allowed, k)
        rows_parts.append(block[r])
        cols_parts.append(c)
        score_parts.append(s)
        left_out[block] = best_left
        del scores, allowed
    edge_row = np.concatenate(rows_parts) if rows_parts else np.zeros(0, np.int64)
    edge_col = np.concatenate(cols_parts) if cols_parts else np.zeros(0, np.int64)
    edge_score = (np.concatenate(score_parts) if score_parts else np.zeros(0)).astype(np.float64)
    stats["score_seconds"] = time.perf_counter() - started
    # Every student's best allowed pair is a candidate, so the candidates' best is the best.
    bonus = 0.0
    if settings.objective == OBJECTIVE_MOST_MATCHED and len(edge_score):
        bonus = matching.most_matched_bonus(float(edge_score.max()), n)
    edge_score += bonus

    rounds = 0
    while True:
        rounds += 1
        t = time.perf_counter()
        matched = _assign(n, m, edge_row, edge_col, edge_score, seats)
        stats["assign_seconds"] = stats.get("assign_seconds", 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        u, p = _duals(n, m, edge_row, edge_col, edge_score, seats, matched)
        stats["duals_seconds"] = stats.get("duals_seconds", 0.0) + time.perf_counter() - t
        # Scores from the scorer leave the bonus out: compare them with u - bonus.
        u_net = u - bonus
        # A pair left out scores at most left_out[i], and p >= 0: only rows whose best pair
        # left out beats u can hold an improving pair.
        t = time.perf_counter()
        suspects = np.flatnonzero(left_out > u_net + TOLERANCE)
        new_rows, new_cols, new_scores = [], [], []
        if len(suspects):
            for block, scores, allowed, _ in scorer.blocks(suspects):
                allowed &= seat_columns
                reduced = np.where(allowed, scores - u_net[block][:, None] - p[None, :], -np.inf)
                r, c = _most_improving(reduced, k)
                new_rows.append(block[r])
                new_cols.append(c)
                new_scores.append(scores[r, c])
        stats["pricing_seconds"] = stats.get("pricing_seconds", 0.0) + time.perf_counter() - t
        added = sum(len(r) for r in new_rows)
        if not added:
            break
        edge_row = np.concatenate([edge_row, *new_rows])
        edge_col = np.concatenate([edge_col, *new_cols])
        edge_score = np.concatenate(
            [edge_score, *(s.astype(np.float64) + bonus for s in new_scores)]
        )
    stats.update(rounds=rounds, pairs=len(edge_row), suspects_last=len(suspects))

    unmatched_rows = np.flatnonzero(matched < 0)
    unmatched = {}
    bookable = ~scorer.unbookable
    for block, _, allowed, overlap in scorer.blocks(unmatched_rows):
        for r, i in enumerate(block.tolist()):
            unmatched[free[i].id] = matching.unmatched_reason(
                r, free[i], volunteers, allowed, overlap, bookable, settings
            )
    for i in np.flatnonzero(matched >= 0).tolist():
        s, v = free[i], volunteers[int(matched[i])]
        breakdown = matching.pair_breakdown(s, v, settings)
        matches.append(Proposal(s.id, v.id, breakdown["total"], breakdown))
    matches.sort(key=lambda x: (-x.score, x.student_id))
    return Result(
        matches=matches,
        unmatched=unmatched,
        total_score=sum(x.score for x in matches),
        solver_seconds=time.perf_counter() - started,
        duals=Duals(
            student={s.id: float(u[i]) for i, s in enumerate(free)},
            volunteer={v.id: float(p[j]) for j, v in enumerate(volunteers) if seats[j] > 0},
            bonus=bonus,
        ),
    )


# --- The certificate -----------------------------------------------------------------------


def certify(
    result: Result,
    students: Sequence[StudentIn],
    volunteers: Sequence[VolunteerIn],
    forbidden: Iterable[tuple[int, int]] = (),
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> Certificate:
    """Whether `result` is optimal over every allowed pair, checked from its duals alone:
    the matches are feasible, u >= 0, p >= 0, u_i + p_j >= score_ij for every allowed pair
    of a free student and a volunteer with a seat left, and the gap between the dual objective
    and the total is 0. Locked matches are taken as given (they are fixed before solving).
    Under OBJECTIVE_MOST_MATCHED every score counts the duals' bonus too, which must be more
    than all free students' best scores together (matching.most_matched_bonus)."""
    started = time.perf_counter()
    forbidden = frozenset(forbidden)
    problems: list[str] = []
    locked_students = {x.student_id for x in result.matches if x.locked}
    used = Counter(x.volunteer_id for x in result.matches if x.locked)
    free = [s for s in students if s.id not in locked_students]
    by_student = {s.id: s for s in students}
    by_volunteer = {v.id: v for v in volunteers}
    seats = np.array([max(0, v.capacity - used[v.id]) for v in volunteers], dtype=np.int64)
    duals = result.duals
    if duals is None:
        return Certificate(
            False, float("inf"), result.total_score, float("inf"), 0, 0.0, 0, ("no duals",), 0.0
        )

    primal = 0.0
    load: Counter = Counter()
    seen: set[int] = set()
    for x in result.matches:
        if x.locked:
            continue
        s, v = by_student.get(x.student_id), by_volunteer.get(x.volunteer_id)
        if s is None or v is None:
            problems.append(f"match {x.student_id}-{x.volunteer_id} names someone not in the round")
            continue
        if s.id in seen:
            problems.append(f"student {s.id} matched twice")
        seen.add(s.id)
        load[v.id] += 1
        if not matching.pair_allowed(s, v, forbidden, settings):
            problems.append(f"pair {s.id}-{v.id} is not allowed")
        primal += matching.pair_score(s, v, settings) + duals.bonus
    for j, v in enumerate(volunteers):
        if load[v.id] > seats[j]:
            problems.append(f"volunteer {v.id} over capacity")

    u = np.array([duals.student.get(s.id, 0.0) for s in free])
    u_net = u - duals.bonus
    p = np.array([duals.volunteer.get(v.id, 0.0) for v in volunteers])
    if (u < -TOLERANCE).any() or (p[seats > 0] < -TOLERANCE).any():
        problems.append("a dual value is negative")
    seat_columns = seats > 0
    violations, max_violation, checked, best_score = 0, 0.0, 0, 0.0
    if len(free) and len(volunteers):
        scorer = _Scorer(free, volunteers, forbidden, settings)
        for block, scores, allowed, _ in scorer.blocks():
            allowed &= seat_columns
            if allowed.any():
                best_score = max(best_score, float(scores[allowed].max()))
            reduced = np.where(allowed, scores - u_net[block][:, None] - p[None, :], -np.inf)
            over = reduced > TOLERANCE
            violations += int(over.sum())
            max_violation = max(max_violation, float(reduced.max(initial=0.0)))
            checked += int(allowed.sum())
    if settings.objective == OBJECTIVE_MOST_MATCHED and checked:
        if duals.bonus < matching.most_matched_bonus(best_score, len(free)):
            problems.append("the bonus per match is too small to put the number matched first")
    elif duals.bonus:
        problems.append("a bonus per match under the best-total objective")
    dual = float(u.sum() + (seats * p)[seat_columns].sum())
    gap = dual - primal
    gap = 0.0 if abs(gap) <= TOLERANCE * max(1, len(free)) else gap
    return Certificate(
        optimal=not problems and violations == 0 and gap == 0.0,
        gap=gap,
        primal=primal,
        dual=dual,
        violations=violations,
        max_violation=max_violation,
        pairs_checked=checked,
        problems=tuple(problems),
        seconds=time.perf_counter() - started,
    )
