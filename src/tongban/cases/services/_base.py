"""What every case service shares: locking with the version check, the event row, permissions, the
clock, step opening and notifications. Private to the services package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tongban.common.errors import IllegalTransition
from tongban.common.errors import require_text as require_text  # the services of this app use it from here
from tongban.common.pdf import chinese_date
from tongban.common.prepared import Prepared
from tongban.common.workflow import build, lock, record, record_many, save_with_version
from tongban.organisations.choices import department_roles_for
from tongban.organisations.models import StaffAssignment
from tongban.workdays.clock import Due, Pause, deadline

from ..choices import CaseStatus, StageKind, StepKind, StepStatus
from ..models import Case, CaseEvent, ClockPause, Step
from ..permissions import require_applicant as require_applicant  # who may act: cases.permissions
from ..permissions import require_clerk as require_clerk
from ..permissions import require_department as require_department
from ..processes import plan_from_list
from ..transitions import target_state
from ..watches import case_watches_sync

if TYPE_CHECKING:
    from tongban.common.types import User

CONFLICT_MESSAGE = "该办件已被他人处理，请刷新后重试"


def today() -> date:
    return timezone.localdate()


# Every write starts here, so the statement is compiled once per connection (see common.prepared).
_LOCK_CASE = Prepared(
    lambda case_id: (
        Case.objects.select_for_update(of=("self",))
        .select_related(
            "item", "item__department", "applicant", "applicant__user", "intake_hall", "intake_hall__region"
        )
        .filter(pk=case_id)
        .order_by()
    ),
    "int",
)


def lock_case(case_id: int, *, expected_version: int | None = None) -> Case:
    """Lock the case row for this transaction and check the optimistic version, if the caller gave one."""
    return lock(_LOCK_CASE.first, case_id, expected_version, missing="办件不存在。", stale=CONFLICT_MESSAGE)


def move(case: Case, action: str) -> tuple[str, str]:
    """Check the action against the transition table; return (from, to) without changing the case."""
    return case.status, target_state(action, case.status)


def save_case(case: Case, fields: Iterable[str]) -> None:
    """Save the listed fields and bump the optimistic version (the caller holds the row lock from
    `lock_case`, so the version read there is current and +1 needs no read back)."""
    save_with_version(case, fields)
    case_watches_sync(case)  # supervision: the case's and its steps' deadline watches follow every change


def _states(from_status: str = "", to_status: str = "") -> dict:
    return {"before": from_status, "after": to_status or from_status}


def event(
    case: Case, event_kind: str, /, *, from_status: str = "", to_status: str = "", **fields
) -> CaseEvent:
    """Append one row to the case log (common.workflow.record): actor, from_status, to_status (default:
    unchanged), note; other keys are stored as JSON detail (dates as ISO strings)."""
    return record(CaseEvent, case, event_kind, **_states(from_status, to_status), **fields)


def events(case: Case, rows: list[tuple[str, dict]]) -> list[CaseEvent]:
    """Append several rows to the case log in one INSERT: (event_kind, fields as for `event`)."""
    now = timezone.now()
    built = []
    for kind, fields in rows:
        fields = dict(fields)
        states = _states(fields.pop("from_status", ""), fields.pop("to_status", ""))
        built.append(build(CaseEvent, case, kind, at=now, **states, **fields))
    return record_many(CaseEvent, built)


# ---- the clock -----------------------------------------------------------------------------------


_PAUSES = Prepared(
    lambda case_id: ClockPause.objects.only("started_on", "ended_on").filter(case_id=case_id).order_by("pk"),
    "int",
)


def pauses_of(case: Case) -> list[Pause]:
    return [Pause(start=p.started_on, end=p.ended_on) for p in _PAUSES.fetch(case.pk)]


#: The fields `set_case_dues` writes (callers add them to `save_case`).
DUE_FIELDS = ("due_date", "due_provisional", "statutory_due_date", "statutory_due_provisional")


def case_dues(
    case: Case, pauses: list[Pause], *, on: date, extension_days: int | None = None
) -> tuple[Due, Due]:
    """(promised, statutory) deadlines of an accepted case: both limits counted from the day after
    acceptance, less the pauses, plus the approved extension days (限时办结: both clocks run)."""
    item, start = case.item, accepted_on(case)
    ext = case.extension_days if extension_days is None else extension_days
    clock = partial(deadline, start=start, pauses=pauses, extension_days=ext, today=on)
    promised = clock(limit=item.promised_limit, unit=item.promised_limit_unit)
    statutory = clock(limit=item.statutory_limit, unit=item.statutory_limit_unit)
    return promised, statutory


def accepted_on(case: Case) -> date:
    """The day the case was accepted, from which its clocks run; a case not accepted has no deadlines."""
    if case.accepted_on is None:
        raise IllegalTransition("办件尚未受理，没有办结期限。", field="case_id")
    return case.accepted_on


def due_dates(case: Case) -> tuple[date, date]:
    """(promised, statutory) due dates of an accepted case: set at acceptance, never cleared after."""
    if case.due_date is None or case.statutory_due_date is None:
        raise IllegalTransition("办件尚未受理，没有办结期限。", field="case_id")
    return case.due_date, case.statutory_due_date


def set_case_dues(case: Case, pauses: list[Pause], *, on: date) -> tuple[Due, Due]:
    """Compute and set the case's (promised, statutory) due dates; returns them."""
    promised, statutory = case_dues(case, pauses, on=on)
    case.due_date, case.due_provisional = promised.date, promised.provisional
    case.statutory_due_date, case.statutory_due_provisional = statutory.date, statutory.provisional
    return promised, statutory


