"""Writes of the intake decision and after: acceptance, refusal, correction and resubmission,
withdrawal, visits and the 5-day intake rule."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tongban.catalogue.choices import CaseKind
from tongban.common.errors import NotAllowed, ValidationFailed
from tongban.organisations.models import ServiceHall
from tongban.workdays.calendar import add_working_days
from tongban.workdays.clock import marked

from .. import documents
from ..choices import (
    CaseEventKind,
    CaseStatus,
    DocumentKind,
    MaterialStatus,
    PauseKind,
    StepStatus,
    VisitKind,
)
from ..models import Case, CaseMaterial, ClockPause, Step, Visit
from ..processes import ProcessPlan, process_for_item, process_problems
from ._base import (
    DUE_FIELDS,
    due_dates,
    event,
    lock_case,
    move,
    notify_applicant,
    open_stage,
    provisional_text,
    recompute_due,
    require_applicant,
    require_clerk,
    require_department,
    require_text,
    save_case,
    set_case_dues,
    today,
)
from .submission import INTAKE_RULE_DAYS, _missing_required

if TYPE_CHECKING:
    from tongban.common.types import User

DEFAULT_CORRECTION_DAYS = 10


# ---- intake decisions ----------------------------------------------------------------------------


def _check_plan(case: Case) -> ProcessPlan:
    plan = process_for_item(case.item)
    problems = process_problems(plan, case.item)
    if problems:
        raise ValidationFailed(
            f"该事项的办理流程配置有误，暂不能受理：{problems[0]}", field="process", errors=problems
        )
    return plan


def case_accept(
    *, actor: User, case_id: int, expected_version: int | None = None, hall_id: int | None = None
) -> Case:
    """受理: the clock starts the day after; the first stage's steps open; 受理通知书 is issued."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "accept")
        hall = require_clerk(actor, case, hall_id=hall_id)
        if case.item.case_kind == CaseKind.IMMEDIATE:
            raise ValidationFailed("即办件请当场办结（即办），无需受理后流转。", field="case_id")
        missing = _missing_required(case)
        if missing:
            raise ValidationFailed(
                f"以下必需材料未提交或需补正：{'、'.join(missing)}。请一次性告知补正或不予受理。",
                field="materials",
                errors={"materials": missing},
            )
        plan = _check_plan(case)
        on = today()
        if hall and not case.intake_hall_id:
            case.intake_hall = ServiceHall.objects.select_related("region").get(pk=hall)
        case.accepted_on, case.accepted_at, case.accepted_by = on, timezone.now(), actor
        case.plan = plan.as_list()
        promised, statutory = set_case_dues(case, [], on=on)
        case.intake_due, case.intake_due_provisional = None, False
        case.status = after
        CaseMaterial.objects.filter(case=case, status=MaterialStatus.SUBMITTED).update(
            status=MaterialStatus.ACCEPTED, checked=True
        )
        event(
            case,
            CaseEventKind.ACCEPTED,
            actor=actor,
            from_status=before,
            to_status=after,
            due_date=promised.date.isoformat(),
            statutory_due_date=statutory.date.isoformat(),
            provisional=case.due_provisional,
        )
        open_stage(case, 1, actor=actor, on=on)
        save_case(
            case,
            [
                "intake_hall",
                "accepted_on",
                "accepted_at",
                "accepted_by",
                "plan",
                *DUE_FIELDS,
                "intake_due",
                "intake_due_provisional",
                "status",
                "current_stage",
            ],
        )
        documents.document_store(
            case=case,
            kind=DocumentKind.ACCEPTANCE,
            notice=documents.acceptance_notice(case, today=on),
            actor=actor,
        )
        notify_applicant(
            case,
            "case.accepted",
            key="accepted",
            due_date=provisional_text(promised.date, case.due_provisional),
            accepted_on=on,
        )
        return case


