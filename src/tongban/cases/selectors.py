"""Reads of the cases app: scoped lists, the clock of a case, task lists and public tracking.

Every list goes through `.visible_to(user)` (DESIGN rule 3) and loads what it shows with
select_related, so a page of tasks is a fixed number of queries whatever its length. Remaining time
is computed from the stored due date with the working-day calendar (array look-ups, no queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from tongban.common.errors import NotFound
from tongban.common.validators import mask_id_number, mask_name
from tongban.organisations.scoping import scope_for
from tongban.workdays.clock import is_overdue, remaining_working_days

from .choices import CaseEventKind, CaseStatus, MaterialStatus, PauseKind, StepStatus
from .models import Case, CaseEvent, CaseMaterial, ClockPause, Step
from .numbering import normalize_case_number, query_code_matches
from .processes import ProcessPlan, process_flow, process_for_item

if TYPE_CHECKING:
    from tongban.common.types import AnyUser

__all__ = [
    "CaseClock",
    "ProcessPlan",
    "TaskRow",
    "application_form",
    "case_clock",
    "case_events",
    "case_get",
    "case_public_status",
    "corrections_to_make",
    "intake_queue",
    "my_cases",
    "process_flow",
    "process_for_item",
    "public_events",
    "tasks_done",
    "tasks_in_progress",
    "tasks_todo",
]

TRACKING_NOT_FOUND = "办件编号或查询码不正确。"


def application_form(item, *, user: AnyUser | None = None) -> dict:
    """What applying for `item` asks: the form schema's fields, their initial values from the user's
    own applicant profile (none for a visitor, or for an account the item is not for), who the item is
    for, and the materials to upload (shared ones are fetched by the platform). The web form and the API
    read the same answer."""
    from tongban.accounts.models import Applicant
    from tongban.catalogue.audience import item_audience
    from tongban.catalogue.choices import MaterialSource

    from .forms import form_for_item, form_prefill

    schema = form_for_item(item)
    applicant = None
    if user is not None and user.is_authenticated:
        applicant = Applicant.objects.filter(user_id=user.pk).first()
    audience = item_audience(item, applicant=applicant)
    return {
        "schema": schema,
        "applicant": applicant,
        "audience": audience,
        # an account that may not apply in its own name gets nothing pre-filled (its ID number is
        # not the credit code the form asks for)
        "initial": form_prefill(schema, applicant) if audience.fits else {},
        "materials": [
            {
                "name": m.name,
                "required": m.required,
                "shared": m.source == MaterialSource.SHARED,
                "notes": m.notes,
            }
            for m in item.materials.all()
        ],
    }


@dataclass(frozen=True)
class CaseClock:
    """The clock of a case as shown everywhere: due date, working days left, paused or not."""

    due_date: date | None
    remaining_days: int | None  # working days in (today, due]; negative when overdue; None before acceptance
    is_paused: bool
    pause_kind: str = ""  # PauseKind while paused
    overdue: bool = False
    ended: str = ""  # why the clock will not run again (已办结, 不予受理, 已撤回); "" while it may
    provisional: bool = False  # 暂定: computed on a provisional calendar year

    @property
    def label(self) -> str:
        if self.ended:
            return self.ended
        if self.due_date is None:
            return "未受理"
        if self.is_paused:
            return "暂停计时"
        if self.overdue:
            return f"已超期 {abs(self.remaining_days or 0)} 个工作日"
        return f"剩余 {self.remaining_days} 个工作日"


def case_clock(
    case: Case, *, today: date | None = None, pause_kind: str | None = None, statutory: bool = False
) -> CaseClock:
    """The clock of one case: the promised deadline, or with `statutory` the statutory one (限时办结:
    staff see both). While paused the stored due date is the one before the pause.

    The clock only runs while the case is being handled; a concluded case shows its due date
    without remaining time.
    """
    today = today or timezone.localdate()
    due, provisional = (
        (case.statutory_due_date, case.statutory_due_provisional)
        if statutory
        else (case.due_date, case.due_provisional)
    )
    if case.status in CaseStatus.concluded():
        return CaseClock(
            due_date=due, remaining_days=None, is_paused=False, ended="已办结", provisional=provisional
        )
    if case.status in CaseStatus.finished():
        ended = case.get_status_display()
        return CaseClock(
            due_date=due, remaining_days=None, is_paused=False, ended=ended, provisional=provisional
        )
    if due is None or case.status not in CaseStatus.handling():
        return CaseClock(due_date=due, remaining_days=None, is_paused=False, provisional=provisional)
    if case.is_paused and pause_kind is None:
        pause_kind = (
            ClockPause.objects.filter(case=case, ended_on__isnull=True).values_list("kind", flat=True).first()
            or ""
        )
    return CaseClock(
        due_date=due,
        remaining_days=remaining_working_days(due=due, today=today),
        is_paused=case.is_paused,
        pause_kind=pause_kind or "",
        overdue=not case.is_paused and is_overdue(due=due, today=today),
        provisional=provisional,
    )


def case_get(*, user: AnyUser, case_id: int) -> Case:
    """One case the user may see, or NotFound (the same answer whether it exists or not)."""
    case = (
        Case.objects.visible_to(user)
        .select_related("item", "item__department", "applicant", "intake_hall")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("办件不存在或您无权查看。")
    return case


def case_events(*, user: AnyUser, case_id: int) -> QuerySet[CaseEvent]:
    """The case log in order (办件日志), for a case the user may see: staff get all of it, the
    applicant (or their agent) the public events only (CaseEventKind.public)."""
    case = case_get(user=user, case_id=case_id)
    if not scope_for(user).is_staff_member:
        return public_events(case)
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")


def public_events(case: Case) -> QuerySet[CaseEvent]:
    """The events of `case` the applicant and public tracking see, oldest first."""
    return CaseEvent.objects.filter(case=case, kind__in=CaseEventKind.public()).order_by("at", "id")


def intake_queue(*, user: AnyUser) -> QuerySet[Case]:
    """待受理 for clerks: submitted cases of their halls plus untaken online submissions, oldest first."""
    return (
        Case.objects.visible_to(user)
        .filter(status=CaseStatus.SUBMITTED)
        .select_related("item", "item__department", "applicant")
        .order_by("intake_due", "submitted_at", "id")
    )


def my_cases(*, user: AnyUser) -> QuerySet[Case]:
    """我的办件: the applicant's own cases (or those they filed as an agent), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    from django.db.models import Q

    return (
        Case.objects.filter(Q(applicant__user_id=user.pk) | Q(submitted_by_id=user.pk))
        .select_related("item", "item__department", "applicant")
        .order_by("-created_at", "-id")
    )


