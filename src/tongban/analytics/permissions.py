"""Who may open the figures (the row-level part is each fact queryset's `scope_filter`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tongban.organisations.permissions import is_supervisor
from tongban.organisations.scoping import scope_for

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


def can_view_performance(user: AnyUser) -> bool:
    """Supervisors/admins, department heads/approvers and clerks (each then sees their own scope)."""
    scope = scope_for(user)
    if not scope.is_authenticated or scope.is_applicant:
        return False
    return scope.sees_everything or bool(scope.staff_department_ids or scope.clerk_hall_ids)


def can_view_screen(user: AnyUser) -> bool:
    """The supervision screen and the monthly reports rank everyone: supervisors and administrators."""
    return is_supervisor(user)
