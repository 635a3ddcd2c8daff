"""`update_each`: write different values to many rows in one statement per batch.

Django's `bulk_update` builds a CASE WHEN per field and row and resolves each as an expression: for a
few thousand rows that took seconds of Python (measured on the calendar import: 30 s for 2,000 cases,
bench/bench_calendar_import.py). Here one `WITH v(id, …) AS (VALUES …) UPDATE … FROM v` per batch does
the same on SQLite (3.33+); PostgreSQL takes one array per column instead (`unnest`, bound server-side).
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from django.db import connection


def _update_from_arrays(model, objs, columns, batch_size: int) -> None:
    """PostgreSQL: `UPDATE … FROM unnest(arrays)` with one array per column, bound server-side (binding
    thousands of scalars client-side cost more than the UPDATE)."""
    meta = model._meta
    qn = connection.ops.quote_name
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    arrays = ", ".join(["%b::bigint[]", *(f"%b::{c.db_type(connection)}[]" for c in columns)])
    names = ", ".join(["id", *(f"c{i}" for i in range(len(columns)))])
    sets = ", ".join(f"{qn(c.column)} = v.c{i}" for i, c in enumerate(columns))
    sql = f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v({names}) WHERE {table}.{pk} = v.id"
    connection.ensure_connection()
    with connection._prepare_cursor(psycopg.Cursor(connection.connection)) as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params = [[o.pk for o in batch]]
            params += [[getattr(o, c.attname) for o in batch] for c in columns]
            cursor.execute(sql, params)


def update_each(model, objs: Sequence, fields: Sequence[str], *, batch_size: int = 1000) -> int:
    """Store `fields` of each object of `model` (by primary key); returns the number of objects."""
    if not objs:
        return 0
    meta = model._meta
    qn = connection.ops.quote_name
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    columns = [meta.get_field(name) for name in fields]
    if connection.vendor == "postgresql":
        _update_from_arrays(model, objs, columns, batch_size)
        return len(objs)
    row = ", ".join(["%s"] * (len(columns) + 1))
    names = ", ".join(["id", *(f"c{i}" for i in range(len(columns)))])
    sets = ", ".join(f"{qn(c.column)} = v.c{i}" for i, c in enumerate(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params: list = []
            for obj in batch:
                params.append(obj.pk)
                params.extend(c.get_db_prep_save(getattr(obj, c.attname), connection) for c in columns)
            values = ", ".join([f"({row})"] * len(batch))
            sql = f"WITH v({names}) AS (VALUES {values}) UPDATE {table} SET {sets} FROM v"
            sql += f" WHERE {table}.{pk} = v.id"
            cursor.execute(sql, params)
    return len(objs)
