"""Writes of the back half of a case: steps, decisions, special procedures, extensions, issuance and the
即办 path that does acceptance, decision and issuance in one sitting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tongban.catalogue.choices import CaseKind
from tongban.common.errors import NotAllowed, NotFound, ValidationFailed, require_choice
from tongban.common.prepared import Prepared
from tongban.common.validators import require_id_number

from .. import documents
from ..choices import (
    CaseChannel,
    CaseEventKind,
    CaseStatus,
    Decision,
    DocumentKind,
    IssuanceMethod,
    MaterialStatus,
    PauseKind,
    SpecialProcedure,
    StepKind,
    StepOutcome,
    StepStatus,
    VisitKind,
)
from ..extensions import extension_allowance
from ..models import Case, CaseDocument, CaseMaterial, ClockPause, Extension, Step
from ..permissions import can_extend
from ..processes import plan_from_list
from ..transitions import target_state
from ._base import (
    DUE_FIELDS,
    case_dues,
    due_dates,
    event,
    lock_case,
    move,
    notify_applicant,
    open_joint,
    open_stage,
    open_step,
    pauses_of,
    provisional_text,
    recompute_due,
    require_clerk,
    require_department,
    require_text,
    save_case,
    set_case_dues,
    today,
)
from .intake import _check_plan, _visit
from .submission import _missing_required

if TYPE_CHECKING:
    from tongban.common.types import User

# Prepared (compiled once per connection): every approver's action runs them. The step is locked
# alone (`of`), never its department's row, which would queue every approver of the department.
_STEP_CASE = Prepared(lambda pk: Step.objects.only("case_id").filter(pk=pk).order_by(), "int")
_LOCK_STEP = Prepared(
    lambda pk: (
        Step.objects.select_for_update(of=("self",)).select_related("department").filter(pk=pk).order_by()
    ),
    "int",
)
_OPEN_DECISION = Prepared(
    lambda case_id: (
        Step.objects.select_for_update()
        .filter(case_id=case_id, status=StepStatus.OPEN, kind=StepKind.DECISION)
        .order_by("pk")[:1]
    ),
    "int",
)


_OPEN_SIBLING = Prepared(
    lambda case_id, position: (
        Step.objects.only("id")
        .filter(case_id=case_id, stage_position=position, status=StepStatus.OPEN)
        .order_by()[:1]
    ),
    "int",
    "int",
)


def _lock_step(step_id: int, expected_version: int | None) -> tuple[Case, Step]:
    """Lock the step's case (always first, as every case write does), then the step."""
    found = _STEP_CASE.first(step_id)
    if found is None:
        raise NotFound("办理环节不存在。")
    case = lock_case(found.case_id, expected_version=expected_version)
    step = _LOCK_STEP.first(step_id)
    if step is None or step.case_id != case.pk:
        raise NotFound("办理环节不存在。")
    return case, step


def step_complete(
    *,
    actor: User,
    step_id: int,
    outcome: str,
    opinion: str,
    expected_version: int | None = None,
) -> Step:
    """An approver records the opinion and outcome of their department's step.

    pass/fail: a serial stage advances to the next stage (fail skips to the decision, so the decider
    decides on the negative opinion without further reviews); in a parallel stage the lead's joint
    step opens once every sibling is in. return: the case goes back to the intake window with the
    reason, and the other open steps are cancelled (re-opened after the correction).
    """
    outcome = require_choice(outcome, StepOutcome, field="outcome", label="办理结果")
    with transaction.atomic():
        case, step = _lock_step(step_id, expected_version)
        action = "return_to_intake" if outcome == StepOutcome.RETURN else "complete_step"
        before, after = move(case, action)
        if step.status != StepStatus.OPEN:
            raise ValidationFailed("该环节已办理，不能重复办理。", field="step_id", code="step_closed")
        if step.kind in (StepKind.DECISION, StepKind.WINDOW):
            raise ValidationFailed("这是审批决定环节，请作出准予或不予的决定。", field="step_id")
        require_department(actor, step.department_id, role=step.role, action="办理该环节")
        if case.is_paused:
            raise ValidationFailed("办件暂停计时中（特别程序），请先恢复计时。", field="step_id")
        label = "退回理由" if outcome == StepOutcome.RETURN else "办理意见"
        step.opinion = require_text(opinion, field="opinion", label=label)
        step.outcome, step.status = outcome, StepStatus.DONE
        step.completed_at, step.completed_by = timezone.now(), actor
        step.save(update_fields=["opinion", "outcome", "status", "completed_at", "completed_by"])
        event(
            case,
            CaseEventKind.STEP_COMPLETED,
            actor=actor,
            from_status=before,
            to_status=before,
            note=f"{step.name}（{step.department.name}）：{StepOutcome(outcome).label}。{step.opinion}",
            step_id=step.pk,
            outcome=outcome,
        )
        on = today()
        if outcome == StepOutcome.RETURN:
            Step.objects.filter(case=case, status=StepStatus.OPEN).update(status=StepStatus.CANCELLED)
            case.status = after
            event(
                case,
                CaseEventKind.RETURNED,
                actor=actor,
                from_status=before,
                to_status=after,
                note=step.opinion,
                step_id=step.pk,
            )
        else:
            _advance(case, step, actor=actor, on=on)
        save_case(case, ["status", "current_stage"])
        return step


