"""Issue 7 and 16 target: the staff dashboard for 10,000 students, 200,000 conversations, 2,000
volunteers and 500 events answers in at most 300 ms at the median under 20 concurrent clients,
cold (figures just refreshed, nothing cached).

The data is bulk-created with everything around it in proportion: 100,000 contacts, 50,000
interactions, 20,000 conversation changes, 20,000 flash requests (8,000 sessions, feedback on
most), 30,000 RSVPs, 2,000 outcomes, over the last 12 months. The figures are refreshed once
(timed), then the default page is served by gunicorn and driven by wrk at 20 connections
(bench/load.py) beside the bare view, and rendered one at a time through Django's test client
for the default 30 days, for 12 months and with a class-year filter.

BENCH_SCALE (default 1) shrinks the data for a quick check; only a full-size run writes its
section of bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time

from common import machine, setup_django, summary, timed, write_section

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
STUDENTS = max(50, round(10_000 * SCALE))
CONVERSATIONS = max(500, round(200_000 * SCALE))
VOLUNTEERS = max(10, round(2_000 * SCALE))
EVENTS = max(5, round(500 * SCALE))
CONTACTS_PER_STUDENT = 10
RUNS = int(os.environ.get("BENCH_RUNS", "30" if SCALE >= 1 else "20"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "20"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20" if SCALE >= 1 else "5"))
TARGET_MS = 300
MAJORS = [
    "Economics",
    "Computer Science",
    "History",
    "Biology",
    "Psychology",
    "Mathematics",
    "English",
    "Political Science",
    "Chemistry",
    "Sociology",
    "Philosophy",
    "Art History",
    "Physics",
    "Music",
    "Linguistics",
]


def _chunks(rows: list, size: int = 5_000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def load(rng: random.Random) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from contacts.models import (
        Contact,
        Conversation,
        ConversationChange,
        Interaction,
        Organization,
        Outcome,
    )
    from events.models import RSVP, Event, RSVPStatus
    from mentoring.models import Feedback, FlashRequest, Mentor, Session
    from networking_app.accounts.models import (
        ApprovalStatus,
        Profile,
        Role,
        StudentProfile,
        User,
        VolunteerProfile,
    )

    now = timezone.now()

    def when(max_days: int = 365) -> dt.datetime:
        return now - dt.timedelta(seconds=rng.randint(0, max_days * 86_400))

    counts: dict[str, int] = {}
    with transaction.atomic():
        organizations = Organization.objects.bulk_create(
            [Organization(name=f"Org {i}", normalized_name=f"org {i}") for i in range(1_000)]
        )
        students = User.objects.bulk_create(
            [
                User(
                    email=f"s{i}@example.edu",
                    role=Role.STUDENT,
                    password="!",
                    date_joined=when(400),
                )
                for i in range(STUDENTS)
            ],
            batch_size=5_000,
        )
        volunteers = User.objects.bulk_create(
            [
                User(email=f"v{i}@example.org", role=Role.VOLUNTEER, password="!")
                for i in range(VOLUNTEERS)
            ],
            batch_size=5_000,
        )
        Profile.objects.bulk_create(
            [Profile(user=u, display_name=u.email.split("@")[0]) for u in students + volunteers],
            batch_size=5_000,
        )
        StudentProfile.objects.bulk_create(
            [
                StudentProfile(
                    user=u, class_year=2025 + i % 5, major=MAJORS[rng.randrange(len(MAJORS))]
                )
                for i, u in enumerate(students)
            ],
            batch_size=5_000,
        )
        VolunteerProfile.objects.bulk_create(
            [
                VolunteerProfile(
                    user=u,
                    affiliation="alumni",
                    status=ApprovalStatus.APPROVED if i % 10 else ApprovalStatus.PENDING,
                )
                for i, u in enumerate(volunteers)
            ],
            batch_size=5_000,
        )
        Mentor.objects.bulk_create(
            [
                Mentor(
                    user=u,
                    organization=organizations[i % len(organizations)],
                    listed=True,
                    is_bookable=bool(i % 10),
                    monthly_capacity=rng.choice([2, 4, 6]),
                    code_of_conduct_accepted_at=now,
                )
                for i, u in enumerate(volunteers)
            ],
            batch_size=5_000,
        )
        # Contacts: 10 per student, 85% of students have started.
        started = [u for u in students if rng.random() < 0.85]
        contact_rows = [
            Contact(
                owner=u,
                name=f"Contact {n}",
                organization=organizations[rng.randrange(len(organizations))],
                relationship="alumni",
            )
            for u in started
            for n in range(CONTACTS_PER_STUDENT)
        ]
        contacts = []
        for chunk in _chunks(contact_rows):
            contacts.extend(Contact.objects.bulk_create(chunk))
        counts["contacts"] = len(contacts)
        # created_at is auto_now_add: spread it over the year in SQL.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE contacts_contact SET created_at = now() - random() * interval '365 days'"
            )
        conversation_rows = []
        for _i in range(CONVERSATIONS):
            contact = contacts[rng.randrange(len(contacts))]
            requested = when()
            stage = rng.random()
            fields = {"status": "requested", "requested_on": requested.date()}
            if stage < 0.7:
                fields.update(status="scheduled", scheduled_at=requested + dt.timedelta(days=5))
            if stage < 0.5:
                fields.update(status="held", held_at=requested + dt.timedelta(days=6))
            if stage < 0.35:
                fields.update(
                    status="thanked",
                    thanked_at=requested + dt.timedelta(days=6, hours=rng.randint(2, 120)),
                )
            conversation_rows.append(
                Conversation(owner_id=contact.owner_id, contact=contact, goal="Learn", **fields)
            )
        conversations = []
        for chunk in _chunks(conversation_rows):
            conversations.extend(Conversation.objects.bulk_create(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE contacts_conversation SET created_at = "
                "coalesce(requested_on::timestamptz, now()), updated_at = "
                "greatest(coalesce(thanked_at, held_at, requested_on::timestamptz), "
                "requested_on::timestamptz)"
            )
        counts["conversations"] = len(conversations)
        for chunk in _chunks(
            [
                ConversationChange(
                    conversation=conversations[rng.randrange(len(conversations))],
                    kind=rng.choice(["rescheduled", "cancelled"]),
                    asked_by="them",
                )
                for _ in range(len(conversations) // 10)
            ]
        ):
            ConversationChange.objects.bulk_create(chunk)
        for chunk in _chunks(
            [
                Interaction(owner_id=c.owner_id, contact=c, kind="email", occurred_on=when().date())
                for c in rng.sample(contacts, min(len(contacts), CONVERSATIONS // 4))
            ]
        ):
            Interaction.objects.bulk_create(chunk)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE contacts_interaction SET created_at = occurred_on::timestamptz")
        # Flash mentoring: 10 requests per volunteer, 40% become sessions.
        requests = []
        for v_index, volunteer in enumerate(volunteers):
            for n in range(10):
                start = now - dt.timedelta(days=300) + dt.timedelta(days=30 * n, hours=v_index % 24)
                status = rng.choice(["accepted", "accepted", "declined", "expired", "accepted"])
                requests.append(
                    FlashRequest(
                        student=students[rng.randrange(len(students))],
                        volunteer=volunteer,
                        start_at=start,
                        end_at=start + dt.timedelta(minutes=30),
                        message="Hello",
                        status=status,
                        expires_at=start,
                    )
                )
        created_requests = []
        for chunk in _chunks(requests):
            created_requests.extend(FlashRequest.objects.bulk_create(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE mentoring_flashrequest SET created_at = start_at - interval '7 days'"
            )
        accepted = [r for r in created_requests if r.status == "accepted"]
        sessions = Session.objects.bulk_create(
            [
                Session(
                    request=r,
                    student=r.student,
                    volunteer=r.volunteer,
                    start_at=r.start_at,
                    end_at=r.end_at,
                    status=rng.choice(["completed"] * 8 + ["no_show", "cancelled"]),
                    ics_uid=f"bench-{r.pk}@rapport",
                )
                for r in accepted
            ],
            batch_size=5_000,
        )
        Feedback.objects.bulk_create(
            [
                Feedback(session=s, author=s.student, rating=rng.randint(2, 5))
                for s in sessions
                if s.status == "completed" and rng.random() < 0.8
            ],
            batch_size=5_000,
        )
        counts["requests"], counts["sessions"] = len(created_requests), len(sessions)
        events = Event.objects.bulk_create(
            [
                Event(
                    title=f"Event {i}",
                    starts_at=now - dt.timedelta(days=330) + dt.timedelta(days=i * 400 / EVENTS),
                    ends_at=now
                    - dt.timedelta(days=330)
                    + dt.timedelta(days=i * 400 / EVENTS, hours=2),
                    capacity=60,
                )
                for i in range(EVENTS)
            ]
        )
        rsvps = []
        for event in events:
            for user in rng.sample(students, min(len(students), 60)):
                status = rng.choice([RSVPStatus.GOING] * 8 + [RSVPStatus.WAITLISTED, "cancelled"])
                checked = event.ends_at < now and status == RSVPStatus.GOING and rng.random() < 0.7
                rsvps.append(
                    RSVP(
                        event=event,
                        user=user,
                        status=status,
                        checked_in_at=event.starts_at if checked else None,
                        check_in_code=f"{event.pk}-{user.pk}",
                    )
                )
        for chunk in _chunks(rsvps):
            RSVP.objects.bulk_create(chunk)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE events_rsvp SET created_at = e.starts_at - random() * interval '30 days' "
                "FROM events_event e WHERE e.id = events_rsvp.event_id"
            )
        counts["rsvps"] = len(rsvps)
        Outcome.objects.bulk_create(
            [
                Outcome(
                    owner=u,
                    kind=rng.choice(["internship", "job"]),
                    organization=organizations[rng.randrange(len(organizations))],
                    decided_on=when().date(),
                )
                for u in rng.sample(started, min(len(started), STUDENTS // 5))
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return counts


def main() -> None:
    from load import BARE_PATH, LOAD_SETTINGS, LoadSite, Page, require_wrk, results_table

    require_wrk()
    # No page computes the figures: they are refreshed once after the data is loaded (the
    # steady state: right after a background refresh) and no refresh runs while measuring.
    os.environ["DASHBOARD_REFRESH_SECONDS"] = "3600"
    os.environ["DJANGO_SETTINGS_MODULE"] = LOAD_SETTINGS
    setup_django("rapport_bench_dashboard")
    from allauth.mfa.totp.internal.auth import TOTP
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from networking_app.accounts.models import Role, User
    from networking_app.accounts.services import user_finish_staff_setup
    from networking_app.console.rollup import figures_refresh

    rng = random.Random(7)
    started = time.perf_counter()
    counts = load(rng)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    assert figures_refresh()
    refresh_seconds = time.perf_counter() - started

    staff = User.objects.create_user("bench.staff@example.edu", "x", role=Role.STAFF, is_staff=True)
    user_finish_staff_setup(user=staff)
    TOTP.activate(staff, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = Client()
    client.force_login(staff)
    url = reverse("console:dashboard")

    def page(params=None):
        def run():
            response = client.get(url, params or {})
            assert response.status_code == 200, response.status_code

        return run

    queries: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - start) * 1000, sql))

    page()()
    with connection.execute_wrapper(record):
        page()()
    default = summary(timed(page(), repeat=RUNS))
    year = summary(timed(page({"preset": "365"}), repeat=RUNS))
    cohort = summary(timed(page({"preset": "90", "class_year": 2027}), repeat=RUNS))
    export_url = reverse("console:chart_export", kwargs={"chart_key": "activity"})
    export = summary(timed(lambda: client.get(export_url, {"preset": "365"}), repeat=RUNS))
    slowest = sorted(queries, reverse=True)[:5]
    with LoadSite() as site:
        cookie = site.session_cookie(staff)
        concurrent = site.run(
            [Page("bare view", BARE_PATH), Page("staff dashboard, last 30 days", url)],
            cookie=cookie,
            connections=CONNECTIONS,
            seconds=SECONDS,
        )
        workers = site.workers
    under_load = concurrent[1]

    def row(label, s):
        return (
            f"| {label} | {s['n']} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} | "
            f"{s['max']:.1f} |"
        )

    met = under_load.requests > 0 and under_load.p50_ms <= TARGET_MS and not under_load.errors
    slow_lines = "\n".join(f"- {ms:.0f} ms: `{sql[:160]}…`" for ms, sql in slowest)
    body = f"""## Staff dashboard (issues 7 and 16)

Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.
Data: {STUDENTS:,} students, {counts["contacts"]:,} contacts, {counts["conversations"]:,}
conversations, {VOLUNTEERS:,} volunteers, {counts["requests"]:,} flash requests
({counts["sessions"]:,} sessions), {EVENTS:,} events with {counts["rsvps"]:,} RSVPs; loaded in
{load_seconds:.0f} s. The figures were then precomputed once ({refresh_seconds:.1f} s: what the
background refresh costs every DASHBOARD_REFRESH_SECONDS) and nothing is cached: each page sums
the precomputed rows and reads volunteers, rounds and events live ({len(queries)} queries per
page whatever the data size).

Under load: gunicorn ({workers} workers) driven by wrk at {CONNECTIONS} connections for
{SECONDS} s, as a staff member (TOTP):

{results_table(concurrent)}

One request at a time through Django's test client, charts and all:

| measurement (ms) | n | p50 | p95 | p99 | max |
|---|---|---|---|---|---|
{row("dashboard, last 30 days (default)", default)}
{row("dashboard, last 12 months", year)}
{row("dashboard, 90 days, class of 2027", cohort)}
{row("CSV export of the activity chart, 12 months", export)}

Target (issue 16): median at most {TARGET_MS} ms for the default dashboard under
{CONNECTIONS} concurrent clients, no errors: **{"met" if met else "NOT met"}**
({under_load.p50_ms:.0f} ms).

Slowest queries of one default render:
{slow_lines}
"""
    print(body)
    if SCALE >= 1:
        write_section("bench_dashboard", body)
    else:
        print(f"(BENCH_SCALE={SCALE}: bench/RESULTS.md left unchanged)")


if __name__ == "__main__":
    main()
