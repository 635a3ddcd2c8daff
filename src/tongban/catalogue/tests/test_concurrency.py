"""Parallel writers on one item code: row locks keep one draft and one published version per code.

Needs PostgreSQL (SQLite serialises writers anyway): DATABASE_URL=postgres://… pytest -m postgres
"""

import threading

import pytest
from django.db import connection, connections

from tongban.catalogue import services
from tongban.catalogue.choices import ItemStatus
from tongban.catalogue.models import ServiceItem
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.common.errors import ServiceError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n: int, work) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(n)

    def run(i: int):
        try:
            barrier.wait()
            work(i)
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_parallel_edits_of_a_published_item_make_exactly_one_draft():
    item = ServiceItemFactory(materials=2)
    outcomes = _race(
        8, lambda i: services.item_update(actor=None, item=item.pk, fields={"name": f"并发修改{i}"})
    )
    assert outcomes.count("ok") == 1 and outcomes.count("conflict") == 7
    assert ServiceItem.objects.filter(code=item.code, status=ItemStatus.DRAFT).count() == 1
    assert ServiceItem.objects.get(pk=item.pk).status == ItemStatus.PUBLISHED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_parallel_publish_of_one_draft_publishes_once():
    item = ServiceItemFactory()
    draft = services.item_new_version(actor=None, item=item)
    outcomes = _race(6, lambda i: services.item_publish(actor=None, item=draft.pk))
    assert outcomes.count("ok") == 1 and outcomes.count("illegal_transition") == 5
    statuses = dict(ServiceItem.objects.filter(code=item.code).values_list("version", "status"))
    assert statuses == {1: ItemStatus.RETIRED, 2: ItemStatus.PUBLISHED}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_parallel_creation_of_one_synonym_is_one_row_and_conflicts():
    from tongban.catalogue import search_services
    from tongban.catalogue.models import SearchEvent, SearchSynonym

    outcomes = _race(
        6,
        lambda i: search_services.synonym_create(
            actor=None, fields={"phrase": "丢了", "terms": [f"补领{i}"]}
        ),
    )
    assert outcomes.count("ok") == 1 and outcomes.count("conflict") == 5
    assert SearchSynonym.objects.count() == 1 and SearchEvent.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_parallel_edits_of_one_synonym_seen_at_the_same_time_let_one_win():
    from tongban.catalogue import search_services
    from tongban.catalogue.models import SearchEvent, SearchSynonym

    synonym = search_services.synonym_create(actor=None, fields={"phrase": "丢了", "terms": ["补领"]})
    seen = synonym.updated_at
    outcomes = _race(
        6,
        lambda i: search_services.synonym_update(
            actor=None, synonym=synonym.pk, fields={"terms": [f"补办{i}"]}, expected_updated_at=seen
        ),
    )
    assert outcomes.count("ok") == 1 and outcomes.count("conflict") == 5
    assert SearchEvent.objects.filter(kind="updated").count() == 1
    assert SearchSynonym.objects.get().terms[0].startswith("补办")
