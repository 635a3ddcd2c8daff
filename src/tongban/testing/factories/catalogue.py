"""Factories for the catalogue (other apps import these, never redefine them).

- `ServiceItemFactory()`: a PUBLISHED item (version 1, published_at now) of a fresh department;
  `ServiceItemFactory(draft=True)` for a draft; `ServiceItemFactory(materials=3)` adds three materials.
- `MaterialRequirementFactory(item=item)`: a required applicant-submitted material.
- `DepartmentFactory` / `RegionFactory` are the organisation's (valid credit codes), re-exported here.

Factories write rows directly (fast fixtures); code under test should go through catalogue.services.
"""

from __future__ import annotations

import factory
from django.utils import timezone

from tongban.catalogue.choices import (
    ApplicantKind,
    CaseKind,
    ItemCategory,
    ItemStatus,
    ItemType,
    LimitUnit,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    ServiceLevel,
)
from tongban.catalogue.models import MaterialRequirement, ServiceItem
from tongban.testing.factories.organisations import DepartmentFactory, RegionFactory, make_credit_code

__all__ = [
    "DepartmentFactory",
    "MaterialRequirementFactory",
    "RegionFactory",
    "ServiceItemFactory",
    "make_credit_code",
]


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(status=ItemStatus.DRAFT)

    code = factory.Sequence(lambda n: f"TB{n + 1:06d}")
    version = 1
    status = ItemStatus.PUBLISHED
    name = factory.Sequence(lambda n: f"测试事项{n}")
    item_type = ItemType.LICENSING
    department = factory.SubFactory(DepartmentFactory)
    level = ServiceLevel.DISTRICT
    region = None
    category = ItemCategory.CITIZEN
    applicant_kinds = factory.LazyFunction(lambda: [ApplicantKind.NATURAL.value])
    life_events = factory.LazyFunction(list)
    summary = "测试用事项简介。"
    legal_basis = "《中华人民共和国行政许可法》第二十九条"
    conditions = "符合法定条件的申请人均可申请。"
    statutory_limit = 20
    statutory_limit_unit = LimitUnit.WORKING_DAYS
    promised_limit = 5
    promised_limit_unit = LimitUnit.WORKING_DAYS
    case_kind = CaseKind.PROMISED
    visits_required = 1
    online_depth = OnlineDepth.ACCEPT
    place = "区政务服务中心一楼综合受理窗口"
    hours = "工作日 9:00–12:00，13:30–17:00"
    phone = "020-12345678"
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == ItemStatus.PUBLISHED else None
    )

    @factory.post_generation
    def materials(obj, create, extracted, **kwargs):
        """`materials=N` adds N required materials at positions 1..N."""
        if not create or not extracted:
            return
        for i in range(int(extracted)):
            MaterialRequirementFactory(item=obj, position=i + 1)


class MaterialRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaterialRequirement

    item = factory.SubFactory(ServiceItemFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"测试材料{n}")
    form = MaterialForm.BOTH
    original_copies = 1
    copy_copies = 1
    required = True
    condition = ""
    source = MaterialSource.APPLICANT
