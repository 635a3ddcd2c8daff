"""The cases app's entry into supervision: keep the watches of a case and of its steps in step with them.

The case services call `case_watches_sync(case)` inside their transaction after every change (their
`save_case` does it), so the watch moves with the case: opened at acceptance, paused and resumed with
the clock (corrections, special procedures), moved by extensions, closed at the decision (on time or
late) or when the case ends otherwise. Steps are watched from opening to completion or cancellation.
The level is re-evaluated on each of these transitions; the sweep handles the passing of time.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .choices import DeadlineStatus, SubjectType
from .models import Deadline
from .services.deadlines import (
    deadline_close,
    deadline_open,
    deadline_pause,
    deadline_resume,
    deadline_update,
)

# Case states in which the case's own deadline runs (or is paused): accepted and not yet decided.
WATCHED_CASE_STATES = frozenset({"in_review", "supplementing", "returned"})


def _open_watch(subject_type: str, subject_id: int) -> Deadline | None:
    return Deadline.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status=DeadlineStatus.OPEN
    ).first()


def _local_date(at: dt.datetime | None, today: dt.date) -> dt.date:
    return timezone.localdate(at) if at else today


def _sync(
    *,
    subject_type: str,
    subject_id: int,
    watched: bool,
    paused: bool,
    closed_on: dt.date,
    today: dt.date,
    **fields,
) -> Deadline | None:
    """Open, pause, resume, update or close one watch so that it matches its subject."""
    existing = _open_watch(subject_type, subject_id)
    if not watched:
        if existing is not None:
            return deadline_close(subject_type=subject_type, subject_id=subject_id, closed_on=closed_on)
        return None
    if existing is None:
        return deadline_open(
            subject_type=subject_type, subject_id=subject_id, paused=paused, today=today, **fields
        )
    if paused and not existing.paused:
        return deadline_pause(subject_type=subject_type, subject_id=subject_id, paused_on=today)
    if not paused and existing.paused:
        return deadline_resume(
            subject_type=subject_type, subject_id=subject_id, due_date=fields["due_date"], resumed_on=today
        )
    if paused:
        return existing  # the due date of a stopped clock is provisional: keep the last real one
    return deadline_update(
        subject_type=subject_type,
        subject_id=subject_id,
        due_date=fields["due_date"],
        extension_days=fields["extension_days"],
        today=today,
    )


def case_deadline_sync(case, *, today: dt.date | None = None) -> Deadline | None:
    """The watch of the case's promised deadline (办结期限), from acceptance to the decision."""
    today = today or timezone.localdate()
    item = case.item
    watched = (
        case.status in WATCHED_CASE_STATES and case.accepted_on is not None and case.due_date is not None
    )
    return _sync(
        subject_type=SubjectType.CASE,
        subject_id=case.pk,
        watched=watched,
        paused=bool(case.is_paused),
        closed_on=_local_date(case.concluded_at or case.closed_at, today),
        today=today,
        title=item.name,
        reference=case.number or "",
        department=item.department_id,
        item=item,
        hall=case.intake_hall_id,
        started_on=case.accepted_on,
        due_date=case.due_date,
        limit_days=item.promised_limit,
        unit=item.promised_limit_unit,
        extension_days=case.extension_days,
    )


def step_deadline_sync(step, *, case=None, today: dt.date | None = None) -> Deadline | None:
    """The watch of one step's own deadline (环节期限), from opening to completion or cancellation."""
    today = today or timezone.localdate()
    case = case or step.case
    return _sync(
        subject_type=SubjectType.STEP,
        subject_id=step.pk,
        watched=step.status == "open",
        paused=bool(case.is_paused),
        closed_on=_local_date(step.completed_at, today),
        today=today,
        title=f"{step.name}（{case.item.name}）"[:200],
        reference=case.number or "",
        department=step.department_id,
        item=case.item,
        hall=case.intake_hall_id,
        started_on=step.opened_on,
        due_date=step.due_date,
        limit_days=step.limit_days,
        extension_days=case.extension_days,
    )


def case_watches_sync(case, *, today: dt.date | None = None) -> None:
    """Sync the case's watch and those of its steps that are open or still watched."""
    from tongban.cases.models import Step

    today = today or timezone.localdate()
    case_deadline_sync(case, today=today)
    watched_steps = set(
        Deadline.objects.filter(subject_type=SubjectType.STEP, status=DeadlineStatus.OPEN)
        .filter(subject_id__in=Step.objects.filter(case_id=case.pk).values("pk"))
        .values_list("subject_id", flat=True)
    )
    for step in Step.objects.filter(case_id=case.pk).order_by("pk"):
        if step.status == "open" or step.pk in watched_steps:
            step_deadline_sync(step, case=case, today=today)
