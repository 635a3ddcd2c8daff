"""The follow-up of a bad rating: 核实 → 整改 → 回访, each stage watched by supervision; and the
department's claim that a bad rating is invalid, decided by a supervisor.

Deadlines: verify within RATING_VERIFY_DAYS (1) and rectify within RATING_RECTIFY_DAYS (15) working days,
both counted from the day of the rating; call back within RATING_CALLBACK_DAYS (3) working days of the
rectification. Each stage is one supervision watch (subject type rating_followup, the follow-up's id):
the stage's watch is closed (recording whether it was on time) and the next stage's opened. A pending
claim pauses the watch; a rejected claim resumes it with the due date moved by the working days it waited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tongban.common.errors import Conflict, IllegalTransition, ValidationFailed, require_text
from tongban.common.workflow import lock, record, save_with_version
from tongban.supervision.choices import SubjectType
from tongban.supervision.services import (
    deadline_close,
    deadline_open,
    deadline_pause,
    deadline_resume,
)
from tongban.workdays.calendar import add_working_days, working_days_between

from .. import conf
from ..choices import (
    CallbackResult,
    ClaimKind,
    ClaimStatus,
    ClosedReason,
    FollowUpEventKind,
    FollowUpStage,
)
from ..models import FollowUp, FollowUpEvent, RatableService, Rating
from ..permissions import require_caller, require_handler, require_supervisor
from ..transitions import FOLLOWUP

if TYPE_CHECKING:
    from tongban.common.types import User

S = FollowUpStage
SUBJECT = SubjectType.RATING_FOLLOWUP
NOTE_MAX = 1000

# stage -> (limit in working days, due field)
_STAGE_LIMITS: dict[str, tuple[Callable[[], int], str]] = {
    S.VERIFY: (conf.verify_working_days, "verify_due"),
    S.RECTIFY: (conf.rectify_working_days, "rectify_due"),
    S.CALLBACK: (conf.callback_working_days, "callback_due"),
}


def _watch(fu: FollowUp, *, started_on: dt.date, due: dt.date, limit_days: int) -> None:
    """Open the supervision watch of the current stage. A follow-up without a department (a kiosk
    session, a comprehensive window without a case) is watched as its hall's own."""
    if fu.department_id is None and fu.hall_id is None:
        return
    service = fu.service
    deadline_open(
        subject_type=SUBJECT,
        subject_id=fu.pk,
        title=f"差评整改·{fu.get_stage_display()}：{service.title}"[:200],
        reference=fu.reference,
        department=fu.department_id,
        hall=fu.hall_id,
        item=service.item,
        started_on=started_on,
        due_date=due,
        limit_days=limit_days,
    )


def _close_watch(fu: FollowUp, *, actor: User, note: str) -> None:
    if fu.department_id is not None or fu.hall_id is not None:
        deadline_close(
            subject_type=SUBJECT, subject_id=fu.pk, closed_on=timezone.localdate(), actor=actor, note=note
        )


def followup_open(*, rating: Rating, service: RatableService) -> FollowUp:
    """A 差评 was given: open its follow-up at the verify stage and start watching (called by
    `rating_submit` inside its transaction)."""
    opened_on = timezone.localdate(rating.rated_at)
    verify_due = add_working_days(opened_on, conf.verify_working_days())
    fu = FollowUp.objects.create(
        rating=rating,
        service=service,
        department_id=service.department_id,
        hall_id=service.hall_id,
        stage=S.VERIFY,
        opened_on=opened_on,
        verify_due=verify_due,
        rectify_due=add_working_days(opened_on, conf.rectify_working_days()),
        stage_due=verify_due,
    )
    record(
        FollowUpEvent,
        fu,
        FollowUpEventKind.OPENED,
        before="",
        note=f"{rating.get_score_display()}：{rating.comment[:200]}",
    )
    _watch(fu, started_on=opened_on, due=verify_due, limit_days=conf.verify_working_days())
    return fu


def _lock(actor: User, followup_id: int, *, expected_version: int | None) -> FollowUp:
    return lock(
        FollowUp.objects.visible_to(actor).select_related("service"),
        followup_id,
        expected_version,
        missing="差评整改单不存在，或您无权查看。",
        stale="整改单已被他人更新，请刷新后重试。",
        stale_code="stale",
    )


def _next_stage(fu: FollowUp, action: str) -> str:
    """The stage `action` leads to; refused while a claim is pending or out of order."""
    if fu.claim_status == ClaimStatus.PENDING:
        raise IllegalTransition(
            f"整改单 {fu.reference} 的无效差评申诉正在审核，暂不能{FOLLOWUP.labels[action]}。"
        )
    return FOLLOWUP.target(action, fu.stage, subject=fu)


