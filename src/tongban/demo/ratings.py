"""The demo's 差评 and its finished follow-up: 差评 → 核实 → 整改 → 回访 → closed, in November 2026.

The case is the demo's ``demo:history-rated`` (demo.cases, decided and posted on 5 November). Each
stage is played through the services at its own moment (tongban.demo.history) by the department's own
demo logins — the approver verifies and calls back, the head signs the rectification — so the follow-up's
log, its supervision watches (each closed on time) and the message to the applicant are what real use
produces. Idempotent: nothing happens once the case's service has been rated.
"""

from __future__ import annotations

from django.db import transaction

from tongban.accounts.models import User
from tongban.cases.models import Case
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment
from tongban.ratings.choices import CallbackResult, RatingTag, ServiceKind
from tongban.ratings.models import FollowUp, RatableService
from tongban.ratings.services.followups import followup_callback, followup_rectify, followup_verify
from tongban.ratings.services.ratings import rating_submit
from tongban.ratings.services.registry import register_case

from .history import at, history_possible

__all__ = ["RATED_CASE", "load_demo_ratings"]

RATED_CASE = "demo:history-rated"


def _staff(department_id: int, role: str) -> User:
    assignment = (
        StaffAssignment.objects.filter(
            department_id=department_id, role=role, user__is_active=True, user__is_superuser=False
        )
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if assignment is None:
        raise RuntimeError(f"演示数据中部门 #{department_id} 没有{StaffRole(role).label}的登录账户。")
    return assignment.user


def load_demo_ratings() -> dict[str, int]:
    """Play the rating of the demo's rated case and its follow-up to the end (idempotent).

    Call after ``demo.cases.load_demo_cases()``. Returns {"followups_closed": n} (0 when the history is
    not loaded: today not yet past it, or the case is missing).
    """
    case = Case.objects.select_related("item", "applicant__user").filter(submit_key=RATED_CASE).first()
    if case is None or not history_possible():
        return {"followups_closed": 0}
    service = RatableService.objects.filter(kind=ServiceKind.ONLINE_CASE, reference_id=case.pk).first()
    if service is None or not service.rated:
        with transaction.atomic():
            _play(case)
    closed = FollowUp.objects.filter(service__reference_id=case.pk, closed_at__isnull=False).count()
    return {"followups_closed": closed}


def _play(case: Case) -> None:
    department = case.item.department_id
    approver, head = _staff(department, StaffRole.APPROVER), _staff(department, StaffRole.DEPARTMENT_HEAD)
    with at("2026-11-05 16:05"):  # the scheduler's sweep registers the concluded case as ratable
        service = register_case(case)
    with at("2026-11-09 20:10"):
        rating = rating_submit(
            score=2,
            service_id=service.pk,
            actor=case.applicant.user,
            tags=[RatingTag.EFFICIENCY, RatingTag.FEWER_TRIPS],
            comment="现场核查的时间改了两次，我请了两次假，多跑了一趟。",
        )
    followup = rating.followup
    with at("2026-11-10 10:00"):
        followup_verify(
            actor=approver,
            followup_id=followup.pk,
            note="已电话联系申请人核实：现场核查时间两次调整属实，原因是核查人员临时被抽调，未提前告知申请人。",
        )
    with at("2026-11-13 16:30"):
        followup_rectify(
            actor=head,
            followup_id=followup.pk,
            note=(
                "建立现场核查预约确认制度：核查时间确定后短信告知申请人，确需调整的须提前一个工作日"
                "告知并经科室负责人同意；已对相关人员进行提醒谈话。"
            ),
        )
    with at("2026-11-16 10:30"):
        followup_callback(
            actor=approver,
            followup_id=followup.pk,
            result=CallbackResult.SATISFIED,
            note="申请人表示对整改措施满意，认可电话说明。",
        )