def _advance(case: Case, step: Step, *, actor: User, on) -> None:
    plan = plan_from_list(case.plan)
    stage = plan.stages[step.stage_position - 1]
    last_position = len(plan.stages)
    if step.parallel and step.kind == StepKind.REVIEW:
        if _OPEN_SIBLING.first(case.pk, step.stage_position) is not None:
            return  # siblings still working
        open_joint(case, stage, last=step.stage_position == last_position, actor=actor, on=on)
        return
    if step.outcome == StepOutcome.FAIL:
        open_stage(case, last_position, actor=actor, on=on, decision_only=True)
        return
    open_stage(case, step.stage_position + 1, actor=actor, on=on)


def case_decide(
    *,
    actor: User,
    case_id: int,
    decision: str,
    reason: str,
    legal_basis: str,
    expected_version: int | None = None,
) -> Case:
    """审批决定 (准予/不予) on the open decision step, by its department (the lead for a parallel
    stage); issues the 决定书 and concludes the case."""
    decision = require_choice(decision, Decision, field="decision", label="审批决定")
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "decide")
        step = _OPEN_DECISION.first(case.pk)
        if step is None:
            raise ValidationFailed(
                "办件尚未进入审批决定环节，各部门审查完成后方可决定。", field="case_id", code="not_ready"
            )
        require_department(actor, step.department_id, role=step.role, action="作出审批决定")
        if case.is_paused:
            raise ValidationFailed("特别程序进行中，请先恢复计时再作出决定。", field="case_id")
        reason = require_text(reason, field="reason", label="决定理由")
        basis = require_text(legal_basis, field="legal_basis", label="决定依据")
        now = timezone.now()
        step.outcome = StepOutcome.PASS if decision == Decision.APPROVED else StepOutcome.FAIL
        step.opinion, step.status, step.completed_at, step.completed_by = reason, StepStatus.DONE, now, actor
        step.save(update_fields=["outcome", "opinion", "status", "completed_at", "completed_by"])
        _conclude(
            case, decision=decision, reason=reason, basis=basis, actor=actor, before=before, after=after
        )
        return case


def _conclude(
    case: Case, *, decision: str, reason: str, basis: str, actor: User, before: str, after: str
) -> None:
    on = today()
    case.decision, case.decision_reason, case.decision_basis = decision, reason, basis
    case.status, case.concluded_at = after, timezone.now()
    save_case(case, ["decision", "decision_reason", "decision_basis", "status", "concluded_at"])
    event(
        case,
        CaseEventKind.DECIDED,
        actor=actor,
        from_status=before,
        to_status=after,
        note=f"{Decision(decision).label}：{reason}",
        decision=decision,
        legal_basis=basis,
    )
    documents.document_store(
        case=case, kind=DocumentKind.DECISION, notice=documents.decision_notice(case, today=on), actor=actor
    )
    outcome = f"{Decision(decision).label}{'许可' if case.item.item_type == '01' else ''}"
    notify_applicant(case, "case.decided", key="decided", outcome=outcome)


# ---- the clock: special procedures and extensions ------------------------------------------------


