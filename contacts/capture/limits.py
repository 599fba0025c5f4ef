"""Rate limits on inbound messages, per capture address and per envelope sender: fixed windows
of an hour counted in the cache (Redis in production). Over a limit a message is deferred
(SMTP 450, webhook 429) so that the sending server tries again later: a burst is slowed, never
lost. While the cache is down the limits are not enforced (networking_app.core.cache)."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def _over(kind: str, value: str, limit: int, window: int) -> bool:
    if not limit:
        return False
    digest = hashlib.sha256(value.lower().encode("utf-8", "replace")).hexdigest()[:32]
    key = f"capture:rate:{kind}:{digest}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    return count > limit


def rate_allows(*, token: str, sender: str) -> bool:
    """Count one message to `token` from `sender`; False when either is over its limit."""
    window = int(time.time() // WINDOW_SECONDS)
    over_address = _over("address", token, settings.CAPTURE_RATE_PER_ADDRESS, window)
    over_sender = _over("sender", sender, settings.CAPTURE_RATE_PER_SENDER, window)
    return not (over_address or over_sender)
