"""Shared by the supervision services: today, role checks, locking helpers, the dispatch enqueue."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone

from tongban.common.errors import require_text as require_text  # the services of this app use it from here
from tongban.common.tasks import enqueue_with_transaction
from tongban.organisations.permissions import require_department_staff as require_department_staff
from tongban.organisations.permissions import require_supervisor as require_supervisor


def local_today() -> dt.date:
    return timezone.localdate()


def pk_of(value) -> int | None:
    """Accept a model instance or its id."""
    if value is None:
        return None
    return getattr(value, "pk", value)


M = TypeVar("M", bound=Model)


def lock(qs: QuerySet[M]) -> QuerySet[M]:
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