def _require_case_department(actor: User, case: Case, *, action: str) -> None:
    """Department staff of an open step of the case, or of the item's own department."""
    departments = set(
        Step.objects.filter(case=case, status=StepStatus.OPEN).values_list("department_id", flat=True)
    )
    departments.add(case.item.department_id)
    last: NotAllowed | None = None
    for dept in departments:
        try:
            require_department(actor, dept, action=action)
            return
        except NotAllowed as exc:
            last = exc
    raise last or NotAllowed(f"您无权{action}。")


def case_pause(
    *,
    actor: User,
    case_id: int,
    procedure: str,
    reason: str,
    expected_days: int | None = None,
    expected_version: int | None = None,
) -> Case:
    """特别程序 (听证/检验/检测/检疫/鉴定/专家评审): the clock stops; the applicant is told in writing."""
    if procedure not in SpecialProcedure.values:
        raise ValidationFailed("特别程序类型无效。", field="procedure")
    if expected_days is not None and expected_days < 1:
        raise ValidationFailed("预计时长至少为 1 个工作日。", field="expected_days")
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "pause")
        _require_case_department(actor, case, action="启动特别程序")
        if case.is_paused:
            raise ValidationFailed("办件已处于暂停计时状态。", field="case_id", code="already_paused")
        reason = require_text(reason, field="reason", label="特别程序的理由")
        on = today()
        ClockPause.objects.create(
            case=case,
            kind=PauseKind.SPECIAL,
            procedure=procedure,
            reason=reason,
            expected_days=expected_days,
            started_on=on,
            started_by=actor,
        )
        case.is_paused = True
        save_case(case, ["is_paused"])
        ev = event(
            case,
            CaseEventKind.PAUSED,
            actor=actor,
            from_status=before,
            to_status=after,
            note=f"{SpecialProcedure(procedure).label}：{reason}",
            procedure=procedure,
            expected_days=expected_days,
        )
        documents.document_store(
            case=case,
            kind=DocumentKind.SPECIAL,
            actor=actor,
            notice=documents.special_procedure_notice(
                case, procedure=procedure, reason=reason, expected_days=expected_days, today=on
            ),
        )
        notify_applicant(
            case,
            "case.paused",
            key=f"paused:{ev.pk}",
            reason=f"{SpecialProcedure(procedure).label}（{reason}）",
        )
        return case


