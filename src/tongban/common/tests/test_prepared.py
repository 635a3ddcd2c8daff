"""`Prepared` queries give what the queryset gives, compile once per connection, and keep Django's
guards (FOR UPDATE only inside a transaction)."""

from __future__ import annotations

import itertools
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

from tongban.common.prepared import Prepared

pytestmark = pytest.mark.django_db

# Django's own Permission (a foreign key to its ContentType) stands in for a hot model: the kernel's
# tests import no app.
BY_PK = Prepared(lambda pk: Permission.objects.select_related("content_type").filter(pk=pk).order_by(), "int")
BY_CODE_AND_LABEL = Prepared(
    lambda code, label: Permission.objects.filter(codename=code, content_type__app_label=label).order_by(
        "pk"
    ),
    "text",
    "text",
)
LOCK = Prepared(lambda pk: Permission.objects.select_for_update().filter(pk=pk).order_by(), "int")
_SEQ = itertools.count()


def make(codename: str | None = None, *, label: str = "prepared") -> Permission:
    """A permission of its own content type (so "the same content type" relates no two)."""
    n = next(_SEQ)
    content_type = ContentType.objects.create(app_label=label, model=f"m{n}")
    return Permission.objects.create(content_type=content_type, codename=codename or f"p{n}", name=f"p{n}")


def test_same_instances_as_the_queryset_with_related_rows_populated(django_assert_num_queries):
    a, b = make(), make()
    BY_PK.first(a.pk)  # the first run in a session also prepares the statement (PostgreSQL)
    for perm in (a, b):
        expected = Permission.objects.select_related("content_type").get(pk=perm.pk)
        with django_assert_num_queries(1):
            got = BY_PK.first(perm.pk)
            model_name = got.content_type.model  # populated by select_related: no second query
        assert [(f.attname, getattr(got, f.attname)) for f in Permission._meta.concrete_fields] == [
            (f.attname, getattr(expected, f.attname)) for f in Permission._meta.concrete_fields
        ]
        assert model_name == expected.content_type.model
        assert got._state.adding is False and got._state.db == "default"
    assert BY_PK.first(10**9) is None
    assert BY_PK.first(None) is None


def test_text_markers_and_several_rows():
    a = make("PREP-A")
    make("PREP-B")
    assert [p.pk for p in BY_CODE_AND_LABEL.fetch("PREP-A", "prepared")] == [a.pk]
    assert BY_CODE_AND_LABEL.fetch("PREP-A", "no-such-label") == []


def test_lists_for_in_compiled_once_per_length_and_a_marker_used_twice():
    perms = [make() for _ in range(4)]
    ids = [p.pk for p in perms]
    among = Prepared(lambda pks: Permission.objects.filter(pk__in=pks).order_by("pk"), "ints")
    assert [p.pk for p in among.fetch(ids[:2])] == ids[:2]
    assert [p.pk for p in among.fetch(ids[2:])] == ids[2:]
    assert [p.pk for p in among.fetch(ids[1:4])] == ids[1:4]
    assert among.fetch([]) == []
    assert [p.pk for p in among.fetch([*ids, *range(10**6, 10**6 + 1000)])] == ids  # long: plain queryset
    twice = Prepared(
        lambda pk: (
            Permission.objects.filter(Q(pk=pk) | Q(content_type__permission__pk=pk)).distinct().order_by("pk")
        ),
        "int",
    )
    assert [p.pk for p in twice.fetch(ids[3])] == [ids[3]]


def test_compiled_once_per_connection():
    perms = [make() for _ in range(3)]
    query = Prepared(lambda pk: Permission.objects.filter(pk=pk).order_by(), "int")
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        assert [query.first(p.pk).pk for p in perms] == [p.pk for p in perms]
    assert as_sql.call_count == 1
    assert getattr(connection, "_tongban_prepared", None)


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction, as in a request
def test_for_update_only_inside_a_transaction():
    perm = make()
    with transaction.atomic():
        assert LOCK.first(perm.pk).pk == perm.pk
    with pytest.raises(TransactionManagementError):
        LOCK.first(perm.pk)


def test_a_marker_that_does_not_reach_the_sql_is_refused():
    make()
    fixed = Prepared(lambda pk: Permission.objects.filter(pk=1).order_by(), "int")
    with pytest.raises(ValueError, match="appears 0 times"):
        fixed.fetch(1)
    with pytest.raises(TypeError):
        BY_PK.fetch()
    with pytest.raises(ValueError):
        Prepared(lambda pk: Permission.objects.all(), "date")


@pytest.mark.django_db(transaction=True)
def test_server_prepared_statements_outlive_rollbacks_and_follow_new_sessions():
    """PostgreSQL: PREPARE once per session; a rolled-back transaction keeps it, a new session (the
    connection closed and opened again) prepares again; with the setting off, plain SQL is sent."""
    from django.test.utils import CaptureQueriesContext, override_settings

    perm = make()
    query = Prepared(lambda pk: Permission.objects.filter(pk=pk).order_by(), "int")

    def statements():
        with CaptureQueriesContext(connection) as ctx:
            assert query.first(perm.pk).pk == perm.pk
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
