"""Administrators saving at the same moment: one process save wins, the others get a clear 409, and the
materials' numbers stay 1..n whatever order the writes come in.

Needs PostgreSQL (SQLite serialises writers anyway): DATABASE_URL=postgres://… pytest -m postgres
"""

from __future__ import annotations

import pytest
from django.db import connection

from tongban.accounts.tests.factories import StaffFactory
from tongban.cases import services
from tongban.cases.processes import plan_revision, process_for_item
from tongban.catalogue import services as catalogue_services
from tongban.catalogue.choices import ItemEventKind, ItemStatus
from tongban.catalogue.models import ItemEvent, ServiceItem
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.common.errors import ServiceError
from tongban.common.testing import run_together
from tongban.organisations.choices import StaffRole

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def stages(item, name: str) -> list[dict]:
    dept = item.department_id
    return [
        {"name": name, "kind": "single", "steps": [{"name": "审查", "department_id": dept, "limit_days": 2}]}
    ]


def race(n: int, work) -> list[str]:
    outcomes: list[str] = []
    counter = iter(range(n))

    def action():
        i = next(counter)
        try:
            work(i)
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.code)

    run_together(n, action)
    return outcomes


def test_parallel_saves_of_one_draft_keep_exactly_one():
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR)
    item = ServiceItemFactory(promised_limit=8, statutory_limit=20)
    draft = catalogue_services.item_new_version(actor=admin, item=item.pk)
    seen = plan_revision(process_for_item(draft))
    outcomes = race(
        4,
        lambda i: services.process_define(
            actor=admin, item_id=draft.pk, stages=stages(draft, f"审查{i}"), expected_revision=seen
        ),
    )
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert ItemEvent.objects.filter(item=draft, kind=ItemEventKind.PROCESS_UPDATED).count() == 1
    assert len(process_for_item(draft).stages) == 1


def test_parallel_saves_of_a_published_version_make_one_draft():
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR)
    item = ServiceItemFactory(promised_limit=8, statutory_limit=20)
    outcomes = race(
        4, lambda i: services.process_define(actor=admin, item_id=item.pk, stages=stages(item, f"审查{i}"))
    )
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert ServiceItem.objects.filter(code=item.code, status=ItemStatus.DRAFT).count() == 1
    assert process_for_item(ServiceItem.objects.get(pk=item.pk)).is_default  # the published one untouched


def test_materials_stay_numbered_when_added_and_reordered_at_once():
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR)
    draft = ServiceItemFactory(draft=True)
    for name in ("申请书", "营业执照", "身份证明"):
        catalogue_services.material_add(actor=admin, item=draft, fields={"name": name})
    ids = list(draft.materials.order_by("position").values_list("pk", flat=True))

    def work(i: int):
        if i % 2:
            catalogue_services.material_add(actor=admin, item=draft, fields={"name": f"补充材料{i}"})
        else:
            catalogue_services.material_reorder(actor=admin, item=draft, order=ids[::-1])

    outcomes = race(4, work)
    # a reorder that comes after an addition no longer lists every material: refused, nothing half-done
    assert set(outcomes) <= {"ok", "validation_failed"} and outcomes.count("ok") >= 2
    positions = list(draft.materials.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))