def corrections_to_make(user: AnyUser) -> int:
    """How many of the user's cases wait for a correction from them (one COUNT, for the menu badge)."""
    return my_cases(user=user).filter(status__in=(CaseStatus.CORRECTION, CaseStatus.SUPPLEMENTING)).count()


@dataclass(frozen=True)
class TaskRow:
    step: Step
    case: Case
    due_date: date
    remaining_days: int
    is_paused: bool
    overdue: bool
    due_provisional: bool = False
    statutory_due_date: date | None = None  # the case's statutory deadline (限时办结: both clocks)
    statutory_due_provisional: bool = False


def _department_steps(user: AnyUser) -> QuerySet[Step]:
    scope = scope_for(user)
    qs = Step.objects.visible_to(user).select_related(
        "case", "case__item", "case__applicant", "department", "completed_by"
    )
    if scope.sees_everything:
        return qs
    return qs.filter(department_id__in=scope.staff_department_ids)


def _rows(steps, today: date) -> list[TaskRow]:
    return [
        TaskRow(
            step=s,
            case=s.case,
            due_date=s.due_date,
            remaining_days=remaining_working_days(due=s.due_date, today=today),
            is_paused=s.case.is_paused,
            overdue=not s.case.is_paused and is_overdue(due=s.due_date, today=today),
            due_provisional=s.due_provisional,
            statutory_due_date=s.case.statutory_due_date,
            statutory_due_provisional=s.case.statutory_due_provisional,
        )
        for s in steps
    ]


def tasks_todo(*, user: AnyUser, today: date | None = None) -> list[TaskRow]:
    """待办: open steps of the user's departments (matching the step's role, if it names one),
    most urgent first."""
    scope = scope_for(user)
    qs = _department_steps(user).filter(status=StepStatus.OPEN).order_by("due_date", "id")
    if not scope.sees_everything:
        steps = [s for s in qs if scope.acts_for_department(s.department_id, s.role)]
    else:
        steps = list(qs)
    return _rows(steps, today or timezone.localdate())


