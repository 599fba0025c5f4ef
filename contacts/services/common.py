"""What the contacts services share: telling the cache that a student's data changed."""

from __future__ import annotations

from networking_app.core.cache import bump_version, person


def owner_changed(owner_id: int) -> None:
    """The owner's cached pages (contacts list, Today, calendar, home) recompute next time:
    every contacts service that changes what they show calls this (networking_app.core.cache)."""
    bump_version(person(owner_id))