def followup_verify(
    *, actor: User, followup_id: int, note: str, expected_version: int | None = None
) -> FollowUp:
    """核实: the department contacted the person and checked the facts; rectification starts."""
    note = require_text(note, field="note", label="核实情况", max_length=NOTE_MAX)
    with transaction.atomic():
        fu = _lock(actor, followup_id, expected_version=expected_version)
        require_handler(actor, fu, action="核实差评")
        before, after = fu.stage, _next_stage(fu, "verify")
        fu.stage, fu.verified_at, fu.verify_note, fu.verified_by = after, timezone.now(), note, actor
        fu.stage_due = fu.rectify_due
        save_with_version(fu, ["stage", "verified_at", "verify_note", "verified_by", "stage_due"])
        record(FollowUpEvent, fu, FollowUpEventKind.VERIFIED, before=before, actor=actor, note=note)
        _close_watch(fu, actor=actor, note="已核实")
        _watch(fu, started_on=fu.opened_on, due=fu.rectify_due, limit_days=conf.rectify_working_days())
        return fu


def followup_rectify(
    *, actor: User, followup_id: int, note: str, expected_version: int | None = None
) -> FollowUp:
    """整改: what was done about it; the call back to the person is due next."""
    note = require_text(note, field="note", label="整改措施", max_length=NOTE_MAX)
    with transaction.atomic():
        fu = _lock(actor, followup_id, expected_version=expected_version)
        require_handler(actor, fu, action="填报整改")
        before, after = fu.stage, _next_stage(fu, "rectify")
        today = timezone.localdate()
        fu.stage, fu.rectified_at, fu.rectify_note, fu.rectified_by = after, timezone.now(), note, actor
        fu.callback_due = fu.stage_due = add_working_days(today, conf.callback_working_days())
        save_with_version(
            fu, ["stage", "rectified_at", "rectify_note", "rectified_by", "callback_due", "stage_due"]
        )
        record(FollowUpEvent, fu, FollowUpEventKind.RECTIFIED, before=before, actor=actor, note=note)
        _close_watch(fu, actor=actor, note="已整改")
        _watch(fu, started_on=today, due=fu.callback_due, limit_days=conf.callback_working_days())
        return fu


def followup_callback(
    *, actor: User, followup_id: int, result: str, note: str = "", expected_version: int | None = None
) -> FollowUp:
    """回访: the person was called back and said how satisfied they are with the rectification; the
    follow-up is closed and the person is told the outcome (template rating.followup). Done by the
    centre's supervisors or the department's staff — never by whoever rectified (permissions)."""
    if result not in CallbackResult.values:
        raise ValidationFailed("请选择回访结果（满意、基本满意、不满意或无法联系）。", field="result")
    note = (note or "").strip()[:NOTE_MAX]
    with transaction.atomic():
        fu = _lock(actor, followup_id, expected_version=expected_version)
        require_caller(actor, fu)
        before, after = fu.stage, _next_stage(fu, "callback")
        now = timezone.now()
        fu.stage, fu.called_back_at, fu.callback_result, fu.callback_note = after, now, result, note
        fu.called_back_by = actor
        fu.closed_at, fu.closed_reason, fu.stage_due = now, ClosedReason.CALLED_BACK, None
        save_with_version(
            fu,
            [
                "stage",
                "called_back_at",
                "callback_result",
                "callback_note",
                "called_back_by",
                "closed_at",
                "closed_reason",
                "stage_due",
            ],
        )
        label = CallbackResult(result).label
        record(
            FollowUpEvent,
            fu,
            FollowUpEventKind.CALLED_BACK,
            before=before,
            actor=actor,
            note=f"{label}。{note}".strip("。"),
        )
        _close_watch(fu, actor=actor, note=f"回访办结（{label}）")
        _tell_person(fu)
        return fu


def _tell_person(fu: FollowUp) -> None:
    """The person who rated hears the outcome, when we know how to reach them."""
    from tongban.notifications.services import notify

    service = fu.service
    applicant = service.applicant
    user = service.user
    mobile = getattr(applicant, "mobile", "") or ""
    email = getattr(applicant, "email", "") or ""
    if user is None and not mobile and not email:
        return
    result = fu.rectify_note[:120] or fu.verify_note[:120]
    notify(
        recipient_user=user,
        mobile=mobile,
        email=email,
        template="rating.followup",
        context={
            "item_name": service.title,
            "case_number": service.reference or fu.reference,
            "result": result,
        },
        ref=f"rating_followup:{fu.pk}",
        idempotency_key=f"rating_followup:{fu.pk}:callback",
    )