def tasks_in_progress(*, user: AnyUser, today: date | None = None) -> list[TaskRow]:
    """在办: steps the user's departments have done on cases still being handled."""
    qs = (
        _department_steps(user)
        .filter(status=StepStatus.DONE, case__status__in=CaseStatus.handling())
        .order_by("case__due_date", "id")
    )
    return _rows(list(qs), today or timezone.localdate())


def tasks_done(*, user: AnyUser, today: date | None = None, limit: int = 200) -> list[TaskRow]:
    """已办: steps the user's departments have done on cases that are decided or finished."""
    qs = (
        _department_steps(user)
        .filter(status=StepStatus.DONE)
        .exclude(case__status__in=CaseStatus.handling())
        .order_by("-completed_at", "-id")[:limit]
    )
    return _rows(list(qs), today or timezone.localdate())


def case_public_status(*, number: str, query_code: str, today: date | None = None) -> dict:
    """Public tracking by case number and query code, no login; personal data masked.

    The same NotFound for an unknown number and a wrong code, so the answer says nothing about which
    numbers exist; the code is compared in constant time. Rate limiting is the view's job.
    """
    case = (
        Case.objects.select_related("item", "item__department", "applicant", "intake_hall")
        .filter(number=normalize_case_number(number))
        .exclude(status=CaseStatus.DRAFT)
        .first()
    )
    if case is None or not query_code_matches(case.query_code, query_code):
        query_code_matches("0" * 8, query_code or "")  # same work either way: no timing hint
        raise NotFound(TRACKING_NOT_FOUND)
    from .guidance import next_step

    clock = case_clock(case, today=today)
    needed = []
    if case.status in (CaseStatus.CORRECTION, CaseStatus.SUPPLEMENTING):
        needed = [
            {"material": m.name, "reason": m.note}
            for m in CaseMaterial.objects.filter(case=case, status=MaterialStatus.DEFICIENT).order_by("id")
        ]
    # Who acted and the notes stay off this anonymous page: the kind, the moment and the new state.
    events = [
        {
            "kind": e.kind,
            "label": e.get_kind_display(),
            "at": timezone.localtime(e.at).isoformat(),
            "status_label": e.get_to_status_display() if e.to_status and e.to_status != e.from_status else "",
        }
        for e in public_events(case)
    ]
    steps = [
        {
            "stage": s.stage_name,
            "name": s.name,
            "department": s.department.name,
            "status": s.get_status_display(),
            "opened_on": s.opened_on.isoformat(),
            "due_date": s.due_date.isoformat(),
            "due_provisional": s.due_provisional,
            "completed_on": timezone.localdate(s.completed_at).isoformat() if s.completed_at else None,
        }
        for s in Step.objects.filter(case=case).select_related("department").order_by("stage_position", "id")
    ]
    applicant = case.applicant
    return {
        "number": case.number,
        "item": case.item.name,
        "department": case.item.department.name,
        "applicant": mask_name(applicant.name),
        "identity_number": mask_id_number(applicant.identity_number),
        "status": case.status,
        "status_label": case.get_status_display(),
        "submitted_on": timezone.localdate(case.submitted_at).isoformat() if case.submitted_at else None,
        "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
        "due_date": clock.due_date.isoformat() if clock.due_date else None,
        "due_provisional": clock.provisional,
        "remaining_days": clock.remaining_days,
        "is_paused": clock.is_paused,
        "paused_for": PauseKind(clock.pause_kind).label if clock.pause_kind else "",
        "clock": clock.label,
        "decision": case.get_decision_display() if case.decision else "",
        "concluded_on": timezone.localdate(case.concluded_at).isoformat() if case.concluded_at else None,
        "issuance": case.get_issuance_method_display() if case.issuance_method else "",
        "steps": steps,
        "needed_from_applicant": needed,
        "correction_due": case.correction_due.isoformat() if case.correction_due else None,
        "correction_due_provisional": case.correction_due_provisional,
        "visit_count": case.visit_count,
        "next_step": next_step(case, clock=clock, deficient=[n["material"] for n in needed]).as_dict(),
        "events": events,
    }
