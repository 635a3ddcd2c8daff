"""Fast multi-row INSERT for the sweep: on PostgreSQL one `INSERT … SELECT FROM unnest(arrays)` with a
single parameter per column (the ORM's bulk_create binds one per value, and compiling and binding 10k+
parameters dominated a batch); elsewhere bulk_create."""

from __future__ import annotations

from django.db import connection


def insert_rows(model, fields: list[str], rows: list[tuple], *, ignore_conflicts: bool = False) -> list[int]:
    """Insert `rows` (tuples in `fields` order); returns the new ids (PostgreSQL, or where bulk_create
    can return them; with ignore_conflicts only the inserted rows' ids on PostgreSQL)."""
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
        casts.append(f"%s::{f.db_type(connection)}[]")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({', '.join(columns)}) "
        f"SELECT * FROM unnest({', '.join(casts)})"
        f"{' ON CONFLICT DO NOTHING' if ignore_conflicts else ''}"
        f" RETURNING {connection.ops.quote_name(meta.pk.column)}"
    )
    params = [list(col) for col in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]
