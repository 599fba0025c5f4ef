"""Short-lived caching of what a person's own pages read, invalidated by their data version.

The contacts list and the Today page read a handful of queries of a student's private data on
every visit. Their results are cached under a key that holds the person's
`Profile.data_version`, which database triggers raise on any write to that data (accounts
migration 0006): the first page after a change, made by anyone and by any path, misses and
recomputes. The lifetime (PRIVATE_PAGE_CACHE_SECONDS, default 300; 0 turns caching off) only
bounds what depends on the clock rather than on the data: a thank-you note falling due 24
hours after a conversation, a scheduled conversation's start passing.

The key also holds the person, the time zone, the language, the local date and a format
version; values are what the page is built from (rows, lists, HTML without any per-request
token), never a whole response: CSRF tokens, CSP nonces and messages stay per request.

Data shared by everyone (events) is stamped instead: `bump_stamp(name)` on each change (model
signals), and a cached value records the stamp it was computed under.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone, translation

T = TypeVar("T")

# Raise when the shape of a cached value changes.
FORMAT = 1


def _stamp_key(name: str) -> str:
    return f"stamp:{name}"


def bump_stamp(name: str) -> None:
    """Mark shared data `name` as changed: values computed under the old stamp are dropped."""
    cache.set(_stamp_key(name), uuid.uuid4().hex, None)


def private_key(user, name: str, parts: dict) -> str | None:
    """The cache key of `name` for `user` with these parameters, or None when the user's
    profile is not loaded already (the time-zone middleware loads it on every request):
    reading it only to look in the cache would cost what the cache saves."""
    if not getattr(user, "is_authenticated", False):
        return None
    # request.user is a lazy proxy: ask the model's descriptor, not the proxy's type.
    if not get_user_model().profile.is_cached(user):
        return None
    profile = user.profile
    if profile is None:
        return None
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[
        :32
    ]
    return ":".join(
        [
            "private",
            name,
            str(FORMAT),
            str(user.pk),
            str(profile.data_version),
            timezone.get_current_timezone_name(),
            translation.get_language() or "",
            timezone.localdate().isoformat(),
            digest,
        ]
    )


def private_cached(
    user,
    name: str,
    compute: Callable[[], T],
    *,
    parts: dict | None = None,
    stamp: str | None = None,
    seconds: int | None = None,
) -> T:
    """compute(), or what it returned for this person, these parts and this data version
    within the lifetime (and, with `stamp`, under the same stamp of the shared data)."""
    # A value's own lifetime can be shorter than the setting, never longer; 0 turns all off.
    limit = settings.PRIVATE_PAGE_CACHE_SECONDS
    seconds = limit if seconds is None else min(seconds, limit)
    key = private_key(user, name, parts or {}) if seconds else None
    if key is None:
        return compute()
    if stamp is None:
        found = cache.get(key)
        if found is not None:
            return found[0]
        value = compute()
        cache.set(key, (value,), seconds)
        return value
    stamp_key = _stamp_key(stamp)
    found = cache.get_many([key, stamp_key])
    current = found.get(stamp_key)
    cached = found.get(key)
    if current is not None and cached is not None and cached[1] == current:
        return cached[0]
    if current is None:
        current = uuid.uuid4().hex
        # add(): two processes starting at once keep one stamp.
        if not cache.add(stamp_key, current, None):
            current = cache.get(stamp_key) or current
    value = compute()
    cache.set(key, (value, current), seconds)
    return value