def case_refuse(
    *, actor: User, case_id: int, reason: str, refer_to: str = "", expected_version: int | None = None
) -> Case:
    """不予受理 with the reason and, where the matter belongs elsewhere, the body to apply to."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "refuse")
        hall = require_clerk(actor, case)
        case.refusal_reason = require_text(reason, field="reason", label="不予受理的理由")
        case.refer_to = (refer_to or "").strip()[:200]
        if hall and not case.intake_hall_id:
            case.intake_hall = ServiceHall.objects.select_related("region").get(pk=hall)
        case.status, case.closed_at, case.intake_due = after, timezone.now(), None
        case.intake_due_provisional = False
        save_case(
            case,
            [
                "refusal_reason",
                "refer_to",
                "intake_hall",
                "status",
                "closed_at",
                "intake_due",
                "intake_due_provisional",
            ],
        )
        event(
            case,
            CaseEventKind.REFUSED,
            actor=actor,
            from_status=before,
            to_status=after,
            note=case.refusal_reason,
            refer_to=case.refer_to,
        )
        on = today()
        documents.document_store(
            case=case, kind=DocumentKind.REFUSAL, notice=documents.refusal_notice(case, today=on), actor=actor
        )
        notify_applicant(case, "case.refused", key="refused", reason=case.refusal_reason)
        return case


def case_request_correction(
    *,
    actor: User,
    case_id: int,
    items: list[dict],
    respond_within_days: int = DEFAULT_CORRECTION_DAYS,
    expected_version: int | None = None,
) -> Case:
    """一次性告知: ONE 补正告知书 listing every missing or deficient material with its reason.

    `items`: [{"material_id": id, "reason": "…"}] for materials of the case, or {"name": "…",
    "reason": "…"} for something not on the checklist. Before acceptance the case waits for the
    applicant; after acceptance the statutory clock pauses until the resubmission.
    """
    if not items:
        raise ValidationFailed("请至少列出一项需要补正的材料及原因。", field="items")
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "request_correction")
        if before == CaseStatus.IN_REVIEW:
            departments = set(
                Step.objects.filter(case=case, status=StepStatus.OPEN).values_list("department_id", flat=True)
            )
            try:
                require_clerk(actor, case)
            except NotAllowed:
                if not departments:
                    raise
                _require_any_department(actor, departments, action="要求补正")
        else:
            hall = require_clerk(actor, case)
            if hall and not case.intake_hall_id:
                case.intake_hall = ServiceHall.objects.select_related("region").get(pk=hall)
        if case.is_paused:
            raise ValidationFailed("特别程序进行中，请先恢复计时再要求补正。", field="case_id")
        rows: list[tuple[str, str]] = []
        for i, entry in enumerate(items, start=1):
            reason = (entry.get("reason") or "").strip()
            if not reason:
                raise ValidationFailed(f"第 {i} 项补正内容缺少原因。", field="items")
            if entry.get("material_id"):
                material = CaseMaterial.objects.filter(pk=entry["material_id"], case=case).first()
                if material is None:
                    raise ValidationFailed(f"第 {i} 项补正材料不属于本办件。", field="items")
            else:
                name = (entry.get("name") or "").strip()
                if not name:
                    raise ValidationFailed(f"第 {i} 项补正内容缺少材料名称。", field="items")
                material = CaseMaterial.objects.create(case=case, name=name[:200], required=True)
            material.status, material.note, material.checked = MaterialStatus.DEFICIENT, reason[:255], True
            material.save(update_fields=["status", "note", "checked"])
            rows.append((material.name, reason))
        on = today()
        accepted = before != CaseStatus.SUBMITTED
        correction = marked(on, add_working_days(on, respond_within_days))
        case.correction_due, case.correction_due_provisional = correction.date, correction.provisional
        if accepted:
            ClockPause.objects.create(
                case=case, kind=PauseKind.CORRECTION, reason="补正材料", started_on=on, started_by=actor
            )
            case.is_paused = True
        else:
            case.intake_due, case.intake_due_provisional = None, False
        case.status = after
        save_case(
            case,
            [
                "correction_due",
                "correction_due_provisional",
                "is_paused",
                "intake_due",
                "intake_due_provisional",
                "status",
                "intake_hall",
            ],
        )
        ev = event(
            case,
            CaseEventKind.CORRECTION_REQUESTED,
            actor=actor,
            from_status=before,
            to_status=after,
            materials=[{"name": n, "reason": r} for n, r in rows],
            due=case.correction_due.isoformat(),
            days=respond_within_days,
            provisional=case.correction_due_provisional,
        )
        if accepted:
            event(case, CaseEventKind.PAUSED, actor=actor, from_status=after, note="补正材料，暂停计时")
        documents.document_store(
            case=case,
            kind=DocumentKind.CORRECTION,
            notice=documents.correction_notice(case, rows=rows, today=on, accepted=accepted),
            actor=actor,
        )
        notify_applicant(
            case,
            "case.correction_requested",
            key=f"correction:{ev.pk}",
            due_date=provisional_text(case.correction_due, case.correction_due_provisional),
            materials="；".join(f"{n}（{r}）" for n, r in rows),
        )
        return case


def _require_any_department(actor: User, departments: set[int], *, action: str) -> None:
    last: NotAllowed | None = None
    for dept in departments:
        try:
            require_department(actor, dept, action=action)
            return
        except NotAllowed as exc:
            last = exc
    raise last or NotAllowed(f"您无权{action}。")


def case_resubmit(
    *,
    actor: User,
    case_id: int,
    expected_version: int | None = None,
    at_window: bool = False,
    hall_id: int | None = None,
) -> Case:
    """The applicant (online) or a clerk (at the window: a visit) hands in the corrections.

    Before acceptance the case re-enters the intake queue with a fresh 5-day intake deadline; after
    acceptance the clock resumes (days from the day after resubmission count again) and the stage
    that was interrupted goes on (re-opened if it had been returned to the window).
    """
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "resubmit")
        if at_window:
            hall = require_clerk(actor, case, hall_id=hall_id)
        else:
            require_applicant(actor, case, action="补正提交")
            hall = None
        still = _missing_required(case)
        if still:
            raise ValidationFailed(
                f"以下材料仍需补正：{'、'.join(still)}。", field="materials", errors={"materials": still}
            )
        on = today()
        case.status = after
        fields = ["status", "correction_due", "correction_due_provisional"]
        case.correction_due, case.correction_due_provisional = None, False
        event(
            case,
            CaseEventKind.RESUBMITTED,
            actor=actor,
            from_status=before,
            to_status=after,
            at_window=at_window,
        )
        if before == CaseStatus.CORRECTION:
            intake = marked(on, add_working_days(on, INTAKE_RULE_DAYS))
            case.intake_due, case.intake_due_provisional = intake.date, intake.provisional
            case.intake_overdue = False
            fields += ["intake_due", "intake_due_provisional", "intake_overdue"]
        else:
            ClockPause.objects.filter(case=case, ended_on__isnull=True).update(ended_on=on, ended_by=actor)
            case.is_paused = False
            recompute_due(case, on=on)
            fields += ["is_paused", *DUE_FIELDS, "current_stage"]
            event(
                case,
                CaseEventKind.RESUMED,
                actor=actor,
                from_status=after,
                note="补正完成，恢复计时",
                due_date=due_dates(case)[0].isoformat(),
            )
            if not Step.objects.filter(case=case, status=StepStatus.OPEN).exists():
                open_stage(case, case.current_stage or 1, actor=actor, on=on)
        save_case(case, fields)
        if at_window:
            _visit(case, kind=VisitKind.CORRECTION, hall_id=hall, actor=actor)
        if before == CaseStatus.SUPPLEMENTING:
            notify_applicant(
                case,
                "case.resumed",
                key=f"resumed:{case.version}",
                due_date=provisional_text(due_dates(case)[0], case.due_provisional),
            )
        return case


def case_withdraw(
    *, actor: User, case_id: int, reason: str = "", expected_version: int | None = None
) -> Case:
    """The applicant withdraws the application (撤回) before it is decided."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "withdraw")
        require_applicant(actor, case, action="撤回申请")
        case.status, case.closed_at, case.intake_due = after, timezone.now(), None
        case.intake_due_provisional = False
        Step.objects.filter(case=case, status=StepStatus.OPEN).update(status=StepStatus.CANCELLED)
        ClockPause.objects.filter(case=case, ended_on__isnull=True).update(ended_on=today(), ended_by=actor)
        case.is_paused = False
        save_case(case, ["status", "closed_at", "intake_due", "intake_due_provisional", "is_paused"])
        event(
            case,
            CaseEventKind.WITHDRAWN,
            actor=actor,
            from_status=before,
            to_status=after,
            note=reason.strip(),
        )
        return case


