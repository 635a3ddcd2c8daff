"""Reading process definitions as plans: the definition of an item version, or the default rule.

`process_for_item(item)` returns a `ProcessPlan`: the stored definition when the item version has one,
otherwise the DEFAULT PROCESS, a real rule rather than a placeholder:

- a 承诺件 (promised) item without a definition is handled by its own department in one stage,
  "审查决定", whose single step has the whole promised limit (in working days);
- a 即办件 (immediate) item is one stage completed at the window ("窗口即办", limit 0).

`process_flow(item)` is the same plan as plain dicts, for drawing the flow chart and for the snapshot
stored on a case at acceptance (`Case.plan`), so a later edit of the definition never changes a case
already under way. `process_problems(plan, item)` lists what is wrong with a plan (Chinese).

`plan_from_input(stages)` reads a plan as an editor wrote it (the process editor's form, the API) without
ever raising: what cannot be read is listed as a problem naming its place ("第 1 阶段第 2 个环节：…"),
so the editor's live chart and the service that saves share one reading. `plan_revision(plan)` is a
short fingerprint of a stored plan: an editor sends back the one it started from, and a save over
someone else's newer edit is refused (409) instead of silently overwriting it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from tongban.catalogue.choices import CaseKind, LimitUnit
from tongban.common.prepared import Prepared
from tongban.organisations.choices import DEPARTMENT_ROLES

from .choices import StageKind


@dataclass
class StepPlan:
    name: str
    department_id: int
    department: str
    limit_days: int
    role: str = ""


@dataclass
class StagePlan:
    position: int
    name: str
    kind: str
    steps: list[StepPlan] = field(default_factory=list)
    lead_department_id: int | None = None
    lead_department: str = ""
    joint_limit_days: int = 0

    @property
    def duration_days(self) -> int:
        longest = max((s.limit_days for s in self.steps), default=0)
        return longest + (self.joint_limit_days if self.kind == StageKind.PARALLEL else 0)


@dataclass
class ProcessPlan:
    stages: list[StagePlan]
    is_default: bool = False
    immediate: bool = False

    @property
    def total_days(self) -> int:
        return sum(s.duration_days for s in self.stages)

    def as_list(self) -> list[dict]:
        rows = []
        for s in self.stages:
            row = asdict(s)
            row["duration_days"] = s.duration_days
            rows.append(row)
        return rows


def promised_working_days(item) -> int:
    """The promised limit in working days: a natural-day limit of n days holds ⌊5n/7⌋ working days."""
    if item.promised_limit_unit == LimitUnit.NATURAL_DAYS:
        return item.promised_limit * 5 // 7
    return item.promised_limit


def default_plan(item) -> ProcessPlan:
    dept = item.department
    if item.case_kind == CaseKind.IMMEDIATE:
        step = StepPlan(name="窗口即办", department_id=dept.pk, department=dept.name, limit_days=0)
        return ProcessPlan(
            stages=[StagePlan(position=1, name="窗口即办", kind=StageKind.SINGLE, steps=[step])],
            is_default=True,
            immediate=True,
        )
    step = StepPlan(
        name="审查与决定",
        department_id=dept.pk,
        department=dept.name,
        limit_days=max(promised_working_days(item), 1),
    )
    return ProcessPlan(
        stages=[StagePlan(position=1, name="审查决定", kind=StageKind.SINGLE, steps=[step])], is_default=True
    )


def plan_from_definition(definition) -> ProcessPlan:
    stages = list(definition.stages.all())
    return _plan(definition, stages, {stage.pk: list(stage.steps.all()) for stage in stages})


def _plan(definition, stages: list, steps_by_stage: dict[int, list]) -> ProcessPlan:
    """The plan of a definition from its stages (in order) and each stage's steps (in order)."""
    plan_stages = []
    for stage in stages:
        steps = [
            StepPlan(
                name=s.name,
                department_id=s.department_id,
                department=s.department.name,
                limit_days=s.limit_days,
                role=s.role,
            )
            for s in steps_by_stage.get(stage.pk, [])
        ]
        plan_stages.append(
            StagePlan(
                position=stage.position,
                name=stage.name,
                kind=stage.kind,
                steps=steps,
                lead_department_id=stage.lead_department_id,
                lead_department=stage.lead_department.name if stage.lead_department_id else "",
                joint_limit_days=stage.joint_limit_days if stage.kind == StageKind.PARALLEL else 0,
            )
        )
    return ProcessPlan(stages=plan_stages, immediate=definition.item.case_kind == CaseKind.IMMEDIATE)


def _models():
    from .models import ProcessDefinition, StageDefinition, StepDefinition  # models import this module

    return ProcessDefinition, StageDefinition, StepDefinition


