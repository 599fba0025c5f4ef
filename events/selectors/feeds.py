"""Reads of calendar subscriptions: a person's own, and the one behind a secret URL."""

from __future__ import annotations

from django.http import Http404

from events.models import CalendarFeed


def calendar_feed_for_user(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_get_by_token(*, token: str) -> CalendarFeed:
    """The feed behind a subscription URL, or Http404 (unknown, rotated, revoked, inactive)."""
    feed = (
        CalendarFeed.objects.select_related("user__profile")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    return feed
