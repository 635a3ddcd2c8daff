"""The cases app's entry into supervision: keep the watches of a case and of its steps in step with them.

Why in cases: the specs read case and step fields and states, which supervision (the lower layer, a
generic deadline watch) must not know; supervision offers `deadlines_sync` and the cases app uses it.

The case services call `case_watches_sync(case)` inside their transaction after every change (their
`save_case` does it), so the watch moves with the case: opened at acceptance, paused and resumed with
the clock (corrections, special procedures), moved by extensions, closed at the decision (on time or
late) or when the case ends otherwise. Steps are watched from opening to completion or cancellation.
The level is re-evaluated on each of these transitions; the sweep handles the passing of time.

One call costs a few statements whatever the number of steps (`services.watch_sync.deadlines_sync`):
the case's steps, the open watches (locked), and writes only for the watches that change.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tongban.common.prepared import Prepared
from tongban.supervision.choices import SubjectType
from tongban.supervision.services.watch_sync import WatchSpec, deadlines_sync

from .choices import CaseStatus, StepStatus
from .models import Step

#: 行政许可法 第三十二条: the intake decision (accept, ask for corrections, refuse) within 5 working days;
#: 逾期不告知即视为受理. The services date the intake decision with it, the watch warns on it.
INTAKE_RULE_DAYS = 5

# Case states in which the case's own deadline runs (or is paused): accepted and not yet decided.
WATCHED_CASE_STATES = frozenset({CaseStatus.IN_REVIEW, CaseStatus.SUPPLEMENTING, CaseStatus.RETURNED})


def _local_date(at: dt.datetime | None, today: dt.date) -> dt.date:
    return timezone.localdate(at) if at else today


def case_watch_spec(case, *, today: dt.date) -> WatchSpec:
    """The watch of the case's promised deadline (办结期限), from acceptance to the decision."""
    item = case.item
    return WatchSpec(
        subject_type=SubjectType.CASE,
        subject_id=case.pk,
        watched=case.status in WATCHED_CASE_STATES
        and case.accepted_on is not None
        and case.due_date is not None,
        paused=bool(case.is_paused),
        closed_on=_local_date(case.concluded_at or case.closed_at, today),
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
        provisional=bool(case.due_provisional),
    )


def intake_watch_spec(case, *, today: dt.date) -> WatchSpec:
    """The watch of the intake decision (受理决定期限, 5 working days): from filing while the case waits
    in the intake queue; closed by acceptance, a correction request or a refusal (or withdrawal)."""
    item = case.item
    return WatchSpec(
        subject_type=SubjectType.INTAKE,
        subject_id=case.pk,
        watched=case.status == CaseStatus.SUBMITTED and case.intake_due is not None,
        closed_on=today,
        title=f"受理决定：{item.name}"[:200],
        reference=case.number or "",
        department=item.department_id,
        item=item,
        hall=case.intake_hall_id,
        started_on=min(today, case.intake_due) if case.intake_due else today,
        due_date=case.intake_due,
        limit_days=INTAKE_RULE_DAYS,
        provisional=bool(case.intake_due_provisional),
    )


def step_watch_spec(step, *, case, today: dt.date) -> WatchSpec:
    """The watch of one step's own deadline (环节期限), from opening to completion or cancellation."""
    return WatchSpec(
        subject_type=SubjectType.STEP,
        subject_id=step.pk,
        watched=step.status == StepStatus.OPEN,
        paused=bool(case.is_paused),
        closed_on=_local_date(step.completed_at, today),
        title=f"{step.name}（{case.item.name}）"[:200],
        reference=case.number or "",
        department=step.department_id,
        item=case.item,
        hall=case.intake_hall_id,
        started_on=step.opened_on,
        due_date=step.due_date,
        limit_days=step.limit_days,
        extension_days=case.extension_days,
        provisional=bool(step.due_provisional),
    )


def _steps_of_case(case_id):
    return Step.objects.filter(case_id=case_id).order_by("pk")


_STEPS_OF_CASE = Prepared(_steps_of_case, "int")  # compiled once per connection: runs on every transition


def case_watches_sync(case, *, today: dt.date | None = None) -> None:
    """Sync the case's intake and decision watches and those of all its steps (a closed step's watch
    is closed, once)."""
    today = today or timezone.localdate()
    steps = _STEPS_OF_CASE.fetch(case.pk)
    deadlines_sync(
        [
            intake_watch_spec(case, today=today),
            case_watch_spec(case, today=today),
            *(step_watch_spec(s, case=case, today=today) for s in steps),
        ],
        today=today,
    )
