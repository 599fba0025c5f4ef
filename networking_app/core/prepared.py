"""Queries written with the ORM and compiled to SQL once per process.

Building and compiling a queryset costs more than PostgreSQL takes to run it for the small,
indexed reads of the pages every student opens (Today, the events card): about 1.5 to 4 ms of
Python against 0.3 to 1 ms in the database (bench/RESULTS.md). A `PreparedQuery` builds its
queryset once per process for each *shape* (what changes the SQL text: a role, a page size) and
keeps the SQL; each call then only runs it with the request's values.

The builder must take every value that changes between calls as a keyword parameter (ints,
dates, datetimes, strings), passed to the ORM as is: not derived in the builder (`now - 2h`:
pass `since`), not read from the clock or the database. This is checked when a shape is first
compiled: the builder is compiled twice with two sets of stand-in values, and both must give the
same SQL with each stand-in in the same places and the same constants elsewhere; otherwise it
raises `PreparedQueryError` (a programming error, caught by the first test that calls it).

Rows are tuples, as from `values_list()`, converted as the ORM converts them. On SQLite, which
adapts values to text so that stand-ins cannot be told apart, the query is built and run by the
ORM on every call, with the same results.

On PostgreSQL the SQL is also a prepared statement of each database session (PREPARE once per
connection, then EXECUTE): planning these queries took PostgreSQL longer than running them
(bench/RESULTS.md), and after a few executions it keeps a generic plan. A statement is named
after its table and builder (`contacts_conversation__due_conversations_1`), so that a query
log or a test reading the SQL still sees which table it reads. The PREPARE goes through the
driver's own cursor: it is not one of the page's queries. A connection pooler in transaction
mode (PgBouncer before 1.21) would break this; Rapport connects to PostgreSQL directly.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import re
import weakref
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import psycopg2
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.psycopg_any import Jsonb
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


class PreparedQueryError(Exception):
    """The builder's SQL depends on something other than its parameters."""


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    # For each placeholder of the SQL: the parameter's name, or a constant in a 1-tuple.
    slots: tuple[str | tuple[object], ...]
    # The ORM's conversions of column values ({position: (functions, expression)}), as its
    # compiler applies them (a Value(0)'s int(), a JSON column's decoding).
    converters: dict
    # The prepared statement: its name, PREPARE and EXECUTE ("" when it cannot be prepared).
    name: str = ""
    prepare: str = ""
    execute: str = ""

    def convert(self, rows: list[tuple], connection) -> list[tuple]:
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in self.converters.items():
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted

    def params(self, values: dict[str, object]) -> list[object]:
        return [values[slot] if isinstance(slot, str) else slot[0] for slot in self.slots]


# Stand-ins far from any real value: ids in the billions, dates a millennium ahead.
def _stand_in(value: object, index: int, round_: int) -> object:
    if isinstance(value, bool) or value is None:
        raise PreparedQueryError("booleans and None change the SQL: pass them in the shape")
    if isinstance(value, int):
        return 1_700_000_000 + round_ * 100_000 + index
    if isinstance(value, dt.datetime):
        base = dt.datetime(2900 + round_, 1, 1, tzinfo=dt.UTC)
        return base + dt.timedelta(seconds=index)
    if isinstance(value, dt.date):
        return dt.date(2900 + round_, 1, 1) + dt.timedelta(days=index)
    if isinstance(value, str):
        return f"\ue000stand-in {round_} {index}\ue000"
    raise PreparedQueryError(f"unsupported parameter type {type(value).__name__}")


def _same(a: object, b: object) -> bool:
    """Equal values of one type; a driver's wrapper (psycopg2's Json) by what it wraps."""
    if type(a) is not type(b):
        return False
    if hasattr(a, "adapted"):
        return _same(a.adapted, b.adapted)
    return a == b


