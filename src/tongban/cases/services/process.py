"""Writes of process definitions and item forms: define, copy to a new item version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from tongban.catalogue import services as catalogue_services
from tongban.catalogue.choices import ItemEventKind
from tongban.catalogue.models import ServiceItem
from tongban.common.errors import Conflict, NotFound, ValidationFailed

from ..choices import StageKind
from ..forms import schema_problems
from ..models import ItemForm, ProcessDefinition, StageDefinition, StepDefinition
from ..permissions import require_process_admin
from ..processes import ProcessPlan, plan_from_input, plan_revision, process_for_item, process_problems

if TYPE_CHECKING:
    from tongban.common.types import User


def process_define(
    *,
    actor: User | None = None,
    item_id: int,
    stages: list[dict],
    name: str = "",
    note: str = "",
    expected_revision: str | None = None,
) -> ProcessDefinition:
    """Set the process of an item version after validating the whole of it; logged in the item log.

    `stages`: see `processes.plan_from_input`. Raises ValidationFailed with every problem in `errors`.
    A person's edit follows the catalogue's versions (catalogue.services.item_update): a draft changes
    in place; a published version is never edited — its edit becomes a new draft version (process,
    form and materials copied, then this process written), published later like any draft; a retired
    version is refused. `actor=None` (the system: demo set-up, migrations) writes in place.
    `expected_revision`: the `plan_revision` the editor started from; Conflict (409) if it changed.
    Returns the definition written; its `item` is the version that carries it.
    """
    require_process_admin(actor)
    item = ServiceItem.objects.select_related("department").filter(pk=item_id).first()
    if item is None:
        raise NotFound("事项不存在。")
    plan, problems = plan_from_input(stages)
    problems += process_problems(plan, item)
    if problems:
        raise ValidationFailed(f"办理流程有误：{problems[0]}", field="stages", errors=problems)
    name = (name or "").strip() or f"{item.name} 办理流程"
    existing = ProcessDefinition.objects.filter(item=item).first()
    if (
        existing is not None
        and plan_revision(plan) == plan_revision(process_for_item(item))
        and (existing.name, existing.note) == (name, note or "")
    ):
        return existing  # nothing to change: no new version, no log entry (the demo set-up re-runs)
    with transaction.atomic():
        target = item
        if actor is not None:
            # locks every version of the code; a published one gets its new draft here
            target = catalogue_services.item_update(actor=actor, item=item.pk, fields={})
        if expected_revision is not None and expected_revision != plan_revision(process_for_item(item)):
            raise Conflict("该办理流程刚被其他人修改，请刷新后再改。", field="revision")
        definition, _ = ProcessDefinition.objects.select_for_update().get_or_create(item=target)
        definition.name, definition.note = name, note or ""
        definition.save()
        _write_plan(definition, plan)
        catalogue_services.item_log(
            actor=actor,
            item=target,
            kind=ItemEventKind.PROCESS_UPDATED,
            stages=len(plan.stages),
            steps=sum(len(st.steps) for st in plan.stages),
            total_days=plan.total_days,
            flow=[f"{st.position}. {st.name}（{StageKind(st.kind).label}）" for st in plan.stages],
            from_version=item.version if target.pk != item.pk else None,
        )
        return definition


def _write_plan(definition: ProcessDefinition, plan: ProcessPlan) -> None:
    definition.stages.all().delete()
    for st in plan.stages:
        stage = StageDefinition.objects.create(
            process=definition,
            position=st.position,
            name=st.name,
            kind=st.kind,
            lead_department_id=st.lead_department_id if st.kind == "parallel" else None,
            joint_limit_days=st.joint_limit_days or 1,
        )
        StepDefinition.objects.bulk_create(
            StepDefinition(
                stage=stage,
                position=i,
                name=s.name,
                department_id=s.department_id,
                role=s.role,
                limit_days=s.limit_days,
            )
            for i, s in enumerate(st.steps, start=1)
        )


def _previous_version(item: ServiceItem, related: str) -> ServiceItem | None:
    return (
        ServiceItem.objects.filter(code=item.code, version__lt=item.version, **{f"{related}__isnull": False})
        .order_by("-version")
        .first()
    )


def process_copy_to(*, item: ServiceItem, source: ServiceItem | None = None) -> ProcessDefinition | None:
    """Copy the process of `source` (default: the latest earlier version of the same item code that has
    one) to the new version `item`. For the catalogue to call when it creates a version. Idempotent:
    an item that already has a process keeps it. Returns the new definition, or None if nothing to copy.
    """
    existing = ProcessDefinition.objects.filter(item=item).first()
    if existing is not None:
        return existing
    source = source or _previous_version(item, "process")
    if source is None:
        return None
    original = ProcessDefinition.objects.filter(item=source).first()
    if original is None:
        return None
    with transaction.atomic():
        copy = ProcessDefinition.objects.create(item=item, name=original.name, note=original.note)
        for stage in original.stages.prefetch_related("steps"):
            new_stage = StageDefinition.objects.create(
                process=copy,
                position=stage.position,
                name=stage.name,
                kind=stage.kind,
                lead_department_id=stage.lead_department_id,
                joint_limit_days=stage.joint_limit_days,
            )
            StepDefinition.objects.bulk_create(
                StepDefinition(
                    stage=new_stage,
                    position=s.position,
                    name=s.name,
                    department_id=s.department_id,
                    role=s.role,
                    limit_days=s.limit_days,
                )
                for s in stage.steps.all()
            )
        return copy


def form_define(*, actor: User | None = None, item_id: int, schema: dict) -> ItemForm:
    """Set the application form schema of an item version (validated: forms.schema_problems)."""
    require_process_admin(actor)
    if not ServiceItem.objects.filter(pk=item_id).exists():
        raise NotFound("事项不存在。")
    problems = schema_problems(schema)
    if problems:
        raise ValidationFailed(f"表单定义有误：{problems[0]}", field="schema", errors=problems)
    form, _ = ItemForm.objects.update_or_create(item_id=item_id, defaults={"schema": schema})
    return form


def form_copy_to(*, item: ServiceItem, source: ServiceItem | None = None) -> ItemForm | None:
    """Copy the form schema of the previous version (like process_copy_to); idempotent."""
    existing = ItemForm.objects.filter(item=item).first()
    if existing is not None:
        return existing
    source = source or _previous_version(item, "application_form")
    if source is None:
        return None
    original = ItemForm.objects.filter(item=source).first()
    return ItemForm.objects.create(item=item, schema=original.schema) if original else None


def case_config_copy_to(*, item: ServiceItem) -> None:
    """Everything the cases app keeps per item version (process and form), copied to a new version."""
    process_copy_to(item=item)
    form_copy_to(item=item)
