"""Redis as Django's cache, degrading instead of failing while Redis is unreachable.

The cache holds nothing that cannot be lost (allauth's rate-limit counters, the worker
heartbeat): during an outage reads miss and writes are dropped, so pages keep working. Rate
limits are not enforced while Redis is down; that is logged.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _degrade(name: str, default):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(ResilientRedisCache, self), name)(*args, **kwargs)
        except RedisError as error:
            logger.warning("Cache %s skipped, Redis unavailable: %s", name, error)
            return default(*args, **kwargs) if callable(default) else default

    method.__name__ = name
    return method


def _get_default(key, default=None, *args, **kwargs):
    return default


def _compute(key, default, *args, **kwargs):
    return default() if callable(default) else default


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every cache call, and each one fills a
    table of some 170 response callbacks: about 0.15 ms, more than the round trip to a local
    Redis. This keeps one per connection pool instead. A `redis.Redis` holds no connection of
    its own (its pool does) and is safe to share between threads, but Django makes a cache
    object per thread anyway."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    get = _degrade("get", _get_default)
    get_many = _degrade("get_many", {})
    set = _degrade("set", None)
    # "Added": allauth takes a lock with add(); refusing it would lock everyone out.
    add = _degrade("add", True)
    touch = _degrade("touch", False)
    delete = _degrade("delete", False)
    delete_many = _degrade("delete_many", None)
    set_many = _degrade("set_many", [])
    has_key = _degrade("has_key", False)
    incr = _degrade("incr", 0)
    decr = _degrade("decr", 0)
    clear = _degrade("clear", None)
    get_or_set = _degrade("get_or_set", _compute)
