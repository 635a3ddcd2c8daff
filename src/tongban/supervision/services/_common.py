"""Shared by the supervision services: today, role checks, locking helpers, the dispatch enqueue."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from tongban.common.errors import NotAllowed
from tongban.common.errors import require_text as require_text  # the services of this app use it from here
from tongban.common.tasks import enqueue_with_transaction
from tongban.organisations.choices import StaffRole
from tongban.organisations.scoping import scope_for

if TYPE_CHECKING:
    from tongban.common.types import User

DEPARTMENT_ROLES = (StaffRole.APPROVER, StaffRole.DEPARTMENT_HEAD)


def local_today() -> dt.date:
    return timezone.localdate()


def pk_of(value) -> int | None:
    """Accept a model instance or its id."""
    if value is None:
        return None
    return getattr(value, "pk", value)


def is_supervisor(user: User) -> bool:
    return scope_for(user).has_role(StaffRole.SUPERVISOR, StaffRole.ADMINISTRATOR)


def require_supervisor(actor: User, *, action: str) -> None:
    if not is_supervisor(actor):
        raise NotAllowed(f"只有监察人员或管理员可以{action}。")


def require_department_staff(actor: User, department_id: int, *, action: str) -> None:
    scope = scope_for(actor)
    if scope.is_superuser:
        return
    if department_id not in scope.departments_for(*DEPARTMENT_ROLES):
        raise NotAllowed(f"您不是该部门的审批人员或负责人，不能{action}。")


def lock(qs):
    """select_for_update(skip_locked) where the database has it (PostgreSQL); SQLite locks the whole
    database for a write transaction anyway."""
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs.select_for_update()


def dispatch_on_commit() -> None:
    """Turn pending warning events into messages once the caller commits (`enqueue_with_transaction`:
    the task row commits with the events on the database queue; with another backend a failed enqueue
    leaves the events pending, and the next sweep or `supervision_sweep` dispatches them)."""
    from ..tasks import dispatch_warning_events_task

    enqueue_with_transaction(dispatch_warning_events_task)
