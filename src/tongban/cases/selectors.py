"""Reads of the cases app: scoped lists, the clock of a case, task lists and public tracking.

Every list goes through `.visible_to(user)` (DESIGN rule 3) and loads what it shows with
select_related, so a page of tasks is a fixed number of queries whatever its length. Remaining time
is computed from the stored due date with the working-day calendar (array look-ups, no queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.common.errors import NotFound
from tongban.common.validators import mask_id_number, mask_name
from tongban.organisations.scoping import scope_for
from tongban.workdays.clock import is_overdue, remaining_working_days

from .choices import CaseEventKind, CaseStatus, MaterialStatus, PauseKind, StepStatus
from .models import Case, CaseDocument, CaseEvent, CaseMaterial, ClockPause, ProcessDefinition, Step
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
    "case_detail_get",
    "case_document",
    "case_documents",
    "case_events",
    "case_get",
    "case_has_step",
    "case_list",
    "case_material",
    "case_materials",
    "case_public_status",
    "case_steps",
    "correction_materials",
    "correction_notice",
    "corrections_to_make",
    "deficient_materials",
    "documents_of_number",
    "intake_queue",
    "issuance_queue",
    "latest_document",
    "my_case",
    "my_cases",
    "my_draft",
    "my_drafts",
    "my_submitted",
    "needs_upload",
    "open_pause",
    "process_definition_of",
    "process_flow",
    "process_for_item",
    "public_events",
    "public_steps",
    "step_get",
    "tasks_done",
    "tasks_in_progress",
    "tasks_todo",
    "window_waiting",
]

TRACKING_NOT_FOUND = "办件编号或查询码不正确。"


def application_form(item, *, user: AnyUser | None = None) -> dict:
    """What applying for `item` asks: the form schema's fields, their initial values from the user's
    own applicant profile (none for a visitor, or for an account the item is not for), who the item is
    for, and the materials to upload (shared ones are fetched by the platform). The web form and the API
    read the same answer."""
    from tongban.accounts.selectors import applicant_of
    from tongban.catalogue.audience import item_audience
    from tongban.catalogue.choices import MaterialSource

    from .forms import form_for_item, form_prefill

    schema = form_for_item(item)
    applicant = None
    if user is not None and user.is_authenticated:
        applicant = applicant_of(user=user)
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


def case_list(*, user: AnyUser, statuses: list[str] | None = None) -> QuerySet[Case]:
    """The cases the user may see (the API's list), newest first; `statuses` narrows."""
    qs = Case.objects.visible_to(user).select_related("item", "item__department", "applicant")
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs.order_by("-created_at", "-id")


def case_detail_get(case_id: int) -> Case:
    """A case already found in the caller's scope, read again with what the API's detail shows (its
    materials and steps prefetched), so the answer carries the state the last service wrote."""
    return (
        Case.objects.select_related("item", "item__department", "applicant")
        .prefetch_related("materials", "steps__department")
        .get(pk=case_id)
    )


def step_get(*, user: AnyUser, step_id: int) -> Step:
    """One step the user may see, or NotFound (the same answer whether it exists or not)."""
    step = Step.objects.visible_to(user).filter(pk=step_id).first()
    if step is None:
        raise NotFound("办理环节不存在或您无权查看。")
    return step


def my_cases(*, user: AnyUser) -> QuerySet[Case]:
    """我的办件: the applicant's own cases (or those they filed as an agent), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
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
        needed = [{"material": m.name, "reason": m.note} for m in deficient_materials(case)]
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
        for s in public_steps(case)
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


# ---- one case of the applicant's own -------------------------------------------------------------


def needs_upload(item) -> bool:
    """Whether applying for `item` asks for a file (shared materials are fetched by the platform);
    reads the item's prefetched materials when the caller loaded them."""
    from tongban.catalogue.choices import MaterialSource

    return any(m.source != MaterialSource.SHARED for m in item.materials.all())


def my_case(*, user: AnyUser, number: str | None = None, case_id: int | None = None) -> Case | None:
    """One of `my_cases` by number or id, or None: someone else's case is not told apart from none."""
    qs = my_cases(user=user)
    if number is not None:
        return qs.filter(number=number).first()
    return qs.filter(pk=case_id).first() if case_id is not None else None


def my_draft(*, user: AnyUser, case_id: int) -> Case | None:
    """A draft the user filed themselves (an agent's draft is not the applicant's to edit)."""
    return my_cases(user=user).filter(pk=case_id, status=CaseStatus.DRAFT, submitted_by_id=user.pk).first()


def my_drafts(*, user: AnyUser, item_code: str) -> QuerySet[Case]:
    """The user's own drafts of one item, newest first (the apply page offers to resume them)."""
    return my_cases(user=user).filter(status=CaseStatus.DRAFT, item__code=item_code, submitted_by_id=user.pk)


def my_submitted(*, user: AnyUser, submit_key: str) -> Case | None:
    """The case a submit key filed, so a repeated click answers with the case filed the first time."""
    return my_cases(user=user).filter(submit_key=submit_key[:64]).first() if submit_key else None


# ---- a case's rows (the caller has found the case in its scope) ----------------------------------


def case_materials(case: Case, *, with_requirement: bool = False) -> QuerySet[CaseMaterial]:
    """The case's materials in the order they were listed (the same order on every page and the API)."""
    qs = CaseMaterial.objects.filter(case=case)
    if with_requirement:
        qs = qs.select_related("requirement")
    return qs.order_by("id")


def case_material(case: Case | None, material_id: int, *, uploaded: bool = False) -> CaseMaterial | None:
    """One material of `case` (None without a case); `uploaded` keeps only one with a file."""
    if case is None:
        return None
    qs = CaseMaterial.objects.filter(case=case, pk=material_id)
    return qs.exclude(file="").first() if uploaded else qs.first()


def deficient_materials(case: Case) -> QuerySet[CaseMaterial]:
    """What the applicant still has to correct: the materials marked deficient."""
    return case_materials(case).filter(status=MaterialStatus.DEFICIENT)


def correction_materials(case: Case) -> QuerySet[CaseMaterial]:
    """The correction notice's materials: still deficient, or re-uploaded since (the reason stays as
    the note)."""
    return case_materials(case).filter(
        Q(status=MaterialStatus.DEFICIENT) | Q(note__gt="", status=MaterialStatus.SUBMITTED)
    )


def correction_notice(case: Case) -> CaseEvent | None:
    """The latest correction request of the case (its detail lists what was asked for)."""
    return (
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.CORRECTION_REQUESTED)
        .order_by("-at", "-id")
        .first()
    )


