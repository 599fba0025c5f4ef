import django.contrib.postgres.search
from django.db import migrations

# A stored tsvector for the directory's full-text search. The expression index of migration
# 0003 found matches quickly, but PostgreSQL still parsed search_text again (to_tsvector) for
# every matching row when rechecking the bitmap: tens of thousands of parses for a common word.
# A trigger rather than a generated column, because Django writes every column on insert
# (NULL included), which a generated column refuses; the trigger overwrites what Django sent.
FORWARD = [
    """
    CREATE OR REPLACE FUNCTION mentoring_mentor_search_vector_fill() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector := to_tsvector('simple'::regconfig, COALESCE(NEW.search_text, ''));
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER mentoring_mentor_search_vector
    BEFORE INSERT OR UPDATE ON mentoring_mentor
    FOR EACH ROW EXECUTE FUNCTION mentoring_mentor_search_vector_fill()
    """,
    "UPDATE mentoring_mentor SET search_vector = "
    "to_tsvector('simple'::regconfig, COALESCE(search_text, ''))",
    "CREATE INDEX IF NOT EXISTS mentoring_mentor_vector_gin ON mentoring_mentor "
    "USING gin (search_vector)",
    "DROP INDEX IF EXISTS mentoring_mentor_search_gin",
    # "Name or organization holds every word" (Django's icontains: UPPER(col::text) LIKE).
    "CREATE INDEX IF NOT EXISTS mentoring_mentor_names_upper_trgm ON mentoring_mentor "
    "USING gin (upper(search_names::text) gin_trgm_ops)",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS mentoring_mentor_search_gin ON mentoring_mentor "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))",
    "DROP INDEX IF EXISTS mentoring_mentor_names_upper_trgm",
    "DROP INDEX IF EXISTS mentoring_mentor_vector_gin",
    "DROP TRIGGER IF EXISTS mentoring_mentor_search_vector ON mentoring_mentor",
    "DROP FUNCTION IF EXISTS mentoring_mentor_search_vector_fill()",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0003_directory_search_and_topics")]

    operations = [
        migrations.AddField(
            model_name="mentor",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
