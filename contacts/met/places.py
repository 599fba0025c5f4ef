"""Where a student met someone, for the "People I met" page: the events they were going to.

Events sit above contacts, so contacts cannot ask for them: the events app registers its
`MetPlaces` in EventsConfig.ready(), like the reminder kinds (networking_app/notifications/
kinds.py). Without one (events not installed) the page simply has no "Where you met" choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contacts.models import Contact
from networking_app.accounts.models import User


@dataclass(frozen=True)
class MetPlaces:
    # The choices the page offers the student now: (value, label), most recent first.
    choices: Callable[[User], list[tuple[str, str]]]
    # "How and where we met" for a chosen value, checked again when the entry arrives (it may
    # have waited offline for days): a ValidationError on "event" when it is not theirs.
    how_met: Callable[[User, str], str]
    # Link the new contact to the place (the events app's "people you met there"), in the
    # caller's transaction.
    record: Callable[[User, str, Contact], None]


_registered: list[MetPlaces] = []


def register(places: MetPlaces) -> None:
    _registered[:] = [places]


def registered() -> MetPlaces | None:
    return _registered[0] if _registered else None
