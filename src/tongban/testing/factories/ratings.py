"""好差评 for tests, through the ratings services: a ratable service, a rating, a follow-up at a stage."""

from __future__ import annotations

from tongban.cases.choices import CaseStatus
from tongban.cases.models import Case
from tongban.organisations.choices import StaffRole
from tongban.ratings.choices import CallbackResult, FollowUpStage
from tongban.ratings.models import FollowUp, RatableService, Rating

from .accounts import StaffFactory
from .cases import CaseFactory

__all__ = ["followup_at", "ratable_case", "rating_of"]


def ratable_case(case: Case | None = None) -> RatableService:
    """A concluded case (a new closed online case if not given) registered for rating."""
    from tongban.ratings.services.registry import register_case

    return register_case(case or CaseFactory(status=CaseStatus.CLOSED))


def rating_of(score: int = 5, service: RatableService | None = None, **fields) -> Rating:
    """The person served rates `service` (a new ratable case if not given); a 差评 (1–2) opens its
    follow-up, as the service does."""
    from tongban.ratings.services import rating_submit

    service = service or ratable_case()
    if score <= 2:
        fields.setdefault("comment", "等候时间太长")
    return rating_submit(score=score, service_id=service.pk, actor=service.user, **fields)


def followup_at(stage: str = FollowUpStage.VERIFY, service: RatableService | None = None) -> FollowUp:
    """The follow-up of a 差评 brought to `stage` by the department's approver (verify, rectify) and
    a supervisor (call back)."""
    from tongban.ratings.services import followup_callback, followup_rectify, followup_verify

    fu = rating_of(1, service).followup
    handler = StaffFactory.with_role(StaffRole.APPROVER, department=fu.department)
    steps = [
        (FollowUpStage.VERIFY, lambda: followup_verify(actor=handler, followup_id=fu.pk, note="已核实")),
        (FollowUpStage.RECTIFY, lambda: followup_rectify(actor=handler, followup_id=fu.pk, note="已整改")),
        (
            FollowUpStage.CALLBACK,
            lambda: followup_callback(
                actor=StaffFactory.with_role(StaffRole.SUPERVISOR),
                followup_id=fu.pk,
                result=CallbackResult.SATISFIED,
            ),
        ),
    ]
    for before, step in steps:
        if fu.stage == stage or before != fu.stage:
            break
        fu = step()
    if fu.stage != stage:
        raise ValueError(f"cannot bring a follow-up to {stage!r}")
    return fu
