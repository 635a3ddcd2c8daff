"""Querysets compiled to SQL once per connection, then run again with other parameter values.

Django compiles a queryset to SQL every time it runs it. For the hot reads of the case services
(e.g. the case lock: 43 columns joined to six tables) compiling takes longer than PostgreSQL takes to
plan and run the statement (~2.5 ms against ~0.5 ms on a 2-core machine), and it is the same statement
every time with another id. A `Prepared` query builds its queryset once with marker values, keeps the
SQL and the compiler, and turns each later result into model instances exactly as Django's
`ModelIterable` does (converters, `from_db`, select_related populators), so callers get ordinary
model instances.

Only parameters given as markers change between runs; anything else in the queryset (status filters,
ordering) is fixed when it is first compiled. A marker must appear in the compiled
parameters (checked on first use; it may appear several times). A list for an `__in` lookup is
compiled once for each length met. Integer markers are 20000 upwards: a query to prepare must not
hold such a number as a constant of its own.

On PostgreSQL the statement is also prepared on the server (PREPARE, then EXECUTE with the values),
once per database session: planning the case lock's join took ~1.2 ms of its ~2 ms. Prepared
statements live as long as the session and outlast a rollback; the setting
`TONGBAN_SERVER_PREPARED = False` turns this off for a pooler that shares sessions between clients
(PgBouncer in transaction mode).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# Integer markers: positive and inside a small-integer field's range (Django 5 compiles a lookup with a
# value out of its field's range to "no rows", leaving no parameter to find): 20000 + 1000 × argument
# + list element. A list of MAX_LIST or more values runs as a plain queryset instead.
_INT_MARKER_BASE = 20_000
MAX_LIST = 1_000
MAX_ARGUMENTS = 12


def _int_marker(argument: int, element: int = 0) -> int:
    return _INT_MARKER_BASE + argument * MAX_LIST + element


_M = TypeVar("_M", bound=Model)


class Prepared(Generic[_M]):
    """A model query compiled once per database connection (see the module docstring).

    `build(*markers)` returns the queryset; `kinds` says for each argument whether it is an "int"
    (an id, a number), a "text" value or "ints", a list of integers for an `__in` lookup (compiled
    once for each list length met). `fetch(*values)` returns the model instances.
    """

    KINDS = ("int", "text", "ints")

    def __init__(
        self, build: Callable[..., QuerySet[_M]], *kinds: str, using: str = DEFAULT_DB_ALIAS
    ) -> None:
        if any(k not in self.KINDS for k in kinds):
            raise ValueError(f"kinds must be one of {self.KINDS}")
        if len(kinds) > MAX_ARGUMENTS:
            raise ValueError(f"at most {MAX_ARGUMENTS} arguments")
        self._build = build
        self._kinds = kinds
        self._using = using
        self._key = object()  # this query's slot in each connection's cache

    def _markers(self, values: tuple) -> list[Any]:
        markers: list[Any] = []
        for a, (kind, value) in enumerate(zip(self._kinds, values, strict=True)):
            if kind == "int":
                markers.append(_int_marker(a))
            elif kind == "text":
                markers.append(f"\x00tongban-marker-{a}\x00")
            else:
                markers.append([_int_marker(a, i) for i in range(len(value))])
        return markers

    def _compiled(self, connection, values: tuple) -> _Compiled[_M]:
        cache = connection.__dict__.setdefault("_tongban_prepared", {})
        key = (self._key, *(len(v) for k, v in zip(self._kinds, values, strict=True) if k == "ints"))
        compiled = cache.get(key)
        if compiled is None:
            markers = self._markers(values)
            compiled = cache[key] = _Compiled(self._build(*markers), connection, markers)
        return compiled

    def fetch(self, *values: Any) -> list[_M]:
        """Run the query with `values` in place of the markers; model instances in result order."""
        if len(values) != len(self._kinds):
            raise TypeError(f"expected {len(self._kinds)} values, got {len(values)}")
        if any(v is None for v in values):
            return []  # as `filter(pk=None)`: no row has a NULL key
        if any(k == "ints" and len(v) >= MAX_LIST for k, v in zip(self._kinds, values, strict=True)):
            return list(self._build(*values))  # too long to keep a statement for
        connection = connections[self._using]
        return self._compiled(connection, values).run(connection, values)

    def first(self, *values: Any) -> _M | None:
        rows = self.fetch(*values)
        return rows[0] if rows else None


_statement_names = itertools.count(1)
_PLACEHOLDER = re.compile(r"%%|%s")


def _numbered(sql: str) -> str:
    """Django's `%s` placeholders as PostgreSQL's `$1, $2, …` (and `%%` back to `%`), for PREPARE."""
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(counter)}", sql)


def _server_prepared(connection) -> set[str]:
    """The names prepared in the current session of `connection` (a new session starts empty)."""
    raw = connection.connection
    state = connection.__dict__.get("_tongban_server_prepared")
    if state is None or state[0] is not raw:
        state = connection.__dict__["_tongban_server_prepared"] = (raw, set())
    return state[1]


class _Compiled(Generic[_M]):
    """The SQL, the parameter slots of the markers and the row-to-model plan of one query."""

    def __init__(self, queryset: QuerySet[_M], connection, markers: list[Any]) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # e.g. an empty `__in` list: Django would not run it either
            sql, params = "", ()
        params = list(params)
        # slots: (parameter position, argument index, list element or None, the parameter's type — the
        # PostgreSQL backend passes typed values such as psycopg's Int8, and they are kept)
        slots: list[tuple[int, int, int | None, type]] = []
        for a, marker in enumerate(markers):
            for e, m in enumerate(marker) if isinstance(marker, list) else [(None, marker)]:
                found = [i for i, p in enumerate(params) if isinstance(p, type(m)) and p == m]
                if not found and sql:
                    raise ValueError(f"marker {m!r} appears 0 times in the compiled parameters")
                slots.extend((i, a, e, type(params[i])) for i in found)
        self.sql, self.params, self.slots = sql, params, slots
        self.name = f"tongban_prepared_{next(_statement_names)}"
        self.for_update = queryset.query.select_for_update
        if not sql:
            return
        self.compiler = compiler
        self.db = queryset.db
        select, klass_info = compiler.select, compiler.klass_info
        select_fields = klass_info["select_fields"]
        self.start, self.end = select_fields[0], select_fields[-1] + 1
        self.model = klass_info["model"]
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.converters = compiler.get_converters([s[0] for s in select[0 : compiler.col_count]])
        self.populators_info = klass_info, select

    def run(self, connection, values) -> list[_M]:
        if self.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        if not self.sql:
            return []
        params = list(self.params)
        for position, argument, element, kind in self.slots:
            value = values[argument]
            params[position] = kind(value if element is None else value[element])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and settings.TONGBAN_SERVER_PREPARED:
                prepared = _server_prepared(connection)
                if self.name not in prepared:
                    cursor.execute(f"PREPARE {self.name} AS {_numbered(self.sql)}")
                    prepared.add(self.name)
                values_sql = f"({', '.join(['%s'] * len(params))})" if params else ""
                cursor.execute(f"EXECUTE {self.name}{values_sql}", params)
            else:
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
