"""Fast multi-row writes on PostgreSQL: one `INSERT … SELECT FROM unnest(arrays)` and `UPDATE … WHERE
id = ANY(array)` with one parameter per column, bound server-side. The ORM's bulk_create and `pk__in`
bind one parameter per value and psycopg's client-side binding (Django's default) quotes each into the
SQL text — that dominated a 1,000-row batch. `sweep_write` does a whole sweep batch in one statement.
Elsewhere (SQLite): the ORM."""

from __future__ import annotations

import functools

import psycopg
from django.db import connection


def _server_cursor():
    """A server-side-binding cursor on Django's connection, wrapped as Django wraps its own cursors, so
    query counters, debug logging and database-error translation see these statements too."""
    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


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


@functools.cache
def _cast(model, name: str) -> tuple[str, str]:
    """(quoted column, PostgreSQL type) of a field: asked for every column of every batch."""
    f = model._meta.get_field(name)
    return connection.ops.quote_name(f.column), f.db_type(connection)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array_literal(values: list, db_type: str) -> str:
    """A PostgreSQL array literal ('{1,2,NULL}') for a `%s::type[]` parameter. Why not psycopg's list
    dumping: it encodes element by element in Python (~1.4 µs each); these joins are several times
    cheaper, and a sweep batch sends about twenty arrays of a thousand elements."""
    if db_type.startswith(("varchar", "text", "char")):  # few distinct values: kinds, levels, codes
        encode = {v: _quoted(v) for v in set(values) if v is not None}.__getitem__
    elif db_type == "boolean":
        encode = {True: "t", False: "f"}.__getitem__
    else:  # integers and dates: str() is their literal form
        encode = str
    if None in values:
        return "{" + ",".join("NULL" if v is None else encode(v) for v in values) + "}"
    return "{" + ",".join(map(encode, values)) + "}"


def _insert_from_arrays(model, columns: dict[str, list], constants: dict[str, object]) -> tuple[str, list]:
    """`INSERT INTO t (…) SELECT …` one row per element of the `columns` lists, the `constants` the
    same on every row (bound once: no list of 1,000 identical values to encode)."""
    names, exprs, const_params = [], [], []
    for i, name in enumerate(columns):
        names.append(_cast(model, name)[0])
        exprs.append(f"v.c{i}")
    for name, value in constants.items():
        column, db_type = _cast(model, name)
        names.append(column)
        if value is None:
            exprs.append("NULL")
        else:
            exprs.append(f"%b::{db_type}")
            const_params.append(value)
    types = [_cast(model, name)[1] for name in columns]
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(names)}) "
        f"SELECT {', '.join(exprs)} FROM unnest({arrays}) AS v({aliases})"
    )
    # placeholders in text order: the constants (in the SELECT list), then the arrays (in FROM)
    literals = [array_literal(v, t) for v, t in zip(columns.values(), types, strict=True)]
    return sql, [*const_params, *literals]


def sweep_write(
    model,
    updates: dict[str, list],
    events: tuple[object, dict[str, list], dict[str, object]],
    cards: tuple[object, dict[str, list], dict[str, object]],
    card_events: tuple[object, dict[str, object]],
    *,
    async_commit: bool = False,
) -> tuple[int, int]:
    """One sweep batch in ONE statement on PostgreSQL (data-modifying CTEs): per-row new values of
    the watches (`updates`, with "id"), the crossing log rows and the rule cards (both `ON CONFLICT DO
    NOTHING`: a crossing or a (rule, subject) already recorded is skipped), and an "issued" log row for
    each card actually inserted. Returns (log rows inserted, cards inserted). `async_commit`: the
    enclosing transaction commits without waiting for the WAL flush (SET LOCAL synchronous_commit).

    Why one statement: the batch then costs one round trip and one parse whatever its size, and the
    server does only the row work; each array is one text parameter (see `array_literal`)."""
    ids = updates["id"]
    sets, arrays, params = [], [], []
    for i, (name, values) in enumerate(updates.items()):
        column, db_type = _cast(model, name)
        arrays.append(f"%s::{db_type}[]")
        params.append(array_literal(values, db_type))
        if name != "id":
            sets.append(f"{column} = v.c{i}")
    aliases = ", ".join(f"c{i}" for i in range(len(updates)))
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    update_sql = (
        f"UPDATE {table} AS d SET {', '.join(sets)} FROM unnest({', '.join(arrays)}) AS v({aliases}) "
        f"WHERE d.{pk} = v.c0"
    )
    event_model, event_columns, event_constants = events
    event_sql, event_params = _insert_from_arrays(event_model, event_columns, event_constants)
    card_model, card_columns, card_constants = cards
    card_sql, card_params = _insert_from_arrays(card_model, card_columns, card_constants)
    ce_model, ce_constants = card_events
    ce_names, ce_exprs, ce_params = [], [], []
    for name, value in ce_constants.items():
        column, db_type = _cast(ce_model, name)
        ce_names.append(column)
        ce_exprs.append(f"%b::{db_type}")
        ce_params.append(value)
    ce_sql = (
        f"INSERT INTO {connection.ops.quote_name(ce_model._meta.db_table)} "
        f"(card_id, to_status, note, {', '.join(ce_names)}) "
        f"SELECT c.id, c.status, c.reason, {', '.join(ce_exprs)} FROM c"
    )
    sql = (
        f"WITH u AS ({update_sql} RETURNING 1), "
        f"e AS ({event_sql} ON CONFLICT DO NOTHING RETURNING 1), "
        f"c AS ({card_sql} ON CONFLICT DO NOTHING RETURNING id, status, reason), "
        f"ce AS ({ce_sql} RETURNING 1) "
        "SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM e), (SELECT count(*) FROM c)"
        + (", set_config('synchronous_commit', 'off', true)" if async_commit else "")
    )
    with _server_cursor() as cursor:
        cursor.execute(sql, [*params, *event_params, *card_params, *ce_params])
        updated, inserted, carded = cursor.fetchone()[:3]
    if updated != len(ids):  # every row is locked by the caller: anything else is a bug, not a race
        raise RuntimeError(f"sweep batch updated {updated} of {len(ids)} watches")
    return inserted, carded
