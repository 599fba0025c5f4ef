"""Contacts' retention rule (registered with accounts/retention.py in ContactsConfig.ready):
imports read but never committed are deleted with their file and rows after
RETENTION_IMPORT_DAYS (contacts/imports/preview.py, imports_purge_abandoned)."""

from __future__ import annotations

import datetime as dt

from contacts.imports.preview import imports_purge_abandoned
from networking_app.accounts.retention import RetentionRule, register


def abandoned_imports_apply(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    return {"import_batches_deleted": imports_purge_abandoned(now=now, dry_run=dry_run)}


def register_retention_rules() -> None:
    register(
        RetentionRule(
            "contacts.abandoned_imports",
            order=30,
            setting="RETENTION_IMPORT_DAYS",
            apply=abandoned_imports_apply,
        )
    )
