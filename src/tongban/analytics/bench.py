"""Synthetic data for benchmarks (`tongban bench-data --cases N`): the demo district's departments and
items, then N cases over the last 12 months with a realistic status mix, steps, events, visits, due
dates from the working-day calendar, and their performance facts. Rows go in with bulk_create in
batches, so a million cases is a matter of minutes on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import Applicant
from tongban.cases.choices import (
    CaseChannel,
    CaseEventKind,
    CaseStatus,
    StepKind,
    StepStatus,
    VisitKind,
)
from tongban.cases.models import Case, CaseEvent, Step, Visit
from tongban.catalogue.choices import CaseKind
from tongban.catalogue.models import ServiceItem
from tongban.demo.loader import load_demo
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment
from tongban.workdays.calendar import add_working_days, covered_years, workday_on_or_after

from .facts import _window_lookup, build_facts, upsert_facts

BATCH = 5000
# status → weight: most cases of a year are finished; some are still being handled.
MIX = [
    (CaseStatus.CLOSED, 62),
    (CaseStatus.CONCLUDED, 8),
    (CaseStatus.IN_REVIEW, 10),
    (CaseStatus.SUPPLEMENTING, 2),
    (CaseStatus.SUBMITTED, 6),
    (CaseStatus.REFUSED, 5),
    (CaseStatus.WITHDRAWN, 3),
    (CaseStatus.CORRECTION, 4),
]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime(day.year, day.month, day.day, rng.randint(9, 16), rng.randint(0, 59), tzinfo=tz)


def bench_data(
    *, cases: int, seed: int = 1, today: dt.date | None = None, progress: Callable | None = None
) -> dict:
    """Create `cases` synthetic cases (numbers BENCH-…); returns counts and seconds."""
    started = time.perf_counter()
    load_demo(verbosity=0)
    rng = random.Random(seed)
    # End the year where the calendar still covers every deadline (limits run up to a few months).
    today = min(today or timezone.localdate(), dt.date(max(covered_years()), 9, 30))
    items = list(ServiceItem.objects.published().select_related("department"))
    applicants = list(Applicant.objects.values_list("pk", flat=True))
    clerks = list(
        StaffAssignment.objects.filter(role=StaffRole.CLERK, hall__isnull=False).values_list(
            "user_id", "hall_id"
        )
    )
    if not (items and applicants and clerks):
        raise RuntimeError("演示数据缺少事项、申请人或窗口人员。")
    windows = _window_lookup()
    statuses, weights = zip(*MIX, strict=True)
    first = today - dt.timedelta(days=365)
    start_no = Case.objects.filter(number__startswith="BENCH-").count()
    made = {"cases": 0, "steps": 0, "events": 0, "visits": 0, "facts": 0}
    for offset in range(0, cases, BATCH):
        n = min(BATCH, cases - offset)
        rows, plans = [], []
        for i in range(n):
            item = rng.choice(items)
            status = rng.choices(statuses, weights)[0]
            online = rng.random() < 0.55
            clerk, hall = rng.choice(clerks)
            received = workday_on_or_after(first + dt.timedelta(days=rng.randrange(365)))
            if received > today:
                received = today
            c = Case(
                number=f"BENCH-{start_no + offset + i + 1:09d}",
                item=item,
                applicant_id=rng.choice(applicants),
                channel=CaseChannel.ONLINE if online else CaseChannel.WINDOW,
                intake_hall_id=hall,
                status=status,
                submitted_at=_at(received, rng),
                visit_count=0 if online else 1,
            )
            accepted = status not in (CaseStatus.SUBMITTED, CaseStatus.REFUSED, CaseStatus.CORRECTION)
            immediate = item.case_kind == CaseKind.IMMEDIATE
            if accepted and status != CaseStatus.WITHDRAWN:
                c.accepted_on = received
                c.accepted_at = c.submitted_at
                c.accepted_by_id = clerk
                limit = max(item.promised_limit, 0)
                c.due_date = received if immediate or limit == 0 else add_working_days(received, limit)
                if status in CaseStatus.concluded():
                    late = rng.random() < 0.06
                    used = limit + rng.randint(1, 3) if late else rng.randint(0, max(limit, 0))
                    concluded = add_working_days(received, used) if used else received
                    concluded = min(concluded, today)
                    c.concluded_at = _at(concluded, rng)
                    c.decision = "approved" if rng.random() < 0.95 else "denied"
                    if status == CaseStatus.CLOSED and rng.random() < 0.3:
                        c.visit_count += 1  # picked up at the window
                    if rng.random() < 0.03:
                        c.visit_count += 1  # 两头跑
            rows.append(c)
            plans.append((item, status))
        with transaction.atomic():
            Case.objects.bulk_create(rows, batch_size=BATCH)
            steps, events, visits = [], [], []
            for c in rows:
                events.append(
                    CaseEvent(
                        case=c,
                        kind=CaseEventKind.SUBMITTED,
                        to_status=CaseStatus.SUBMITTED,
                        at=c.submitted_at,
                    )
                )
                if c.channel == CaseChannel.WINDOW:
                    visits.append(
                        Visit(case=c, kind=VisitKind.INTAKE, hall_id=c.intake_hall_id, at=c.submitted_at)
                    )
                if c.status == CaseStatus.REFUSED:
                    events.append(
                        CaseEvent(case=c, kind=CaseEventKind.REFUSED, to_status=c.status, at=c.submitted_at)
                    )
                if c.accepted_on:
                    events.append(
                        CaseEvent(
                            case=c,
                            kind=CaseEventKind.ACCEPTED,
                            to_status=CaseStatus.IN_REVIEW,
                            at=c.accepted_at,
                        )
                    )
                    done = c.concluded_at is not None
                    steps.append(
                        Step(
                            case=c,
                            stage_position=1,
                            stage_name="审查决定",
                            kind=StepKind.DECISION,
                            name="审查决定",
                            department_id=c.item.department_id,
                            limit_days=max(c.item.promised_limit, 1),
                            status=StepStatus.DONE if done else StepStatus.OPEN,
                            opened_on=c.accepted_on,
                            opened_at=c.accepted_at,
                            due_date=c.due_date,
                            outcome="pass" if done else "",
                            completed_at=c.concluded_at,
                        )
                    )
                    if done:
                        events.append(
                            CaseEvent(
                                case=c,
                                kind=CaseEventKind.DECIDED,
                                to_status=CaseStatus.CONCLUDED,
                                at=c.concluded_at,
                            )
                        )
            Step.objects.bulk_create(steps, batch_size=BATCH)
            CaseEvent.objects.bulk_create(events, batch_size=BATCH)
            Visit.objects.bulk_create(visits, batch_size=BATCH)
            made["facts"] += upsert_facts(build_facts(rows, windows=windows))
        made["cases"] += n
        made["steps"] += len(steps)
        made["events"] += len(events)
        made["visits"] += len(visits)
        if progress:
            progress(made["cases"], cases)
    made["seconds"] = round(time.perf_counter() - started, 1)
    return made
