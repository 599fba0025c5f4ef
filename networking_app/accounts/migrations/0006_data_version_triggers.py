"""Triggers that raise Profile.data_version when a person's private data changes.

Cached pages of private data (networking_app/pagecache.py) carry the version in their key, so
any committed write, through the ORM, bulk, COPY, a Celery task or another user's action (a
volunteer accepting a session adds the student's contact), makes the next page recompute.
PostgreSQL raises it once per statement (transition tables), SQLite once per row.
"""

from django.db import migrations

# table, a name for the trigger, and whose data a changed row is ("changed" is the row set).
TRACKED = [
    ("contacts_contact", "contact", "SELECT owner_id FROM changed"),
    ("contacts_conversation", "conversation", "SELECT owner_id FROM changed"),
    ("contacts_actionitem", "actionitem", "SELECT owner_id FROM changed"),
    ("contacts_tag", "tag", "SELECT owner_id FROM changed"),
    (
        "contacts_contact_tags",
        "contacttags",
        "SELECT c.owner_id FROM changed JOIN contacts_contact c ON c.id = changed.contact_id",
    ),
    (
        "contacts_preparedquestion",
        "preparedquestion",
        "SELECT c.owner_id FROM changed "
        "JOIN contacts_conversation c ON c.id = changed.conversation_id",
    ),
    ("events_rsvp", "rsvp", "SELECT user_id FROM changed"),
    (
        "events_metatevent",
        "metatevent",
        "SELECT c.owner_id FROM changed JOIN contacts_contact c ON c.id = changed.contact_id",
    ),
    ("accounts_studentprofile", "studentprofile", "SELECT user_id FROM changed"),
]
OPERATIONS = [("INSERT", "NEW", "ins"), ("UPDATE", "NEW", "upd"), ("DELETE", "OLD", "del")]
BUMP = "UPDATE accounts_profile SET data_version = data_version + 1 WHERE user_id IN ({owners})"


def _sqlite_owners(owners: str, row: str) -> str:
    """The same owner lookup for one row (SQLite has no transition tables)."""
    if "JOIN" not in owners:
        column = owners.split()[1]
        return f"SELECT {row}.{column}"
    table = owners.split("JOIN ")[1].split()[0]
    key = owners.split("changed.")[1]
    return f"SELECT owner_id FROM {table} WHERE id = {row}.{key}"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, name, owners in TRACKED:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION rapport_touch_{name}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN {BUMP.format(owners=owners)}; RETURN NULL; END $$"
            )
            for operation, transition, suffix in OPERATIONS:
                schema_editor.execute(
                    f"CREATE TRIGGER rapport_touch_{name}_{suffix} AFTER {operation} ON {table} "
                    f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION rapport_touch_{name}()"
                )
        elif vendor == "sqlite":
            for operation, row, suffix in OPERATIONS:
                bump = BUMP.format(owners=_sqlite_owners(owners, row))
                schema_editor.execute(
                    f"CREATE TRIGGER rapport_touch_{name}_{suffix} AFTER {operation} ON {table} "
                    f"FOR EACH ROW BEGIN {bump}; END"
                )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, name, _owners in TRACKED:
        for _operation, _row, suffix in OPERATIONS:
            if vendor == "postgresql":
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS rapport_touch_{name}_{suffix} ON {table}"
                )
            elif vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS rapport_touch_{name}_{suffix}")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS rapport_touch_{name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_profile_data_version"),
        ("contacts", "0003_imports"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
