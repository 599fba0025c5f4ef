"""What closing an account does to events (a step registered with accounts/closing.py in
EventsConfig.ready): seats taken are counted for the tally, open seats and waitlist places are
given up so the waitlist moves, and once committed the calendar feed's cached rendering is
forgotten."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from events.feeds import calendar_feed_forget_renderings
from events.models import RSVP, RSVPStatus
from events.services import rsvp_cancel
from networking_app.accounts.closing import ClosingStep, register
from networking_app.accounts.models import User
from networking_app.core.cache import EVENTS, bump_version


def _tally(user: User) -> dict:
    # Seats taken (going, or checked in at the door), not waitlist places or cancellations.
    return {
        "event_rsvps": RSVP.objects.filter(
            Q(status=RSVPStatus.GOING) | Q(checked_in_at__isnull=False), user=user
        ).count()
    }


def _give_up_event_seats(user: User, now: dt.datetime) -> None:
    open_rsvps = RSVP.objects.select_related("event").filter(
        user=user,
        status__in=[RSVPStatus.GOING, RSVPStatus.WAITLISTED],
        checked_in_at__isnull=True,
        event__ends_at__gt=timezone.now(),
    )
    for rsvp in open_rsvps:
        # Over or checked in meanwhile: the row goes with the account anyway.
        with contextlib.suppress(ValidationError):
            rsvp_cancel(rsvp=rsvp)  # promotes the next person on the waitlist
    # The events they host or went to show their name: the kept calendar pages go.
    bump_version(EVENTS)


def _forget_feed(user_id: int) -> None:
    # A calendar polling the feed before the commit would have rendered it again.
    calendar_feed_forget_renderings(user_id=user_id)


def register_closing_steps() -> None:
    register(
        ClosingStep(
            "events.seats",
            order=20,
            tally=_tally,
            run=_give_up_event_seats,
            after_commit=_forget_feed,
        )
    )
