"""Issue 6 target: the calendar month view and the personal calendar feed with 2,000 events and
20,000 RSVPs, as requests per second against gunicorn, in the same run as a bare Django view
(bench/load.py: gunicorn on PostgreSQL, wrk from a second process).

BENCH_SCALE (default 1) shrinks the data and the run for a quick check; only a full-size run
writes bench/RESULTS.md. BENCH_CONNECTIONS (default 20) and BENCH_SECONDS (default 20) set
the load.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time

from common import machine, setup_django, summary, timed, write_section

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
EVENTS = max(20, round(2_000 * SCALE))
RSVPS = max(200, round(20_000 * SCALE))
STUDENTS = max(20, round(1_000 * SCALE))
# The measured student: going to this many upcoming events, with sessions and conversations.
OWN_RSVPS = 40
OWN_SESSIONS = 10
OWN_CONVERSATIONS = 15
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "20"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20" if SCALE >= 1 else "5"))
ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "UTC"]


def main() -> None:
    from load import BARE_PATH, LOAD_SETTINGS, LoadSite, Page, require_wrk, results_table

    require_wrk()  # before spending minutes on data
    os.environ["DJANGO_SETTINGS_MODULE"] = LOAD_SETTINGS
    setup_django("rapport_bench_events")

    from django.db import connection, transaction
    from django.urls import reverse
    from django.utils import timezone

    from contacts.models import (
        ChangeKind,
        Contact,
        Conversation,
        ConversationChange,
        ConversationStatus,
        MeetingMode,
        Organization,
    )
    from events.markdown import markdown_to_safe_html
    from events.models import (
        RSVP,
        Audience,
        CalendarFeed,
        Event,
        EventKind,
        EventStatus,
        RSVPStatus,
    )
    from mentoring.models import FlashRequest, RequestStatus, Session, SessionStatus
    from networking_app.accounts.models import Role, User
    from networking_app.accounts.services import profile_create_for_role

    rng = random.Random(6)
    started = time.perf_counter()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    description = (
        "Meet **alumni** and recruiters. Bring questions about first jobs, switching fields "
        "and what a day at work looks like.\n\n- Doors open 15 minutes early\n- Light food"
    )
    description_html = markdown_to_safe_html(description)
    with transaction.atomic():
        students = User.objects.bulk_create(
            [
                User(email=f"bench-student{i}@example.edu", role=Role.STUDENT, password="!")
                for i in range(STUDENTS)
            ]
        )
        volunteers = User.objects.bulk_create(
            [
                User(email=f"bench-volunteer{i}@example.org", role=Role.VOLUNTEER, password="!")
                for i in range(OWN_SESSIONS)
            ]
        )
        me = students[0]
        profile_create_for_role(
            user=me, role=Role.STUDENT, display_name="Bench Student", time_zone="America/New_York"
        )
        # A year of events around today: three months back, nine ahead (about 170 a month).
        events = []
        for i in range(EVENTS):
            start = now + dt.timedelta(days=rng.uniform(-90, 270))
            start = start.replace(hour=rng.choice([9, 12, 16, 18]), minute=rng.choice([0, 30]))
            events.append(
                Event(
                    title=f"{rng.choice(EventKind.labels)} {i}",
                    kind=rng.choice(EventKind.values),
                    description=description,
                    description_html=description_html,
                    status=EventStatus.CANCELLED if i % 40 == 0 else EventStatus.PUBLISHED,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=rng.choice([1, 2, 3])),
                    time_zone=rng.choice(ZONES),
                    place=f"Student Center, Room {100 + i % 50}",
                    video_url=f"https://video.example.com/room-{i}" if i % 3 == 0 else "",
                    capacity=rng.choice([None, 50, 100, 200]),
                    audience=rng.choice([Audience.EVERYONE, Audience.EVERYONE, Audience.STUDENTS]),
                    is_public=i % 5 != 0,
                    ics_sequence=rng.choice([0, 0, 1, 2]),
                )
            )
        events = Event.objects.bulk_create(events, batch_size=1_000)
        upcoming = [e for e in events if e.starts_at > now]
        mine = set(rng.sample(range(len(upcoming)), min(OWN_RSVPS, len(upcoming))))
        rsvps = [
            RSVP(event=upcoming[i], user=me, status=RSVPStatus.GOING, queued_at=now)
            for i in sorted(mine)
        ]
        taken = {(upcoming[i].pk, me.pk) for i in mine}
        while len(rsvps) < RSVPS:
            event, user = rng.choice(events), rng.choice(students[1:])
            if (event.pk, user.pk) in taken:
                continue
            taken.add((event.pk, user.pk))
            rsvps.append(
                RSVP(
                    event=event,
                    user=user,
                    status=rng.choice(
                        [RSVPStatus.GOING] * 8 + [RSVPStatus.WAITLISTED, RSVPStatus.CANCELLED]
                    ),
                    queued_at=now,
                )
            )
        RSVP.objects.bulk_create(rsvps, batch_size=5_000)

        for i, volunteer in enumerate(volunteers):
            start = now + dt.timedelta(days=i * 3 - 6, hours=2)
            request = FlashRequest.objects.create(
                student=me,
                volunteer=volunteer,
                start_at=start,
                end_at=start + dt.timedelta(minutes=30),
                message="Bench",
                status=RequestStatus.ACCEPTED,
                expires_at=start,
            )
            Session.objects.create(
                request=request,
                student=me,
                volunteer=volunteer,
                start_at=start,
                end_at=start + dt.timedelta(minutes=30),
                location="https://meet.example.com/bench",
                status=SessionStatus.CANCELLED if i % 4 == 3 else SessionStatus.SCHEDULED,
                ics_sequence=i % 3,
            )
        organization = Organization.objects.create(name="Bench Org", normalized_name="bench org")
        for i in range(OWN_CONVERSATIONS):
            contact = Contact.objects.create(
                owner=me, name=f"Bench Contact {i}", organization=organization
            )
            when = now + dt.timedelta(days=i - 3, hours=3)
            cancelled = i % 5 == 4
            conversation = Conversation.objects.create(
                owner=me,
                contact=contact,
                goal="How did you get started?",
                status=ConversationStatus.REQUESTED if cancelled else ConversationStatus.SCHEDULED,
                scheduled_at=None if cancelled else when,
                mode=MeetingMode.VIDEO,
                location="https://meet.example.com/contact",
            )
            if i % 3 == 0 or cancelled:
                ConversationChange.objects.create(
                    conversation=conversation,
                    kind=ChangeKind.CANCELLED if cancelled else ChangeKind.RESCHEDULED,
                    asked_by="them",
                    previous_at=when - dt.timedelta(days=1) if not cancelled else when,
                    new_at=None if cancelled else when,
                )
        feed = CalendarFeed.objects.create(user=me)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    load_seconds = time.perf_counter() - started
    total_events, total_rsvps = Event.objects.count(), RSVP.objects.count()
    feed_path = reverse("events:feed_personal", kwargs={"feed_token": feed.token})
    month_path = reverse("events:calendar")
    print(
        f"Loaded {total_events:,} events and {total_rsvps:,} RSVPs in {load_seconds:.0f} s; "
        f"load: {CONNECTIONS} connections, {SECONDS} s a page",
        flush=True,
    )

    with LoadSite() as site:
        cookie = site.session_cookie(me)
        feed_body = _fetch_size(site, feed_path)
        results = site.run(
            [
                Page("bare view", BARE_PATH),
                Page("calendar month", month_path),
                Page("personal feed", feed_path, "/events/calendar/feed/<token>.ics"),
                Page("public feed", reverse("events:feed_public")),
            ],
            cookie=cookie,
            connections=CONNECTIONS,
            seconds=SECONDS,
        )
        workers = site.workers

    # Rendering alone, without the cache (what a feed costs the first time after a change).
    from events import ics

    rsvps = list(ics.personal_feed_rsvps(user=me))
    sessions = list(ics.personal_feed_sessions(user=me))
    conversations = list(ics.personal_feed_conversations(user=me))
    public_events = list(ics.public_feed_events())
    render_personal = summary(
        timed(
            lambda: ics.personal_calendar(
                user=me, rsvps=rsvps, sessions=sessions, conversations=conversations
            ),
            repeat=20,
        )
    )
    render_public = summary(timed(lambda: ics.public_calendar(public_events), repeat=3, warmup=1))

    table = results_table(results)
    month, personal = results[1], results[2]
    bare = results[0]
    body = f"""## Events: calendar month and personal feed under load (issue 6)

Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()}.
Data: {total_events:,} events over a year (three months back, nine ahead), {total_rsvps:,}
RSVPs; the measured student is going to {OWN_RSVPS} upcoming events and has {OWN_SESSIONS}
mentoring sessions and {OWN_CONVERSATIONS} conversations, so the feed carries
{feed_body["items"]} items ({feed_body["bytes"]:,} bytes). Loaded in {load_seconds:.0f} s.