# Prepared (compiled once per connection): every acceptance and every guide page reads a plan.
_DEFINITION = Prepared(
    lambda item_id: _models()[0].objects.select_related("item").filter(item_id=item_id).order_by("pk")[:1],
    "int",
)
_STAGES = Prepared(
    lambda process_id: (
        _models()[1]
        .objects.select_related("lead_department")
        .filter(process_id=process_id)
        .order_by("position", "pk")
    ),
    "int",
)
_STEPS = Prepared(
    lambda process_id: (
        _models()[2]
        .objects.select_related("department")
        .filter(stage__process_id=process_id)
        .order_by("stage_id", "position", "pk")
    ),
    "int",
)


def process_for_item(item) -> ProcessPlan:
    """The plan of an item version: its stored definition, or the default rule (module docstring)."""
    definition = _DEFINITION.first(item.pk)
    stages = _STAGES.fetch(definition.pk) if definition is not None else []
    if not stages:
        return default_plan(item)
    steps_by_stage: dict[int, list] = {}
    for step in _STEPS.fetch(definition.pk):
        steps_by_stage.setdefault(step.stage_id, []).append(step)
    return _plan(definition, stages, steps_by_stage)


def process_flow(item) -> list[dict]:
    """The plan as plain dicts for drawing: stages in order, each with kind, lead, limits and steps."""
    return process_for_item(item).as_list()


def plan_from_list(rows: list[dict]) -> ProcessPlan:
    """Rebuild a plan from its `as_list()` form (the snapshot stored on a case)."""
    stages = []
    for r in rows:
        steps = [
            StepPlan(**{k: s[k] for k in ("name", "department_id", "department", "limit_days", "role")})
            for s in r["steps"]
        ]
        stages.append(
            StagePlan(
                position=r["position"],
                name=r["name"],
                kind=r["kind"],
                steps=steps,
                lead_department_id=r.get("lead_department_id"),
                lead_department=r.get("lead_department", ""),
                joint_limit_days=r.get("joint_limit_days", 0),
            )
        )
    return ProcessPlan(stages=stages)


def process_problems(plan: ProcessPlan, item) -> list[str]:
    """Everything wrong with a plan for an item version; empty when it may be used."""
    problems: list[str] = []
    if not plan.stages:
        return ["流程至少需要一个阶段。"]
    immediate = item.case_kind == CaseKind.IMMEDIATE
    if immediate and (len(plan.stages) != 1 or plan.stages[0].kind != StageKind.SINGLE):
        problems.append("即办件的流程只能有一个单一环节阶段（在窗口当场办结）。")
    for stage in plan.stages:
        where = f"第 {stage.position} 阶段“{stage.name}”"
        departments = [s.department_id for s in stage.steps if s.department_id]  # 0: none chosen yet
        if len(set(departments)) != len(departments):
            problems.append(f"{where}中同一部门出现了多次。")
        if stage.kind == StageKind.SINGLE:
            if len(stage.steps) != 1:
                problems.append(f"{where}为单一环节，应当正好有 1 个环节（现有 {len(stage.steps)} 个）。")
        elif stage.kind == StageKind.PARALLEL:
            if len(stage.steps) < 2:
                problems.append(f"{where}为并联审批，至少需要 2 个部门的环节。")
            if not stage.lead_department_id:
                problems.append(f"{where}为并联审批，必须指定牵头部门。")
            elif stage.lead_department_id not in departments:
                problems.append(f"{where}的牵头部门“{stage.lead_department}”不在本阶段的部门之中。")
            if stage.joint_limit_days < 1:
                problems.append(f"{where}的牵头部门汇总时限至少为 1 个工作日。")
        else:
            problems.append(f"{where}的类型“{stage.kind}”无效。")
        if item.case_kind != CaseKind.IMMEDIATE:
            for s in stage.steps:
                if s.limit_days < 1:
                    problems.append(f"{where}的环节“{s.name}”办理时限至少为 1 个工作日。")
    promised = promised_working_days(item)
    if item.case_kind != CaseKind.IMMEDIATE and plan.total_days > promised:
        problems.append(
            f"各阶段时限之和（每阶段取最长环节，并联阶段另加牵头部门汇总时限）为 {plan.total_days} 个工作日，"
            f"超过了承诺办结时限 {promised} 个工作日。"
        )
    return problems


ROLE_VALUES = ("", *DEPARTMENT_ROLES)  # models.process.STEP_ROLE_CHOICES, or anyone of the department


