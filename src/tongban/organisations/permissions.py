"""The staff role predicates, on users: the one place every app's permissions, services, views, API and
templates ask "is this a supervisor / administrator / clerk / department staff?".

The rules themselves are `Scope`'s properties (one request reads the roles once); a domain's own
predicates (may this user review this step, handle this follow-up …) live in that domain's
`permissions.py` and are built from these. `require_*` raise `NotAllowed` (403) with a Chinese message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

from tongban.common.errors import NotAllowed

from .choices import StaffRole
from .scoping import scope_for

if TYPE_CHECKING:
    from tongban.common.types import AnyUser, User


def is_staff_member(user: AnyUser) -> bool:
    """True for anyone holding a staff role (or a superuser): the gate of staff-only pages and APIs."""
    scope = scope_for(user)
    return scope.is_authenticated and not scope.is_applicant and scope.is_staff_member


def is_administrator(user: AnyUser) -> bool:
    return scope_for(user).is_administrator


def is_supervisor(user: AnyUser) -> bool:
    """Supervisors and administrators (监察人员、管理员) and superusers."""
    return scope_for(user).is_supervisor


def is_window_clerk(user: AnyUser) -> bool:
    return scope_for(user).is_window_clerk


def is_department_staff(user: AnyUser) -> bool:
    return scope_for(user).is_department_staff


def acts_for_department(user: AnyUser | None, department_id: int | None, *, role: str = "") -> bool:
    return scope_for(user).acts_for_department(department_id, role)


def require_administrator(actor: User | None, *, action: str, system_ok: bool = False) -> None:
    """Refuse anyone but an administrator (or superuser). With `system_ok`, `actor=None` is a system run
    (a management command, a migration, the demo loader) that the log records without an actor; views
    and the API always pass the request's user."""
    if system_ok and actor is None:
        return
    if actor is None or not is_administrator(actor):
        raise NotAllowed(f"只有管理员可以{action}。")


def require_supervisor(actor: User, *, action: str) -> None:
    if not is_supervisor(actor):
        raise NotAllowed(f"只有监察人员或管理员可以{action}。")


def require_department_staff(
    actor: User, department_id: int | None, *, action: str, role: str = "", where: str = "该部门"
) -> None:
    """An approver or head of the department (only `role` if a step names one); `where` names the
    department in the message (e.g. "该环节办理部门")."""
    if not acts_for_department(actor, department_id, role=role):
        who = StaffRole(role).label if role else "审批人员或负责人"
        raise NotAllowed(f"您不是{where}的{who}，不能{action}。")


def permission_class(predicate, message: str, name: str) -> type[BasePermission]:
    """A DRF permission class from one of the predicates: the view refuses with 403 and `message`
    before it reads the body, so a caller who may not act never gets a validation error instead."""

    def has_permission(self, request, view) -> bool:
        return bool(predicate(request.user))

    return type(name, (BasePermission,), {"message": message, "has_permission": has_permission})


# Holders of a staff role (or superusers). Applicants are refused outright, not shown an empty list.
IsStaffMember = permission_class(is_staff_member, "仅限工作人员访问。", "IsStaffMember")


# The organisation's write API and its event log: administrators only.
IsOrganisationAdmin = permission_class(
    is_administrator, "仅限管理员修改组织机构和人员角色。", "IsOrganisationAdmin"
)