# ---- visits and the 5-day rule -------------------------------------------------------------------


def _visit(case: Case, *, kind: str, hall_id: int | None, actor: User, note: str = "") -> Visit:
    visit = Visit.objects.create(
        case=case, kind=kind, hall_id=hall_id, staff=actor, note=note[:255], at=timezone.now()
    )
    Case.objects.filter(pk=case.pk).update(visit_count=F("visit_count") + 1)
    case.refresh_from_db(fields=["visit_count"])
    event(
        case,
        CaseEventKind.VISIT,
        actor=actor,
        from_status=case.status,
        note=VisitKind(kind).label,
        kind=kind,
        visit_id=visit.pk,
    )
    return visit


def visit_record(
    *, actor: User, case_id: int, kind: str = VisitKind.OTHER, note: str = "", hall_id: int | None = None
) -> Visit:
    """Record that the applicant came in person for this case (跑动次数)."""
    if kind not in VisitKind.values:
        raise ValidationFailed("到场事由无效。", field="kind")
    with transaction.atomic():
        case = lock_case(case_id)
        move(case, "record_visit")
        hall = require_clerk(actor, case, hall_id=hall_id)
        return _visit(case, kind=kind, hall_id=hall, actor=actor, note=note)


def case_flag_intake_overdue_sweep(*, on: date | None = None) -> int:
    """Flag cases left without an intake decision past their 5-working-day intake deadline.

    Idempotent: a flagged case is not flagged again. Returns how many were flagged now.
    """
    on = on or today()
    ids = list(
        Case.objects.filter(status=CaseStatus.SUBMITTED, intake_overdue=False, intake_due__lt=on).values_list(
            "pk", flat=True
        )
    )
    flagged = 0
    for case_id in ids:
        with transaction.atomic():
            case = lock_case(case_id)
            if (
                case.status != CaseStatus.SUBMITTED
                or case.intake_overdue
                or not case.intake_due
                or case.intake_due >= on
            ):
                continue
            case.intake_overdue = True
            save_case(case, ["intake_overdue"])
            event(
                case,
                CaseEventKind.INTAKE_OVERDUE,
                from_status=case.status,
                note=f"提交后超过 {INTAKE_RULE_DAYS} 个工作日"
                f"（期限 {case.intake_due:%Y-%m-%d}）仍未作出受理决定。",
                intake_due=case.intake_due.isoformat(),
            )
            flagged += 1
    return flagged
