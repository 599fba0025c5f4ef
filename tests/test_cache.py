"""The production cache degrades instead of failing while Redis is down."""

import socket

import pytest
from django.core.cache import caches

from networking_app.core.cache import ResilientRedisCache
from tests.factories import PASSWORD


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dead_cache() -> ResilientRedisCache:
    return ResilientRedisCache(
        f"redis://127.0.0.1:{_closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
    )


def test_reads_miss_and_writes_are_dropped_when_redis_is_down():
    cache = _dead_cache()
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("k", 1) is True  # fail open: rate limits are off during an outage
    cache.set("k", 1)
    assert cache.get_many(["a", "b"]) == {}
    assert cache.get_or_set("k", lambda: 42) == 42
    assert cache.delete("k") is False


@pytest.mark.django_db
def test_login_works_while_the_cache_is_down(client, student, settings):
    port = _closed_port()
    settings.CACHES = {
        "default": {
            "BACKEND": "networking_app.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # Django's setting_changed handler replaces the cache connections.
    assert isinstance(caches["default"], ResilientRedisCache)
    response = client.post("/accounts/login/", {"login": student.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.redis
def test_works_normally_with_redis(settings):
    cache = ResilientRedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "rapport-resilient"})
    cache.set("k", "v", 10)
    assert cache.get("k") == "v"
    cache.delete("k")


@pytest.mark.redis
def test_one_redis_client_serves_every_call_and_recovers_from_an_outage(settings):
    cache = ResilientRedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": "rapport-reuse"})
    client = cache._cache.get_client(write=True)
    cache.set("k", "v", 10)
    assert cache.get_many(["k", "missing"]) == {"k": "v"}
    assert cache._cache.get_client() is client
    # The client holds no connection of its own: dropping the pool's connections (as a Redis
    # restart does) only makes the next call open a new one.
    client.connection_pool.disconnect()
    assert cache.get("k") == "v"
    assert cache._cache.get_client() is client
    cache.delete("k")
