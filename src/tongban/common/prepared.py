"""Querysets compiled to SQL once per connection, then run again with other parameter values.

Django compiles a queryset to SQL every time it runs it. For the hot reads of the case services
(e.g. the case lock: 43 columns joined to six tables) compiling takes longer than PostgreSQL takes to
plan and run the statement (~2.5 ms against ~0.5 ms on a 2-core machine), and it is the same statement
every time with another id. A `Prepared` query builds its queryset once with marker values, keeps the
SQL and the compiler, and turns each later result into model instances exactly as Django's
`ModelIterable` does (converters, `from_db`, select_related populators), so callers get ordinary
model instances.

Only parameters given as markers change between runs; anything else in the queryset (status filters,
ordering) is fixed when it is first compiled. A marker must appear exactly once in the compiled
parameters, which is checked on first use. Lists of varying length (`__in`) cannot be markers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# Marker values nobody stores: one per position, for integer and for text parameters.
_INT_MARKERS = tuple(-7_346_000_000_000_000_000 - n for n in range(8))
_TEXT_MARKERS = tuple(f"\x00tongban-marker-{n}\x00" for n in range(8))


class Prepared:
    """A model query compiled once per database connection (see the module docstring).

    `build(*markers)` returns the queryset; `kinds` says for each argument whether it is an "int"
    (ids, numbers) or a "text" value. `fetch(*values)` returns the model instances.
    """

    def __init__(self, build: Callable[..., QuerySet], *kinds: str, using: str = DEFAULT_DB_ALIAS) -> None:
        if any(k not in ("int", "text") for k in kinds):
            raise ValueError("kinds must be 'int' or 'text'")
        self._build = build
        self._kinds = kinds
        self._using = using
        self._key = object()  # this query's slot in each connection's cache

    def _markers(self) -> list[Any]:
        ints, texts = iter(_INT_MARKERS), iter(_TEXT_MARKERS)
        return [next(ints) if k == "int" else next(texts) for k in self._kinds]

    def _compiled(self, connection) -> _Compiled:
        cache = connection.__dict__.setdefault("_tongban_prepared", {})
        compiled = cache.get(self._key)
        if compiled is None:
            markers = self._markers()
            compiled = cache[self._key] = _Compiled(self._build(*markers), connection, markers)
        return compiled

    def fetch(self, *values: Any) -> list[Model]:
        """Run the query with `values` in place of the markers; model instances in result order."""
        if len(values) != len(self._kinds):
            raise TypeError(f"expected {len(self._kinds)} values, got {len(values)}")
        connection = connections[self._using]
        return self._compiled(connection).run(connection, values)

    def first(self, *values: Any) -> Model | None:
        rows = self.fetch(*values)
        return rows[0] if rows else None


class _Compiled:
    """The SQL, the parameter slots of the markers and the row-to-model plan of one query."""

    def __init__(self, queryset: QuerySet, connection, markers: list[Any]) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []
        for marker in markers:
            found = [i for i, p in enumerate(params) if type(p) is type(marker) and p == marker]
            if len(found) != 1:
                raise ValueError(f"marker {marker!r} appears {len(found)} times in the compiled parameters")
            slots.append(found[0])
        self.sql, self.params, self.slots = sql, params, slots
        self.for_update = queryset.query.select_for_update
        self.compiler = compiler
        self.db = queryset.db
        select, klass_info = compiler.select, compiler.klass_info
        select_fields = klass_info["select_fields"]
        self.start, self.end = select_fields[0], select_fields[-1] + 1
        self.model = klass_info["model"]
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.converters = compiler.get_converters([s[0] for s in select[0 : compiler.col_count]])
        self.populators_info = klass_info, select

    def run(self, connection, values) -> list[Model]:
        if self.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = value
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        populators = get_related_populators(*self.populators_info, self.db)
        result = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in populators:
                populator.populate(row, obj)
            result.append(obj)
        return result
