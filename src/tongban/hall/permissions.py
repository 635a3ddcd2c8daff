"""Who may act in a hall. Row visibility is the querysets' `scope_filter`; these are the role checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tongban.common.errors import NotAllowed
from tongban.organisations.scoping import scope_for

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


def clerk_hall_ids(user: AnyUser | None) -> set[int]:
    """Halls where the user works as a clerk (窗口人员)."""
    return set(scope_for(user).clerk_hall_ids)


def is_hall_clerk(user: AnyUser | None, hall_id: int) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or hall_id in scope.clerk_hall_ids


def require_hall_clerk(user: AnyUser | None, hall_id: int) -> None:
    """Calling, serving and issuing tickets is done by the hall's own clerks (superusers pass)."""
    if not is_hall_clerk(user, hall_id):
        raise NotAllowed("您不是该大厅的窗口人员，不能进行此操作。")


def figure_hall_ids(user: AnyUser) -> set[int] | None:
    """Halls whose waiting figures the user may read: None means all (admins, supervisors)."""
    scope = scope_for(user)
    if scope.sees_everything:
        return None
    return set(scope.hall_ids)


def can_view_figures(user: AnyUser) -> bool:
    halls = figure_hall_ids(user)
    return halls is None or bool(halls)
