"""A new catalogue version keeps the back-office process of the version before it."""

import pytest

from tongban.cases.models import ProcessDefinition
from tongban.cases.services import process_define
from tongban.catalogue.services import item_new_version
from tongban.catalogue.tests.factories import ServiceItemFactory


@pytest.mark.django_db
def test_new_item_version_inherits_the_process_definition():
    item = ServiceItemFactory(promised_limit=10, statutory_limit=20)
    process_define(
        item_id=item.pk,
        stages=[
            {
                "name": "审查",
                "kind": "single",
                "steps": [{"name": "材料审查", "department_id": item.department_id, "limit_days": 6}],
            }
        ],
    )
    new = item_new_version(actor=None, item=item)
    copied = ProcessDefinition.objects.get(item=new)
    stages = list(copied.stages.prefetch_related("steps"))
    assert [s.name for s in stages] == ["审查"]
    assert [(st.name, st.limit_days) for st in stages[0].steps.all()] == [("材料审查", 6)]
    # the original keeps its own definition
    assert ProcessDefinition.objects.filter(item=item).count() == 1
