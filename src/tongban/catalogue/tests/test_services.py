"""Catalogue writes: versioning, publishing, limits, materials, permissions and the change log."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tongban.accounts.tests.factories import StaffFactory
from tongban.catalogue import selectors, services
from tongban.catalogue.choices import ItemEventKind, ItemStatus, LimitUnit
from tongban.catalogue.models import ItemEvent, MaterialRequirement, ServiceItem
from tongban.catalogue.tests.factories import (
    DepartmentFactory,
    MaterialRequirementFactory,
    ServiceItemFactory,
)
from tongban.common.errors import Conflict, IllegalTransition, NotAllowed, NotFound, ValidationFailed
from tongban.organisations.choices import StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return StaffFactory.with_role(StaffRole.ADMINISTRATOR)


@pytest.fixture
def department():
    return DepartmentFactory()


def item_fields(department, **overrides):
    fields = {
        "name": "食品经营许可",
        "item_type": "01",
        "department": department,
        "category": "business",
        "applicant_kinds": ["legal"],
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "conditions": "有与经营的食品品种、数量相适应的经营场所。",
        "statutory_limit": 20,
        "promised_limit": 10,
    }
    fields.update(overrides)
    return fields


def test_create_makes_a_draft_version_1_and_logs_it(admin, department):
    item = services.item_create(actor=admin, code="SX001", fields=item_fields(department))
    assert (item.code, item.version, item.status) == ("SX001", 1, ItemStatus.DRAFT)
    assert item.search_initials  # pinyin index filled on save
    event = ItemEvent.objects.get(item=item)
    assert (event.kind, event.actor, event.version) == (ItemEventKind.CREATED, admin, 1)


def test_create_refuses_an_existing_code(admin, department):
    ServiceItemFactory(code="SX001")
    with pytest.raises(Conflict) as exc:
        services.item_create(actor=admin, code="SX001", fields=item_fields(department))
    assert exc.value.field == "code"
    assert ServiceItem.objects.filter(code="SX001").count() == 1


def test_promised_limit_may_not_exceed_statutory(admin, department):
    with pytest.raises(ValidationFailed) as exc:
        services.item_create(actor=admin, code="SX002", fields=item_fields(department, promised_limit=25))
    assert exc.value.field == "promised_limit"
    assert "承诺办结时限不得超过法定办结时限" in exc.value.message
    assert not ServiceItem.objects.filter(code="SX002").exists()


def test_promised_limit_compared_across_units(admin, department):
    # 20 natural days (~14 working days) > 10 working days statutory
    with pytest.raises(ValidationFailed):
        services.item_create(
            actor=admin,
            code="SX003",
            fields=item_fields(
                department,
                statutory_limit=10,
                promised_limit=20,
                promised_limit_unit=LimitUnit.NATURAL_DAYS,
            ),
        )
    item = services.item_create(
        actor=admin,
        code="SX003",
        fields=item_fields(
            department, statutory_limit=10, promised_limit=10, promised_limit_unit=LimitUnit.NATURAL_DAYS
        ),
    )
    assert item.pk


def test_database_refuses_promised_over_statutory_in_same_unit():
    item = ServiceItemFactory(statutory_limit=10, promised_limit=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.filter(pk=item.pk).update(promised_limit=11)


def test_missing_elements_are_named_in_chinese(admin, department):
    with pytest.raises(ValidationFailed) as exc:
        services.item_create(actor=admin, code="SX004", fields=item_fields(department, legal_basis=""))
    assert exc.value.field == "legal_basis"
    assert exc.value.message.startswith("设定依据：")


def test_unknown_field_is_refused(admin, department):
    with pytest.raises(ValidationFailed) as exc:
        services.item_create(actor=admin, code="SX005", fields=item_fields(department, status="published"))
    assert exc.value.field == "status"


def test_update_of_draft_edits_in_place(admin):
    draft = ServiceItemFactory(draft=True)
    updated = services.item_update(actor=admin, item=draft, fields={"name": "新名称"})
    assert updated.pk == draft.pk
    assert ServiceItem.objects.get(pk=draft.pk).name == "新名称"
    assert ServiceItem.objects.filter(code=draft.code).count() == 1
    assert ItemEvent.objects.get(item=draft).detail == {"fields": ["name"]}


def test_update_of_published_creates_a_new_draft_version_with_materials(admin):
    published = ServiceItemFactory(name="旧名称", materials=2)
    new = services.item_update(actor=admin, item=published, fields={"name": "新名称", "promised_limit": 3})
    assert new.pk != published.pk
    assert (new.version, new.status, new.name, new.promised_limit) == (2, ItemStatus.DRAFT, "新名称", 3)
    assert list(new.materials.values_list("name", flat=True)) == list(
        published.materials.values_list("name", flat=True)
    )
    old = ServiceItem.objects.get(pk=published.pk)
    assert (old.status, old.name, old.version, old.promised_limit) == (ItemStatus.PUBLISHED, "旧名称", 1, 5)
    assert old.materials.count() == 2
    event = ItemEvent.objects.get(item=new)
    assert event.kind == ItemEventKind.NEW_VERSION
    assert event.detail["from_version"] == 1


def test_second_new_version_while_a_draft_exists_is_a_conflict(admin):
    published = ServiceItemFactory()
    services.item_new_version(actor=admin, item=published)
    with pytest.raises(Conflict):
        services.item_update(actor=admin, item=published, fields={"name": "又一版"})
    assert ServiceItem.objects.filter(code=published.code).count() == 2


def test_retired_items_cannot_be_edited(admin):
    retired = ServiceItemFactory(status=ItemStatus.RETIRED)
    with pytest.raises(IllegalTransition):
        services.item_update(actor=admin, item=retired, fields={"name": "x"})
    assert ServiceItem.objects.get(pk=retired.pk).name == retired.name


def test_publish_supersedes_the_previous_version_atomically(admin):
    v1 = ServiceItemFactory(materials=1)
    v2 = services.item_new_version(actor=admin, item=v1)
    published = services.item_publish(actor=admin, item=v2)
    assert published.status == ItemStatus.PUBLISHED and published.published_at is not None
    assert ServiceItem.objects.get(pk=v1.pk).status == ItemStatus.RETIRED
    assert ServiceItem.objects.filter(code=v1.code, status=ItemStatus.PUBLISHED).get().pk == v2.pk
    kinds = set(ItemEvent.objects.filter(code=v1.code).values_list("version", "kind"))
    assert (1, ItemEventKind.SUPERSEDED) in kinds and (2, ItemEventKind.PUBLISHED) in kinds
    assert selectors.item_get_published(code=v1.code).pk == v2.pk


def test_only_one_published_version_per_code_in_the_database():
    item = ServiceItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItemFactory(code=item.code, version=2)


def test_publish_only_drafts(admin):
    item = ServiceItemFactory()
    with pytest.raises(IllegalTransition):
        services.item_publish(actor=admin, item=item)


def test_publish_revalidates(admin):
    draft = ServiceItemFactory(draft=True)
    ServiceItem.objects.filter(pk=draft.pk).update(legal_basis="")
    with pytest.raises(ValidationFailed):
        services.item_publish(actor=admin, item=draft)
    assert ServiceItem.objects.get(pk=draft.pk).status == ItemStatus.DRAFT


def test_retire_withdraws_from_catalogue(admin):
    item = ServiceItemFactory()
    services.item_retire(actor=admin, item=item, reason="职能调整")
    assert ServiceItem.objects.get(pk=item.pk).status == ItemStatus.RETIRED
    with pytest.raises(NotFound):
        selectors.item_get_published(code=item.code)
    event = ItemEvent.objects.get(item=item)
    assert event.detail == {"reason": "职能调整", "was": "published"}
    with pytest.raises(IllegalTransition):
        services.item_retire(actor=admin, item=item)


def test_department_staff_edit_own_drafts_but_not_publish(department):
    approver = StaffFactory.with_role(StaffRole.APPROVER, department=department)
    draft = ServiceItemFactory(draft=True, department=department)
    services.item_update(actor=approver, item=draft, fields={"name": "改名"})
    with pytest.raises(NotAllowed):
        services.item_publish(actor=approver, item=draft)
    assert ServiceItem.objects.get(pk=draft.pk).status == ItemStatus.DRAFT


def test_staff_of_other_departments_and_clerks_are_denied(department):
    other = StaffFactory.with_role(StaffRole.APPROVER, department=DepartmentFactory())
    clerk = StaffFactory.with_role(StaffRole.CLERK)
    draft = ServiceItemFactory(draft=True, department=department, name="原名")
    for actor in (other, clerk):
        with pytest.raises(NotAllowed):
            services.item_update(actor=actor, item=draft, fields={"name": "改名"})
        with pytest.raises(NotAllowed):
            services.material_add(actor=actor, item=draft, fields={"name": "x"})
        with pytest.raises(NotAllowed):
            services.item_create(actor=actor, code="NEW1", fields=item_fields(department))
    assert ServiceItem.objects.get(pk=draft.pk).name == "原名"
    assert not MaterialRequirement.objects.exists()
    assert not ServiceItem.objects.filter(code="NEW1").exists()
    assert not ItemEvent.objects.exists()


def test_approver_may_not_move_a_draft_to_another_department(department):
    approver = StaffFactory.with_role(StaffRole.APPROVER, department=department)
    draft = ServiceItemFactory(draft=True, department=department)
    with pytest.raises(NotAllowed):
        services.item_update(actor=approver, item=draft, fields={"department": DepartmentFactory()})
    assert ServiceItem.objects.get(pk=draft.pk).department_id == department.pk


def test_materials_change_only_on_drafts(admin):
    published = ServiceItemFactory(materials=1)
    material = published.materials.get()
    with pytest.raises(IllegalTransition):
        services.material_add(actor=admin, item=published, fields={"name": "营业执照"})
    with pytest.raises(IllegalTransition):
        services.material_update(actor=admin, material=material, fields={"name": "改"})
    with pytest.raises(IllegalTransition):
        services.material_remove(actor=admin, material=material)
    assert list(published.materials.values_list("name", flat=True)) == [material.name]


def test_material_add_update_remove_on_draft(admin):
    draft = ServiceItemFactory(draft=True)
    first = services.material_add(actor=admin, item=draft, fields={"name": "身份证"})
    second = services.material_add(
        actor=admin, item=draft, fields={"name": "委托书", "required": False, "condition": "委托代办时"}
    )
    assert (first.position, second.position) == (1, 2)
    services.material_update(actor=admin, material=first, fields={"copy_copies": 2})
    assert MaterialRequirement.objects.get(pk=first.pk).copy_copies == 2
    services.material_remove(actor=admin, material=second)
    assert list(draft.materials.values_list("name", flat=True)) == ["身份证"]
    kinds = list(ItemEvent.objects.filter(item=draft).order_by("id").values_list("kind", flat=True))
    assert kinds == [
        ItemEventKind.MATERIAL_ADDED,
        ItemEventKind.MATERIAL_ADDED,
        ItemEventKind.MATERIAL_UPDATED,
        ItemEventKind.MATERIAL_REMOVED,
    ]


def test_conditional_material_needs_its_condition(admin):
    draft = ServiceItemFactory(draft=True)
    with pytest.raises(ValidationFailed) as exc:
        services.material_add(actor=admin, item=draft, fields={"name": "委托书", "required": False})
    assert exc.value.field == "condition"
    assert not draft.materials.exists()


def test_a_material_added_at_a_taken_position_goes_there(admin):
    """Numbers are the order, not keys typed by hand: the one already at 1 moves down to 2."""
    draft = ServiceItemFactory(draft=True)
    first = MaterialRequirementFactory(item=draft, position=1, name="申请书")
    added = services.material_add(actor=admin, item=draft, fields={"name": "x", "position": 1})
    assert list(draft.materials.order_by("position").values_list("position", "name")) == [
        (1, "x"),
        (2, "申请书"),
    ]
    assert added.position == 1 and MaterialRequirement.objects.get(pk=first.pk).position == 2


def test_import_version_creates_next_version_published(admin):
    v1 = ServiceItemFactory(materials=2)
    fields = item_fields(v1.department, name="导入名称")
    item = services.item_import_version(
        actor=admin, code=v1.code, fields=fields, materials=[{"name": "申请书"}], source="json"
    )
    assert (item.version, item.status) == (2, ItemStatus.PUBLISHED)
    assert list(item.materials.values_list("position", "name")) == [(1, "申请书")]
    assert ServiceItem.objects.get(pk=v1.pk).status == ItemStatus.RETIRED


def test_import_version_refused_while_a_draft_is_pending(admin):
    v1 = ServiceItemFactory()
    services.item_new_version(actor=admin, item=v1)
    with pytest.raises(Conflict):
        services.item_import_version(
            actor=admin, code=v1.code, fields=item_fields(v1.department), materials=[], source="json"
        )


def test_selectors_scope_drafts(department):
    draft = ServiceItemFactory(draft=True, department=department)
    published = ServiceItemFactory(department=department)
    approver = StaffFactory.with_role(StaffRole.APPROVER, department=department)
    outsider = StaffFactory.with_role(StaffRole.APPROVER, department=DepartmentFactory())
    assert set(selectors.items_for_department(department_id=department.pk, user=approver)) == {
        draft,
        published,
    }
    assert list(selectors.items_for_department(department_id=department.pk, user=outsider)) == [published]
    assert list(selectors.items_for_department(department_id=department.pk, user=None)) == [published]
    assert list(selectors.item_versions(code=draft.code, user=None)) == []
    with pytest.raises(NotFound):
        selectors.item_get(pk=draft.pk, user=outsider)
    assert selectors.item_get(pk=draft.pk, user=approver) == draft


def test_published_items_filters():
    a = ServiceItemFactory(category="business", applicant_kinds=["legal"], life_events=["start_business"])
    b = ServiceItemFactory(category="citizen", applicant_kinds=["natural", "legal"], life_events=["business"])
    ServiceItemFactory(draft=True, category="business")
    assert list(selectors.published_items(category="business")) == [a]
    assert list(selectors.published_items(applicant_kind="legal")) == [a, b]
    assert list(selectors.published_items(applicant_kind="natural")) == [b]
    assert list(selectors.published_items(life_event="start_business")) == [a]
    assert list(selectors.published_items(life_event="business")) == [b]  # quoted: no substring match
    assert list(selectors.published_items(department_id=b.department_id)) == [b]
