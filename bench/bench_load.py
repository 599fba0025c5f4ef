"""Issues 9 and 16: the main pages under load against gunicorn on PostgreSQL, in one run with a
bare view, computed for every request (caches off) and with their caches.

Data: 1,000 students with 200 contacts each (and conversations), 2,000 listed volunteers with
availability, 500 events with RSVPs (database `<prefix>load`); the staff dashboard has a data
step and a database of its own (`<prefix>load_dashboard`, bench/load_dashboard.py): 10,000
students, 200,000 conversations and the rest, as bench/bench_dashboard.py builds them. The
prefix is BENCH_DATABASE_PREFIX (default `rapport_bench_`).

Each page is driven alone by wrk from a second process at 20 connections (BENCH_CONNECTIONS)
for BENCH_SECONDS after a warm-up, signed in as a student (the dashboard as staff). The bare
view runs before each student page and after the last, and the pages are compared with the
median of those runs (run_beside_bare): the machine's speed drifts between minutes.
1. caches off: every setting named *_CACHE_SECONDS set to 0 (PRIVATE_PAGE_CACHE_SECONDS,
   DIRECTORY_CACHE_SECONDS, ...; the dashboard reads precomputed figures), plus BENCH_COLD_ENV
   (`NAME=value,NAME=value`) if a cache is turned off another way. Targets: Today, the contacts
   list, directory search and the calendar month each at least 25% of the bare view's
   requests per second; the staff dashboard's median at most 300 ms;
2. caches as configured: every main page at least 40% of the bare view;
3. the dashboard while its figures are refreshed: they expire every BENCH_EXPIRY_SECONDS (5)
   (DASHBOARD_REFRESH_SECONDS) and, if the console has a background refresh (found at run time,
   see bench/load_dashboard.py; BENCH_DASHBOARD_REFRESH names it), a second process runs it
   that often during the BENCH_WINDOW_SECONDS measured, as beat would. Target (no stampede):
   p50 and p99 at most 300 ms, no error. The refresh also runs once after the data step;
4. the mixed run (bench/load_mixed.py): 20 students, one per connection, reading the four
   student pages and, between reads, logging an interaction, moving a conversation and adding
   a contact, for BENCH_MIXED_SECONDS, caches as configured. Target: p99 under 250 ms, zero
   errors (a write must redirect; a re-shown form is an error).

BENCH_SCALE (default 1) shrinks the data and the runs for a quick check; only a full-size run
writes bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from pathlib import Path

from common import database_url, machine, setup_django, write_section

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
STUDENTS = max(40, round(1_000 * SCALE))
CONTACTS_EACH = 200
CONVERSATIONS_EACH = 12
VOLUNTEERS = max(50, round(2_000 * SCALE))
EVENTS = max(20, round(500 * SCALE))
RSVPS_EACH_EVENT = 12
ORGANIZATIONS = 2_000
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "20"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20" if SCALE >= 1 else "5"))
MIXED_CONNECTIONS = int(os.environ.get("BENCH_MIXED_CONNECTIONS", "20"))
MIXED_SECONDS = int(os.environ.get("BENCH_MIXED_SECONDS", "60" if SCALE >= 1 else "10"))
WINDOW_SECONDS = int(os.environ.get("BENCH_WINDOW_SECONDS", "30" if SCALE >= 1 else str(SECONDS)))
EXPIRY_SECONDS = int(os.environ.get("BENCH_EXPIRY_SECONDS", "5"))
DATABASE_PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "rapport_bench_")
HERE = Path(__file__).resolve().parent
DASHBOARD_MEDIAN_MS = 300
MIXED_P99_MS = 250

FIRST = ["Ada", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai"]
LAST = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hughes", "Ito", "Khan"]
WORDS = ["analyst", "engineer", "designer", "consultant", "teacher", "nurse", "lawyer",
         "product", "marketing", "finance", "climate", "energy", "health", "policy", "startup",
         "research", "data", "sales", "operations", "strategy"]  # fmt: skip
MAJORS = ["Economics", "Computer Science", "History", "Biology", "English", "Psychology"]


def build(rng: random.Random):
    """Bulk-load the students' data set; returns the students (the first one signs in for the
    pages measured alone, the next ones are the mixed run's)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from contacts.models import (
        Contact,
        Conversation,
        ConversationStatus,
        Organization,
        Relationship,
        TargetOrganization,
    )
    from events.models import RSVP, Event, EventKind, EventStatus, RSVPStatus
    from mentoring.models import AvailabilityWindow, Mentor, Mode, Topic
    from networking_app.accounts.models import (
        Affiliation,
        ApprovalStatus,
        Profile,
        Role,
        StudentProfile,
        User,
        VolunteerProfile,
    )

    now = timezone.now()
    topics = list(Topic.objects.all())
    with transaction.atomic():
        organizations = Organization.objects.bulk_create(
            [
                Organization(name=f"{rng.choice(LAST)} {w.title()} {i}", normalized_name=f"o{i}")
                for i, w in enumerate(rng.choice(WORDS) for _ in range(ORGANIZATIONS))
            ]
        )
        students = User.objects.bulk_create(
            [
                User(email=f"load-student{i}@example.edu", role=Role.STUDENT, password="!")
                for i in range(STUDENTS)
            ]
        )
        Profile.objects.bulk_create(
            [
                Profile(
                    user=u,
                    display_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    time_zone="America/New_York",
                )
                for u in students
            ]
        )
        StudentProfile.objects.bulk_create(
            [
                StudentProfile(user=u, class_year=rng.randint(2026, 2029), major=rng.choice(MAJORS))
                for u in students
            ]
        )
        contacts = []
        for student in students:
            for n in range(CONTACTS_EACH):
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}"
                org = rng.choice(organizations)
                words = " ".join(rng.sample(WORDS, 3))
                contacts.append(
                    Contact(
                        owner=student,
                        name=name,
                        email=f"c{student.pk}-{n}@example.org" if n % 2 else "",
                        organization=org,
                        title=words.split()[0].title(),
                        relationship=rng.choice(Relationship.values),
                        notes=f"Talked about {words}.",
                        search_text=f"{name}\n{org.name}\n{words}",
                        last_interaction_on=now.date() - dt.timedelta(days=rng.randint(0, 400)),
                        cadence_days=rng.choice([0, 30, 91]),
                    )
                )
            if len(contacts) >= 20_000:
                Contact.objects.bulk_create(contacts, batch_size=5_000)
                contacts = []
        Contact.objects.bulk_create(contacts, batch_size=5_000)
        statuses = [
            ConversationStatus.PLANNED,
            ConversationStatus.REQUESTED,
            ConversationStatus.SCHEDULED,
            ConversationStatus.HELD,
            ConversationStatus.THANKED,
        ]
        conversations = []
        targets = []
        for student in students:
            mine = list(Contact.objects.filter(owner=student).values_list("pk", flat=True)[:40])
            for n in range(CONVERSATIONS_EACH):
                status = statuses[n % len(statuses)]
                when = now + dt.timedelta(days=rng.randint(-60, 30), hours=rng.randint(9, 17))
                conversations.append(
                    Conversation(
                        owner=student,
                        contact_id=mine[n],
                        goal="Learn what the first year looks like.",
                        status=status,
                        requested_on=(when - dt.timedelta(days=7)).date(),
                        scheduled_at=when if status != ConversationStatus.PLANNED else None,
                        held_at=when
                        if status in (ConversationStatus.HELD, ConversationStatus.THANKED)
                        else None,
                        thanked_at=when + dt.timedelta(days=1)
                        if status == ConversationStatus.THANKED
                        else None,
                    )
                )
            for org in rng.sample(organizations, 3):
                targets.append(TargetOrganization(owner=student, organization=org))
        Conversation.objects.bulk_create(conversations, batch_size=5_000)
        TargetOrganization.objects.bulk_create(targets, batch_size=5_000)

        volunteers = User.objects.bulk_create(
            [
                User(email=f"load-volunteer{i}@example.org", role=Role.VOLUNTEER, password="!")
                for i in range(VOLUNTEERS)
            ]
        )
        names = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in volunteers]
        Profile.objects.bulk_create(
            [
                Profile(user=u, display_name=n, time_zone="America/Chicago")
                for u, n in zip(volunteers, names, strict=True)
            ]
        )
        VolunteerProfile.objects.bulk_create(
            [
                VolunteerProfile(
                    user=u,
                    affiliation=rng.choice(Affiliation.values),
                    class_year=rng.randint(1980, 2024),
                    status=ApprovalStatus.APPROVED,
                )
                for u in volunteers
            ]
        )
        mentors = []
        for user, name in zip(volunteers, names, strict=True):
            org = rng.choice(organizations)
            title = rng.choice(WORDS).title()
            bio = "I can talk about " + ", ".join(rng.sample(WORDS, 5)) + "."
            mentors.append(
                Mentor(
                    user=user,
                    organization=org,
                    title=title,
                    industry=rng.choice(WORDS).title(),
                    job_function=rng.choice(WORDS).title(),
                    location="Boston",
                    bio=bio,
                    modes=[Mode.VIDEO],
                    code_of_conduct_accepted_at=now,
                    listed=True,
                    hidden_fields=[],
                    is_bookable=True,
                    search_text=f"{name}\n{org.name}\n{title}\n{bio}",
                    search_names=f"{name} {org.name}",
                )
            )
        mentors = Mentor.objects.bulk_create(mentors, batch_size=2_000)
        Mentor.topics.through.objects.bulk_create(
            [
                Mentor.topics.through(mentor_id=m.pk, topic_id=t.pk)
                for m in mentors
                for t in rng.sample(topics, 2)
            ]
        )
        AvailabilityWindow.objects.bulk_create(
            [
                AvailabilityWindow(
                    mentor=m,
                    weekday=rng.randrange(5),
                    start_time=dt.time(rng.randint(9, 14)),
                    end_time=dt.time(rng.randint(15, 18)),
                )
                for m in mentors
            ]
        )

        events = Event.objects.bulk_create(
            [
                Event(
                    title=f"{rng.choice(EventKind.labels)} {i}",
                    kind=rng.choice(EventKind.values),
                    description="Meet alumni and recruiters.",
                    description_html="<p>Meet alumni and recruiters.</p>",
                    status=EventStatus.PUBLISHED,
                    starts_at=(start := now + dt.timedelta(days=rng.uniform(-60, 120))),
                    ends_at=start + dt.timedelta(hours=2),
                    time_zone="America/New_York",
                    place="Student Center",
                    capacity=rng.choice([None, 50, 100]),
                )
                for i in range(EVENTS)
            ]
        )
        rsvps, taken = [], set()
        for event in events:
            for student in rng.sample(students, min(RSVPS_EACH_EVENT, len(students))):
                if (event.pk, student.pk) not in taken:
                    taken.add((event.pk, student.pk))
                    rsvps.append(RSVP(event=event, user=student, status=RSVPStatus.GOING))
        RSVP.objects.bulk_create(rsvps, batch_size=5_000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return students


def _bare_text(runs: list[float]) -> str:
    shown = ", ".join(f"{rps:,.0f}" for rps in runs)
    return (
        f"The bare view ran before each page and after the last ({shown} req/s); each "
        "page is compared with the median run, shown as the bare view's row."
    )


def settle() -> None:
    """Let the database write back the data step before anything is measured (a checkpoint
    running during the first page would slow it alone)."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:  # not a superuser: PostgreSQL's own checkpoints will do
        pass


def run_beside_bare(site, pages, *, cookie: str, connections: int, seconds: int):
    """([the bare view, then each of `pages`], the bare view's req/s of every run): the bare
    view is measured before each page and after the last, and each page is compared with the
    median of those runs. The machine's speed drifts over minutes (another tenant, the
    database writing back), and one bare run taken at another moment made the ratios swing
    by half."""
    from load import BARE_PATH, Page

    bare = Page("bare view", BARE_PATH)
    bare_runs, results = [], []
    for page in pages:
        bare_runs += site.run([bare], cookie=cookie, connections=connections, seconds=seconds)
        results += site.run([page], cookie=cookie, connections=connections, seconds=seconds)
    bare_runs += site.run([bare], cookie=cookie, connections=connections, seconds=seconds)
    median = sorted(bare_runs, key=lambda r: r.rps)[len(bare_runs) // 2]
    return [median, *results], [r.rps for r in bare_runs]


def _cold_env() -> dict[str, str]:
    """Every cache of computed pages off: each setting named *_CACHE_SECONDS at 0 (the
    project reads each from the environment variable of the same name), plus BENCH_COLD_ENV."""
    from django.conf import settings

    names = {"PRIVATE_PAGE_CACHE_SECONDS", "DIRECTORY_CACHE_SECONDS"}
    names |= {name for name in dir(settings) if name.endswith("_CACHE_SECONDS")}
    env = dict.fromkeys(sorted(names), "0")
    for pair in filter(None, os.environ.get("BENCH_COLD_ENV", "").split(",")):
        name, _, value = pair.partition("=")
        env[name.strip()] = value.strip()
    return env


def main() -> None:
    from load import (
        LOAD_SETTINGS,
        LoadSite,
        Page,
        Target,
        median_at_most,
        passed,
        require_wrk,
        share_of_bare,
        targets_table,
    )
    from load_dashboard import measure_during_refresh, result_of, start
    from load_mixed import run_mixed_writes

    require_wrk()
    os.environ["DJANGO_SETTINGS_MODULE"] = LOAD_SETTINGS
    # A cache key prefix per run and per database: ids start again at 1 in each.
    run = f"rapport-bench-{os.getpid()}-{int(time.time())}"
    main_db, dashboard_db = f"{DATABASE_PREFIX}load", f"{DATABASE_PREFIX}load_dashboard"
    main_env = {"BENCH_CACHE_PREFIX": f"{run}-main"}
    dashboard_env = {
        "BENCH_CACHE_PREFIX": f"{run}-dashboard",
        "DATABASE_URL": database_url(dashboard_db),
    }
    # Both data steps at once (nothing is measured yet), the dashboard's in its own process.
    started = time.perf_counter()
    builder = start("build", dashboard_db, {**os.environ, **dashboard_env})
    os.environ.update(main_env)
    setup_django(main_db)
    students = build(random.Random(9))
    load_seconds = time.perf_counter() - started
    dashboard = result_of(builder, "the dashboard's data step")
    data_seconds = time.perf_counter() - started

    from django.urls import reverse

    from contacts.models import Contact

    contacts = Contact.objects.count()
    cold_env = _cold_env()
    pages = [
        Page("Today", reverse("home")),
        Page("contacts list", reverse("contacts:list")),
        Page("directory search", reverse("mentoring:directory") + "?q=product"),
        Page("calendar month", reverse("events:calendar")),
    ]
    board = Page("staff dashboard", reverse("console:dashboard"), cookie=dashboard["cookie"])
    each = {"connections": CONNECTIONS, "seconds": SECONDS}
    print(
        f"Data in {data_seconds:.0f} s (dashboard refresh: {dashboard['refresh'] or 'none'}); "
        f"{CONNECTIONS} connections, {SECONDS} s a page.\nCaches off ({', '.join(cold_env)}):",
        flush=True,
    )
    settle()
    with LoadSite(env={**main_env, **cold_env}) as site:
        cold, cold_bares = run_beside_bare(
            site, pages, cookie=site.session_cookie(students[0]), **each
        )
        workers = site.workers
    with LoadSite(env={**dashboard_env, **cold_env}) as site:
        cold += site.run([board], cookie=None, **each)
    print("Caches as configured:", flush=True)
    with LoadSite(env=main_env) as site:
        cached, cached_bares = run_beside_bare(
            site, pages, cookie=site.session_cookie(students[0]), **each
        )
        mixed = run_mixed_writes(
            site,
            students,
            read_pages=[p.path for p in pages],
            connections=MIXED_CONNECTIONS,
            seconds=MIXED_SECONDS,
        )
    with LoadSite(env=dashboard_env) as site:
        cached += site.run([board], cookie=None, **each)
    expiring = {**dashboard_env, "DASHBOARD_REFRESH_SECONDS": str(EXPIRY_SECONDS)}
    with LoadSite(env=expiring) as site:
        window, refreshes = measure_during_refresh(
            site,
            board,
            database=dashboard_db,
            env={**os.environ, **expiring},
            connections=CONNECTIONS,
            seconds=WINDOW_SECONDS,
            every=EXPIRY_SECONDS,
        )

    student_pages = [p.label for p in pages]
    cold_targets = {label: share_of_bare(0.25) for label in student_pages}
    cold_targets[board.label] = median_at_most(DASHBOARD_MEDIAN_MS)
    cached_targets = {label: share_of_bare(0.40) for label in [*student_pages, board.label]}
    no_stampede = Target(
        f"p50 and p99 ≤ {DASHBOARD_MEDIAN_MS} ms",
        lambda r, bare: max(r.p50_ms, r.p99_ms) <= DASHBOARD_MEDIAN_MS,
    )
    mixed_target = Target(f"p99 < {MIXED_P99_MS} ms", lambda r, bare: r.p99_ms < MIXED_P99_MS)
    bare = cached[0]
    verdicts = {
        "caches off: Today, contacts, directory, month ≥ 25% of bare": all(
            passed(r, cold[0], cold_targets[r.label]) for r in cold[1:5]
        ),
        f"caches off: staff dashboard median ≤ {DASHBOARD_MEDIAN_MS} ms": passed(
            cold[5], cold[0], cold_targets[board.label]
        ),
        "no stampede while the dashboard's figures expire or refresh": (
            passed(window, bare, no_stampede) and "failed" not in refreshes
        ),
        "caches on: every main page ≥ 40% of bare": all(
            passed(r, bare, cached_targets[r.label]) for r in cached[1:]
        ),
        f"mixed run with writes: p99 < {MIXED_P99_MS} ms, zero errors": passed(
            mixed, bare, mixed_target
        ),
    }
    runs = refreshes["runs_ms"]
    if dashboard["refresh"]:
        refresh_text = (
            f"The console's background refresh, found at run time: `{dashboard['refresh']}`. "
            f"It ran once after the data step ({dashboard['first_refresh_ms']:,.0f} ms), then "
            f"every {EXPIRY_SECONDS} s in a second process during the window: {len(runs)} runs"
            + (f", median {sorted(runs)[len(runs) // 2]:,.0f} ms" if runs else "")
            + ". "
        )
    else:
        refresh_text = (
            "No background refresh of the dashboard's figures was found (bench/"
            "load_dashboard.py says where it looks; BENCH_DASHBOARD_REFRESH names one). "
        )
    if "failed" in refreshes:
        refresh_text += "**The refresh failed during the window** (its traceback is in the "
        refresh_text += "run's output). "
    errors = mixed.extra.get("errors_by_request") or {}
    error_text = ", ".join(f"{what}: {n}" for what, n in sorted(errors.items())) or "none"
    verdict_lines = "\n".join(
        f"- {what}: **{'met' if met else 'NOT met'}**" for what, met in verdicts.items()
    )
    body = f"""## Load: the main pages against gunicorn, cold and cached (issues 9 and 16)

Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.
Data: {STUDENTS:,} students with {CONTACTS_EACH} contacts each ({contacts:,} contacts) and
{CONVERSATIONS_EACH} conversations each, {VOLUNTEERS:,} listed volunteers, {EVENTS:,} events
with RSVPs (loaded in {load_seconds:.0f} s); the staff dashboard on a database of its own with
{dashboard["students"]:,} students, {dashboard["contacts"]:,} contacts,
{dashboard["conversations"]:,} conversations, {dashboard["volunteers"]:,} volunteers,
{dashboard["requests"]:,} flash requests and {dashboard["rsvps"]:,} RSVPs (loaded in
{dashboard["load_seconds"]:.0f} s, beside the other). gunicorn with {workers} sync workers on
PostgreSQL, Redis cache, DEBUG off; wrk from a second process, {CONNECTIONS} connections for
{SECONDS} s a page after a warm-up, each page alone, signed in as a student (the dashboard as
staff). wrk keeps every connection busy without pause, so on 2 cores a page's latency is about
its CPU time times the queue of {CONNECTIONS} requests in front of it.

{verdict_lines}

### Caches off

Every cache of computed pages off ({", ".join(f"`{n}={v}`" for n, v in cold_env.items())}):
what each request costs when nothing was cached, a first visit or the page after a change.
{_bare_text(cold_bares)}

{targets_table(cold, cold_targets)}

### Caches as configured

The steady state of repeat visits of unchanged data (wrk asks for the same page again and
again).
{_bare_text(cached_bares)}

{targets_table(cached, cached_targets)}

### The staff dashboard while its figures expire or refresh

{refresh_text}The figures may also be kept only `DASHBOARD_REFRESH_SECONDS={EXPIRY_SECONDS}`
seconds, so they expire several times in the {WINDOW_SECONDS} s measured. A stampede (every
client recomputing at once) shows as a tail of seconds.

{targets_table([bare, window], {window.label: no_stampede})}

### Mixed run: students reading and writing

{MIXED_CONNECTIONS} connections, each a student of their own, for {MIXED_SECONDS} s, caches as
configured: Today, the contacts list, directory search and the calendar month in turn and,
between them, logging an interaction, moving a conversation (reschedule, cancel, schedule
again) and adding a contact, each followed by the page it redirects to
({mixed.extra.get("reads", 0):,} reads, {mixed.extra.get("writes", 0):,} writes,
{mixed.extra.get("follows", 0):,} redirects followed). A write counts as an error unless it
redirects (a re-shown form saved nothing). Errors: {error_text}.

{targets_table([bare, mixed], {mixed.label: mixed_target})}
"""
    print(body)
    if SCALE >= 1:
        write_section("bench_load", body)
    else:
        print(f"(BENCH_SCALE={SCALE}: bench/RESULTS.md left unchanged)")


if __name__ == "__main__":
    main()