gunicorn, {workers} sync workers, PostgreSQL, DEBUG off; wrk from a second process with
{CONNECTIONS} connections for {SECONDS} s a page after a 2 s warm-up, signed in as the student
(the feed is fetched by its secret URL, as a calendar app would). "vs bare" compares each
page's requests per second with the bare view (a signed-in page rendering a tiny template
behind the same middleware stack) measured in the same run.

{table}

Month view: {month.rps / bare.rps:.0%} of the bare view; personal feed:
{personal.rps / bare.rps:.0%}. Errors (non-2xx or socket): {sum(r.errors for r in results)}.

The feeds are served from the cache (Redis) while nothing in them changes: a calendar app
polling an unchanged feed costs the queries and a hash. Rendering from scratch, the first
fetch after a change, measured in-process with icalendar: personal feed
({feed_body["items"]} items) p50 {render_personal["p50"]:.0f} ms, p95
{render_personal["p95"]:.0f} ms; public feed ({len(public_events):,} events) p50
{render_public["p50"]:.0f} ms.
"""
    print(body)
    if SCALE >= 1:
        write_section("bench_events", body)
    else:
        print(f"(BENCH_SCALE={SCALE}: bench/RESULTS.md left unchanged)")


def _fetch_size(site, path: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"{site.base_url}{path}", timeout=60) as answer:
        content = answer.read()
    return {"bytes": len(content), "items": content.count(b"BEGIN:VEVENT")}


if __name__ == "__main__":
    sys.exit(main())