def recompute_due(case: Case, *, on: date) -> None:
    """Refresh the stored due dates of the case (promised and statutory) and of its open steps."""
    if not case.accepted_on:
        return
    pauses = pauses_of(case)
    set_case_dues(case, pauses, on=on)
    for step in Step.objects.filter(case=case, status=StepStatus.OPEN):
        new_due = step_due(step.opened_on, step.limit_days, pauses, on=on)
        if (new_due.date, new_due.provisional) != (step.due_date, step.due_provisional):
            step.due_date, step.due_provisional = new_due.date, new_due.provisional
            step.save(update_fields=["due_date", "due_provisional"])


def step_due(opened_on: date, limit: int, pauses: list[Pause], *, on: date) -> Due:
    """A step's deadline: its own limit from the day after it opened, less the case's pauses since."""
    clipped = [
        Pause(start=max(p.start, opened_on), end=p.end) for p in pauses if p.end is None or p.end > opened_on
    ]
    return deadline(start=opened_on, limit=limit, pauses=clipped, today=on)


# ---- steps ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StepToOpen:
    position_kind: str
    department_id: int
    department_name: str
    name: str
    limit_days: int
    role: str = ""
    is_lead: bool = False


def open_steps(
    case: Case, stage, todo: list[StepToOpen], *, actor: User | None = None, on: date, notify: bool = True
) -> list[Step]:
    """Open the steps of one stage together: one INSERT for the steps, one for their log rows, one read
    of the case's pauses and one of the staff to tell (a parallel stage opens several at once)."""
    now = timezone.now()
    pauses = pauses_of(case)
    dues = {t.limit_days: step_due(on, t.limit_days, pauses, on=on) for t in todo}
    steps = Step.objects.bulk_create(
        [
            Step(
                case=case,
                stage_position=stage.position,
                stage_name=stage.name,
                parallel=stage.kind == StageKind.PARALLEL,
                kind=t.position_kind,
                name=t.name,
                department_id=t.department_id,
                role=t.role,
                is_lead=t.is_lead,
                limit_days=t.limit_days,
                opened_on=on,
                opened_at=now,
                due_date=dues[t.limit_days].date,
                due_provisional=dues[t.limit_days].provisional,
            )
            for t in todo
        ]
    )
    events(
        case,
        [
            (
                "step_opened",
                {
                    "actor": actor,
                    "from_status": case.status,
                    "note": f"{t.name}（{t.department_name}）",
                    "step_id": step.pk,
                    "department_id": t.department_id,
                    "kind": t.position_kind,
                },
            )
            for t, step in zip(todo, steps, strict=True)
        ],
    )
    if notify:
        notify_staff_of_steps(case, steps)
    return steps


def open_step(case: Case, *, stage, actor: User | None = None, on: date, notify: bool = True, **step) -> Step:
    return open_steps(case, stage, [StepToOpen(**step)], actor=actor, on=on, notify=notify)[0]


