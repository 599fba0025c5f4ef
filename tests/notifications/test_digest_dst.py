"""The daily digest goes out once per local day, at the user's hour, across daylight-saving
changes: a property test that ticks every 15 minutes through four local days."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from networking_app.notifications import services
from networking_app.notifications.models import OutgoingEmail, Reminder, ReminderState
from tests.contacts.factories import ContactFactory
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "America/Sao_Paulo",  # no daylight saving since 2019
    "Asia/Kolkata",  # never had it in this century; +05:30
    "Pacific/Auckland",
]
YEAR = 2026
TICK = dt.timedelta(minutes=15)
DAYS = 4


@cache
def changes(zone_name: str) -> tuple[dt.date, ...]:
    """The local dates in YEAR on which the zone's UTC offset changes (or two ordinary dates
    for a zone without daylight saving)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    found = []
    day = dt.date(YEAR, 1, 1)
    while day.year == YEAR:
        before = dt.datetime.combine(day, dt.time(0), zone).utcoffset()
        after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone).utcoffset()
        if before != after:
            found.append(day)
        day += dt.timedelta(days=1)
    return tuple(found) or (dt.date(YEAR, 3, 8), dt.date(YEAR, 11, 1))


@st.composite
def scenarios(draw):
    zone_name = draw(st.sampled_from(ZONES))
    # 1, 2 and 3 o'clock fall in the gap or the repeated hour of most changes.
    hour = draw(st.one_of(st.sampled_from([1, 2, 3]), st.integers(min_value=0, max_value=23)))
    change = draw(st.sampled_from(changes(zone_name)))
    start = change + dt.timedelta(days=draw(st.integers(min_value=-3, max_value=3)))
    return zone_name, hour, start


def test_the_known_changes_of_2026_are_found():
    assert changes("America/New_York") == (dt.date(2026, 3, 8), dt.date(2026, 11, 1))
    assert changes("Europe/London") == (dt.date(2026, 3, 29), dt.date(2026, 10, 25))
    assert changes("Australia/Sydney") == (dt.date(2026, 4, 5), dt.date(2026, 10, 4))
    assert changes("Pacific/Auckland") == (dt.date(2026, 4, 5), dt.date(2026, 9, 27))


@settings(
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scenario=scenarios())
def test_one_digest_per_local_day_at_the_users_hour_across_dst_changes(outbox_backend, scenario):
    zone_name, hour, start = scenario
    zone = zoneinfo.ZoneInfo(zone_name)
    # Each example runs in a savepoint that is rolled back: examples share the test's database.
    with transaction.atomic():
        user = StudentFactory(profile__time_zone=zone_name)
        contact = ContactFactory(owner=user)
        services.settings_update(
            user=user, digest_hour=hour, delivery={"custom": "digest"}, timing={}
        )
        first = dt.datetime.combine(start, dt.time(0), zone).astimezone(dt.UTC)
        end = dt.datetime.combine(start + dt.timedelta(days=DAYS), dt.time(0), zone)
        sent_at: dict[dt.date, list[dt.datetime]] = {}
        needs_reminder = True
        now = first
        while now < end:
            if needs_reminder:  # at least one reminder waits for the digest at every tick
                services.reminder_schedule(
                    user=user,
                    kind="custom",
                    subject_key=f"contact:{contact.pk}:{now.timestamp():.0f}",
                    due_at=now,
                )
                services.reminders_dispatch(now=now)
            # A digest takes every waiting reminder with it; nothing else does.
            needs_reminder = bool(services.digests_dispatch(now=now))
            if needs_reminder:
                sent_at.setdefault(now.astimezone(zone).date(), []).append(now)
            now += TICK

        assert not Reminder.objects.filter(user=user, state=ReminderState.PENDING).exists()
        keys = sorted(
            OutgoingEmail.objects.filter(user=user, kind="digest").values_list(
                "idempotency_key", flat=True
            )
        )
        transaction.set_rollback(True)

    local_dates = [start + dt.timedelta(days=n) for n in range(DAYS)]
    sent_local = {
        day.isoformat(): [f"{when.astimezone(zone):%H:%M%z}" for when in times[:3]]
        + ([f"... {len(times)} in all"] if len(times) > 3 else [])
        for day, times in sent_at.items()
    }
    context = f"{zone_name}, digest at {hour}:00, from {start}: sent {sent_local}"
    assert sorted(sent_at) == local_dates, context
    assert all(len(times) == 1 for times in sent_at.values()), context
    assert keys == [f"digest:{user.pk}:{day.isoformat()}" for day in local_dates], context
    for day, (when,) in sent_at.items():
        due = services.local_time_on(day, hour, zone)
        local = when.astimezone(zone)
        # At the first tick at or after the digest time; on the day the clocks skip the hour,
        # the first time that exists after it.
        assert due <= when < due + TICK, f"{context}: {day} due {due}, sent {local}"
        if due.hour == hour:
            assert local.hour == hour, f"{context}: {day} sent at {local}"
