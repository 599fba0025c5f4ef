from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TOPICS = [
    ("industry-insight", "Industry insight"),
    ("career-switch", "Career switch"),
    ("resume-review", "Resume review"),
    ("interview-practice", "Interview practice"),
    ("graduate-school", "Graduate school"),
    ("job-search-strategy", "Job search strategy"),
    ("networking-tips", "Networking tips"),
    ("entrepreneurship", "Entrepreneurship"),
]

# The directory's search (mentoring.selectors.directory.directory_search) asks, for each word typed, "starts a
# word of the profile" (full text over search_text, the same expression as the first index)
# or "looks like a word of the name or organization" (pg_trgm's word similarity over
# search_names, the second index). PostgreSQL only: SQLite searches with LIKE.
CREATE_INDEXES = [
    "CREATE INDEX IF NOT EXISTS mentoring_mentor_search_gin ON mentoring_mentor "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))",
    "CREATE INDEX IF NOT EXISTS mentoring_mentor_names_trgm ON mentoring_mentor "
    "USING gin (search_names gin_trgm_ops)",
    # The directory's "contains" filters (Django's icontains is UPPER(col::text) LIKE ...).
    "CREATE INDEX IF NOT EXISTS mentoring_mentor_industry_trgm ON mentoring_mentor "
    "USING gin (upper(industry::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS mentoring_mentor_function_trgm ON mentoring_mentor "
    "USING gin (upper(job_function::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS mentoring_mentor_location_trgm ON mentoring_mentor "
    "USING gin (upper(location::text) gin_trgm_ops)",
    # The directory's order (by name: search_names starts with it), listed volunteers only.
    "CREATE INDEX IF NOT EXISTS mentoring_mentor_directory_order ON mentoring_mentor "
    "(lower(search_names), id) WHERE is_bookable",
]
DROP_INDEXES = [
    "DROP INDEX IF EXISTS mentoring_mentor_search_gin",
    "DROP INDEX IF EXISTS mentoring_mentor_names_trgm",
    "DROP INDEX IF EXISTS mentoring_mentor_industry_trgm",
    "DROP INDEX IF EXISTS mentoring_mentor_function_trgm",
    "DROP INDEX IF EXISTS mentoring_mentor_location_trgm",
    "DROP INDEX IF EXISTS mentoring_mentor_directory_order",
]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE_INDEXES:
            schema_editor.execute(sql)


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP_INDEXES:
            schema_editor.execute(sql)


def add_topics(apps, schema_editor):
    Topic = apps.get_model("mentoring", "Topic")
    for slug, name in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})


def remove_topics(apps, schema_editor):
    apps.get_model("mentoring", "Topic").objects.filter(slug__in=[s for s, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0002_rounds_removed_pairs")]

    operations = [
        migrations.AddField(
            model_name="mentor",
            name="search_names",
            field=models.CharField(blank=True, editable=False, max_length=400),
        ),
        # CreateExtension does nothing on databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
        migrations.RunPython(add_topics, remove_topics),
    ]
