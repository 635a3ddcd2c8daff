"""What a subject reference ("case", 12) names: its label and owning department, for directives and
cards. Each owning app registers a resolver; cases and steps are resolved here with `case_get`-like
reads by primary key (the supervisor may see every case, so no scoping is lost)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.apps import apps

from .choices import SubjectType

# subject type -> resolver(id) -> (label, department id) or None when the subject does not exist
Resolver = Callable[[int], "tuple[str, int | None] | None"]
RESOLVERS: dict[str, Resolver] = {}


def register_subject(subject_type: str, resolver: Resolver) -> None:
    RESOLVERS[subject_type] = resolver


def _case(pk: int):
    row = (
        apps.get_model("cases", "Case")
        .objects.filter(pk=pk)
        .values_list("number", "item__name", "item__department_id")
        .first()
    )
    if row is None:
        return None
    return f"办件 {row[0] or pk}（{row[1]}）", row[2]


def _step(pk: int):
    row = (
        apps.get_model("cases", "Step")
        .objects.filter(pk=pk)
        .values_list("case__number", "name", "department_id")
        .first()
    )
    if row is None:
        return None
    return f"办件 {row[0]} · 环节“{row[1]}”", row[2]


def _department(pk: int):
    name = (
        apps.get_model("organisations", "Department")
        .objects.filter(pk=pk)
        .values_list("name", flat=True)
        .first()
    )
    return None if name is None else (name, pk)


register_subject(SubjectType.CASE, _case)
register_subject(SubjectType.STEP, _step)
register_subject(SubjectType.DEPARTMENT, _department)


def subject_label(subject_type: str, subject_id: int) -> tuple[str | None, int | None]:
    """(label, owning department id); (None, None) when the subject does not exist. A type without a
    resolver (a later app's) is taken as given, labelled by its reference."""
    resolver = RESOLVERS.get(subject_type)
    if resolver is None:
        return f"{SubjectType(subject_type).label} {subject_id}", None
    found = resolver(subject_id)
    return (None, None) if found is None else found


def directive_subject_types() -> list[str]:
    """Types a directive may be about: those whose app resolves them (a 12345 work order only once the
    hotline app is installed and registers its resolver)."""
    allowed = (SubjectType.CASE, SubjectType.STEP, SubjectType.DEPARTMENT, SubjectType.WORKORDER)
    return [t for t in allowed if t in RESOLVERS]


# 办件编号: <6-digit region>-<YYYYMMDD>-<6-digit sequence> (cases.numbering). People copy it with or
# without the dashes, with spaces, or with a full-width dash.
_DASHES = re.compile(r"[\s\-－—–_]+")


def normalise_case_number(text: str) -> str:
    compact = _DASHES.sub("", (text or "").strip()).upper()
    if len(compact) == 20 and compact.isdigit():
        return f"{compact[:6]}-{compact[6:14]}-{compact[14:]}"
    return _DASHES.sub("-", (text or "").strip()).upper()


def case_by_number(number: str) -> tuple[int, str] | None:
    """(case id, its number) for a case number as people type it; None when there is no such case."""
    wanted = normalise_case_number(number)
    if not wanted:
        return None
    row = apps.get_model("cases", "Case").objects.filter(number=wanted).values_list("pk", "number").first()
    return (row[0], row[1]) if row else None


def open_steps(case_id: int) -> list[tuple[int, str]]:
    """The open steps of a case: (step id, "环节名称（部门）"), for choosing the step a directive is about."""
    rows = (
        apps.get_model("cases", "Step")
        .objects.filter(case_id=case_id, status="open")
        .order_by("stage_position", "pk")
        .values_list("pk", "name", "department__name")
    )
    return [(pk, f"{name}（{dept}）") for pk, name, dept in rows]


def case_number_of(subject_type: str, subject_id: int) -> str:
    """The case number a case or step subject belongs to ("" for other subjects)."""
    if subject_type == SubjectType.CASE:
        model, field = apps.get_model("cases", "Case"), "number"
    elif subject_type == SubjectType.STEP:
        model, field = apps.get_model("cases", "Step"), "case__number"
    else:
        return ""
    return model.objects.filter(pk=subject_id).values_list(field, flat=True).first() or ""


def case_id_of(subject_type: str, subject_id: int) -> int | None:
    """The case a case or step subject belongs to, for a link to its page."""
    if subject_type == SubjectType.CASE:
        return subject_id
    if subject_type == SubjectType.STEP:
        return (
            apps.get_model("cases", "Step")
            .objects.filter(pk=subject_id)
            .values_list("case_id", flat=True)
            .first()
        )
    return None
