"""Calendar downloads and subscriptions: one event's .ics, the public feed, and a person's
secret subscription URL (create, rotate, revoke) with the feed it serves.

The subscription URL is a capability (events/feeds.py holds its writes, events/selectors/feeds.py
its reads). Only this feed carries video links.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from events import ics
from events.feeds import (
    calendar_feed_create,
    calendar_feed_mark_fetched,
    calendar_feed_revoke,
    calendar_feed_rotate,
    personal_feed_slot,
)
from events.models import CalendarFeed
from events.selectors.audience import event_get_visible
from events.selectors.feeds import calendar_feed_for_user, calendar_feed_get_by_token
from networking_app.core.cache import cache_key, cached
from networking_app.notifications import links

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Rendered calendars are cached under a hash of everything they show (ics.feed_fingerprint).
# A person's own feed has one slot per person instead (events.feeds.personal_feed_slot; the
# hash stored beside the bytes), so their renderings can be found and deleted when their
# account closes.
FEED_CACHE_SECONDS = 6 * 60 * 60


# --- Responses -----------------------------------------------------------------------------


def _etag(key: str) -> str:
    return f'"{key[:32]}"'


def _cached_body(render, *, key: str, slot: str | None):
    """The fingerprint is the version (networking_app.core.cache's validator): any change to what
    the calendar shows is a new one, so no service needs to raise anything for feeds."""
    return cached(slot or cache_key("ics", key), render, timeout=FEED_CACHE_SECONDS, validator=key)


def _calendar_response(
    request, render, *, key: str, filename: str, private: bool, slot: str | None = None
):
    """The calendar for cache key `key` (ics.feed_fingerprint): 304 when the calendar app
    already has it (the key is the ETag), else the bytes from the cache or from `render()`.
    With `slot`, the cache keeps only the latest rendering, under that name."""
    etag = _etag(key)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        body = _cached_body(render, key=key, slot=slot)
        response = HttpResponse(body, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    if private:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
def event_ics(request, ics_event_id: int):
    """One event for the visitor's calendar (never the video link: that lives on the page for
    people going, and in their personal feed)."""
    try:
        event = event_get_visible(user=request.user, event_id=ics_event_id)
    except Http404:
        if not request.user.is_authenticated:
            # Maybe a signed-in person's event: ask to sign in (the same for any id).
            return redirect_to_login(request.get_full_path())
        raise
    response = _calendar_response(
        request,
        lambda: ics.event_calendar(event),
        key=ics.feed_fingerprint("event", rows=[event]),
        filename=ics.event_filename(event),
        private=True,
    )
    response["Content-Disposition"] = f'attachment; filename="{ics.event_filename(event)}"'
    return response


@require_safe
def feed_public(request):
    """Public events for anyone to subscribe to: no links, no attendees."""
    events = list(ics.public_feed_events())
    return _calendar_response(
        request,
        lambda: ics.public_calendar(events),
        key=ics.feed_fingerprint("public", rows=events),
        filename="events.ics",
        private=False,
    )


@require_safe
def feed_personal(request, feed_token: str):
    feed = calendar_feed_get_by_token(token=feed_token)
    user = feed.user
    now = timezone.now()
    rsvps = list(ics.personal_feed_rsvps(user=user, now=now))
    hosted = list(ics.personal_feed_hosted_events(user=user, now=now))
    sessions = list(ics.personal_feed_sessions(user=user, now=now))
    conversations = list(ics.personal_feed_conversations(user=user, now=now))
    calendar_feed_mark_fetched(feed=feed, now=now)
    response = _calendar_response(
        request,
        lambda: ics.personal_calendar(
            user=user, rsvps=rsvps, hosted=hosted, sessions=sessions, conversations=conversations
        ),
        key=ics.feed_fingerprint(
            "personal",
            user.pk,
            user.display_name,
            rows=[*rsvps, *hosted, *sessions, *conversations],
        ),
        filename="rapport.ics",
        private=True,
        slot=personal_feed_slot(user.pk),
    )
    # A secret URL must not leak through a Referer or a search engine.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- The subscription page -----------------------------------------------------------------


def _feed_urls(feed: CalendarFeed | None) -> dict:
    if feed is None:
        return {}
    https_url = links.absolute(reverse("events:feed_personal", kwargs={"feed_token": feed.token}))
    webcal_url = "webcal://" + https_url.split("://", 1)[1]
    return {"feed_url": https_url, "webcal_url": webcal_url}


@never_cache
@login_required
def feed_settings(request):
    feed = calendar_feed_for_user(user=request.user)
    public_url = links.absolute(reverse("events:feed_public"))
    return render(
        request,
        "events/feeds/settings.html",
        {
            "feed": feed,
            **_feed_urls(feed),
            "public_url": public_url,
            "public_webcal_url": "webcal://" + public_url.split("://", 1)[1],
        },
    )


@require_POST
@login_required
def feed_create(request):
    calendar_feed_create(user=request.user)
    messages.success(
        request, gettext("Your calendar address is ready: add it to your calendar app.")
    )
    return redirect("events:feed_settings")


@require_POST
@login_required
def feed_rotate(request):
    calendar_feed_rotate(user=request.user)
    messages.success(
        request,
        gettext(
            "New address created. The old one no longer works: replace the subscription in "
            "your calendar app with the new address."
        ),
    )
    return redirect("events:feed_settings")


@require_POST
@login_required
def feed_revoke(request):
    if calendar_feed_revoke(user=request.user):
        messages.success(
            request,
            gettext(
                "Address deleted: calendars subscribed to it no longer receive anything. You "
                "can remove the subscription from your calendar app."
            ),
        )
    return redirect("events:feed_settings")
