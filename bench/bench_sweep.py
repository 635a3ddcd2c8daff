"""Benchmark: the supervision sweep over 100k (and, with --big, 1M) open watches, ~1 % changing level.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench \
        .venv/bin/python bench/bench_sweep.py [--big]

The database in DATABASE_URL is migrated, and the supervision tables (watches, warning log, cards) are
EMPTIED before each size — so the script refuses a database whose name does not contain "bench" unless
--yes is given. PostgreSQL is the target (rows are loaded with COPY); SQLite works for a smoke run.

Each size: N open step watches in 50 departments, stored as a sweep left them yesterday (levels and
transition dates from tongban.supervision.thresholds), of which `changing` reach a transition date today
(yellow ~60 %, red ~30 %, escalation ~10 %). Then, timed:
- sweep: warning_sweep(today) — level changes, crossing log rows, rule cards;
- rerun: the same sweep again (nothing left to do: the cost of an idle sweep at that size);
- dispatch (with --dispatch): turning the crossing rows into in-app messages to heads/supervisors.
`--changing fixed` keeps the changing rows at 1 % of the smallest size for every size, which isolates
the effect of the number OPEN (the design claim) from the number changing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")
os.environ["DEBUG"] = "false"  # no query log in memory
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from tongban.organisations.choices import RegionLevel, StaffRole  # noqa: E402
from tongban.organisations.models import Department, Region, StaffAssignment  # noqa: E402
from tongban.organisations.tests.factories import make_credit_code  # noqa: E402
from tongban.supervision.choices import Level  # noqa: E402
from tongban.supervision.models import Deadline  # noqa: E402
from tongban.supervision.services import warning_events_dispatch, warning_sweep  # noqa: E402
from tongban.supervision.services.sweep import _candidates  # noqa: E402
from tongban.supervision.thresholds import Thresholds, state_on  # noqa: E402
from tongban.workdays.calendar import add_working_days, covered_years, is_workday  # noqa: E402

TODAY = dt.date(2026, 9, 16)  # a Wednesday, before the National Day holiday
LIMITS = (3, 5, 10, 15, 20)
COLUMNS = [
    "subject_type",
    "subject_id",
    "reference",
    "title",
    "department_id",
    "item_code",
    "started_on",
    "due_date",
    "limit_days",
    "unit",
    "extension_days",
    "paused",
    "level",
    "yellow_on",
    "red_on",
    "escalation_level",
    "next_escalation_on",
    "status",
    "opened_at",
]


def previous_workday(d: dt.date) -> dt.date:
    d -= dt.timedelta(days=1)
    while not is_workday(d):
        d -= dt.timedelta(days=1)
    return d


def combos(today: dt.date) -> tuple[list[tuple], dict[str, list[tuple]]]:
    """(start, limit) pairs with the state a sweep left yesterday, split into quiet and changing ones."""
    t = Thresholds()
    yesterday = today - dt.timedelta(days=1)
    start = today
    starts = [today]
    for _ in range(60):
        start = previous_workday(start)
        starts.append(start)
    quiet, changing = [], {"yellow": [], "red": [], "escalate": []}
    for s in starts:
        for limit in LIMITS:
            due = add_working_days(s, limit)
            before = state_on(started_on=s, due=due, limit_days=limit, thresholds=t, today=max(yesterday, s))
            after = state_on(started_on=s, due=due, limit_days=limit, thresholds=t, today=today)
            row = (s, due, limit, before)
            if (before.level, before.escalation_level) == (after.level, after.escalation_level):
                quiet.append(row)
            elif after.level == Level.RED and before.level == Level.RED:
                changing["escalate"].append(row)
            elif after.level == Level.RED:
                changing["red"].append(row)
            else:
                changing["yellow"].append(row)
    return quiet, changing


def departments(n: int = 50) -> list[int]:
    region, _ = Region.objects.get_or_create(
        code="990100", defaults={"name": "基准测试区", "level": RegionLevel.DISTRICT}
    )
    ids = []
    for i in range(n):
        dept, _ = Department.objects.get_or_create(
            name=f"基准测试第{i + 1}局",
            defaults={
                "short_name": f"测{i + 1}",
                "credit_code": make_credit_code(900_000 + i),
                "region": region,
            },
        )
        ids.append(dept.pk)
    return ids


def add_heads(dept_ids: list[int]) -> None:
    from tongban.accounts.models import User

    for pk in dept_ids:
        user, _ = User.objects.get_or_create(
            username=f"bench-head-{pk}", defaults={"display_name": "基准负责人"}
        )
        StaffAssignment.objects.get_or_create(user=user, role=StaffRole.DEPARTMENT_HEAD, department_id=pk)


def rows(n: int, n_changing: int, dept_ids: list[int], quiet, changing, rng: random.Random):
    now = timezone.now()
    kinds = ["yellow"] * 6 + ["red"] * 3 + ["escalate"]
    for i in range(n):
        if i < n_changing:
            kind = kinds[i % 10]
            pool = changing[kind] or changing["yellow"]
        else:
            pool = quiet
        s, due, limit, st = pool[rng.randrange(len(pool))]
        yield (
            "step",
            i + 1,
            f"B{i + 1:08d}",
            "基准测试环节",
            dept_ids[i % len(dept_ids)],
            "",
            s,
            due,
            limit,
            "working",
            0,
            False,
            st.level,
            st.yellow_on,
            st.red_on,
            st.escalation_level,
            st.next_escalation_on,
            "open",
            now,
        )


def load(n: int, n_changing: int, dept_ids, quiet, changing, rng) -> float:
    t0 = time.perf_counter()
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute(
                "TRUNCATE supervision_cardevent, supervision_card, supervision_warningevent, "
                "supervision_deadline RESTART IDENTITY CASCADE"
            )
            sql = f"COPY supervision_deadline ({', '.join(COLUMNS)}) FROM STDIN"
            with c.cursor.copy(sql) as copy:
                for row in rows(n, n_changing, dept_ids, quiet, changing, rng):
                    copy.write_row(row)
            c.execute("ANALYZE supervision_deadline")
        else:
            for table in ("cardevent", "card", "warningevent", "deadline"):
                c.execute(f"DELETE FROM supervision_{table}")
            batch = []
            for row in rows(n, n_changing, dept_ids, quiet, changing, rng):
                batch.append(Deadline(**dict(zip(COLUMNS, row, strict=True))))
                if len(batch) == 10_000:
                    Deadline.objects.bulk_create(batch)
                    batch = []
            Deadline.objects.bulk_create(batch)
    return time.perf_counter() - t0


def _worker(batch: int) -> dict:
    connection.close()  # a forked child must not share the parent's connection
    return warning_sweep(today=TODAY, batch_size=batch).as_dict()


def sweep_parallel(workers: int, batch: int) -> dict:
    """`workers` sweeps at once, as several task workers would run them: SKIP LOCKED shares the rows."""
    import multiprocessing

    connection.close()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.map(_worker, [batch] * workers)
    total = {
        k: sum(p[k] for p in parts) for k in ("examined", "yellow", "red", "escalated", "cards", "batches")
    }
    return total


def explain(today: dt.date) -> str:
    qs = _candidates("yellow", today)[:1000]
    return qs.explain() if connection.vendor == "postgresql" else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also run 1,000,000 open watches")
    parser.add_argument("--sizes", type=int, nargs="*", help="explicit sizes (default 100000 [1000000])")
    parser.add_argument("--changing", choices=["percent", "fixed"], default="percent")
    parser.add_argument("--dispatch", action="store_true", help="also time the notification dispatch")
    parser.add_argument("--batch", type=int, default=1000, help="rows per transaction (default 1000)")
    parser.add_argument("--workers", type=int, default=1, help="concurrent sweeps (processes), default 1")
    parser.add_argument("--yes", action="store_true", help="allow a database whose name lacks 'bench'")
    args = parser.parse_args()
    name = str(connection.settings_dict["NAME"])
    if "bench" not in name and not args.yes:
        sys.exit(
            f"refusing to empty the supervision tables of database {name!r}: use a *bench* database or --yes"
        )
    sizes = args.sizes or ([100_000, 1_000_000] if args.big else [100_000])
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    covered_years()
    dept_ids = departments()
    if args.dispatch:
        add_heads(dept_ids)
    quiet, changing = combos(TODAY)
    print(
        f"database: {connection.vendor} {name}; today {TODAY}; changing: {args.changing}; "
        f"batch {args.batch}; workers {args.workers}"
    )
    results = []
    for n in sizes:
        n_changing = n // 100 if args.changing == "percent" else min(sizes) // 100
        load_s = load(n, n_changing, dept_ids, quiet, changing, random.Random(n))
        t0 = time.perf_counter()
        if args.workers > 1:
            r = SimpleNamespace(**sweep_parallel(args.workers, args.batch))
        else:
            r = warning_sweep(today=TODAY, batch_size=args.batch)
        sweep_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        r2 = warning_sweep(today=TODAY)
        rerun_s = time.perf_counter() - t0
        line = (
            f"open {n:>9,}  changing {n_changing:>6,}  load {load_s:6.1f} s  sweep {sweep_s:6.3f} s "
            f"(yellow {r.yellow}, red {r.red}, escalated {r.escalated}, cards {r.cards}, "
            f"batches {r.batches})  "
            f"rerun {rerun_s * 1000:6.1f} ms (examined {r2.examined})"
        )
        if args.dispatch:
            t0 = time.perf_counter()
            sent = warning_events_dispatch()
            line += f"  dispatch {time.perf_counter() - t0:6.2f} s ({sent} messages)"
        print(line, flush=True)
        assert r.examined == n_changing, (r.examined, n_changing)
        results.append((n, sweep_s, rerun_s))
    if len(results) > 1:
        (n0, s0, i0), (n1, s1, i1) = results[0], results[-1]
        print(f"ratio sweep {n1:,}/{n0:,}: {s1 / s0:.2f}   ratio idle rerun: {i1 / i0:.2f}")
    plan = explain(TODAY)
    if plan:
        print("plan of the yellow candidates query:\n" + plan)


if __name__ == "__main__":
    main()