def case_resume(*, actor: User, case_id: int, note: str = "", expected_version: int | None = None) -> Case:
    """The special procedure is over: the clock resumes from the day after today; deadlines move."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "resume")
        _require_case_department(actor, case, action="恢复计时")
        pause = ClockPause.objects.select_for_update().filter(case=case, ended_on__isnull=True).first()
        if pause is None or pause.kind != PauseKind.SPECIAL:
            raise ValidationFailed("办件没有进行中的特别程序。", field="case_id", code="not_paused")
        on = today()
        pause.ended_on, pause.ended_by = on, actor
        pause.save(update_fields=["ended_on", "ended_by"])
        case.is_paused = False
        recompute_due(case, on=on)
        save_case(case, ["is_paused", *DUE_FIELDS])
        ev = event(
            case,
            CaseEventKind.RESUMED,
            actor=actor,
            from_status=before,
            to_status=after,
            note=note.strip() or f"{pause.get_procedure_display()}结束，恢复计时",
            due_date=due_dates(case)[0].isoformat(),
            pause_id=pause.pk,
        )
        notify_applicant(
            case,
            "case.resumed",
            key=f"resumed:{ev.pk}",
            due_date=provisional_text(due_dates(case)[0], case.due_provisional),
        )
        return case


def case_extend(
    *, actor: User, case_id: int, days: int, reason: str, expected_version: int | None = None
) -> Case:
    """延期 as the law allows it (cases.extensions): by a head of the item's own department, at most the
    item's number of times (行政许可法 第四十二条: once) and days (10; joint processing 15), and never
    past the statutory deadline plus its legal extension. Refusals name the rule (Chinese, 4xx)."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValidationFailed("延长天数应为正整数。", field="days")
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "extend")
        if not can_extend(actor, case):
            raise NotAllowed("只有办理部门的负责人可以批准延期。")
        on = today()
        allowance = extension_allowance(case, on=on)
        if not allowance.allowed:
            raise ValidationFailed(allowance.reason_refused, field="days", code="extension_refused")
        if days > allowance.max_days:
            raise ValidationFailed(
                f"依照{allowance.basis}，每次最多延长 {allowance.max_days} 个{allowance.unit_label}，"
                f"不能延长 {days} 个。",
                field="days",
                code="extension_refused",
            )
        reason = require_text(reason, field="reason", label="延期理由")
        promised, _ = case_dues(case, pauses_of(case), on=on, extension_days=case.extension_days + days)
        cap = allowance.cap
        if cap is not None and promised.date > cap.date:
            raise ValidationFailed(
                f"延期后的办结期限 {promised.date:%Y-%m-%d} 超过法定办结期限加法定延长期限"
                f"（{cap.date:%Y-%m-%d}，{allowance.basis}），不能延期。",
                field="days",
                code="extension_refused",
            )
        due_before, _ = due_dates(case)
        case.extension_days += days
        recompute_due(case, on=on)
        due_after, statutory_due_after = due_dates(case)
        save_case(case, ["extension_days", *DUE_FIELDS])
        ext = Extension.objects.create(
            case=case,
            days=days,
            reason=reason,
            approved_by=actor,
            due_before=due_before,
            due_after=due_after,
            at=timezone.now(),
        )
        event(
            case,
            CaseEventKind.EXTENDED,
            actor=actor,
            from_status=before,
            to_status=after,
            note=f"延长 {days} 个工作日：{reason}（{allowance.basis}）",
            days=days,
            due_before=due_before.isoformat(),
            due_after=due_after.isoformat(),
            statutory_due_after=statutory_due_after.isoformat(),
            provisional=case.due_provisional,
            extension_id=ext.pk,
        )
        documents.document_store(
            case=case,
            kind=DocumentKind.EXTENSION,
            actor=actor,
            notice=documents.extension_notice(
                case, days=days, reason=reason, today=on, basis=allowance.basis
            ),
        )
        notify_applicant(
            case,
            "case.extended",
            key=f"extended:{ext.pk}",
            days=days,
            due_date=provisional_text(due_dates(case)[0], case.due_provisional),
            reason=reason,
        )
        return case


# ---- issuance ------------------------------------------------------------------------------------


def _issue(
    case: Case,
    *,
    actor: User,
    hall: int | None,
    method: str,
    identity_checked: bool,
    receiver_name: str,
    receiver_id_number: str,
    tracking_number: str,
    carrier: str,
    before: str,
    after: str,
    pickup_visit: bool = True,
) -> None:
    detail: dict = {"method": method}
    if method == IssuanceMethod.PICKUP:
        if not identity_checked:
            raise ValidationFailed("窗口领取须核验领取人身份证件。", field="identity_checked")
        detail["receiver_name"] = require_text(receiver_name, field="receiver_name", label="领取人姓名")
        detail["receiver_id_number"] = require_id_number(
            receiver_id_number, field="receiver_id_number", whose="领取人"
        )
        detail["identity_checked"] = True
    elif method == IssuanceMethod.POST:
        case.tracking_number = require_text(tracking_number, field="tracking_number", label="邮寄单号")[:64]
        detail.update(tracking_number=case.tracking_number, carrier=carrier or "EMS")
    elif method == IssuanceMethod.ELECTRONIC:
        doc = CaseDocument.objects.filter(case=case, kind=DocumentKind.DECISION).order_by("-id").first()
        if doc is None:
            raise ValidationFailed("没有可供下载的结果文书，不能电子送达。", field="method")
        detail["document_id"] = doc.pk
    else:
        raise ValidationFailed("出件方式只能是窗口领取、邮寄送达或电子送达。", field="method")
    case.issuance_method, case.status, case.closed_at = method, after, timezone.now()
    save_case(case, ["issuance_method", "tracking_number", "status", "closed_at"])
    event(
        case,
        CaseEventKind.ISSUED,
        actor=actor,
        from_status=before,
        to_status=after,
        note=IssuanceMethod(method).label,
        **detail,
    )
    if method == IssuanceMethod.PICKUP and pickup_visit:
        _visit(case, kind=VisitKind.PICKUP, hall_id=hall, actor=actor)
    if method == IssuanceMethod.POST:
        notify_applicant(
            case, "case.posted", key="posted", carrier=detail["carrier"], tracking_number=case.tracking_number
        )
    else:
        notify_applicant(case, "case.issued", key="issued")


