"""Issue 8 targets: a 20,000-row LinkedIn Connections.csv previewed and committed in under
15 s, with a peak memory under 300 MB. BENCH_SCALE=0.05 runs a smaller file (a smoke test
that does not write bench/RESULTS.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import resource
import time
import tracemalloc

from common import machine, setup_django, summary, timed, write_section

ROWS = 20_000
EXISTING = 500  # contacts the student already has; some rows of the file duplicate them
FIRST = [
    "Ada",
    "Ben",
    "Cara",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivan",
    "José",
    "Kai",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Quin",
    "Rosa",
    "Sol",
    "Tara",
    "Zoë",
    "Łukasz",
]
LAST = [
    "Adams",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fox",
    "García",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "López",
    "Mori",
    "Nolan",
    "O'Neill",
    "Ortiz",
    "Schmidt",
    "Nguyen",
]
COMPANIES = [
    "Goldman Sachs & Co., LLC",
    "Deloitte",
    "Acme, Inc.",
    "Globex",
    "Initech",
    "Umbrella Corp",
    "Stark Industries",
    "Wayne Enterprises",
    "Tencent Holdings, Ltd.",
]
TITLES = [
    "Analyst",
    "Senior Consultant",
    "Associate, Risk",
    "Software Engineer",
    "Product Manager",
    "Brand Manager, Personal Care",
    "Recruiter",
    "",
]


def linkedin_file(rows: int, rng: random.Random) -> bytes:
    out = io.StringIO()
    out.write(
        'Notes:\n"When exporting your connection data, you may notice that some of the email '
        'addresses are missing."\n\n'
    )
    writer = csv.writer(out)
    writer.writerow(
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
    )
    start = dt.date(2015, 1, 1)
    for i in range(rows):
        if i % 997 == 0:
            writer.writerow([""] * 7)  # LinkedIn's rows of nothing but commas
        first, last = rng.choice(FIRST), rng.choice(LAST)
        # 1% repeat an earlier row of the file (a duplicate within the file).
        n = i - 50 if i % 100 == 99 else i
        email = f"person.{n}@example.com" if n % 10 == 0 else ""
        company = f"{rng.choice(COMPANIES)} {n % 3000}"
        when = start + dt.timedelta(days=n % 3500)
        writer.writerow(
            [
                first,
                f"{last}{n}",
                f"https://www.linkedin.com/in/person-{n}",
                email,
                company,
                rng.choice(TITLES),
                f"{when.day} {when:%b %Y}",
            ]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def main() -> None:
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    rows = max(50, int(ROWS * scale))
    setup_django("rapport_bench_import")
    from django.test import Client
    from django.urls import reverse

    from contacts.imports import import_commit, import_preview, import_undo
    from contacts.models import Contact, Interaction, Relationship
    from networking_app.accounts.models import Role, User
    from networking_app.accounts.services import profile_create_for_role

    rng = random.Random(8)
    student = User.objects.create(email="bench-import@example.edu", role=Role.STUDENT, password="!")
    profile_create_for_role(user=student, role=Role.STUDENT, display_name="Bench", time_zone="UTC")
    Contact.objects.bulk_create(
        [
            Contact(
                owner=student,
                name=f"Known {i}",
                relationship=Relationship.ALUMNI,
                linkedin_url=f"https://www.linkedin.com/in/person-{i * 37}",
            )
            for i in range(int(EXISTING * scale) or 1)
        ]
    )
    data = linkedin_file(rows, rng)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    load_before = os.getloadavg()[0]
    cpu_started = time.process_time()
    started = time.perf_counter()
    batch = import_preview(owner=student, filename="Connections.csv", data=data)
    preview_seconds = time.perf_counter() - started
    preview_cpu = time.process_time() - cpu_started

    client = Client()
    client.force_login(student)
    url = reverse("contacts:import_batch", kwargs={"batch_id": batch.pk})
    pages = batch.total_rows // 100 + 1
    page_first = summary(timed(lambda: client.get(url), repeat=20))
    page_last = summary(timed(lambda: client.get(url, {"page": pages}), repeat=20))

    cpu_started = time.process_time()
    started = time.perf_counter()
    import_commit(batch=batch, default="merge")
    commit_seconds = time.perf_counter() - started
    commit_cpu = time.process_time() - cpu_started
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    batch.refresh_from_db()
    created, merged, skipped = batch.created_count, batch.merged_count, batch.skipped_count
    interactions = Interaction.objects.filter(owner=student).count()

    started = time.perf_counter()
    import_undo(batch=batch)
    undo_seconds = time.perf_counter() - started

    # Python allocations alone, measured on a second run (tracemalloc slows everything down).
    tracemalloc.start()
    again = import_preview(owner=student, filename="Connections.csv", data=data)
    import_commit(batch=again, default="merge")
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    total = preview_seconds + commit_seconds
    preview_label = (
        f"preview (decode, parse, classify against existing contacts, store "
        f"{batch.total_rows:,} rows)"
    )
    commit_label = (
        f"commit (create {created:,}, merge {merged:,}, skip {skipped:,}; "
        f'{interactions:,} "connected on" interactions)'
    )
    first_page = f"{page_first['p50']:.0f} / {page_first['p95']:.0f} ms"
    last_page = f"{page_last['p50']:.0f} / {page_last['p95']:.0f} ms"
    met_time = total < 15
    met_memory = rss_peak < 300
    body = f"""## Contact import: a LinkedIn export of {rows:,} rows (issue 8)

Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.
File: {len(data) / 1024 / 1024:.1f} MB, {rows:,} connections (BOM, "Notes:" preamble, quoted
commas, 10% with an email, 1% repeated within the file, empty rows); the student already has
{int(EXISTING * scale):,} contacts, some of them in the file.

| step | time | of which Python (CPU) |
|---|---|---|
| {preview_label} | {preview_seconds:.2f} s | {preview_cpu:.2f} s |
| {commit_label} | {commit_seconds:.2f} s | {commit_cpu:.2f} s |
| **preview + commit** | **{total:.2f} s** | {preview_cpu + commit_cpu:.2f} s |
| undo the whole batch | {undo_seconds:.2f} s | |
| preview page 1 (100 rows of {batch.total_rows:,}), p50 / p95 | {first_page} | |
| preview last page, p50 / p95 | {last_page} | |

The rest of each step's time is PostgreSQL's (same machine). Load average when the run
started: {load_before:.1f} on {os.cpu_count()} cores.

Memory: process peak RSS {rss_peak:.0f} MB (Django loaded: {rss_before:.0f} MB before the
import); Python allocations peak {traced_peak / 1024 / 1024:.0f} MB (tracemalloc, second run).

Targets: under 15 s **{"met" if met_time else "NOT met"}**; under 300 MB
**{"met" if met_memory else "NOT met"}**.
"""
    print(body)
    if scale >= 1:
        write_section("bench_import", body)


if __name__ == "__main__":
    main()