def followup_claim_invalid(
    *, actor: User, followup_id: int, kind: str, reason: str, expected_version: int | None = None
) -> FollowUp:
    """申诉: the department says the bad rating is malicious or mistaken; a supervisor decides. The
    watch is paused meanwhile. One claim per follow-up."""
    if kind not in ClaimKind.values:
        raise ValidationFailed("请选择申诉理由类型（恶意差评或误评）。", field="kind")
    reason = require_text(reason, field="reason", label="申诉理由", max_length=NOTE_MAX)
    with transaction.atomic():
        fu = _lock(actor, followup_id, expected_version=expected_version)
        require_handler(actor, fu, action="申诉无效差评")
        if fu.stage not in S.open():
            raise IllegalTransition(f"整改单 {fu.reference} 已办结，不能申诉。")
        if fu.claim_status == ClaimStatus.PENDING:
            raise Conflict(f"整改单 {fu.reference} 已有申诉正在审核。", code="claim_pending")
        if fu.claim_status:
            raise Conflict(
                f"整改单 {fu.reference} 已申诉过一次（{fu.get_claim_status_display()}），不能再次申诉。"
            )
        fu.claim_status, fu.claim_kind, fu.claim_reason = ClaimStatus.PENDING, kind, reason
        fu.claimed_at = timezone.now()
        save_with_version(fu, ["claim_status", "claim_kind", "claim_reason", "claimed_at"])
        record(
            FollowUpEvent,
            fu,
            FollowUpEventKind.CLAIMED,
            before=fu.stage,
            actor=actor,
            note=f"{ClaimKind(kind).label}：{reason}",
        )
        if fu.department_id is not None:
            deadline_pause(subject_type=SUBJECT, subject_id=fu.pk, actor=actor, note="无效差评申诉审核中")
        return fu


def followup_claim_decide(
    *, actor: User, followup_id: int, accept: bool, note: str = "", expected_version: int | None = None
) -> FollowUp:
    """A supervisor decides a claim. Accepted: the rating no longer counts in the figures and the
    follow-up is closed. Rejected: the follow-up goes on, its due date moved by the days it waited."""
    require_supervisor(actor, action="审核无效差评申诉")
    note = (note or "").strip()[:NOTE_MAX]
    if not accept and not note:
        raise ValidationFailed("驳回申诉请填写审核意见。", field="note")
    with transaction.atomic():
        fu = _lock(actor, followup_id, expected_version=expected_version)
        if fu.claim_status != ClaimStatus.PENDING:
            raise IllegalTransition(f"整改单 {fu.reference} 没有待审核的申诉。")
        before = fu.stage
        fu.claim_decision_note = note
        if accept:
            Rating.objects.select_for_update().filter(pk=fu.rating_id).update(excluded=True)
            now = timezone.now()
            fu.claim_status, fu.stage = (
                ClaimStatus.ACCEPTED,
                FOLLOWUP.target("close_invalid", before, subject=fu),
            )
            fu.closed_at, fu.closed_reason, fu.stage_due = now, ClosedReason.INVALID, None
            save_with_version(
                fu,
                ["claim_status", "claim_decision_note", "stage", "closed_at", "closed_reason", "stage_due"],
            )
            record(FollowUpEvent, fu, FollowUpEventKind.CLAIM_ACCEPTED, before=before, actor=actor, note=note)
            _close_watch(fu, actor=actor, note="无效差评，申诉成立")
            return fu
        fu.claim_status = ClaimStatus.REJECTED
        waited = max(0, working_days_between(timezone.localdate(fu.claimed_at), timezone.localdate()))
        fields = ["claim_status", "claim_decision_note"]
        if waited and fu.stage_due is not None:
            fu.stage_due = add_working_days(fu.stage_due, waited)
            due_field = _STAGE_LIMITS[fu.stage][1]
            setattr(fu, due_field, fu.stage_due)
            fields += ["stage_due", due_field]
        save_with_version(fu, fields)
        record(FollowUpEvent, fu, FollowUpEventKind.CLAIM_REJECTED, before=before, actor=actor, note=note)
        if fu.department_id is not None and fu.stage_due is not None:
            deadline_resume(
                subject_type=SUBJECT,
                subject_id=fu.pk,
                due_date=fu.stage_due,
                actor=actor,
                note="申诉驳回，恢复计时",
            )
        return fu
