"""Who may act on ratings. Row visibility is the querysets' `scope_filter`; these are the role checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tongban.common.errors import NotAllowed
from tongban.organisations.permissions import is_staff_member, permission_class
from tongban.organisations.permissions import is_supervisor as is_supervisor
from tongban.organisations.permissions import require_supervisor as require_supervisor
from tongban.organisations.scoping import scope_for

from .models import FollowUp

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


def can_handle(user: AnyUser, followup: FollowUp) -> bool:
    """Department staff of the rated service's department handle its follow-up; a follow-up without a
    department (kiosk session, comprehensive window without a case) is handled by its hall's clerks."""
    scope = scope_for(user)
    if followup.department_id is not None:
        return scope.acts_for_department(followup.department_id)
    return scope.is_superuser or followup.hall_id in scope.clerk_hall_ids


def require_handler(user: AnyUser, followup: FollowUp, *, action: str) -> None:
    if not can_handle(user, followup):
        raise NotAllowed(f"您不是该服务所属部门的审批人员或负责人，不能{action}。")


def can_call_back(user: AnyUser, followup: FollowUp) -> bool:
    """回访 checks the rectification with the person who rated, so whoever rectified does not do it:
    the centre's supervisors call back (as real centres do), or another of the department's staff."""
    if followup.rectified_by_id is not None and followup.rectified_by_id == getattr(user, "pk", None):
        return False
    return can_handle(user, followup) or is_supervisor(user)


def require_caller(user: AnyUser, followup: FollowUp) -> None:
    if followup.rectified_by_id is not None and followup.rectified_by_id == getattr(user, "pk", None):
        raise NotAllowed("回访须由整改人以外的人员办理（通常由中心监察人员回访），以核实整改是否到位。")
    if not can_call_back(user, followup):
        raise NotAllowed("只有监察人员或该服务所属部门的工作人员可以回访。")


def can_see_followups(user: AnyUser) -> bool:
    scope = scope_for(user)
    return scope.sees_everything or bool(scope.staff_department_ids) or bool(scope.clerk_hall_ids)


FOLLOWUPS_REFUSED = "您没有查看差评整改的权限。"


def can_see_figures(user: AnyUser) -> bool:
    return is_staff_member(user)


# The follow-up API refuses anyone else before reading a body or listing nothing.
SeesFollowUps = permission_class(can_see_followups, FOLLOWUPS_REFUSED, "SeesFollowUps")
