"""Who may use the staff-only parts of the organisation API, and who may change the organisation."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from tongban.common.errors import NotAllowed

from .choices import StaffRole
from .scoping import scope_for
from .selectors import is_staff_member


def can_administer_organisation(user) -> bool:
    """Administrators (and superusers) change regions, departments, halls, windows and staff roles."""
    return scope_for(user).has_role(StaffRole.ADMINISTRATOR)


def require_organisation_admin(actor, *, action: str) -> None:
    """Refuse anyone but an administrator. `actor=None` is a system run (a management command), which
    the event log records without an actor; views and the API always pass the request's user."""
    if actor is not None and not can_administer_organisation(actor):
        raise NotAllowed(f"只有管理员可以{action}。")


class IsStaffMember(BasePermission):
    """Holders of a staff role (or superusers). Applicants are refused outright, not shown an empty list."""

    message = "仅限工作人员访问。"

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class IsOrganisationAdmin(BasePermission):
    """The organisation's write API and its event log: administrators only."""

    message = "仅限管理员修改组织机构和人员角色。"

    def has_permission(self, request, view) -> bool:
        return can_administer_organisation(request.user)
