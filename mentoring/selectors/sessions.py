"""Reads about flash-mentoring sessions that other apps' pages need."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from mentoring.models import Session, SessionStatus


def has_session_this_week(*, user, now: dt.datetime | None = None) -> bool:
    """Whether the user (student or volunteer) has a scheduled session in the next 7 days."""
    now = now or timezone.now()
    return Session.objects.filter(
        Q(student=user) | Q(volunteer=user),
        status=SessionStatus.SCHEDULED,
        start_at__gte=now,
        start_at__lt=now + dt.timedelta(days=7),
    ).exists()


def sessions_for_calendar(*, user, since: dt.datetime) -> QuerySet[Session]:
    """Sessions the person takes part in (as student or volunteer) that end after `since`,
    with both people's names, for their subscribed calendar (mentoring.ics.session_feed_item)."""
    return (
        Session.objects.filter(Q(student=user) | Q(volunteer=user), end_at__gte=since)
        .select_related("student__profile", "volunteer__profile")
        .order_by("start_at", "pk")
    )