def _whole(value, *, where: str, label: str, problems: list[str], default: int = 0) -> int:
    """A whole number of working days as typed; a problem naming the place when it is not one."""
    if value in (None, ""):
        problems.append(f"{where}：请填写{label}。")
        return default
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        problems.append(f"{where}：{label}应为整数（工作日）。")
        return default
    if number < 0 or number > 999:
        problems.append(f"{where}：{label}应在 0 到 999 之间。")
        return default
    return number


def _department_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def plan_from_input(stages) -> tuple[ProcessPlan, list[str]]:
    """The plan an editor wrote, and what could not be read in it (never raises; see the docstring).

    `stages`: [{"name", "kind": "single"|"parallel", "lead_department_id", "joint_limit_days",
    "steps": [{"name", "department_id", "limit_days", "role"}]}] in order, values as typed.
    """
    from tongban.organisations.models import Department

    problems: list[str] = []
    if not isinstance(stages, list) or not all(isinstance(st, dict) for st in stages):
        return ProcessPlan(stages=[]), ["流程应为阶段的列表，每个阶段含名称、类型和环节。"]
    ids = {_department_id(s.get("department_id")) for st in stages for s in st.get("steps") or []}
    ids |= {_department_id(st.get("lead_department_id")) for st in stages}
    names = dict(
        Department.objects.filter(pk__in=[i for i in ids if i], is_active=True).values_list("pk", "name")
    )
    plan_stages = []
    for pos, st in enumerate(stages, start=1):
        where = f"第 {pos} 阶段"
        name = str(st.get("name") or "").strip()
        if not name:
            problems.append(f"{where}：请填写阶段名称。")
        steps = []
        raw_steps = st.get("steps") or []
        if not isinstance(raw_steps, list):
            problems.append(f"{where}：环节应为列表。")
            raw_steps = []
        for number, s in enumerate(raw_steps, start=1):
            at = f"{where}第 {number} 个环节"
            if not isinstance(s, dict):
                problems.append(f"{at}：格式不正确。")
                continue
            step_name = str(s.get("name") or "").strip()
            if not step_name:
                problems.append(f"{at}：请填写环节名称。")
            department_id = _department_id(s.get("department_id"))
            if department_id is None:
                problems.append(f"{at}：请选择办理部门。")
            elif department_id not in names:
                problems.append(f"{at}：办理部门不存在或已停用。")
            role = str(s.get("role") or "")
            if role not in ROLE_VALUES:
                problems.append(f"{at}：办理角色只能是审批人员、部门负责人或留空。")
                role = ""
            steps.append(
                StepPlan(
                    name=step_name or f"环节{number}",
                    department_id=department_id or 0,
                    department=names.get(department_id, ""),
                    # unreadable: counted as 1 day, so the chart still draws and the problem is said once
                    limit_days=_whole(
                        s.get("limit_days"), where=at, label="办理时限", problems=problems, default=1
                    ),
                    role=role,
                )
            )
        kind = str(st.get("kind") or (StageKind.PARALLEL if len(steps) > 1 else StageKind.SINGLE))
        lead = _department_id(st.get("lead_department_id")) if kind == StageKind.PARALLEL else None
        joint = 0
        if kind == StageKind.PARALLEL and st.get("joint_limit_days") is None:
            joint = 1  # not given at all (an API client): the usual one working day
        elif kind == StageKind.PARALLEL:
            joint = _whole(
                st.get("joint_limit_days"),
                where=where,
                label="牵头部门汇总时限",
                problems=problems,
                default=1,
            )
        plan_stages.append(
            StagePlan(
                position=pos,
                name=name or f"第{pos}阶段",
                kind=kind,
                steps=steps,
                lead_department_id=lead,
                lead_department=names.get(lead, ""),
                joint_limit_days=joint,
            )
        )
    return ProcessPlan(stages=plan_stages), problems


def plan_revision(plan: ProcessPlan | None) -> str:
    """A fingerprint of a stored plan ("" when none is stored): what an editor started from."""
    if plan is None or plan.is_default:
        return ""
    text = json.dumps(plan.as_list(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan_report(item, plan: ProcessPlan, problems=()) -> dict:
    """A plan as the process editor and its API show it: the stages as drawn, the days they add up
    to beside the promise, and every problem (reading problems first, then the plan's own)."""
    return {
        "stages": plan.as_list(),
        "total_days": plan.total_days,
        "promised_days": promised_working_days(item),
        "problems": [*problems, *process_problems(plan, item)],
    }


def plan_check(item, stages) -> dict:
    """`plan_report` of a plan as an editor wrote it (`plan_from_input`), nothing saved."""
    plan, problems = plan_from_input(stages)
    return plan_report(item, plan, problems)
