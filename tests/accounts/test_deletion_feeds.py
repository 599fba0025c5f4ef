"""Closing an account deletes the renderings of their calendar feed kept in Redis.

The personal feed carries the student's conversations (their contacts' names, meeting links);
rendered copies used to stay in the cache for hours after the account was gone.
"""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
import redis
import time_machine
from django.urls import reverse

from contacts.models import MeetingMode
from contacts.services.pipeline import conversation_schedule
from events.models import CalendarFeed
from networking_app.accounts.deletion import account_delete
from tests.contacts.factories import ContactFactory, ConversationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

NOW = dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def redis_cache(settings):
    """The default cache on the real Redis, under a prefix of this test's own."""
    prefix = f"rapport-test-{secrets.token_hex(4)}"
    settings.CACHES = {
        "default": {
            "BACKEND": "networking_app.core.cache.ResilientRedisCache",
            "LOCATION": settings.TEST_REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url(settings.TEST_REDIS_URL)
    try:
        yield client, f"{prefix}:*"
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        # The autouse cache clearing must not flush the shared database: back to locmem first.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def _values(client, pattern) -> list[bytes]:
    return [client.get(key) or b"" for key in client.scan_iter(pattern)]


def _schedule(student, name: str, days: int) -> None:
    conversation = ConversationFactory(
        owner=student, contact=ContactFactory(owner=student, name=name)
    )
    conversation_schedule(
        conversation=conversation,
        scheduled_at=NOW + dt.timedelta(days=days),
        mode=MeetingMode.VIDEO,
        location="https://meet.example.com/zephyrine",
    )


@time_machine.travel(NOW, tick=False)
def test_closing_an_account_deletes_every_cached_rendering_of_their_feed(
    redis_cache, client, student, django_capture_on_commit_callbacks
):
    redis_client, pattern = redis_cache
    feed = CalendarFeed.objects.create(user=student)
    url = reverse("events:feed_personal", kwargs={"feed_token": feed.token})
    _schedule(student, "Zephyrine Quartermaine", days=3)
    assert b"Zephyrine Quartermaine" in client.get(url).content
    _schedule(student, "Ottoline Vantongeren", days=4)  # a second rendering
    assert b"Ottoline Vantongeren" in client.get(url).content
    assert any(b"Zephyrine Quartermaine" in value for value in _values(redis_client, pattern))

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=student)

    leftovers = [
        value
        for value in _values(redis_client, pattern)
        if b"Zephyrine" in value or b"Ottoline" in value or b"meet.example.com" in value
    ]
    assert leftovers == []
    assert client.get(url).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_other_peoples_cached_feeds_stay(
    redis_cache, client, student, other_student, django_capture_on_commit_callbacks
):
    redis_client, pattern = redis_cache
    feed = CalendarFeed.objects.create(user=other_student)
    url = reverse("events:feed_personal", kwargs={"feed_token": feed.token})
    _schedule(other_student, "Bartholomew Keepsake", days=2)
    client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=student)

    assert any(b"Bartholomew Keepsake" in value for value in _values(redis_client, pattern))


@time_machine.travel(NOW, tick=False)
def test_revoking_the_feed_deletes_its_cached_rendering(redis_cache, client, student):
    redis_client, pattern = redis_cache
    client.force_login(student)
    feed = CalendarFeed.objects.create(user=student)
    _schedule(student, "Zephyrine Quartermaine", days=3)
    client.get(reverse("events:feed_personal", kwargs={"feed_token": feed.token}))
    assert any(b"Zephyrine" in value for value in _values(redis_client, pattern))
    client.post(reverse("events:feed_revoke"))
    assert not any(b"Zephyrine" in value for value in _values(redis_client, pattern))
