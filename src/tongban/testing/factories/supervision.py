"""电子监察 for tests, through the supervision services: a deadline watch, a directive, a card."""

from __future__ import annotations

from django.utils import timezone

from tongban.accounts.models import User
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import Department
from tongban.supervision.choices import CardColor, SubjectType
from tongban.supervision.models import Card, Deadline, Directive
from tongban.workdays.calendar import add_working_days

from .accounts import StaffFactory
from .organisations import DepartmentFactory

__all__ = ["card_of", "deadline_of", "directive_of"]


def deadline_of(
    *,
    department: Department | None = None,
    subject_type: str = SubjectType.DEPARTMENT,
    subject_id: int | None = None,
    limit_days: int = 5,
    **fields,
) -> Deadline:
    """An open watch starting today, due in `limit_days` working days (a department's by default)."""
    from tongban.supervision.services import deadline_open

    department = department or DepartmentFactory()
    today = timezone.localdate()
    return deadline_open(
        subject_type=subject_type,
        subject_id=subject_id or department.pk,
        title=fields.pop("title", "测试期限"),
        department=department,
        started_on=today,
        due_date=add_working_days(today, limit_days),
        limit_days=limit_days,
        **fields,
    )


def directive_of(
    *, department: Department | None = None, supervisor: User | None = None, **fields
) -> Directive:
    """A 督办单 on a department (a new one if not given) by a supervisor, 3 working days to answer."""
    from tongban.supervision.services import directive_issue

    department = department or DepartmentFactory()
    fields.setdefault("title", "测试督办")
    fields.setdefault("required_action", "请说明原因并整改")
    fields.setdefault("response_days", 3)
    return directive_issue(
        actor=supervisor or StaffFactory.with_role(StaffRole.SUPERVISOR),
        subject_type=fields.pop("subject_type", SubjectType.DEPARTMENT),
        department=department,
        **fields,
    )


def card_of(
    color: str = CardColor.YELLOW,
    *,
    department: Department | None = None,
    supervisor: User | None = None,
    **fields,
) -> Card:
    """A card shown by hand by a supervisor to a department (a new one if not given)."""
    from tongban.supervision.services import card_issue

    return card_issue(
        actor=supervisor or StaffFactory.with_role(StaffRole.SUPERVISOR),
        color=color,
        department=department or DepartmentFactory(),
        reason=fields.pop("reason", "多次超期未办结"),
        **fields,
    )
