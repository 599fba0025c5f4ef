"""Email capture (contacts/capture, docs/operations.md "Email capture"): each student's private
address `<token>@CAPTURE_DOMAIN`, which logs the emails they BCC or forward to it.

With CAPTURE_DOMAIN empty the feature is off: the page says so, the SMTP server refuses to start
and the webhook answers 404. The webhook is also off while CAPTURE_WEBHOOK_SECRET is empty.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from networking_app.settings.env import Env


def capture_settings(env: Env) -> dict:
    domain = env.str("CAPTURE_DOMAIN", "").strip().lstrip("@").lower()
    if domain and ("." not in domain or any(c in domain for c in " @/")):
        raise ImproperlyConfigured(
            f"CAPTURE_DOMAIN={domain!r} is not a domain name: use e.g. log.rapport.example.edu."
        )
    secret = env.str("CAPTURE_WEBHOOK_SECRET", "")
    if secret and len(secret) < 32:
        raise ImproperlyConfigured(
            "CAPTURE_WEBHOOK_SECRET is too short: use 32 characters or more, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    return {
        "CAPTURE_DOMAIN": domain,
        "CAPTURE_WEBHOOK_SECRET": secret,
        # The largest message accepted, in bytes (SMTP answers 552 above it, the webhook 413):
        # room for an intro with a CV attached, base64 and all.
        "CAPTURE_MAX_BYTES": env.int("CAPTURE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024),
        # Messages per hour to one capture address, and from one envelope sender (0: no
        # limit). Over it SMTP answers 450 (the sender's server tries again later) and the
        # webhook 429: a burst is deferred, never lost.
        "CAPTURE_RATE_PER_ADDRESS": env.int("CAPTURE_RATE_PER_ADDRESS", 200, minimum=0),
        "CAPTURE_RATE_PER_SENDER": env.int("CAPTURE_RATE_PER_SENDER", 300, minimum=0),
    }
