"""`Prepared` queries give what the queryset gives, compile once per connection, and keep Django's
guards (FOR UPDATE only inside a transaction)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

from tongban.common.prepared import Prepared
from tongban.organisations.models import ServiceHall
from tongban.organisations.tests.factories import HallFactory

pytestmark = pytest.mark.django_db

BY_PK = Prepared(lambda pk: ServiceHall.objects.select_related("region").filter(pk=pk).order_by(), "int")
BY_CODE_AND_LEVEL = Prepared(
    lambda code, level: ServiceHall.objects.filter(code=code, level=level).order_by("pk"), "text", "text"
)
LOCK = Prepared(lambda pk: ServiceHall.objects.select_for_update().filter(pk=pk).order_by(), "int")


def test_same_instances_as_the_queryset_with_related_rows_populated(django_assert_num_queries):
    a, b = HallFactory(), HallFactory()
    BY_PK.first(a.pk)  # the first run in a session also prepares the statement (PostgreSQL)
    for hall in (a, b):
        expected = ServiceHall.objects.select_related("region").get(pk=hall.pk)
        with django_assert_num_queries(1):
            got = BY_PK.first(hall.pk)
            region_name = got.region.name  # populated by select_related: no second query
        assert [(f.attname, getattr(got, f.attname)) for f in ServiceHall._meta.concrete_fields] == [
            (f.attname, getattr(expected, f.attname)) for f in ServiceHall._meta.concrete_fields
        ]
        assert region_name == expected.region.name
        assert got._state.adding is False and got._state.db == "default"
    assert BY_PK.first(10**9) is None
    assert BY_PK.first(None) is None


def test_text_markers_and_several_rows():
    a = HallFactory(code="PREP-A")
    HallFactory(code="PREP-B", level=a.level)
    assert [h.pk for h in BY_CODE_AND_LEVEL.fetch("PREP-A", a.level)] == [a.pk]
    assert BY_CODE_AND_LEVEL.fetch("PREP-A", "no-such-level") == []


def test_lists_for_in_compiled_once_per_length_and_a_marker_used_twice():
    halls = [HallFactory() for _ in range(4)]
    ids = [h.pk for h in halls]
    among = Prepared(lambda pks: ServiceHall.objects.filter(pk__in=pks).order_by("pk"), "ints")
    assert [h.pk for h in among.fetch(ids[:2])] == ids[:2]
    assert [h.pk for h in among.fetch(ids[2:])] == ids[2:]
    assert [h.pk for h in among.fetch(ids[1:4])] == ids[1:4]
    assert among.fetch([]) == []
    assert [h.pk for h in among.fetch([*ids, *range(10**6, 10**6 + 1000)])] == ids  # long: plain queryset
    twice = Prepared(
        lambda pk: ServiceHall.objects.filter(Q(pk=pk) | Q(region__halls__pk=pk)).distinct().order_by("pk"),
        "int",
    )
    assert [h.pk for h in twice.fetch(ids[3])] == [ids[3]]


def test_compiled_once_per_connection():
    halls = [HallFactory() for _ in range(3)]
    query = Prepared(lambda pk: ServiceHall.objects.filter(pk=pk).order_by(), "int")
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        assert [query.first(h.pk).pk for h in halls] == [h.pk for h in halls]
    assert as_sql.call_count == 1
    assert getattr(connection, "_tongban_prepared", None)


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction, as in a request
def test_for_update_only_inside_a_transaction():
    hall = HallFactory()
    with transaction.atomic():
        assert LOCK.first(hall.pk).pk == hall.pk
    with pytest.raises(TransactionManagementError):
        LOCK.first(hall.pk)


def test_a_marker_that_does_not_reach_the_sql_is_refused():
    HallFactory()
    fixed = Prepared(lambda pk: ServiceHall.objects.filter(pk=1).order_by(), "int")
    with pytest.raises(ValueError, match="appears 0 times"):
        fixed.fetch(1)
    with pytest.raises(TypeError):
        BY_PK.fetch()
    with pytest.raises(ValueError):
        Prepared(lambda pk: ServiceHall.objects.all(), "date")


@pytest.mark.django_db(transaction=True)
def test_server_prepared_statements_outlive_rollbacks_and_follow_new_sessions():
    """PostgreSQL: PREPARE once per session; a rolled-back transaction keeps it, a new session (the
    connection closed and opened again) prepares again; with the setting off, plain SQL is sent."""
    from django.test.utils import CaptureQueriesContext, override_settings

    hall = HallFactory()
    query = Prepared(lambda pk: ServiceHall.objects.filter(pk=pk).order_by(), "int")

    def statements():
        with CaptureQueriesContext(connection) as ctx:
            assert query.first(hall.pk).pk == hall.pk
        return [q["sql"].split(" ")[0] for q in ctx.captured_queries]

    if connection.vendor != "postgresql":
        assert statements() == ["SELECT"]
        return
    with pytest.raises(RuntimeError), transaction.atomic():
        assert statements() == ["PREPARE", "EXECUTE"]
        raise RuntimeError("roll back")
    assert statements() == ["EXECUTE"]
    connection.close()
    assert statements() == ["PREPARE", "EXECUTE"]
    with override_settings(TONGBAN_SERVER_PREPARED=False):
        assert statements() == ["SELECT"]
