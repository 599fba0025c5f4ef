"""networking_app.core.prepared: a query compiled once per process gives the ORM's rows for
every call's values, and refuses a builder whose SQL depends on anything else."""

import dataclasses
import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import ActionItem, Contact
from networking_app.core.prepared import PreparedQuery, PreparedQueryError, PreparedSQL
from tests.contacts.factories import ContactFactory
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 7)


def _due_items(limit, *, user_id, today):
    return (
        ActionItem.objects.filter(owner_id=user_id, done_at__isnull=True, due_on__lte=today)
        .annotate(section=Value(1))
        .order_by("due_on", "id")
        .values_list("id", "text", "due_on", "section")[:limit]
    )


def _item(owner, text, due_on):
    return ActionItem.objects.create(owner=owner, text=text, due_on=due_on)


def test_each_call_runs_the_sql_with_its_own_values_and_matches_the_orm():
    alice, bob = StudentFactory(), StudentFactory()
    early = _item(alice, "Send the CV", DAY - dt.timedelta(days=2))
    due = _item(alice, "Read the annual report", DAY)
    _item(alice, "Later", DAY + dt.timedelta(days=3))
    bobs = _item(bob, "Bob's", DAY)
    query = PreparedQuery(_due_items)

    rows = query.rows((10,), user_id=alice.pk, today=DAY)

    assert rows == list(_due_items(10, user_id=alice.pk, today=DAY))
    assert rows == [
        (early.pk, "Send the CV", DAY - dt.timedelta(days=2), 1),
        (due.pk, "Read the annual report", DAY, 1),
    ]
    assert query.rows((10,), user_id=bob.pk, today=DAY) == [(bobs.pk, "Bob's", DAY, 1)]
    assert [r[0] for r in query.rows((10,), user_id=alice.pk, today=DAY - dt.timedelta(1))] == [
        early.pk
    ]
    # The shape is part of the SQL (LIMIT 1): compiled apart.
    assert query.rows((1,), user_id=alice.pk, today=DAY) == rows[:1]


@pytest.mark.postgres
def test_the_query_is_compiled_once_per_shape():
    alice = StudentFactory()
    query = PreparedQuery(_due_items)
    calls = []

    def counting(*args, **kwargs):
        calls.append(args)
        return _due_items(*args, **kwargs)

    query = PreparedQuery(counting)
    for day in range(5):
        query.rows((10,), user_id=alice.pk, today=DAY + dt.timedelta(days=day))
    query.rows((3,), user_id=alice.pk, today=DAY)
    # Twice per shape, with two sets of stand-ins: the check that the values are parameters.
    assert calls == [(10,), (10,), (3,), (3,)]
    with CaptureQueriesContext(connection) as queries:
        query.rows((10,), user_id=alice.pk, today=DAY)
    assert len(queries) == 1


@pytest.mark.postgres
def test_a_value_derived_in_the_builder_is_refused():
    def derived(*, user_id, today):
        return ActionItem.objects.filter(
            owner_id=user_id, due_on__lte=today - dt.timedelta(days=1)
        ).values_list("id")

    with pytest.raises(PreparedQueryError, match="derived"):
        PreparedQuery(derived).rows(user_id=1, today=DAY)


@pytest.mark.postgres
def test_the_clock_read_in_the_builder_is_refused():
    def clock(*, user_id):
        return ActionItem.objects.filter(owner_id=user_id, created_at__lte=timezone.now())

    with pytest.raises(PreparedQueryError):
        PreparedQuery(clock).rows(user_id=1)


@pytest.mark.postgres
def test_a_parameter_the_sql_does_not_use_is_refused():
    def unused(*, user_id, today):
        return ActionItem.objects.filter(owner_id=user_id).values_list("id")

    with pytest.raises(PreparedQueryError, match="not in the SQL"):
        PreparedQuery(unused).rows(user_id=1, today=DAY)


@pytest.mark.postgres
def test_a_boolean_parameter_is_refused_it_belongs_in_the_shape():
    def flag(*, done):
        return ActionItem.objects.filter(done_at__isnull=done).values_list("id")

    with pytest.raises(PreparedQueryError, match="shape"):
        PreparedQuery(flag).rows(done=True)


