"""A university-wide match round from the database (issue 20): 50,000 students, 20,000
volunteers with capacity 4, built like bench_rounds.py's round.

Targets: "Run the matcher" end to end (load the round, score, solve, certify, save 50,000
matches and the run) in <= 3 minutes; the staff review page renders a page of matches in
<= 300 ms. Solver-only figures (time, peak memory) are bench_matcher_scale.py's.
Sizes can be lowered with STUDENTS / VOLUNTEERS for a quick try.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import time

from bench_rounds import build_round
from common import machine, setup_django, summary, write_section

STUDENTS = int(os.environ.get("STUDENTS", 50_000))
VOLUNTEERS = int(os.environ.get("VOLUNTEERS", 20_000))
CAPACITY = 4


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    setup_django("rapport_bench_rounds_university")
    from django.test import Client
    from django.urls import reverse

    from mentoring import matching_sparse
    from mentoring.selectors import rounds as selectors
    from mentoring.services import round_matches

    load_average = os.getloadavg()[0]
    staff, match_round, build_seconds = build_round(
        STUDENTS, VOLUNTEERS, CAPACITY, random.Random(7)
    )
    print(f"built in {build_seconds:.0f} s", flush=True)

    t0 = time.perf_counter()
    data = selectors.matcher_input(match_round=match_round)
    load_seconds = time.perf_counter() - t0
    stats: dict = {}
    t0 = time.perf_counter()
    result = matching_sparse.solve_sparse(
        data.students, data.volunteers, forbidden=data.forbidden, stats=stats
    )
    solve_seconds = time.perf_counter() - t0
    certificate = matching_sparse.certify(result, data.students, data.volunteers, data.forbidden)
    del data, result
    print(f"load {load_seconds:.1f} s, solve {solve_seconds:.1f} s", flush=True)

    runs = []
    for _ in range(2):  # the first saves 50,000 new matches; the second replaces them
        t0 = time.perf_counter()
        run = round_matches.round_run_matcher(match_round=match_round)
        runs.append(time.perf_counter() - t0)
        print(f"run {runs[-1]:.1f} s", flush=True)

    client = Client()
    client.force_login(staff)
    url = reverse("mentoring:round_review", args=[match_round.pk])
    middle = {"page": str(max(1, run.matched // 50 // 2))}
    filtered = {"volunteer": "Volunteer 1234", "min_score": "20"}
    timings = {}
    for label, query in (("first page", {}), ("middle page", middle), ("filtered", filtered)):
        samples = []
        for _ in range(6):
            t0 = time.perf_counter()
            response = client.get(url, query)
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        timings[label] = samples
    t0 = time.perf_counter()
    csv_bytes = sum(
        len(chunk)
        for chunk in client.get(
            reverse("mentoring:round_review_csv", args=[match_round.pk])
        ).streaming_content
    )
    csv_seconds = time.perf_counter() - t0

    def row(label, samples):
        s = summary(samples[1:])
        return f"| {label} | {samples[0]:.0f} | {s['p50']:.0f} | {s['max']:.0f} |"

    best_run = min(runs)
    first_page = summary(timings["first page"][1:])["p50"]
    body = f"""## Match rounds at scale: {STUDENTS:,} x {VOLUNTEERS:,} volunteers x {CAPACITY}

Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average
{load_average:.1f} when the benchmark started. Data as bench_rounds (8 topics, 15 industries,
7 time zones), {STUDENTS:,} students and {VOLUNTEERS:,} volunteers ({VOLUNTEERS * CAPACITY:,}
seats), built with bulk_create in {build_seconds:.0f} s.

- load the round (matcher_input): {load_seconds:.1f} s
- solve (sparse, top-{matching_sparse.CANDIDATES_PER_STUDENT}): {solve_seconds:.1f} s (scoring
  {stats["score_seconds"]:.1f} s, assignment {stats["assign_seconds"]:.1f} s, duals
  {stats["duals_seconds"]:.1f} s, pricing {stats["pricing_seconds"]:.1f} s, {stats["rounds"]}
  rounds, {stats["pairs"]:,} candidate pairs)
- certify: {certificate.seconds:.1f} s, optimal {certificate.optimal}, gap {certificate.gap:g},
  {certificate.pairs_checked:,} allowed pairs checked
- "Run the matcher" end to end (round_run_matcher: load, score, solve, certify, save
  {run.matched:,} matches): {", ".join(f"{r:.0f} s" for r in runs)} (first: all new
  matches; second: replaces them); the run says optimal {run.certificate.get("optimal")}, gap
  {run.certificate.get("gap")}
- CSV export of every match: {csv_seconds:.1f} s, {csv_bytes / 1e6:.1f} MB
- peak RSS of the whole process (data building included): {_rss_mb():.0f} MB

| review page (ms) | cold | warm p50 | warm max |
|---|---|---|---|
{row("first page of 50", timings["first page"])}
{row(f"page {middle['page']}", timings["middle page"])}
{row("filtered: a volunteer's name, score from 20", timings["filtered"])}

Targets: end to end <= 3 min: **{"met" if best_run <= 180 else "NOT met"}** ({best_run:.0f} s);
a page of the review <= 300 ms: **{"met" if first_page <= 300 else "NOT met"}** (warm p50
{first_page:.0f} ms).
"""
    write_section("bench_rounds_university", body)
    print(body)


if __name__ == "__main__":
    main()
