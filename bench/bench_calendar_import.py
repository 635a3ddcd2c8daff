"""Benchmark: importing the official 2027 schedule over the provisional year, with N open cases whose
deadlines run into 2027 (provisional) among --open-factor × N open cases in all.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_clock_bench .venv/bin/python \
        bench/bench_calendar_import.py --provisional 10000 --open-factor 5
    DATABASE_URL=sqlite:////tmp/clock-bench.sqlite3 .venv/bin/python bench/bench_calendar_import.py

The database is migrated and its cases and watches are EMPTIED first: the script refuses a database
whose name does not contain "bench". Each provisional case is accepted in December 2026 (30 working
days, so due in January–February 2027; many move with the test schedule's 调休) with one open step and
its two watches; the other open cases are accepted in the spring of 2026 and are not provisional.
Timed: `calendar_year_import(2027)` — the import, the recompute of every provisional case, step and
watch, their case-log rows and notifications — and a second import of the same schedule
(`replace=True`: the idempotent rerun, nothing moves).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")
os.environ["DEBUG"] = "false"
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from tongban.accounts.models import Applicant  # noqa: E402
from tongban.cases.models import Case, CaseEvent, Step  # noqa: E402
from tongban.catalogue.models import ServiceItem  # noqa: E402
from tongban.notifications.models import Message  # noqa: E402
from tongban.organisations.models import Department, Region, ServiceHall  # noqa: E402
from tongban.organisations.tests.factories import make_credit_code  # noqa: E402
from tongban.supervision.models import Deadline, WarningEvent  # noqa: E402
from tongban.supervision.thresholds import Thresholds, state_on  # noqa: E402
from tongban.workdays.calendar import invalidate_index, is_workday  # noqa: E402
from tongban.workdays.clock import deadline  # noqa: E402
from tongban.workdays.models import CalendarYear  # noqa: E402
from tongban.workdays.services import calendar_provisional_extend, calendar_year_import  # noqa: E402

# A test schedule for 2027 with a 调休 (11–12 February off, Saturday 20 February worked): test data.
SCHEDULE_2027 = [
    {"date": "2027-01-01", "type": "法定节假日", "name": "元旦"},
    *({"date": f"2027-02-{x:02d}", "type": "法定节假日", "name": "春节"} for x in range(5, 13)),
    {"date": "2027-02-20", "type": "调休上班", "name": "春节"},
]
TODAY = dt.date(2026, 12, 30)


def workdays(first: dt.date, last: dt.date) -> list[dt.date]:
    out, d = [], first
    while d <= last:
        if is_workday(d):
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def load(n_provisional: int, n_other: int) -> None:
    Deadline.objects.all().delete()
    WarningEvent.objects.all().delete()
    Message.objects.all().delete()
    CaseEvent.objects.all().delete()
    Step.objects.all().delete()
    Case.objects.all().delete()
    CalendarYear.objects.filter(year__gte=2027).delete()
    from tongban.workdays.models import WorkCalendar

    WorkCalendar.objects.filter(date__year__gte=2027).delete()
    invalidate_index()
    calendar_provisional_extend(today=TODAY)
    region, _ = Region.objects.get_or_create(code="449999", defaults={"name": "基准区", "level": "district"})
    dept, _ = Department.objects.get_or_create(
        name="基准局", defaults={"region": region, "short_name": "基准", "credit_code": make_credit_code(1)}
    )
    hall, _ = ServiceHall.objects.get_or_create(
        name="基准大厅", defaults={"region": region, "code": "BENCH-HALL", "level": "district"}
    )
    item, _ = ServiceItem.objects.get_or_create(
        code="BENCH-CLOCK",
        version=1,
        defaults=dict(
            name="基准事项",
            item_type="01",
            department=dept,
            category="business",
            applicant_kinds=["natural"],
            legal_basis="x",
            conditions="x",
            statutory_limit=30,
            promised_limit=30,
            status="published",
        ),
    )
    applicant, _ = Applicant.objects.get_or_create(
        name="基准申请人",
        defaults={"kind": "natural", "id_number": "11010519491231002X", "mobile": "13800000000"},
    )
    december = workdays(dt.date(2026, 12, 1), dt.date(2026, 12, 30))
    spring = workdays(dt.date(2026, 3, 2), dt.date(2026, 5, 29))
    now = timezone.now()
    cases, specs = [], []
    for i in range(n_provisional + n_other):
        provisional = i < n_provisional
        on = december[i % len(december)] if provisional else spring[i % len(spring)]
        due = deadline(start=on, limit=30)
        cases.append(
            Case(
                number=f"449999-BENCH-{i:07d}",
                query_code="ABCDEFGH",
                item=item,
                applicant=applicant,
                channel="window",
                intake_hall=hall,
                status="in_review",
                submitted_at=now,
                accepted_on=on,
                accepted_at=now,
                due_date=due.date,
                due_provisional=due.provisional,
                statutory_due_date=due.date,
                statutory_due_provisional=due.provisional,
                current_stage=1,
            )
        )
        specs.append((on, due))
    t = time.perf_counter()
    Case.objects.bulk_create(cases, batch_size=2000)
    steps = [
        Step(
            case=c,
            stage_position=1,
            stage_name="审查决定",
            kind="decision",
            name="审查决定",
            department=dept,
            limit_days=20,
            opened_on=on,
            opened_at=now,
            due_date=due.date,
            due_provisional=due.provisional,
        )
        for c, (on, due) in zip(cases, specs, strict=True)
    ]
    Step.objects.bulk_create(steps, batch_size=2000)
    th = Thresholds()
    memo = {}
    watches = []
    for subject_type, rows in (("case", cases), ("step", steps)):
        for obj, (on, due) in zip(rows, specs, strict=True):
            key = (on, due.date)
            state = memo.get(key) or memo.setdefault(
                key, state_on(started_on=on, due=due.date, limit_days=20, thresholds=th, today=TODAY)
            )
            watches.append(
                Deadline(
                    subject_type=subject_type,
                    subject_id=obj.pk,
                    reference=obj.case.number if subject_type == "step" else obj.number,
                    title="基准",
                    department=dept,
                    hall=hall,
                    item=item,
                    item_code=item.code,
                    started_on=on,
                    due_date=due.date,
                    limit_days=20,
                    provisional=due.provisional,
                    level=state.level,
                    escalation_level=state.escalation_level,
                    yellow_on=state.yellow_on,
                    red_on=state.red_on,
                    next_escalation_on=state.next_escalation_on,
                )
            )
    Deadline.objects.bulk_create(watches, batch_size=2000)
    print(
        f"loaded {len(cases)} open cases ({n_provisional} provisional), {len(watches)} watches "
        f"in {time.perf_counter() - t:.1f} s"
    )


def timed(label: str, fn) -> dict:
    invalidate_index()
    t = time.perf_counter()
    with transaction.atomic():
        year = fn()
    elapsed = time.perf_counter() - t
    print(f"{label}: {elapsed:.2f} s  {year.recomputed}")
    return {"seconds": elapsed, **year.recomputed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--provisional", type=int, default=10_000)
    parser.add_argument("--open-factor", type=int, default=5, help="open cases in all = factor × provisional")
    args = parser.parse_args()
    name = str(connection.settings_dict["NAME"])
    if "bench" not in name:
        sys.exit(f"refusing to empty the cases of {name!r}: use a database whose name contains 'bench'")
    call_command("migrate", verbosity=0)
    import time_machine
    from django.test.utils import override_settings

    with time_machine.travel(
        dt.datetime(2026, 12, 30, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ):
        load(args.provisional, args.provisional * (args.open_factor - 1))
        with override_settings(TONGBAN_PUBLIC_URL="https://bench.example.cn"):
            timed("import 2027 (recompute)", lambda: calendar_year_import(year=2027, rows=SCHEDULE_2027))
            timed(
                "import 2027 again (idempotent)",
                lambda: calendar_year_import(year=2027, rows=SCHEDULE_2027, replace=True),
            )
    moved = Case.objects.filter(due_date__gte=dt.date(2027, 2, 1)).count()
    print(
        f"{connection.vendor}: cases now in February 2027 or later: {moved}; "
        f"case-log rows {CaseEvent.objects.filter(kind='deadline_recomputed').count()}, "
        f"messages {Message.objects.filter(template='case.deadline_moved').count()}"
    )


if __name__ == "__main__":
    main()