def test_expressions_and_their_conversions_are_kept():
    alice = StudentFactory()
    ContactFactory(owner=alice)

    def started(*, user_id):
        return Contact.objects.filter(owner_id=user_id).values_list(
            Exists(Contact.objects.filter(owner=OuterRef("owner"))), Value(7)
        )

    assert PreparedQuery(started).rows(user_id=alice.pk) == [(True, 7)]


@pytest.mark.postgres
def test_the_active_time_zone_compiles_apart():
    """A date in the viewer's zone names the zone in the SQL."""
    from django.db.models.functions import TruncDate

    alice = StudentFactory()
    item = _item(alice, "Call", DAY)
    ActionItem.objects.filter(pk=item.pk).update(
        created_at=dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
    )

    def created_on(*, user_id):
        return ActionItem.objects.filter(owner_id=user_id).values_list(TruncDate("created_at"))

    query = PreparedQuery(created_on)
    with timezone.override(dt.UTC):
        assert query.rows(user_id=alice.pk) == [(dt.date(2026, 12, 7),)]
    with timezone.override(dt.timezone(dt.timedelta(hours=-5), "EST")):
        assert query.rows(user_id=alice.pk) == [(dt.date(2026, 12, 6),)]


def _statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # it closes the connection
def test_each_session_prepares_the_statement_once_and_then_executes_it():
    alice = StudentFactory()
    _item(alice, "Send the CV", DAY)
    query = PreparedQuery(_due_items)
    with CaptureQueriesContext(connection) as queries:
        first = query.rows((10,), user_id=alice.pk, today=DAY)
        second = query.rows((10,), user_id=alice.pk, today=DAY)
    assert first == second == list(_due_items(10, user_id=alice.pk, today=DAY))
    (plan,) = query._plans.values()
    # Named after its table, so that a query log still says what it reads; the PREPARE is
    # not one of the page's queries.
    assert plan.name.startswith("contacts_actionitem__due_items_")
    assert plan.name in _statements()
    assert [q["sql"].split("(")[0] for q in queries.captured_queries] == [
        f"EXECUTE {plan.name}",
        f"EXECUTE {plan.name}",
    ]
    # A new session prepares it again.
    connection.close()
    assert plan.name not in _statements()
    assert query.rows((10,), user_id=alice.pk, today=DAY) == first
    assert plan.name in _statements()


@pytest.mark.postgres
def test_a_statement_postgresql_refuses_to_prepare_runs_as_plain_sql(caplog):
    alice = StudentFactory()
    _item(alice, "Send the CV", DAY)
    query = PreparedQuery(_due_items)
    query.rows((10,), user_id=alice.pk, today=DAY)
    ((key, plan),) = query._plans.items()
    broken = dataclasses.replace(
        plan, name=f"{plan.name}_broken", prepare=f"PREPARE {plan.name}_broken AS SELEKT 1"
    )
    query._plans[key] = broken
    with transaction.atomic():
        rows = query.rows((10,), user_id=alice.pk, today=DAY)
        # The transaction is still usable: the failed PREPARE was rolled back to a savepoint.
        assert ActionItem.objects.filter(owner=alice).count() == 1
    assert rows == list(_due_items(10, user_id=alice.pk, today=DAY))
    assert "refused to prepare" in caplog.text
    assert broken.name not in _statements()


_ITEMS_SQL = """
SELECT i.id, i.text, ARRAY[upper(i.text)] AS shouted
FROM contacts_actionitem i WHERE i.owner_id = %(owner)s AND i.due_on <= %(today)s ORDER BY i.id
"""


@pytest.mark.postgres
def test_hand_written_sql_runs_as_a_prepared_statement_of_its_declared_types():
    alice = StudentFactory()
    _item(alice, "Send the CV", DAY)
    _item(alice, "Later", DAY + dt.timedelta(days=3))
    items = PreparedSQL(
        "contacts_actionitem__test_items", _ITEMS_SQL, {"today": "date", "owner": "bigint"}
    )
    with CaptureQueriesContext(connection) as queries:
        rows = list(items.raw(ActionItem, owner=alice.pk, today=DAY))
    assert [(row.text, row.shouted) for row in rows] == [("Send the CV", ["SEND THE CV"])]
    (statement,) = [
        name for name in _statements() if name.startswith("contacts_actionitem__test_items_")
    ]
    # The parameters in the order of their declared types, whatever their order in the SQL.
    (query,) = [q["sql"] for q in queries.captured_queries]
    assert query == f"EXECUTE {statement}('2026-12-07'::date, {alice.pk})"


