"""The harness's flush (tests/conftest.py): what a transactional test leaves for the next one.

Every transactional test ends with Django's `flush`. In this suite it deletes only the tables
that hold rows (PostgreSQL) and, through post_migrate, puts back the data migrations' rows, so
that the next test finds the database as migrated whatever the order the tests run in.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from contacts.models import Contact, Question
from mentoring.models import Topic
from tests.factories import StudentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0]


def test_a_flush_empties_every_table_and_puts_back_what_the_migrations_add():
    questions, topics = Question.objects.count(), Topic.objects.count()
    assert questions > 0
    assert topics > 0
    student = StudentFactory()
    Contact.objects.create(owner=student, name="Ada Lovelace")
    VolunteerFactory()
    Topic.objects.create(slug="made-in-a-test", name="Made in a test")

    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)

    kept = {
        ContentType._meta.db_table,
        "auth_permission",
        Question._meta.db_table,
        Topic._meta.db_table,
    }
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    counts = {table: _rows(table) for table in tables if table not in kept}
    assert {table: n for table, n in counts.items() if n} == {}
    assert Question.objects.count() == questions
    assert Topic.objects.count() == topics
    assert not Topic.objects.filter(slug="made-in-a-test").exists()
    assert ContentType.objects.get_for_model(Contact).model == "contact"
