"""The backup procedure of docs/operations.md works: a pg_dump in custom format restores with
pg_restore into a scratch database, and the restored database holds the same rows."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.db import connection

from tests.contacts.factories import ContactFactory, ConversationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABLES = ["accounts_user", "contacts_contact", "contacts_conversation", "mentoring_topic"]


def _dsn(name: str) -> list[str]:
    settings = connection.settings_dict
    args = ["-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432)]
    if settings["USER"]:
        args += ["-U", settings["USER"]]
    return [*args, "-d", name]


def _counts(database: str) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        out = subprocess.run(
            ["psql", *_dsn(database), "-At", "-c", f"SELECT count(*) FROM {table}"],  # noqa: S608 (our table names)
            capture_output=True,
            text=True,
            check=True,
        )
        counts[table] = int(out.stdout.strip())
    return counts


def test_a_dump_restores_into_a_scratch_database(student, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are needed (Debian: postgresql-client)")
    for _ in range(3):
        ConversationFactory(owner=student, contact=ContactFactory(owner=student))
    live = connection.settings_dict["NAME"]
    scratch = f"{live}_restore_test"
    dump = tmp_path / "rapport.dump"
    env_dsn = _dsn("postgres")
    subprocess.run(["dropdb", "--if-exists", *env_dsn[:-2], scratch], check=True)
    subprocess.run(["pg_dump", *_dsn(live), "-Fc", "-f", str(dump)], check=True)
    subprocess.run(["createdb", *env_dsn[:-2], scratch], check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", *_dsn(scratch), str(dump)],
            check=True,
            capture_output=True,
        )
        expected = _counts(live)
        assert expected["contacts_conversation"] == 3
        assert _counts(scratch) == expected
    finally:
        subprocess.run(["dropdb", "--if-exists", *env_dsn[:-2], scratch], check=True)
