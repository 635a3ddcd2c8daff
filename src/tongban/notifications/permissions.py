"""Who may do what with messages (the row-level part is MessageQuerySet.scope_filter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tongban.organisations.permissions import is_administrator
from tongban.organisations.scoping import scope_for

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


def can_view_log(user: AnyUser) -> bool:
    """The delivery log is for staff: any role (admins and supervisors see all rows, others their own)."""
    return scope_for(user).is_staff_member


def can_resend(user: AnyUser) -> bool:
    return is_administrator(user)
