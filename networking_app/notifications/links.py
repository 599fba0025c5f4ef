"""Signed links in emails: snooze, done and unsubscribe work without logging in."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

REMINDER_SALT = "rapport.notifications.reminder"
UNSUBSCRIBE_SALT = "rapport.notifications.unsubscribe"
LINK_MAX_AGE = 60 * 60 * 24 * 60  # 60 days
ACTIONS = ("snooze1", "snooze7", "done")


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def reminder_token(*, reminder_id: int, action: str) -> str:
    return signing.dumps({"r": reminder_id, "a": action}, salt=REMINDER_SALT, compress=True)


def reminder_link(*, reminder_id: int, action: str) -> str:
    token = reminder_token(reminder_id=reminder_id, action=action)
    return absolute(reverse("notifications:reminder_action", args=[token]))


def read_reminder_token(token: str) -> tuple[int, str]:
    """(reminder id, action); raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(token, salt=REMINDER_SALT, max_age=LINK_MAX_AGE)
    if not isinstance(data, dict) or data.get("a") not in ACTIONS:
        raise signing.BadSignature("Unknown action")
    return int(data["r"]), data["a"]


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_link(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return absolute(reverse("notifications:unsubscribe", args=[token]))


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    # Unsubscribe links never expire: an old email must still be able to stop the next one.
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or "u" not in data or "k" not in data:
        raise signing.BadSignature("Malformed")
    return int(data["u"]), str(data["k"])
