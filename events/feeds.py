"""Writes to a person's calendar subscription (create, rotate, revoke), the record of when a
calendar last fetched it, and forgetting its cached rendering. The views are in
events/views_feeds.py, the reads in events/selectors/feeds.py.

The subscription URL is a capability: whoever holds it reads the feed without signing in
(calendar apps cannot sign in). So the token is long and random, rotating it replaces it (the
old URL answers 404 at once) and revoking deletes it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from events.models import CalendarFeed
from networking_app.core.cache import cache_key, uncache

# Calendars poll every few minutes to hours; recording each poll would be a write per poll.
LAST_FETCHED_PRECISION = dt.timedelta(minutes=15)


def personal_feed_slot(user_id: int) -> str:
    """Where the latest rendering of a person's own feed is cached (one slot per person, so
    it can be found and deleted when they revoke the feed or their account closes)."""
    return cache_key("ics-personal", user_id)


def calendar_feed_create(*, user) -> CalendarFeed:
    """The person's subscription; creating it twice returns the existing one."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_rotate(*, user) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
        if feed is None:
            return CalendarFeed.objects.create(user=user)
        feed.token = CalendarFeed._meta.get_field("token").get_default()
        feed.rotated_at = timezone.now()
        feed.last_fetched_at = None
        feed.save(update_fields=["token", "rotated_at", "last_fetched_at"])
    return feed


def calendar_feed_revoke(*, user) -> bool:
    """Delete the subscription URL; True if there was one."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    calendar_feed_forget_renderings(user_id=user.pk)
    return bool(deleted)


def calendar_feed_forget_renderings(*, user_id: int) -> None:
    """Delete the cached rendering of a person's feed (revoked, or their account closed)."""
    uncache(personal_feed_slot(user_id))


def calendar_feed_mark_fetched(*, feed: CalendarFeed, now: dt.datetime) -> None:
    """Record that a calendar fetched the feed, at most once per LAST_FETCHED_PRECISION."""
    if feed.last_fetched_at and now - feed.last_fetched_at < LAST_FETCHED_PRECISION:
        return
    CalendarFeed.objects.filter(pk=feed.pk, token=feed.token).update(last_fetched_at=now)
