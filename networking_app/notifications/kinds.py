"""Kinds of reminder: a registry other apps add to (contacts now; events and mentoring next).

A kind says how a reminder reads, whether it still applies when it falls due, what "done"
means, how it is delivered by default, and the timing a user may change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from networking_app.notifications.models import Delivery, Reminder


@dataclass(frozen=True)
class Timing:
    label: str  # "Hours after a conversation is held"
    unit: str  # "hours" or "days"
    default: int
    minimum: int = 0
    maximum: int = 365


@dataclass(frozen=True)
class ReminderKind:
    name: str
    label: str  # "Thank-you due"
    description: str  # shown on the preferences page
    # reminder -> {"title": str, "lines": [str], "url": "/path/", "action": "Open ..."}
    # Called with the reader's time zone active: format times in it, and name the zone
    # (networking_app.core.emails.format_when).
    render: Callable[[Reminder], dict]
    # False: the reminder no longer applies (e.g. the thank-you was already sent).
    is_relevant: Callable[[Reminder], bool] = field(default=lambda reminder: True)
    on_done: Callable[[Reminder], None] | None = None
    # Loads the subjects of many reminders at once, so render/is_relevant make no query each.
    prefetch: Callable[[list[Reminder]], None] | None = None
    default_delivery: str = Delivery.IMMEDIATE
    timing: Timing | None = None
    roles: tuple[str, ...] = ("student",)


REGISTRY: dict[str, ReminderKind] = {}


def register(kind: ReminderKind) -> ReminderKind:
    REGISTRY[kind.name] = kind
    return kind


def get_kind(name: str) -> ReminderKind | None:
    return REGISTRY.get(name)


def kinds_for_role(role: str) -> list[ReminderKind]:
    return [kind for kind in REGISTRY.values() if role in kind.roles]
