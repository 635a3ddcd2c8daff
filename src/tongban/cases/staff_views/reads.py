"""What the staff pages work out from rows already read (the queries are in `cases.selectors`): who
may act on what (to show only the forms that the services will accept — the services still check
every action themselves) and the fee box's warning and default."""

from __future__ import annotations

from dataclasses import dataclass

from tongban.organisations.scoping import scope_for

from ..choices import PauseKind, StepStatus
from ..models import Case, ClockPause, Step
from ..permissions import can_extend, can_review_step, is_case_clerk


@dataclass(frozen=True)
class CaseAbilities:
    """Which forms to show the user on the case page."""

    clerk: bool  # a clerk of the case's hall (or any hall for an untaken online case)
    my_steps: tuple[Step, ...]  # open steps the user's department (and role) handles
    department: bool  # staff of an open step's department or of the item's department
    head: bool  # head of the item's own department (extensions)

    def step_for(self, step_id: int) -> Step | None:
        return next((s for s in self.my_steps if s.pk == step_id), None)


def case_abilities(user, case: Case, steps: list[Step]) -> CaseAbilities:
    """The predicates of cases.permissions, the same the services check, applied to this page's rows."""
    scope = scope_for(user)
    open_steps = [s for s in steps if s.status == StepStatus.OPEN]
    departments = {s.department_id for s in open_steps} | {case.item.department_id}
    return CaseAbilities(
        clerk=is_case_clerk(user, case),
        my_steps=tuple(s for s in open_steps if can_review_step(user, s)),
        department=any(scope.acts_for_department(d) for d in departments),
        head=can_extend(user, case),
    )


def special_pause_open(pause: ClockPause | None) -> bool:
    return pause is not None and pause.kind == PauseKind.SPECIAL


def fee_differs(case: Case) -> bool:
    """The page's warning, by the same rule as analytics' fee_mismatch: a fee on an item that charges
    none, or an amount other than the item version's fixed fee (no fixed fee: nothing to compare)."""
    charged, item = case.fee_charged, case.item
    if charged is None:
        return False
    if not item.charges_fee:
        return charged > 0
    return item.fee_amount > 0 and charged != item.fee_amount


def fee_default(case: Case) -> str:
    """What the amount box starts with: the amount already recorded, else the catalogue's fee (0 when the
    item charges nothing), so the usual case is one keystroke."""
    if case.fee_charged is not None:
        return f"{case.fee_charged:.2f}"
    return f"{case.item.fee_amount:.2f}" if case.item.charges_fee else "0"
