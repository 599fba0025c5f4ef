"""The one way pages cache computed data, and Redis as Django's cache.

Caching (zulip's `cache_with_key`, one flush site per owner):

- `cached(key, compute, timeout=..., scopes=...)` returns compute(), or what it returned
  under `key` while the version of each of `scopes` has not changed since, within `timeout`
  seconds (0: off). Values are computed data, plain values, dataclasses or HTML rendered from
  a template without the request, never model instances or a response: CSRF tokens, CSP
  nonces and messages stay per request.
- `bump_version(*scopes)` is called by the service that changes the data of a scope, inside
  its transaction: the values cached under the old version are not served again.
- A scope is whose or what data a value depends on: `person(user_id)` (a person's own
  contacts, conversations, action items, RSVPs, class year), `DIRECTORY` (what students see of
  volunteers), `EVENTS` (events, their hosts, labels and organizations), `attendee(user_id)`
  (a person's RSVPs, role and class year: what their calendar shows of them), `FIGURES` (the staff
  dashboard's precomputed figures).

A version is a random token kept in the cache beside the values: lost (evicted, Redis
restarted), a new one is drawn and the values stored under the old one are simply missed. A
value is stored with the versions read *before* it was computed, so a change committed while
it is computed makes it stale at once.

The cache holds nothing that cannot be lost (these values, allauth's rate-limit counters, the
worker heartbeat): during an outage reads miss and writes are dropped, so pages keep working.
Rate limits are not enforced while Redis is down; that is logged.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from django.utils import timezone, translation
from redis.exceptions import RedisError

T = TypeVar("T")

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


# --- Cached computed data, keyed by versions ----------------------------------------------

# Raise when the shape of any cached value changes, so new code never reads what old code
# stored.
FORMAT = 3
# A version outlives every value stored under it (the longest lifetime is hours); an expired
# one is drawn anew, which only costs a miss.
VERSION_SECONDS = 24 * 60 * 60

DIRECTORY = "directory"
EVENTS = "events"
# The staff dashboard's precomputed figures: raised by each refresh (console.rollup).
FIGURES = "figures"


def person(user_id: int) -> str:
    """The scope of one person's own data."""
    return f"person:{user_id}"


def attendee(user_id: int) -> str:
    """The scope of what the calendar shows of a person: their RSVPs and what decides which
    events they may see (their role, their class year). Raised with `person` where those
    change; a change to their contacts or conversations leaves their calendar alone."""
    return f"attendee:{user_id}"


def _version_key(scope: str) -> str:
    return f"version:{scope}"


def cache_key(name: str, *parts) -> str:
    """The key of value `name` computed from `parts` (anything with a stable repr). Hashed:
    words a person typed into a search are no key."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"cached:{FORMAT}:{name}:{digest}"


def viewer_parts() -> tuple[str, str, str]:
    """What a value rendered for the current request depends on besides its data: the time
    zone, the language and the local date ("today", "overdue since")."""
    return (
        timezone.get_current_timezone_name(),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
    )


def bump_version(*scopes: str) -> None:
    """Mark the data of `scopes` as changed. Call it in the transaction that changes it: the
    version is raised now and again when it commits, since a value computed in between from
    the rows before the change would otherwise be stored under the new version. Outside a
    transaction the second raise follows at once."""
    keys = [_version_key(scope) for scope in scopes]

    def raise_versions() -> None:
        token = uuid.uuid4().hex
        cache.set_many(dict.fromkeys(keys, token), VERSION_SECONDS)

    raise_versions()
    transaction.on_commit(raise_versions)


def _current_versions(keys: list[str], found: dict) -> tuple[str, ...]:
    versions = []
    for key in keys:
        version = found.get(key)
        if version is None:
            version = uuid.uuid4().hex
            # add(): two processes starting at once keep one version.
            if not cache.add(key, version, VERSION_SECONDS):
                version = cache.get(key) or version
        versions.append(version)
    return tuple(versions)


# How long one process may hold the right to recompute a value others serve stale meanwhile
# (`cached(..., stale_while_computing=True)`); a process that dies lets the next one in then.
COMPUTING_SECONDS = 30


def cached(
    key: str,
    compute: Callable[[], T],
    *,
    timeout: int,
    scopes: Iterable[str] = (),
    validator: str = "",
    stale_while_computing: bool = False,
) -> T:
    """compute(), or the value stored under `key` (see cache_key) while the versions of
    `scopes` and `validator` (a fingerprint of the data, when the caller has one) are those
    it was stored with, within `timeout` seconds. One round trip on a hit; timeout 0: off.

    `stale_while_computing`: when the versions have moved on, one process computes the new
    value while the others keep serving the one stored before (no stampede of everyone
    recomputing at once), for values where a moment-old one is fine."""
    if timeout <= 0:
        return compute()
    version_keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many([key, *version_keys])
    stamp = (*_current_versions(version_keys, found), validator)
    stored = _stored(found, key)
    kept = stored is not None
    if kept and stored[0] == stamp:
        return stored[1]
    if kept and stale_while_computing:
        computing = f"{key}:computing"
        if not cache.add(computing, 1, COMPUTING_SECONDS):
            return stored[1]  # another process is computing the new one
        try:
            value = compute()
            cache.set(key, (stamp, value), timeout)
        finally:
            cache.delete(computing)
        return value
    value = compute()
    cache.set(key, (stamp, value), timeout)
    return value


def cached_if_current(key: str, *, scopes: Iterable[str] = (), validator: str = ""):
    """The value `cached(key, ..., scopes=scopes, validator=validator)` stored, if the versions
    are still those it was stored with; else None, computing nothing: one round trip, for a
    page that reads what else it needs only when its own value is not kept."""
    version_keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many([key, *version_keys])
    versions = [found.get(version_key) for version_key in version_keys]
    stored = _stored(found, key)
    if None in versions or stored is None:
        return None
    return stored[1] if stored[0] == (*versions, validator) else None


def _stored(found: dict, key: str) -> tuple | None:
    """What `cached` stored under `key` among `found`: (its stamp, the value), else None."""
    stored = found.get(key)
    return stored if isinstance(stored, tuple) and len(stored) == 2 else None


def uncache(key: str) -> None:
    """Delete a value at once (what a closed account leaves must not wait for its timeout)."""
    cache.delete(key)


class VersionedAdmin:
    """A ModelAdmin mixin for models whose rows cached pages show: saving (the object, its
    many-to-many fields and inlines) or deleting rows in the admin raises the versions that
    `cache_scopes(obj)` names, as the services do."""

    def cache_scopes(self, obj) -> list[str]:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        bump_version(*self.cache_scopes(form.instance))

    def delete_model(self, request, obj):
        scopes = self.cache_scopes(obj)
        super().delete_model(request, obj)
        bump_version(*scopes)

    def delete_queryset(self, request, queryset):
        scopes = {scope for obj in queryset for scope in self.cache_scopes(obj)}
        super().delete_queryset(request, queryset)
        bump_version(*scopes)
