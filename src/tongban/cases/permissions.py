"""Who may act on a case: the services' `require_*` checks and the predicates the pages use to show only
the forms the services will accept (built on the role vocabulary of `organisations.permissions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tongban.common.errors import NotAllowed, ValidationFailed
from tongban.organisations.choices import StaffRole
from tongban.organisations.permissions import require_administrator, require_department_staff
from tongban.organisations.scoping import scope_for

from .choices import CaseChannel, StepKind
from .models import Case, Step

if TYPE_CHECKING:
    from tongban.common.types import AnyUser, User


def is_case_clerk(user: AnyUser, case: Case) -> bool:
    """A clerk of the case's hall, or of any hall for an online case no hall has taken yet."""
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    if case.intake_hall_id is not None:
        return case.intake_hall_id in scope.clerk_hall_ids
    return bool(scope.clerk_hall_ids) and case.channel == CaseChannel.ONLINE


def require_clerk(actor: User, case: Case | None = None, *, hall_id: int | None = None) -> int | None:
    """A clerk of the case's hall (or, for an online case not yet taken, of any hall); returns the hall.

    `hall_id` chooses among the clerk's halls when they work in several. Superusers pass.
    """
    scope = scope_for(actor)
    if scope.is_superuser:
        return hall_id or (case.intake_hall_id if case else None)
    halls = scope.clerk_hall_ids
    if not halls:
        raise NotAllowed("只有窗口人员可以办理收件、受理和出件。")
    if case is not None and case.intake_hall_id:
        if case.intake_hall_id not in halls:
            raise NotAllowed("该办件不在您所在大厅受理，您无权办理。")
        return case.intake_hall_id
    if hall_id is not None:
        if hall_id not in halls:
            raise NotAllowed("您不在所选大厅工作。")
        return hall_id
    if len(halls) > 1:
        raise ValidationFailed("您在多个大厅工作，请选择办理大厅。", field="hall_id")
    return next(iter(halls))


def can_review_step(user: AnyUser, step: Step) -> bool:
    """A back-office step is handled by its department's approvers and heads (only the role it names)."""
    return step.kind != StepKind.WINDOW and scope_for(user).acts_for_department(step.department_id, step.role)


def require_department(actor: User, department_id: int, *, role: str = "", action: str) -> None:
    """An approver or head of the step's department (only the named role if the step names one)."""
    require_department_staff(actor, department_id, role=role, action=action, where="该环节办理部门")


def can_extend(user: AnyUser, case: Case) -> bool:
    """延期 is approved by a head of the item's own department."""
    return scope_for(user).acts_for_department(case.item.department_id, StaffRole.DEPARTMENT_HEAD)


def require_applicant(actor: User, case: Case, *, action: str) -> None:
    """The applicant's own login, or the login that filed the case for them (代办人)."""
    if case.applicant.user_id == getattr(actor, "pk", None) or case.submitted_by_id == getattr(
        actor, "pk", None
    ):
        return
    raise NotAllowed(f"只有申请人本人或其代办人可以{action}。")


def require_process_admin(actor: User | None, *, action: str = "配置办理流程和申请表单") -> None:
    """Processes and application forms are configured by administrators; `actor` None is the system
    (migrations, demo loader, catalogue versioning)."""
    require_administrator(actor, action=action, system_ok=True)
