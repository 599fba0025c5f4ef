"""Issue 9: the main pages under load, against gunicorn on PostgreSQL, in one run with a bare view.

Data: 1,000 students with 200 contacts each (and conversations), 2,000 listed volunteers with
availability, 500 events with RSVPs. Pages: Today, the contacts list, a directory search, the
calendar month and the staff dashboard, each driven by wrk from a second process at 20
connections; then a mixed run of the student's pages at 50 connections for 60 s that must give
no error at all.

Targets: each main page at least 25% of the bare view's requests per second; p99 under 250 ms
at 20 concurrent clients on 2 cores; zero errors over 60 s at 50 connections.

BENCH_SCALE (default 1) shrinks the data and the runs for a quick check; only a full-size run
writes bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time

from common import machine, setup_django, write_section

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
STUDENTS = max(20, round(1_000 * SCALE))
CONTACTS_EACH = 200
CONVERSATIONS_EACH = 12
VOLUNTEERS = max(50, round(2_000 * SCALE))
EVENTS = max(20, round(500 * SCALE))
RSVPS_EACH_EVENT = 12
ORGANIZATIONS = 2_000
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "20"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20" if SCALE >= 1 else "5"))
MIXED_CONNECTIONS = 50
MIXED_SECONDS = int(os.environ.get("BENCH_MIXED_SECONDS", "60" if SCALE >= 1 else "10"))

FIRST = ["Ada", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai"]
LAST = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hughes", "Ito", "Khan"]
WORDS = ["analyst", "engineer", "designer", "consultant", "teacher", "nurse", "lawyer",
         "product", "marketing", "finance", "climate", "energy", "health", "policy", "startup",
         "research", "data", "sales", "operations", "strategy"]  # fmt: skip
MAJORS = ["Economics", "Computer Science", "History", "Biology", "English", "Psychology"]


def build(rng: random.Random):
    """Bulk-load the data set; returns (student, staff) to sign in as."""
    from allauth.mfa.totp.internal.auth import TOTP
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

        staff = User.objects.create_user(
            "load-staff@example.edu", "!unusable-but-set!", role=Role.STAFF, is_staff=True
        )
        Profile.objects.create(user=staff, display_name="Load Staff", time_zone="UTC")
        TOTP.activate(staff, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
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
    return students[0], staff


def main() -> None:
    from load import BARE_PATH, LOAD_SETTINGS, LoadSite, Page, require_wrk, results_table

    require_wrk()
    os.environ["DJANGO_SETTINGS_MODULE"] = LOAD_SETTINGS
    setup_django("rapport_bench_load")
    from django.urls import reverse

    from contacts.models import Contact

    rng = random.Random(9)
    started = time.perf_counter()
    student, staff = build(rng)
    load_seconds = time.perf_counter() - started
    contacts = Contact.objects.count()

    with LoadSite() as site:
        student_cookie = site.session_cookie(student)
        staff_cookie = site.session_cookie(staff)
        pages = [
            Page("bare view", BARE_PATH),
            Page("Today", reverse("home")),
            Page("contacts list", reverse("contacts:list")),
            Page("directory search", reverse("mentoring:directory") + "?q=product"),
            Page("calendar month", reverse("events:calendar")),
            Page("staff dashboard", reverse("console:dashboard"), cookie=staff_cookie),
        ]
        print(f"Loaded in {load_seconds:.0f} s; measuring at {CONNECTIONS} connections.")
        results = site.run(pages, cookie=student_cookie, connections=CONNECTIONS, seconds=SECONDS)
        mixed = site.run_mixed(
            [p.path for p in pages[1:5]],
            cookie=student_cookie,
            connections=MIXED_CONNECTIONS,
            seconds=MIXED_SECONDS,
        )
        workers = site.workers
    # The same pages with every cache of computed pages off: what each request costs when
    # nothing was cached (a first visit, or right after a change).
    caches = ("PRIVATE_PAGE_CACHE_SECONDS", "DASHBOARD_CACHE_SECONDS", "DIRECTORY_CACHE_SECONDS")
    saved = {name: os.environ.get(name) for name in caches}
    os.environ.update(dict.fromkeys(caches, "0"))
    try:
        with LoadSite() as site:
            uncached = site.run(
                [
                    Page(p.label, p.path, cookie=site.session_cookie(staff) if p.cookie else None)
                    for p in pages
                ],
                cookie=site.session_cookie(student),
                connections=CONNECTIONS,
                seconds=SECONDS,
            )
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    bare = results[0]
    main_pages = results[1:]
    ratios_ok = all(r.rps >= 0.25 * bare.rps for r in main_pages)
    p99_ok = all(r.p99_ms < 250 for r in main_pages)
    errors = sum(r.errors for r in results) + mixed.errors
    body = f"""## Load: the main pages against gunicorn (issue 9)

Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.
Data: {STUDENTS:,} students with {CONTACTS_EACH} contacts each ({contacts:,} contacts) and
{CONVERSATIONS_EACH} conversations each, {VOLUNTEERS:,} listed volunteers, {EVENTS:,} events
with RSVPs; loaded in {load_seconds:.0f} s. gunicorn with {workers} sync workers on PostgreSQL,
Redis cache, DEBUG off; wrk from a second process, {CONNECTIONS} connections for {SECONDS} s a
page after a warm-up, each page alone, signed in as a student (the dashboard as staff).

{results_table(results)}

Mixed run (Today, contacts, directory search, calendar month in turn), {MIXED_CONNECTIONS}
connections for {MIXED_SECONDS} s: {mixed.requests:,} requests, {mixed.rps:.0f} req/s, p50
{mixed.p50_ms:.0f} ms, p99 {mixed.p99_ms:.0f} ms, **{mixed.errors} errors** (non-2xx
{mixed.non2xx}, socket {mixed.socket_errors}).

The pages above keep what they compute in Redis between requests (docs/operations.md,
Configuration): the contacts list and Today under the student's version, which the services
raise on any change to their data; the calendar grid for a minute, under the same version
and the events' version; the directory's results for a minute; the staff dashboard's
figures and their HTML for five minutes. wrk asks for the same page again and again, so this is
the steady state of repeat visits. Every cache off, each request computing everything:

{results_table(uncached)}

Targets: every main page at least 25% of the bare view's throughput:
**{"met" if ratios_ok else "NOT met"}**; p99 under 250 ms at {CONNECTIONS} connections:
**{"met" if p99_ok else "NOT met"}**; zero errors: **{"met" if errors == 0 else "NOT met"}**.
wrk keeps every connection busy without pause (each "client" asks again the moment it has its
answer), so on 2 cores the latency of a page is about its CPU time times the queue of 20
requests in front of it, shared with PostgreSQL and wrk itself.
"""
    print(body)
    if SCALE >= 1:
        write_section("bench_load", body)


if __name__ == "__main__":
    main()
