"""The process editor's form as data: one page holds the whole process — stages, their parallel groups
and steps — as indexed fields (`stages-0-name`, `stages-0-steps-1-department_id` …). The editor reads
them into rows (the values as typed, so a mistake is shown back as it was written), applies one editing
operation (add, remove, move a stage or a step) and renders again; the same rows are what
`services.process_define` saves and what `processes.plan_from_input` reads for the live chart.

Operations are buttons named `op`: `add-stage`, `remove-stage:1`, `up-stage:1`, `down-stage:1`,
`add-step:1`, `remove-step:1:0`, `up-step:1:0`, `down-step:1:0` (0-based stage and step). Each returns
the id of the control the keyboard should be on afterwards, and a sentence saying what was done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .choices import StageKind

STAGE_FIELDS = ("name", "kind", "lead_department_id", "joint_limit_days")
STEP_FIELDS = ("name", "department_id", "role", "limit_days")
_STAGE = re.compile(r"^stages-(\d+)-name$")
_STEP = re.compile(r"^stages-(\d+)-steps-(\d+)-name$")


def rows_from_post(data) -> list[dict]:
    """The stages and steps a posted editor form holds, in page order, values as typed (strings)."""
    stages = sorted(int(m.group(1)) for key in data if (m := _STAGE.match(key)))
    rows = []
    for i in stages:
        row = {f: str(data.get(f"stages-{i}-{f}", "")).strip() for f in STAGE_FIELDS}
        steps = sorted(int(m.group(2)) for key in data if (m := _STEP.match(key)) and int(m.group(1)) == i)
        row["steps"] = [
            {f: str(data.get(f"stages-{i}-steps-{j}-{f}", "")).strip() for f in STEP_FIELDS} for j in steps
        ]
        rows.append(row)
    return rows


def rows_from_plan(stages: list[dict]) -> list[dict]:
    """Rows from a stored plan (`ProcessPlan.as_list()`), as the form shows them."""
    rows = []
    for st in stages:
        parallel = st["kind"] == StageKind.PARALLEL
        rows.append(
            {
                "name": st["name"],
                "kind": st["kind"],
                "lead_department_id": str(st.get("lead_department_id") or "") if parallel else "",
                "joint_limit_days": str(st.get("joint_limit_days") or 1),
                "steps": [
                    {
                        "name": s["name"],
                        "department_id": str(s["department_id"]),
                        "role": s.get("role", ""),
                        "limit_days": str(s["limit_days"]),
                    }
                    for s in st["steps"]
                ],
            }
        )
    return rows


def new_step(department_id: int | None) -> dict:
    return {"name": "", "department_id": str(department_id or ""), "role": "", "limit_days": ""}


def new_stage(department_id: int | None) -> dict:
    return {
        "name": "",
        "kind": StageKind.SINGLE,
        "lead_department_id": "",
        "joint_limit_days": "1",
        "steps": [new_step(department_id)],
    }


@dataclass
class Applied:
    rows: list[dict]
    focus: str = ""  # the id of the control to focus
    said: str = ""  # what happened, in a sentence


def _swap(items: list, a: int, b: int) -> bool:
    if not (0 <= a < len(items) and 0 <= b < len(items)):
        return False
    items[a], items[b] = items[b], items[a]
    return True


def apply_op(rows: list[dict], op: str, *, department_id: int | None) -> Applied:
    """One editing operation on the rows (a copy); an unknown or out-of-range operation changes nothing."""
    rows = [{**r, "steps": [dict(s) for s in r["steps"]]} for r in rows]
    name, *args = (op or "").split(":")
    try:
        i, j = (int(a) for a in (*args, -1, -1)[:2])
    except ValueError:
        return Applied(rows)
    if name == "add-stage":
        rows.append(new_stage(department_id))
        n = len(rows)
        return Applied(rows, f"stages-{n - 1}-name", f"已添加第 {n} 阶段。")
    if not 0 <= i < len(rows):
        return Applied(rows)
    stage = rows[i]
    if name == "remove-stage":
        del rows[i]
        focus = f"stages-{min(i, len(rows) - 1)}-name" if rows else "add-stage"
        return Applied(rows, focus, f"已删除第 {i + 1} 阶段“{stage['name'] or '未命名'}”。")
    if name in ("up-stage", "down-stage"):
        to = i - 1 if name == "up-stage" else i + 1
        if _swap(rows, i, to):
            return Applied(
                rows,
                f"stage-{to}-{name.split('-')[0]}",
                f"“{stage['name'] or '未命名'}”现为第 {to + 1} 阶段。",
            )
        return Applied(rows)
    if name == "add-step":
        stage["steps"].append(new_step(department_id))
        n = len(stage["steps"])
        if n > 1 and stage["kind"] == StageKind.SINGLE:
            stage["kind"] = StageKind.PARALLEL  # several departments at once: a parallel group
        return Applied(rows, f"stages-{i}-steps-{n - 1}-name", f"已在第 {i + 1} 阶段添加第 {n} 个环节。")
    steps = stage["steps"]
    if not 0 <= j < len(steps):
        return Applied(rows)
    if name == "remove-step":
        step = steps.pop(j)
        return Applied(rows, f"add-step-{i}", f"已删除第 {i + 1} 阶段的环节“{step['name'] or '未命名'}”。")
    if name in ("up-step", "down-step"):
        to = j - 1 if name == "up-step" else j + 1
        if _swap(steps, j, to):
            word = name.split("-")[0]
            return Applied(
                rows,
                f"stage-{i}-step-{to}-{word}",
                f"“{steps[to]['name'] or '未命名'}”现为第 {to + 1} 个环节。",
            )
    return Applied(rows)