def open_stage(
    case: Case, position: int, *, actor: User | None = None, on: date, decision_only: bool = False
) -> list[Step]:
    """Open the steps of stage `position` of the case's plan (the snapshot taken at acceptance).

    `decision_only` opens just the stage's decision (used when an earlier stage failed: the decider
    decides on what is there, no more reviews are run).
    """
    plan = plan_from_list(case.plan)
    stage = plan.stages[position - 1]
    last = position == len(plan.stages)
    case.current_stage = position
    if stage.kind == StageKind.SINGLE:
        s = stage.steps[0]
        todo = [
            StepToOpen(
                position_kind=StepKind.DECISION if last else StepKind.REVIEW,
                department_id=s.department_id,
                department_name=s.department,
                name=s.name,
                limit_days=s.limit_days,
                role=s.role,
            )
        ]
    elif decision_only:
        return [open_joint(case, stage, last=last, actor=actor, on=on)]
    else:
        todo = [
            StepToOpen(
                position_kind=StepKind.REVIEW,
                department_id=s.department_id,
                department_name=s.department,
                name=s.name,
                limit_days=s.limit_days,
                role=s.role,
                is_lead=s.department_id == stage.lead_department_id,
            )
            for s in stage.steps
        ]
    return open_steps(case, stage, todo, actor=actor, on=on)


def open_joint(case: Case, stage, *, last: bool, actor: User | None = None, on: date) -> Step:
    """The lead department's summing up (JOINT) or, in the last stage, its joint decision (DECISION)."""
    kind = StepKind.DECISION if last else StepKind.JOINT
    name = "牵头部门联合决定" if last else "牵头部门汇总意见"
    return open_step(
        case,
        stage=stage,
        position_kind=kind,
        department_id=stage.lead_department_id,
        department_name=stage.lead_department,
        name=name,
        limit_days=stage.joint_limit_days,
        is_lead=True,
        actor=actor,
        on=on,
    )


# ---- notifications -------------------------------------------------------------------------------


def provisional_text(day: date, provisional: bool) -> str:
    """A date for a notice or message: Chinese, with （暂定） when computed on a provisional year."""
    return f"{chinese_date(day)}（暂定）" if provisional else chinese_date(day)


def case_context(case: Case, **extra) -> dict:
    ctx = {"case_number": case.number or "", "item_name": case.item.name}
    ctx.update({k: chinese_date(v) if isinstance(v, date) else v for k, v in extra.items()})
    return ctx


def notify_applicant(case: Case, template: str, *, key: str, **extra) -> None:
    """Tell the applicant (their login in-app, their mobile and e-mail) after commit."""
    from tongban.notifications.services import notify

    applicant = case.applicant
    notify(
        recipient_user=applicant.user if applicant.user_id else None,
        mobile=applicant.mobile or case.agent_mobile,
        email=applicant.email,
        template=template,
        context=case_context(case, **extra),
        ref=f"case:{case.pk}",
        idempotency_key=f"case:{case.pk}:{key}",
    )


# Prepared: every stage that opens reads its departments' staff.
_DEPARTMENT_STAFF = Prepared(
    lambda ids: (
        StaffAssignment.objects.filter(department_id__in=ids, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ),
    "ints",
)


def notify_staff_of_steps(case: Case, steps: list[Step]) -> None:
    """task.assigned to every approver/head (or the step's role) of each step's department, all in one
    INSERT and one send task."""
    from tongban.notifications.services import Notification, notify_many

    staff = _DEPARTMENT_STAFF.fetch(sorted({s.department_id for s in steps}))
    todo: list[Notification] = []
    for step in steps:
        roles = department_roles_for(step.role)
        users = {a.user for a in staff if a.department_id == step.department_id and a.role in roles}
        todo.extend(
            Notification(
                recipient_user=user,
                template="task.assigned",
                context=case_context(
                    case, step=step.name, due_date=provisional_text(step.due_date, step.due_provisional)
                ),
                ref=f"case:{case.pk}",
                idempotency_key=f"step:{step.pk}:assigned:{user.pk}",
            )
            for user in sorted(users, key=lambda u: u.pk)
        )
    notify_many(todo)


def atomic() -> transaction.Atomic:
    return transaction.atomic()


__all__ = [
    "CONFLICT_MESSAGE",
    "CaseStatus",
    "atomic",
    "event",
    "lock_case",
    "move",
    "notify_applicant",
    "open_stage",
    "recompute_due",
    "require_applicant",
    "require_clerk",
    "require_department",
    "save_case",
    "today",
]
