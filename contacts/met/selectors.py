"""Reads of the "People I met" page."""

from __future__ import annotations

from contacts.models import Contact, Source
from networking_app.accounts.models import User

RECENT_LIMIT = 10


def met_recent(*, owner: User, limit: int = RECENT_LIMIT) -> list[Contact]:
    """The people the student added most recently as met at an event (from this page or an
    event's own page), newest first: one query."""
    return list(
        Contact.objects.filter(owner=owner, source=Source.EVENT)
        .select_related("organization")
        .only("name", "title", "how_met", "created_at", "organization__name")
        .order_by("-created_at", "-pk")[:limit]
    )
