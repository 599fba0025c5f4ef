"""The notes and takeaways of a contact's conversations are searched with the contact
(Contact.conversation_text), and a search with few exact matches forgives typos in names and
organizations (pg_trgm's word similarity, contacts.selectors.people._search).

The search index is rebuilt on the new expression: the same one _search queries, so that a
student's search is still answered from the index alone. PostgreSQL only: SQLite searches with
LIKE."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

OLD_INDEX = (
    "CREATE INDEX IF NOT EXISTS contacts_contact_search_gin ON contacts_contact "
    "USING gin (owner_id, to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
)
NEW_INDEX = (
    "CREATE INDEX IF NOT EXISTS contacts_contact_search_gin ON contacts_contact "
    "USING gin (owner_id, to_tsvector('simple'::regconfig, "
    "COALESCE(search_text, '') || ' ' || COALESCE(conversation_text, '')))"
)
DROP_INDEX = "DROP INDEX IF EXISTS contacts_contact_search_gin"

# The same text as contacts.services.people.contact_refresh_conversation_text.
BACKFILL = """
UPDATE contacts_contact AS c SET conversation_text = t.text
FROM (
    SELECT contact_id,
           string_agg(concat_ws(E'\\n', NULLIF(notes, ''), NULLIF(takeaways, '')), E'\\n'
                      ORDER BY id) AS text
    FROM contacts_conversation
    WHERE notes <> '' OR takeaways <> ''
    GROUP BY contact_id
) AS t
WHERE c.id = t.contact_id
"""


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def new_index(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute(DROP_INDEX)
        schema_editor.execute(NEW_INDEX)


def old_index(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute(DROP_INDEX)
        schema_editor.execute(OLD_INDEX)


def backfill(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute(BACKFILL)
        return
    Contact = apps.get_model("contacts", "Contact")
    Conversation = apps.get_model("contacts", "Conversation")
    texts: dict[int, list[str]] = {}
    for contact_id, notes, takeaways in Conversation.objects.order_by("id").values_list(
        "contact_id", "notes", "takeaways"
    ):
        texts.setdefault(contact_id, []).extend(part for part in (notes, takeaways) if part)
    for contact_id, parts in texts.items():
        if parts:
            Contact.objects.filter(pk=contact_id).update(conversation_text="\n".join(parts))


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_imports")]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="contact",
            name="conversation_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(new_index, old_index),
    ]
