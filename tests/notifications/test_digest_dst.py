"""The daily digest goes out once per local day, at the user's hour, across daylight-saving
changes. The rule (services.digest_day_due plus one digest per local day) is property-tested
as a pure function, ticking every 15 minutes through four local days; one database example per
zone runs the real dispatch through a change."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

import pytest
from hypothesis import given, settings
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


def _simulate(zone: zoneinfo.ZoneInfo, hour: int, start: dt.date, days: int):
    """The ticks at which a digest goes out, by the rule alone: due, and not sent that day."""
    first = dt.datetime.combine(start, dt.time(0), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(start + dt.timedelta(days=days), dt.time(0), zone)
    sent_at: dict[dt.date, list[dt.datetime]] = {}
    now = first
    while now < end:
        day = services.digest_day_due(now=now, zone=zone, hour=hour)
        # A day's later ticks are refused by its DigestLog row (the database test shows it).
        if day is not None and day not in sent_at:
            sent_at[day] = [now]
        now += TICK
    return sent_at


def _assert_one_digest_a_day_at_the_hour(zone_name, hour, start, sent_at, days=DAYS, tick=TICK):
    zone = zoneinfo.ZoneInfo(zone_name)
    local_dates = [start + dt.timedelta(days=n) for n in range(days)]
    sent_local = {
        day.isoformat(): [f"{when.astimezone(zone):%H:%M%z}" for when in times[:3]]
        + ([f"... {len(times)} in all"] if len(times) > 3 else [])
        for day, times in sent_at.items()
    }
    context = f"{zone_name}, digest at {hour}:00, from {start}: sent {sent_local}"
    assert sorted(sent_at) == local_dates, context
    assert all(len(times) == 1 for times in sent_at.values()), context
    for day, (when,) in sent_at.items():
        due = services.local_time_on(day, hour, zone)
        local = when.astimezone(zone)
        # At the first tick at or after the digest time; on the day the clocks skip the hour,
        # the first time that exists after it.
        assert due <= when < due + tick, f"{context}: {day} due {due}, sent {local}"
        if due.hour == hour:
            assert local.hour == hour, f"{context}: {day} sent at {local}"


@settings(max_examples=300, deadline=None, database=None)
@given(scenario=scenarios())
def test_the_rule_gives_one_digest_per_local_day_at_the_users_hour(scenario):
    zone_name, hour, start = scenario
    sent_at = _simulate(zoneinfo.ZoneInfo(zone_name), hour, start, DAYS)
    _assert_one_digest_a_day_at_the_hour(zone_name, hour, start, sent_at)


def test_the_rule_is_due_from_the_hour_and_not_before():
    zone = zoneinfo.ZoneInfo("America/New_York")
    at = dt.datetime(2026, 3, 8, 12, 59, tzinfo=dt.UTC)  # 8:59 EDT
    assert services.digest_day_due(now=at, zone=zone, hour=9) is None
    at += dt.timedelta(minutes=1)
    assert services.digest_day_due(now=at, zone=zone, hour=9) == dt.date(2026, 3, 8)
    # Spring forward: 2:00 does not exist that day; the digest is due from 3:00 EDT.
    assert (
        services.digest_day_due(
            now=dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.UTC), zone=zone, hour=2
        )
        is None
    )
    assert services.digest_day_due(
        now=dt.datetime(2026, 3, 8, 7, 0, tzinfo=dt.UTC), zone=zone, hour=2
    ) == dt.date(2026, 3, 8)


@pytest.mark.parametrize("zone_name", ZONES)
def test_one_digest_per_local_day_at_the_users_hour_across_a_change(outbox_backend, zone_name):
    """The real dispatch, with a reminder waiting at every tick, from the day before the
    zone's first change of the year to the day after, digest at 2:00 (the skipped or repeated
    hour of most changes). Ticks are hourly: the 15-minute precision is the pure property's
    job; this example shows the dispatch and its DigestLog keep to the rule (a quarter of the
    ticks, the same outcome)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    hour, days, tick = 2, 3, dt.timedelta(hours=1)
    start = changes(zone_name)[0] - dt.timedelta(days=1)
    user = StudentFactory(profile__time_zone=zone_name)
    contact = ContactFactory(owner=user)
    services.settings_update(user=user, digest_hour=hour, delivery={"custom": "digest"}, timing={})
    first = dt.datetime.combine(start, dt.time(0), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(start + dt.timedelta(days=days), dt.time(0), zone)
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
        now += tick

    assert not Reminder.objects.filter(user=user, state=ReminderState.PENDING).exists()
    keys = sorted(
        OutgoingEmail.objects.filter(user=user, kind="digest").values_list(
            "idempotency_key", flat=True
        )
    )
    _assert_one_digest_a_day_at_the_hour(zone_name, hour, start, sent_at, days=days, tick=tick)
    local_dates = [start + dt.timedelta(days=n) for n in range(days)]
    assert keys == [f"digest:{user.pk}:{day.isoformat()}" for day in local_dates]
