from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

STARTER_QUESTIONS = [
    "How did you find your job?",
    "What advice do you have for someone looking to enter this field?",
    "What does a typical week look like in your role?",
    "What skills or experiences matter most for entry-level candidates here?",
    "What do you wish you had known when you were starting out?",
    "How do you see this industry changing over the next few years?",
    "What is the culture like at your organization?",
    "Is there anyone else you would recommend I talk to, and may I use your name?",
]

# A GIN index on the owner and the same expression contacts.selectors._search queries, so a
# student's full-text search is answered from the index alone (btree_gin lets the integer
# owner_id sit in a GIN index). PostgreSQL only: SQLite searches with LIKE.
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS contacts_contact_search_gin ON contacts_contact "
    "USING gin (owner_id, to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
)
DROP_INDEX = "DROP INDEX IF EXISTS contacts_contact_search_gin"


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)


def add_starter_questions(apps, schema_editor):
    Question = apps.get_model("contacts", "Question")
    for text in STARTER_QUESTIONS:
        Question.objects.get_or_create(owner=None, text=text)


def remove_starter_questions(apps, schema_editor):
    apps.get_model("contacts", "Question").objects.filter(owner=None).delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [
        BtreeGinExtension(),
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(add_starter_questions, remove_starter_questions),
    ]
