"""Who may do what with messages (the row-level part is MessageQuerySet.scope_filter)."""

from __future__ import annotations

from tongban.organisations.permissions import is_administrator
from tongban.organisations.scoping import scope_for


def can_view_log(user) -> bool:
    """The delivery log is for staff: any role (admins and supervisors see all rows, others their own)."""
    return scope_for(user).is_staff_member


def can_resend(user) -> bool:
    return is_administrator(user)