class PreparedQuery:
    """`rows(shape, **params)`: the rows of `build(*shape, **params)`, compiled once per
    process for each database, shape and active time zone (the SQL of a date in the viewer's
    zone names the zone)."""

    def __init__(
        self, build: Callable[..., QuerySet], *, count: bool = False, plan_each_call: bool = False
    ):
        self._build = build
        # `count`: the rows are [(how many rows the queryset has,)], counted by the database.
        self._count = count
        # `plan_each_call`: sent as plain SQL, not a prepared statement, for a query whose best
        # plan depends on its values (how common a searched word is), which a prepared
        # statement's generic plan would not see.
        self._plan_each_call = plan_each_call
        self._plans: dict[Hashable, _Plan | None] = {}

    def rows(self, shape: tuple = (), **params: object) -> list[tuple]:
        alias = DEFAULT_DB_ALIAS
        key = (alias, shape, timezone.get_current_timezone_name(), tuple(sorted(params)))
        try:
            plan = self._plans[key]
        except KeyError:
            plan = self._plans[key] = self._prepare(alias, shape, params)
        if plan is None:
            queryset = self._build(*shape, **params)
            return [(queryset.count(),)] if self._count else list(queryset)
        connection = connections[alias]
        with connection.cursor() as cursor:
            if _prepared_on(connection, plan):
                cursor.execute(plan.execute, plan.params(params))
            else:
                cursor.execute(plan.sql, plan.params(params))
            return plan.convert(cursor.fetchall(), connection)

    def _compile(self, alias: str, shape: tuple, params: dict, round_: int):
        stand_ins = {
            name: _stand_in(value, index, round_)
            for index, (name, value) in enumerate(sorted(params.items()))
        }
        queryset = self._build(*shape, **stand_ins)
        compiler = queryset.query.get_compiler(alias)
        sql, sql_params = compiler.as_sql()
        if self._count:
            sql, converters = f"SELECT COUNT(*) FROM ({sql}) counted", {}  # noqa: S608 (ORM's)
        else:
            fields = [column[0] for column in compiler.select[: compiler.col_count]]
            converters = compiler.get_converters(fields)
        return sql, tuple(sql_params), stand_ins, converters, queryset.model._meta.db_table

    def _prepare(self, alias: str, shape: tuple, params: dict) -> _Plan | None:
        if connections[alias].vendor != "postgresql":
            return None  # SQLite adapts values to text: the stand-ins would not be found
        sql_a, params_a, stand_ins_a, converters, table = self._compile(alias, shape, params, 0)
        sql_b, params_b, stand_ins_b, *_ = self._compile(alias, shape, params, 1)
        if sql_a != sql_b or len(params_a) != len(params_b):
            raise PreparedQueryError("the SQL changes with the parameters' values")
        slots: list[str | tuple[object]] = []
        for a, b in zip(params_a, params_b, strict=True):
            name = _name_of(a, stand_ins_a)
            if name is not None and _name_of(b, stand_ins_b) == name:
                slots.append(name)
            elif name is None and _name_of(b, stand_ins_b) is None and _same(a, b):
                slots.append((a,))
            else:
                raise PreparedQueryError(
                    f"a parameter of the SQL is neither a constant nor one of {sorted(params)}: "
                    "is a value derived from one, or read from the clock?"
                )
        missing = set(params) - {slot for slot in slots if isinstance(slot, str)}
        if missing:
            raise PreparedQueryError(f"parameters not in the SQL: {sorted(missing)}")
        types = [
            _server_type(a if isinstance(slot, str) else slot[0])
            for a, slot in zip(params_a, slots, strict=True)
        ]
        plan = _Plan(sql=sql_a, slots=tuple(slots), converters=converters)
        if None in types or self._plan_each_call:
            return plan  # (or a value PostgreSQL's PREPARE could not be told the type of)
        name = _statement_name(sql_a, f"{table}__{self._build.__name__.strip('_')}")
        placeholders = itertools.count(1)
        body = _PLACEHOLDER.sub(
            lambda m: "%" if m.group(1) == "%" else f"${next(placeholders)}", sql_a
        )
        declared = f" ({', '.join(types)})" if types else ""
        arguments = f"({', '.join(['%s'] * len(types))})" if types else ""
        return _Plan(
            sql=sql_a,
            slots=tuple(slots),
            converters=converters,
            name=name,
            prepare=f"PREPARE {name}{declared} AS {body}",
            execute=f"EXECUTE {name}{arguments}",
        )