def case_documents(case: Case) -> QuerySet[CaseDocument]:
    """The case's notices and result documents, oldest first."""
    return CaseDocument.objects.filter(case=case).order_by("created_at", "id")


def case_document(case: Case, document_id: int) -> CaseDocument | None:
    return CaseDocument.objects.filter(case=case, pk=document_id).first()


def documents_of_number(number: str, *, kinds: tuple[str, ...]) -> list[CaseDocument]:
    """The documents of `kinds` of the case with that number, oldest first: the caller has checked the
    number against its query code (the kiosk prints them after public tracking)."""
    return list(CaseDocument.objects.filter(case__number=number, kind__in=kinds).order_by("created_at"))


def latest_document(case: Case, kind: str) -> CaseDocument | None:
    """The document of `kind` an action has just issued (the page links to it)."""
    return CaseDocument.objects.filter(case=case, kind=kind).order_by("-id").first()


def public_steps(case: Case) -> QuerySet[Step]:
    """The steps as the applicant and public tracking list them."""
    return Step.objects.filter(case=case).select_related("department").order_by("stage_position", "id")


def case_steps(case: Case) -> QuerySet[Step]:
    """The steps as the staff's case page lists them, with who completed each."""
    return (
        Step.objects.filter(case=case)
        .select_related("department", "completed_by")
        .order_by("stage_position", "opened_at", "id")
    )


def case_has_step(case: Case, step_id: int) -> bool:
    return Step.objects.filter(case=case, pk=step_id).exists()


def open_pause(case: Case) -> ClockPause | None:
    return ClockPause.objects.filter(case=case, ended_on__isnull=True).first()


def process_definition_of(item) -> ProcessDefinition | None:
    """The stored process of an item version (None: the default process applies)."""
    return ProcessDefinition.objects.filter(item=item).first()


# ---- the window's lists beyond the intake queue --------------------------------------------------

WAITING_AT_WINDOW = (CaseStatus.CORRECTION, CaseStatus.SUPPLEMENTING, CaseStatus.RETURNED)


def _hall_cases(user: AnyUser) -> QuerySet[Case]:
    scope = scope_for(user)
    qs = Case.objects.visible_to(user).select_related("item", "item__department", "applicant")
    if scope.sees_everything:
        return qs
    return qs.filter(intake_hall_id__in=scope.hall_ids)


def window_waiting(*, user: AnyUser) -> QuerySet[Case]:
    """Cases of the clerk's halls waiting on the window: corrections outstanding, returned by a department."""
    return _hall_cases(user).filter(status__in=WAITING_AT_WINDOW).order_by("updated_at", "id")


def issuance_queue(*, user: AnyUser) -> QuerySet[Case]:
    """办结待出件: decided cases of the clerk's halls, oldest decision first."""
    return _hall_cases(user).filter(status=CaseStatus.CONCLUDED).order_by("concluded_at", "id")
