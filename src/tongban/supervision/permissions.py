"""Who may use the supervision pages and API (the row-level part is each model's scope_filter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

from tongban.organisations.selectors import is_staff_member

from .services._common import is_supervisor

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


def can_supervise(user: AnyUser) -> bool:
    """Supervisors and administrators: issue directives and cards, remind, decide appeals."""
    return is_supervisor(user)


class IsStaffMember(BasePermission):
    message = "仅限工作人员访问。"

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)
