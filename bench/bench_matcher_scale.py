"""The matcher at the scale of a large university (issue 20), solver only (no database).

Targets: 2,000 students x 500 volunteers x 4 seats solved in <= 0.5 s; 50,000 x 20,000 x 4
solved and proved optimal (mentoring.matching_sparse.certify) in <= 60 s and <= 2 GB peak
memory. Availability comes from the same weekly habits and time zones as bench_rounds.py,
converted to UTC hours as the app does; topics from a list of 40, industries from 15.
Run alone: `make bench ONLY=matcher_scale` (SIZES=small to skip the large round).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import sys
import time
import zoneinfo

from common import machine, write_section

ROUND_START = dt.date(2026, 3, 2)
TOPICS = 40
ZONES = [
    ("America/New_York", 30),
    ("America/Chicago", 15),
    ("America/Los_Angeles", 15),
    ("Europe/London", 15),
    ("Europe/Berlin", 10),
    ("Asia/Kolkata", 8),
    ("Asia/Singapore", 7),
]
INDUSTRIES = [
    "fintech", "banking", "consulting", "software", "public health", "biotech", "energy",
    "climate tech", "media", "publishing", "government", "nonprofit", "retail", "logistics",
    "education",
]  # fmt: skip
PARTS = [(9, 12), (12, 17), (17, 21)]


def _people(n_students: int, n_volunteers: int, capacity: int, seed: int = 7):
    from mentoring.matching import StudentIn, VolunteerIn, blocks_to_utc_hours, windows_to_utc_hours

    rng = random.Random(seed)
    names, weights = zip(*ZONES, strict=True)
    zones = {name: zoneinfo.ZoneInfo(name) for name in names}
    # The same few hundred weekly habits recur: convert each (habit, zone) once.
    cache: dict = {}
    volunteers = []
    for j in range(n_volunteers):
        zone = rng.choices(names, weights)[0]
        windows = tuple(
            sorted(
                (day, dt.time(start), dt.time(min(start + rng.randint(2, 4), 23)))
                for day, start in (
                    (d, rng.choice([8, 12, 17, 18, 19]))
                    for d in rng.sample(range(5), rng.randint(1, 3))
                )
            )
        )
        key = ("v", zone, windows)
        if key not in cache:
            cache[key] = windows_to_utc_hours(windows, zone=zones[zone], reference=ROUND_START)
        volunteers.append(
            VolunteerIn(
                id=1_000_000 + j,
                topics=frozenset(rng.sample(range(TOPICS), rng.randint(2, 5))),
                industry=rng.choice(INDUSTRIES),
                capacity=capacity,
                availability=cache[key],
            )
        )
    students = []
    for i in range(n_students):
        zone = rng.choices(names, weights)[0]
        blocks: set = set()
        while len(blocks) < rng.randint(3, 8):
            day = rng.choices(range(7), [5, 5, 5, 5, 4, 1, 1])[0]
            start, end = rng.choices(PARTS, [2, 3, 3])[0]
            blocks.add((day, start, end))
        key = ("s", zone, tuple(sorted(blocks)))
        if key not in cache:
            cache[key] = blocks_to_utc_hours(
                sorted(blocks), zone=zones[zone], reference=ROUND_START
            )
        preferred = rng.sample(range(n_volunteers), 3) if rng.random() < 0.3 else []
        students.append(
            StudentIn(
                id=i + 1,
                topics=frozenset(rng.sample(range(TOPICS), rng.randint(1, 4))),
                industries=frozenset(rng.sample(INDUSTRIES, rng.randint(1, 2))),
                preferences={1_000_000 + j: rank for rank, j in enumerate(preferred, start=1)},
                availability=cache[key],
                already_served=rng.random() < 0.3,
            )
        )
    return students, volunteers


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    sys.path.insert(0, str(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking_app.settings.dev")
    import django

    django.setup()
    from mentoring import matching_dense, matching_sparse

    lines = [
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average "
        f"{os.getloadavg()[0]:.1f} when it started (the machine is shared: other work slows "
        "every figure).",
        "",
    ]
    started = time.perf_counter()
    students, volunteers = _people(2_000, 500, 4)
    lines.append(f"2,000 x 500 x 4 built in {time.perf_counter() - started:.1f} s")
    for label, fn in (
        ("sparse", matching_sparse.solve_sparse),
        ("dense", matching_dense.solve_dense),
    ):
        samples = []
        for _ in range(3):
            t = time.perf_counter()
            result = fn(students, volunteers)
            samples.append(time.perf_counter() - t)
        lines.append(
            f"- {label}: total {result.total_score:g}, {len(result.matches)} matched, "
            f"solve {min(samples):.3f} s best of 3 (first {samples[0]:.3f} s)"
        )
    certificate = matching_sparse.certify(
        matching_sparse.solve_sparse(students, volunteers), students, volunteers
    )
    lines.append(
        f"- certificate: optimal {certificate.optimal}, gap {certificate.gap:g}, "
        f"{certificate.pairs_checked:,} allowed pairs checked in {certificate.seconds:.3f} s"
    )
    print("\n".join(lines), flush=True)

    if os.environ.get("SIZES") != "small":
        n, m = (
            int(os.environ.get("BIG_STUDENTS", 50_000)),
            int(os.environ.get("BIG_VOLUNTEERS", 20_000)),
        )
        t = time.perf_counter()
        students, volunteers = _people(n, m, 4, seed=11)
        built = time.perf_counter() - t
        rss_before = _peak_rss_mb()
        stats: dict = {}
        t = time.perf_counter()
        result = matching_sparse.solve_sparse(students, volunteers, stats=stats)
        solved = time.perf_counter() - t
        certificate = matching_sparse.certify(result, students, volunteers)
        both = time.perf_counter() - t
        lines += [
            f"{n:,} x {m:,} x 4 built in {built:.1f} s (peak RSS then {rss_before:.0f} MB)",
            f"- solve {solved:.1f} s (scoring and top-{matching_sparse.CANDIDATES_PER_STUDENT} "
            f"{stats['score_seconds']:.1f} s, assignment {stats['assign_seconds']:.1f} s, "
            f"duals {stats['duals_seconds']:.1f} s, pricing {stats['pricing_seconds']:.1f} s, "
            f"{stats['rounds']} rounds, {stats['pairs']:,} candidate pairs at the end)",
            f"- certify {certificate.seconds:.1f} s: optimal {certificate.optimal}, gap "
            f"{certificate.gap:g}, {certificate.pairs_checked:,} allowed pairs checked",
            f"- solve + certify {both:.1f} s; {len(result.matches):,} matched, total "
            f"{result.total_score:g}; peak RSS {_peak_rss_mb():.0f} MB",
        ]
        print("\n".join(lines[-4:]), flush=True)
    if os.environ.get("WRITE", "1") == "1":
        write_section("Matcher at scale (issue 20)", machine() + "\n\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
