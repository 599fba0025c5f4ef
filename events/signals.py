"""Cached views of events (the home card) carry the events' stamp: any event saved or deleted
renews it (networking_app.pagecache.bump_stamp)."""

from __future__ import annotations

from django.db import transaction

from networking_app.pagecache import bump_stamp

EVENTS_STAMP = "events"


def events_changed(sender, **kwargs) -> None:
    # Now, and again after the commit: a page computed in between, from the data before the
    # commit, must not stay stored under the stamp that follows it.
    bump_stamp(EVENTS_STAMP)
    transaction.on_commit(lambda: bump_stamp(EVENTS_STAMP))
