"""Inserting thousands of rows without building a model instance for each.

On PostgreSQL the rows go through ``COPY ... FROM STDIN`` (ids taken from the table's sequence
first, so they are known without RETURNING): Django's bulk_create spends most of a
20,000-row import preparing values field by field, and a multi-row INSERT most of the rest
quoting them. Elsewhere (SQLite in development) through bulk_create. Values are given per
column (attribute names); missing columns take the field's default. COPY does not pass
through Django's cursor wrapper, so these statements are not in query logs.
"""

from __future__ import annotations

import datetime as dt
import io
import json

from django.db import connection, models
from django.utils import timezone

PAGE = 1000
COPY_SLICE = 2000


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _csv_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.date | dt.datetime):
        value = value.isoformat()
    text = str(value)
    return '"' + text.replace('"', '""') + '"'


def insert(
    model: type[models.Model], rows: list[dict], *, returning: bool = True, ignore: bool = False
) -> list[int]:
    """Insert `rows` (attname -> value) and return their ids in the same order. `ignore`
    skips rows that break a unique constraint (no ids returned then)."""
    if not rows:
        return []
    fields = _columns(model)
    now = timezone.now()
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = field.get_default()  # "" for text, None when nullable
    if connection.vendor != "postgresql":
        objects = [model(**{**defaults, **row}) for row in rows]
        model.objects.bulk_create(objects, batch_size=PAGE, ignore_conflicts=ignore)
        return [obj.pk for obj in objects] if returning and not ignore else []
    if ignore:
        return _insert_ignoring_conflicts(model, fields, defaults, rows)

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    names = [f.attname for f in fields]
    columns = [quote(f.column) for f in fields]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            columns = [quote(model._meta.pk.column), *columns]
        copy = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        # In slices, so the text of a 20,000-row import is never held in memory at once.
        for start in range(0, len(rows), COPY_SLICE):
            buffer = io.StringIO()
            for position in range(start, min(start + COPY_SLICE, len(rows))):
                row = rows[position]
                values = [str(ids[position])] if returning else []
                for name in names:
                    value = row.get(name, defaults[name])
                    if name in json_fields:
                        value = json.dumps(value)
                    values.append(_csv_value(value))
                buffer.write(",".join(values))
                buffer.write("\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(copy, buffer)
    return ids


def _insert_ignoring_conflicts(model, fields, defaults, rows) -> list[int]:
    """A multi-row INSERT ... ON CONFLICT DO NOTHING (COPY cannot skip conflicts)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [f.attname for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    template = "(" + ", ".join(["%s"] * len(names)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), PAGE):
            page = rows[start : start + PAGE]
            params = [row.get(name, defaults[name]) for row in page for name in names]
            values = ", ".join([template] * len(page))
            # Names come from the model; values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING"  # noqa: S608
            cursor.execute(sql, params)
    return []
