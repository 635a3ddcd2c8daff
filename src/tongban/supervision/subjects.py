"""What a subject reference ("case", 12) names: its label and owning department, for directives and
cards. Each owning app registers a resolver; cases and steps are resolved here with `case_get`-like
reads by primary key (the supervisor may see every case, so no scoping is lost)."""

from __future__ import annotations

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