def test_hand_written_sql_takes_declared_parameters_only():
    with pytest.raises(PreparedQueryError):
        PreparedSQL("t", "SELECT 1 WHERE 'a' LIKE '%%'", {})


def test_a_counting_query_gives_the_number_of_rows_the_orm_would():
    alice = StudentFactory()
    for n in range(3):
        _item(alice, f"Item {n}", DAY)
    _item(alice, "Later", DAY + dt.timedelta(days=3))
    query = PreparedQuery(_due_items, count=True)
    assert query.rows((10,), user_id=alice.pk, today=DAY) == [(3,)]
    # The slice counts: up to the limit.
    assert query.rows((2,), user_id=alice.pk, today=DAY) == [(2,)]
    assert query.rows((10,), user_id=alice.pk, today=DAY - dt.timedelta(days=1)) == [(0,)]


@pytest.mark.postgres
def test_a_query_planned_on_each_call_is_compiled_once_but_not_prepared():
    alice = StudentFactory()
    _item(alice, "Send the CV", DAY)
    query = PreparedQuery(_due_items, plan_each_call=True)
    with CaptureQueriesContext(connection) as queries:
        rows = query.rows((10,), user_id=alice.pk, today=DAY)
    assert rows == list(_due_items(10, user_id=alice.pk, today=DAY))
    (plan,) = query._plans.values()
    assert plan.name == ""
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert sql.startswith('SELECT "contacts_actionitem"."id"')


def _fields(obj) -> dict:
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def test_a_related_row_is_the_instance_select_related_would_give():
    from contacts.models import Conversation
    from networking_app.core.prepared import RelatedRow
    from tests.contacts.factories import ConversationFactory

    alice = StudentFactory()
    referrer = ContactFactory(owner=alice, organization=None)
    contact = ContactFactory(owner=alice, referred_by=referrer)
    conversation = ConversationFactory(owner=alice, contact=contact)
    related = RelatedRow(Conversation, "contact__organization", "contact__referred_by")
    # The path it goes through ("contact") is joined too, as select_related joins it.
    assert related.columns[: len(Conversation._meta.concrete_fields)] == tuple(
        f.attname for f in Conversation._meta.concrete_fields
    )
    assert "contact__name" in related.columns

    row = Conversation.objects.filter(pk=conversation.pk).values_list(*related.columns).get()
    made = related.instance(row)
    orm = Conversation.objects.select_related("contact__organization", "contact__referred_by").get(
        pk=conversation.pk
    )

    assert _fields(made) == _fields(orm)
    assert not made._state.adding
    assert made._state.db == "default"
    with CaptureQueriesContext(connection) as ctx:
        assert _fields(made.contact) == _fields(orm.contact)
        assert _fields(made.contact.organization) == _fields(orm.contact.organization)
        assert _fields(made.contact.referred_by) == _fields(referrer)
        # A relation with no row (LEFT JOIN's NULLs) is None, and known to be: no query.
        assert made.contact.referred_by.organization_id is None
    assert len(ctx) == 0


def test_the_owner_lookups_find_only_the_owners_rows_with_no_query_for_the_owner():
    from django.http import Http404

    from contacts import selectors
    from tests.contacts.factories import ConversationFactory

    alice, bob = StudentFactory(), StudentFactory()
    contact = ContactFactory(owner=alice)
    contact.tags.create(owner=alice, name="fintech")
    conversation = ConversationFactory(owner=alice, contact=contact)

    found = selectors.contact_get_for_user(user=alice, contact_id=contact.pk)
    mine = selectors.conversation_get_for_user(user=alice, conversation_id=conversation.pk)
    with CaptureQueriesContext(connection) as ctx:
        assert found.pk == contact.pk
        assert found.name == contact.name
        assert found.organization == contact.organization
        assert found.referred_by is None
        assert [t.name for t in found.tags.all()] == ["fintech"]
        assert found.owner is alice
        assert mine.owner is alice
        assert mine.contact.owner is alice
        assert mine.contact.organization == contact.organization
    assert len(ctx) == 0
    with pytest.raises(Http404):
        selectors.contact_get_for_user(user=bob, contact_id=contact.pk)
    with pytest.raises(Http404):
        selectors.conversation_get_for_user(user=bob, conversation_id=conversation.pk)