class PreparedSQL:
    """Hand-written SQL, with `%(name)s` parameters of the PostgreSQL types `types` names
    (in their order), run as a prepared statement of each session on PostgreSQL: for the
    queries the ORM cannot write. `raw(model, **params)` is `model.objects.raw()` of it."""

    def __init__(self, label: str, sql: str, types: dict[str, str]):
        self.sql = sql
        order = {name: position for position, name in enumerate(types, start=1)}
        body = re.sub(r"%\((\w+)\)s", lambda m: f"${order[m.group(1)]}", sql)
        if "%" in body:
            raise PreparedQueryError("only %(name)s parameters, each of a declared type")
        name = _statement_name(sql, label)
        self._plan = _Plan(
            sql=sql,
            slots=tuple(types),
            converters={},
            name=name,
            prepare=f"PREPARE {name} ({', '.join(types.values())}) AS {body}",
            execute=f"EXECUTE {name}({', '.join(['%s'] * len(types))})",
        )

    def raw(self, model, **params: object):
        connection = connections[DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        if connection.vendor == "postgresql" and _prepared_on(connection, self._plan):
            return model.objects.raw(self._plan.execute, self._plan.params(params))
        return model.objects.raw(self.sql, params)


def _name_of(value: object, stand_ins: dict[str, object]) -> str | None:
    for name, stand_in in stand_ins.items():
        if _same(value, stand_in):
            return name
    return None


def model_columns(model, names: Iterable[str]) -> tuple[str, ...]:
    """`names` (columns' attnames: "id", "contact_id") in the model's order, the order
    `Model.from_db(db, names, values)` reads `values` in: for `values_list(*columns)` rows
    that become instances with the other columns deferred."""
    wanted = set(names)
    columns = tuple(f.attname for f in model._meta.concrete_fields if f.attname in wanted)
    unknown = wanted - set(columns)
    if unknown:
        raise PreparedQueryError(f"not columns of {model.__name__}: {sorted(unknown)}")
    return columns


def instance(model, **values: object):
    """A model instance of these column values (attnames), the other columns deferred: what
    `select_related` attaches, for a row read by a PreparedQuery."""
    columns = _columns_of(model, frozenset(values))
    return model.from_db(DEFAULT_DB_ALIAS, columns, [values[column] for column in columns])


@functools.cache
def _columns_of(model, names: frozenset[str]) -> tuple[str, ...]:
    # A page builds one instance a row, each of the same columns: looked up once.
    return model_columns(model, names)


class RelatedRow:
    """A model's row with the rows `select_related(*paths)` would join, as columns a
    PreparedQuery's `values_list()` reads (`columns`), made into the instance with its related
    instances attached (`instance(row)`), as select_related attaches them: for the lookups
    every write and detail page opens with, whose joins the ORM compiles in 1 to 2 ms."""

    def __init__(self, model, *paths: str):
        self.model = model
        # (the path it hangs from, its foreign key from there, the model it reaches, its
        # columns, where its primary key is among them), the queried model first.
        self._joins = []
        # Each path and the paths it goes through ("contact" for "contact__organization").
        every = dict.fromkeys(
            "__".join(path.split("__")[:end])
            for path in ("", *paths)
            for end in range(path.count("__") + 2 if path else 1)
        )
        self.columns: tuple[str, ...] = ()
        for path in every:
            target, field = model, None
            for name in filter(None, path.split("__")):
                field = target._meta.get_field(name)
                target = field.related_model
            attnames = tuple(f.attname for f in target._meta.concrete_fields)
            parent = path.rpartition("__")[0] if path else None
            pk = attnames.index(target._meta.pk.attname)
            self._joins.append((path, parent, field, target, attnames, pk))
            self.columns += tuple(f"{path}__{a}" if path else a for a in attnames)

    def instances(self, query: PreparedQuery, **params: object) -> list:
        """The instances of `query`'s rows (its builder's `values_list(*self.columns)`)."""
        return [self.instance(row) for row in query.rows(**params)]

    def instance(self, row: tuple):
        made: dict[str, object] = {}
        position = 0
        for path, parent, field, target, attnames, pk in self._joins:
            values = row[position : position + len(attnames)]
            position += len(attnames)
            obj = None if values[pk] is None else target.from_db(DEFAULT_DB_ALIAS, attnames, values)
            made[path] = obj
            if parent is not None and made[parent] is not None:
                field.set_cached_value(made[parent], obj)
        return made[""]


def attach(rows: list, **related) -> list:
    """`rows` (instances) with each `name=instance` as their foreign key `name`, as a related
    manager's `.all()` or `select_related` leaves them: reading it costs no query."""
    for row in rows:
        for name, obj in related.items():
            row._meta.get_field(name).set_cached_value(row, obj)
    return rows


# --- Prepared statements (PostgreSQL) --------------------------------------------------------

_PLACEHOLDER = re.compile(r"%([s%])")
# The statements prepared on each session, by the driver's connection (gone with it).
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Statements PostgreSQL refused to prepare: run as plain SQL from then on.
_REFUSED: set[str] = set()
# One name per SQL text: plans that differ only by the viewer's time zone share a statement.
_NAMES: dict[str, str] = {}
_SEQUENCE = itertools.count(1)


def _statement_name(sql: str, label: str) -> str:
    name = _NAMES.get(sql)
    if name is None:
        suffix = f"_{next(_SEQUENCE)}"
        name = _NAMES[sql] = re.sub(r"\W", "_", label)[: 63 - len(suffix)] + suffix
    return name


def _server_type(value: object) -> str | None:
    """The type PREPARE declares for a parameter, as the driver would send the value; "unknown"
    (a quoted literal's): PostgreSQL infers it from where the parameter stands."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, dt.datetime):
        return "timestamptz" if value.tzinfo is not None else "timestamp"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "unknown"
    if isinstance(value, Jsonb):
        return "jsonb"
    return None


def _prepared_on(connection, plan: _Plan) -> bool:
    """Whether `plan` is prepared on this session, preparing it if need be."""
    if not plan.name or plan.name in _REFUSED:
        return False
    raw = connection.connection
    names = _PREPARED.get(raw)
    if names is None:
        names = _PREPARED[raw] = set()
    if plan.name in names:
        return True
    in_transaction = not raw.autocommit
    with raw.cursor() as cursor:
        try:
            if in_transaction:
                cursor.execute("SAVEPOINT rapport_prepare")
            cursor.execute(plan.prepare)
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT rapport_prepare")
        except psycopg2.Error:
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT rapport_prepare")
            logger.warning("PostgreSQL refused to prepare %s: run as plain SQL", plan.name)
            _REFUSED.add(plan.name)
            return False
    names.add(plan.name)
    return True
