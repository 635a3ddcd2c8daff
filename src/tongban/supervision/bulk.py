"""Fast multi-row writes for the sweep on PostgreSQL: one `INSERT … SELECT FROM unnest(arrays)` and
`UPDATE … WHERE id = ANY(array)` with one parameter per column, bound server-side in binary. The ORM's
bulk_create and `pk__in` bind one parameter per value and psycopg's client-side binding (Django's
default) quotes each into the SQL text — that dominated a 1,000-row batch. Elsewhere: the ORM."""

from __future__ import annotations

import psycopg
from django.db import connection


def _server_cursor():
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def insert_rows(model, fields: list[str], rows: list[tuple], *, ignore_conflicts: bool = False) -> list[int]:
    """Insert `rows` (tuples in `fields` order); returns the new ids (on PostgreSQL, with
    ignore_conflicts, only those of the rows actually inserted)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        created = model.objects.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return [o.pk for o in created if o.pk is not None]
    meta = model._meta
    columns, casts = [], []
    for name in fields:
        f = meta.get_field(name)
        columns.append(connection.ops.quote_name(f.column))
        casts.append(f"%b::{f.db_type(connection)}[]")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({', '.join(columns)}) "
        f"SELECT * FROM unnest({', '.join(casts)})"
        f"{' ON CONFLICT DO NOTHING' if ignore_conflicts else ''}"
        f" RETURNING {connection.ops.quote_name(meta.pk.column)}"
    )
    params = [list(col) for col in zip(*rows, strict=True)]
    with _server_cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]


def update_rows(model, ids: list[int], values: dict) -> None:
    """Set the same `values` on the rows with these ids."""
    if not ids:
        return
    if connection.vendor != "postgresql":
        model.objects.filter(pk__in=ids).update(**values)
        return
    meta = model._meta
    sets, params = [], []
    for name, value in values.items():
        f = meta.get_field(name)
        sets.append(f"{connection.ops.quote_name(f.column)} = %b::{f.db_type(connection)}")
        params.append(value)
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {', '.join(sets)} "
        f"WHERE {connection.ops.quote_name(meta.pk.column)} = ANY(%b::bigint[])"
    )
    with _server_cursor() as cursor:
        cursor.execute(sql, [*params, list(ids)])
