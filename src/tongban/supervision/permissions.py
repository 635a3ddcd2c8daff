"""Who may use the supervision pages and API (the row-level part is each model's scope_filter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tongban.organisations.permissions import IsStaffMember as IsStaffMember
from tongban.organisations.permissions import is_supervisor
from tongban.organisations.scoping import scope_for

from .models import Card

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


def can_supervise(user: AnyUser) -> bool:
    """Supervisors and administrators: issue directives and cards, remind, decide appeals."""
    return is_supervisor(user)


def can_appeal_card(user: AnyUser, card: Card) -> bool:
    """The carded department's approvers and heads, or the carded staff member."""
    return scope_for(user).acts_for_department(card.department_id) or card.staff_id == getattr(
        user, "pk", None
    )