def case_issue(
    *,
    actor: User,
    case_id: int,
    method: str,
    identity_checked: bool = False,
    receiver_name: str = "",
    receiver_id_number: str = "",
    tracking_number: str = "",
    carrier: str = "EMS",
    expected_version: int | None = None,
) -> Case:
    """统一出件: pickup at the window (identity checked, recorded, a visit), by post (tracking number),
    or electronically (the decision document is the download); then the case is closed."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, after = move(case, "issue")
        hall = require_clerk(actor, case)
        _issue(
            case,
            actor=actor,
            hall=hall,
            method=method,
            identity_checked=identity_checked,
            receiver_name=receiver_name,
            receiver_id_number=receiver_id_number,
            tracking_number=tracking_number,
            carrier=carrier,
            before=before,
            after=after,
        )
        return case


def case_handle_immediately(
    *,
    actor: User,
    case_id: int,
    reason: str,
    decision: str,
    legal_basis: str = "",
    method: str = IssuanceMethod.PICKUP,
    identity_checked: bool = False,
    receiver_name: str = "",
    receiver_id_number: str = "",
    tracking_number: str = "",
    carrier: str = "EMS",
    expected_version: int | None = None,
) -> Case:
    """即办件: accepted, decided and issued at the window in one sitting (one transaction)."""
    decision = require_choice(decision, Decision, field="decision", label="审批决定")
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        before, _ = move(case, "handle_immediately")
        if case.item.case_kind != CaseKind.IMMEDIATE:
            raise ValidationFailed("只有即办件可以当场办结，承诺件请受理后流转。", field="case_id")
        hall = require_clerk(actor, case)
        missing = _missing_required(case)
        if missing:
            raise ValidationFailed(
                f"以下必需材料未提交或需补正：{'、'.join(missing)}。",
                field="materials",
                errors={"materials": missing},
            )
        reason = require_text(reason, field="reason", label="决定理由")
        basis = legal_basis.strip() or case.item.legal_basis
        plan = _check_plan(case)
        on = today()
        accepted, concluded = target_state("accept", before), CaseStatus.CONCLUDED
        case.accepted_on, case.accepted_at, case.accepted_by = on, timezone.now(), actor
        case.plan = plan.as_list()
        set_case_dues(case, [], on=on)
        case.intake_due, case.status, case.current_stage = None, accepted, 1
        case.intake_due_provisional = False
        CaseMaterial.objects.filter(case=case, status=MaterialStatus.SUBMITTED).update(
            status=MaterialStatus.ACCEPTED, checked=True
        )
        save_case(
            case,
            [
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
        event(
            case, CaseEventKind.ACCEPTED, actor=actor, from_status=before, to_status=accepted, immediate=True
        )
        stage = plan.stages[0]
        s = stage.steps[0]
        step = open_step(
            case,
            stage=stage,
            position_kind=StepKind.WINDOW,
            department_id=s.department_id,
            department_name=s.department,
            name=s.name,
            limit_days=s.limit_days,
            actor=actor,
            on=on,
            notify=False,
        )
        step.outcome = StepOutcome.PASS if decision == Decision.APPROVED else StepOutcome.FAIL
        step.opinion, step.status, step.completed_at, step.completed_by = (
            reason,
            StepStatus.DONE,
            timezone.now(),
            actor,
        )
        step.save(update_fields=["outcome", "opinion", "status", "completed_at", "completed_by"])
        _conclude(
            case, decision=decision, reason=reason, basis=basis, actor=actor, before=accepted, after=concluded
        )
        _issue(
            case,
            actor=actor,
            hall=hall,
            method=method,
            identity_checked=identity_checked,
            receiver_name=receiver_name,
            receiver_id_number=receiver_id_number,
            tracking_number=tracking_number,
            carrier=carrier,
            before=concluded,
            after=target_state("issue", concluded),
            pickup_visit=case.channel == CaseChannel.ONLINE,
        )  # at a window: the intake visit's sitting
        return case
