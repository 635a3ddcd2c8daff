"""Deadlines recomputed when the calendar under them changes: an official year imported over the
provisional one, or one date of an official year changed by an administrator (`day`).

Registered with `workdays.hooks` (order 100: before supervision, which then re-evaluates the watches);
runs inside the calendar write's transaction, so the calendar and every date shown change together.

Which rows, for an import: open cases with a provisional flag on any stored date (promised and statutory
due dates, the 5-day intake deadline, the correction deadline) and open steps with a provisional due date
— the partial indexes `case_provisional_dates` and `step_provisional_due` hold exactly these. The rest of
the open cases are not read at all. For one changed date: the open cases with a stored date on or after
it, or an open step due on or after it (a date before it was counted without reading it).

How: one locking read of those cases, one read each of their pauses, open steps and intake/correction
starts; every date recomputed in memory on the pinned calendar index (microseconds each); then bulk
UPDATEs for the changed cases and steps, one INSERT of their case-log rows ("期限重新计算"), the due dates
handed to supervision in bulk, and one batch of notifications to the applicants whose promised date
(办结期限 or 补正期限) moved. Idempotent: a second run finds the same dates and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Max, Q
from django.utils import timezone

from tongban.common.bulk import update_each
from tongban.workdays.calendar import add_working_days
from tongban.workdays.clock import Due, Pause, marked

from ..choices import CaseEventKind, CaseStatus, StepStatus
from ..models import Case, CaseEvent, ClockPause, Step
from ._base import case_context, case_dues, provisional_text, step_due, today
from .intake import DEFAULT_CORRECTION_DAYS
from .submission import INTAKE_RULE_DAYS

if TYPE_CHECKING:
    from tongban.common.types import User

BATCH = 1000
OPEN_STATES = frozenset({*CaseStatus.handling(), CaseStatus.SUBMITTED, CaseStatus.CORRECTION})
FLAGGED = (
    Q(due_provisional=True)
    | Q(statutory_due_provisional=True)
    | Q(intake_due_provisional=True)
    | Q(correction_due_provisional=True)
)
LABELS = {
    "due_date": "办结期限",
    "statutory_due_date": "法定办结期限",
    "intake_due": "受理决定期限",
    "correction_due": "补正期限",
}
TOLD = ("due_date", "correction_due")  # the dates promised to the applicant


def provisional_case_ids() -> list[int]:
    """Open cases with a provisional date, or with an open step that has one: two reads of the partial
    indexes (an OR of the two in one query made PostgreSQL scan every case)."""
    flagged = Case.objects.filter(FLAGGED, status__in=OPEN_STATES).values_list("pk", flat=True)
    by_step = Step.objects.filter(due_provisional=True, status=StepStatus.OPEN).values_list(
        "case_id", flat=True
    )
    return sorted({*flagged, *by_step})


def reaching_case_ids(day: date) -> list[int]:
    """Open cases whose stored dates a change of `day` can move: a date on or after it (the count up
    to an earlier date never read it), on the case or on an open step; two reads, as above."""
    reach = (
        Q(due_date__gte=day)
        | Q(statutory_due_date__gte=day)
        | Q(intake_due__gte=day)
        | Q(correction_due__gte=day)
    )
    on_case = Case.objects.filter(reach, status__in=OPEN_STATES).values_list("pk", flat=True)
    by_step = Step.objects.filter(due_date__gte=day, status=StepStatus.OPEN).values_list("case_id", flat=True)
    return sorted({*on_case, *by_step})


def provisional_open_count() -> int:
    """For the calendar horizon: open cases whose dates are 暂定."""
    return len(provisional_case_ids())


@dataclass
class _Row:
    case: Case
    before: dict
    after: dict


def _latest(case_ids, kinds) -> dict[int, CaseEvent]:
    """The latest log row of `kinds` per case (one query)."""
    last = (
        CaseEvent.objects.filter(case_id__in=case_ids, kind__in=kinds)
        .values("case_id")
        .annotate(m=Max("id"))
        .values_list("m", flat=True)
    )
    return {e.case_id: e for e in CaseEvent.objects.filter(pk__in=list(last))}


def _dates(case: Case) -> dict:
    return {
        "due_date": (case.due_date, case.due_provisional),
        "statutory_due_date": (case.statutory_due_date, case.statutory_due_provisional),
        "intake_due": (case.intake_due, case.intake_due_provisional),
        "correction_due": (case.correction_due, case.correction_due_provisional),
    }


def _set(case: Case, name: str, due: Due) -> None:
    flag = {"due_date": "due_provisional", "statutory_due_date": "statutory_due_provisional"}.get(
        name, f"{name}_provisional"
    )
    setattr(case, name, due.date)
    setattr(case, flag, due.provisional)


def _describe(name: str, old: tuple, new: tuple) -> str:
    (od, op), (nd, np) = old, new
    if od == nd:
        return f"{LABELS[name]} {nd:%Y-%m-%d} 经官方日历确认" if op and not np else ""
    mark = "（暂定）"
    return f"{LABELS[name]} {od:%Y-%m-%d}{mark if op else ''} → {nd:%Y-%m-%d}{mark if np else ''}"


def case_deadlines_recompute(
    *,
    years: list[int],
    actor: User | None = None,
    on: date | None = None,
    day: date | None = None,
    reason: str = "",
) -> dict:
    """Recompute every open provisional date — or, given the changed `day` (and the `reason` told to
    people), every open date that day can move (see the module docstring); returns counts."""
    from tongban.notifications.services import Notification, notify_many
    from tongban.supervision.choices import SubjectType
    from tongban.supervision.services.watch_recompute import Redate, watches_redate

    on = on or today()
    cases = list(
        Case.objects.filter(
            pk__in=provisional_case_ids() if day is None else reaching_case_ids(day), status__in=OPEN_STATES
        )
        .select_for_update(of=("self",))
        .select_related("item", "item__department", "applicant", "applicant__user")
        .order_by("pk")
    )
    if not cases:
        return {"checked": 0, "changed": 0, "steps_changed": 0, "notified": 0}
    ids = [c.pk for c in cases]
    pauses: dict[int, list[Pause]] = defaultdict(list)
    for p in ClockPause.objects.filter(case_id__in=ids, ended_on__isnull=False).order_by("pk"):
        pauses[p.case_id].append(Pause(start=p.started_on, end=p.ended_on))  # the running one not counted:
    steps = list(Step.objects.filter(case_id__in=ids, status=StepStatus.OPEN).order_by("pk"))  # stored
    intake_start = _latest(  # dates of a paused case are the ones before its pause
        [c.pk for c in cases if c.status == CaseStatus.SUBMITTED],
        [CaseEventKind.SUBMITTED, CaseEventKind.REGISTERED, CaseEventKind.RESUBMITTED],
    )
    correction_start = _latest(
        [c.pk for c in cases if c.correction_due], [CaseEventKind.CORRECTION_REQUESTED]
    )

    rows: list[_Row] = []
    for case in cases:
        before = _dates(case)
        if case.status in CaseStatus.handling() and case.accepted_on:
            promised, statutory = case_dues(case, pauses[case.pk], on=on)
            _set(case, "due_date", promised)
            _set(case, "statutory_due_date", statutory)
        if case.status == CaseStatus.SUBMITTED and case.intake_due and case.pk in intake_start:
            start = timezone.localdate(intake_start[case.pk].at)
            _set(case, "intake_due", marked(start, add_working_days(start, INTAKE_RULE_DAYS)))
        if case.correction_due and case.pk in correction_start:
            ev = correction_start[case.pk]
            start = timezone.localdate(ev.at)
            days = int(ev.detail.get("days") or DEFAULT_CORRECTION_DAYS)
            _set(case, "correction_due", marked(start, add_working_days(start, days)))
        after = _dates(case)
        if after != before:
            rows.append(_Row(case, before, after))

    by_case = {c.pk: c for c in cases}
    moved_steps = []
    for s in steps:
        due = step_due(s.opened_on, s.limit_days, pauses[s.case_id], on=on)
        if (due.date, due.provisional) != (s.due_date, s.due_provisional):
            s.due_date, s.due_provisional = due.date, due.provisional
            moved_steps.append(s)

    now = timezone.now()
    for r in rows:
        r.case.version += 1
        r.case.updated_at = now
    update_each(
        Case,
        [r.case for r in rows],
        [
            "due_date",
            "due_provisional",
            "statutory_due_date",
            "statutory_due_provisional",
            "intake_due",
            "intake_due_provisional",
            "correction_due",
            "correction_due_provisional",
            "version",
            "updated_at",
        ],
        batch_size=BATCH,
    )
    update_each(Step, moved_steps, ["due_date", "due_provisional"], batch_size=BATCH)

    year_text = "、".join(map(str, years))
    scope: dict[str, object]
    if day is None:
        why, scope = f"导入 {year_text} 年官方节假日安排", {"years": years}
    else:
        why, scope = f"工作日历调整：{reason}", {"years": years, "day": str(day)}
    steps_by_case: dict[int, list[Step]] = defaultdict(list)
    for s in moved_steps:
        steps_by_case[s.case_id].append(s)
    rows_by_case = {r.case.pk: r for r in rows}
    logged = set(rows_by_case) | set(steps_by_case)
    log = []
    for case_id in sorted(logged):
        case = by_case[case_id]
        row = rows_by_case.get(case_id)
        parts = [t for n in LABELS if row and (t := _describe(n, row.before[n], row.after[n]))]
        parts += [f"环节“{s.name}”期限 {s.due_date:%Y-%m-%d}" for s in steps_by_case.get(case_id, [])]
        detail = {
            n: [str(row.before[n][0]), str(row.after[n][0])]
            for n in LABELS
            if row and row.before[n] != row.after[n]
        }
        log.append(
            CaseEvent(
                case=case,
                kind=CaseEventKind.DEADLINE_RECOMPUTED,
                actor=actor if getattr(actor, "pk", None) else None,
                from_status=case.status,
                to_status=case.status,
                note=f"{why}，期限重新计算：{'；'.join(parts)}"[:2000],
                detail={**scope, **detail, "steps": [s.pk for s in steps_by_case.get(case_id, [])]},
                at=now,
            )
        )
    CaseEvent.objects.bulk_create(log, batch_size=BATCH)

    redate = []
    for r in rows:
        c = r.case
        if c.status in CaseStatus.handling() and c.due_date:
            redate.append(Redate(SubjectType.CASE, c.pk, c.due_date, c.due_provisional))
        if c.status == CaseStatus.SUBMITTED and c.intake_due:
            redate.append(Redate(SubjectType.INTAKE, c.pk, c.intake_due, c.intake_due_provisional))
    redate += [Redate(SubjectType.STEP, s.pk, s.due_date, s.due_provisional) for s in moved_steps]
    watches_redate(redate, note="官方日历导入，期限重新计算" if day is None else "工作日历调整，期限重新计算")

    told = []
    for r in rows:
        moved = [n for n in TOLD if r.before[n][0] != r.after[n][0] and r.after[n][0] is not None]
        if not moved:
            continue
        case, applicant = r.case, r.case.applicant
        changes = "；".join(
            f"{LABELS[n]}改为{provisional_text(*r.after[n])}（原{provisional_text(*r.before[n])}）"
            for n in moved
        )
        told.append(
            Notification(
                recipient_user=applicant.user if applicant.user_id else None,
                mobile=applicant.mobile or case.agent_mobile,
                email=applicant.email,
                template="case.deadline_moved" if day is None else "case.deadline_moved_calendar",
                context=case_context(
                    case, changes=changes, **({"year": year_text} if day is None else {"reason": reason})
                ),
                ref=f"case:{case.pk}",
                idempotency_key="case:{}:deadline_moved:{}".format(
                    case.pk, ",".join(f"{n}={r.after[n][0]}" for n in moved)
                ),
            )
        )
    notify_many(told)
    return {
        "checked": len(cases),
        "changed": len(logged),
        "steps_changed": len(moved_steps),
        "notified": len(told),
    }
