"""Benchmark: the supervision sweep over 100k (and, with --big, 1M) open watches, ~1 % changing level.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench_sweep \
        .venv/bin/python bench/bench_sweep.py --big

The database in DATABASE_URL is migrated, and the supervision tables (watches, warning log, cards) are
EMPTIED before each size — so the script refuses a database whose name does not contain "bench" unless
--yes is given. PostgreSQL is the target (rows are loaded with COPY); SQLite works for a smoke run.

Each size: N open step watches in 50 departments, stored as a sweep left them yesterday (levels and
transition dates from tongban.supervision.thresholds); N/100 of them reach a transition date today
(yellow ~60 %, red ~30 %, escalation ~10 %): ids 1..N/100, or
with --spread every 100th id. Two variants on the same loaded table, each run --reps times (median
reported) with each --workers count (connections of warning_sweep), the changing rows restored from a
snapshot, the tables vacuumed and a CHECKPOINT taken before each timed statement:
- "1 %": N/100 rows change (the issue's scenario: 10× more changes at 1M than at 100k);
- "fixed": --fixed rows change at every size (default 1,000): isolates the number OPEN from the number
  changing — the design claim is that this ratio stays near 1.
Timed: the sweep (warning_sweep(today)), an idle rerun, and two references on the same rows in the same
run: one SELECT of them by id, and one UPDATE of their level by id in a single statement (rolled back)
— the lower bound of the write the sweep has to do. --dispatch also times the notification outbox.

Cards (issue 12): the sweep applies the card rules as the database holds them. With the default rules
the red crossings are counted by the repeated-fault rule (one yellow card per 5 reds of a department in
30 days, each card linking its 5 warnings) and no card is shown per overdue step; --overdue-rules also
switches on the opt-in rules that card every overdue step (the former behaviour, for comparison);
--directives N adds N directives unanswered for a week, which the rule `directive_ignored` cards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import io
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")
os.environ["DEBUG"] = "false"  # no query log in memory
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
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


def card_rules(overdue: bool) -> str:
    """The default rules, plus (if asked) the opt-in ones that card every overdue step; returns the
    active rules' keys."""
    from django.apps import apps as django_apps

    from tongban.supervision.models import CardRule
    from tongban.supervision.seed import seed_card_rules

    seed_card_rules(django_apps)
    CardRule.objects.filter(trigger="overdue").update(active=overdue)
    return ", ".join(CardRule.objects.filter(active=True).order_by("key").values_list("key", flat=True))


def add_directives(n: int, dept_ids: list[int]) -> None:
    """n directives issued 8 working days before TODAY with 3 days to answer, never answered (their
    response watches are not loaded: the directive rule reads the directives, not the watches)."""
    from tongban.supervision.models import Directive

    Directive.objects.filter(title="基准测试督办").delete()
    issued = TODAY
    for _ in range(8):
        issued = previous_workday(issued)
    Directive.objects.bulk_create(
        Directive(
            number=f"DBBENCH{i:06d}",
            subject_type="department",
            subject_id=dept_ids[i % len(dept_ids)],
            subject_label="基准测试部门",
            department_id=dept_ids[i % len(dept_ids)],
            title="基准测试督办",
            required_action="说明原因",
            response_days=3,
            due_date=add_working_days(issued, 3),
            issued_on=issued,
        )
        for i in range(n)
    )


def add_heads(dept_ids: list[int]) -> None:
    from tongban.accounts.models import User

    for pk in dept_ids:
        user, _ = User.objects.get_or_create(
            username=f"bench-head-{pk}", defaults={"display_name": "基准负责人"}
        )
        StaffAssignment.objects.get_or_create(user=user, role=StaffRole.DEPARTMENT_HEAD, department_id=pk)


def stride(n: int, n_changing: int, spread: bool) -> int:
    """Changing rows are every `stride`-th id (1: ids 1..n_changing, side by side)."""
    return n // n_changing if spread else 1


def rows(n: int, n_changing: int, spread: bool, dept_ids: list[int], quiet, changing, rng: random.Random):
    now = timezone.now()
    kinds = ["yellow"] * 6 + ["red"] * 3 + ["escalate"]
    step = stride(n, n_changing, spread)
    for i in range(n):
        if i % step == 0 and i // step < n_changing:
            kind = kinds[(i // step) % 10]
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


def load(n: int, n_changing: int, spread: bool, dept_ids, quiet, changing, rng) -> float:
    t0 = time.perf_counter()
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute(
                "TRUNCATE supervision_cardwarning, supervision_cardevent, supervision_card, "
                "supervision_warningevent, supervision_deadline RESTART IDENTITY CASCADE"
            )
            sql = f"COPY supervision_deadline ({', '.join(COLUMNS)}) FROM STDIN"
            with c.cursor.copy(sql) as copy:
                for row in rows(n, n_changing, spread, dept_ids, quiet, changing, rng):
                    copy.write_row(row)
            c.execute("VACUUM ANALYZE supervision_deadline")
        else:
            for table in ("cardwarning", "cardevent", "card", "warningevent", "deadline"):
                c.execute(f"DELETE FROM supervision_{table}")
            c.execute("DELETE FROM sqlite_sequence WHERE name = 'supervision_deadline'")  # ids from 1
            batch = []
            for row in rows(n, n_changing, spread, dept_ids, quiet, changing, rng):
                batch.append(Deadline(**dict(zip(COLUMNS, row, strict=True))))
                if len(batch) == 10_000:
                    Deadline.objects.bulk_create(batch)
                    batch = []
            Deadline.objects.bulk_create(batch)
    return time.perf_counter() - t0


def snapshot(n: int, n_changing: int, spread: bool) -> None:
    """Keep the before-state of the changing rows (k = 1, 2, … in id order), so each run starts from
    the same table."""
    step = stride(n, n_changing, spread)
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_sweep_before")
        unlogged = "UNLOGGED " if connection.vendor == "postgresql" else ""
        c.execute(
            f"CREATE {unlogged}TABLE bench_sweep_before AS SELECT id, (id - 1) / %s + 1 AS k, "
            f"{', '.join(RESTORED)} FROM supervision_deadline WHERE (id - 1) %% %s = 0 AND id <= %s",
            [step, step, n_changing * step],
        )


RESTORED = ("level", "yellow_on", "red_on", "escalation_level", "next_escalation_on")


def vacuum() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            for table in ("deadline", "warningevent", "card", "cardevent", "cardwarning"):
                c.execute(f"VACUUM ANALYZE supervision_{table}")


def checkpoint() -> None:
    """Start the timed statement right after a checkpoint, as a daily sweep would be (checkpoints come
    every few minutes): each page's first change then writes its full image to the WAL. Both the
    sweep and the reference UPDATE are timed this way, so neither finds pages the other warmed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("CHECKPOINT")


def reset(k: int) -> None:
    """The first k changing rows back to yesterday's state, the logs emptied, the tables vacuumed. The
    other changing rows, if an earlier run changed them, stay as it left them (quiet today)."""
    sets = ", ".join(f"{c} = b.{c}" for c in RESTORED)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute(
                "TRUNCATE supervision_cardwarning, supervision_cardevent, supervision_card, "
                "supervision_warningevent"
            )
        else:
            for table in ("cardwarning", "cardevent", "card", "warningevent"):
                c.execute(f"DELETE FROM supervision_{table}")
        c.execute(
            f"UPDATE supervision_deadline SET {sets} FROM bench_sweep_before b "
            "WHERE supervision_deadline.id = b.id AND b.k <= %s",
            [k],
        )
    vacuum()


def references(k: int) -> tuple[float, float]:
    """(SELECT, UPDATE) seconds on the first k changing rows, found by id: one indexed read of them,
    and one statement changing their level (indexed, so every index of each row is rewritten, as in
    the sweep), rolled back."""
    with connection.cursor() as c:
        c.execute("SELECT id FROM bench_sweep_before WHERE k <= %s ORDER BY id", [k])
        ids = [r[0] for r in c.fetchall()]
    if connection.vendor == "postgresql":
        where, params = "id = ANY(%s::bigint[])", ["{" + ",".join(map(str, ids)) + "}"]
    else:
        where, params = "id IN (SELECT id FROM bench_sweep_before WHERE k <= %s)", [k]
    with connection.cursor() as c:
        t0 = time.perf_counter()
        c.execute(f"SELECT id, level, due_date FROM supervision_deadline WHERE {where}", params)
        assert len(c.fetchall()) == k
        select_s = time.perf_counter() - t0
    with transaction.atomic():
        with connection.cursor() as c:
            t0 = time.perf_counter()
            c.execute(
                "UPDATE supervision_deadline SET level = CASE WHEN level = 'red' THEN 'yellow' ELSE 'red' "
                f"END, escalation_level = escalation_level + 1 WHERE {where}",
                params,
            )
            update_s = time.perf_counter() - t0
        transaction.set_rollback(True)
    return select_s, update_s


def sweep_once(args, workers: int) -> tuple[float, object]:
    t0 = time.perf_counter()
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        r = prof.runcall(warning_sweep, today=TODAY, batch_size=args.batch, workers=workers)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    else:
        r = warning_sweep(today=TODAY, batch_size=args.batch, workers=workers)
    return time.perf_counter() - t0, r


@dataclass
class Run:
    n: int
    k: int
    workers: int
    sweeps: list[float]
    rerun: float
    select: float
    update: float
    counts: str

    @property
    def sweep(self) -> float:
        return statistics.median(self.sweeps)

    @property
    def per_change_ms(self) -> float:
        return self.sweep / self.k * 1000


def measure(n: int, k: int, workers: int, args) -> Run:
    sweeps, reruns, selects, updates = [], [], [], []
    for _ in range(args.reps):
        reset(k)
        checkpoint()
        sweep_s, r = sweep_once(args, workers)
        assert r.examined == k, (r.examined, k)
        sweeps.append(sweep_s)
        t0 = time.perf_counter()
        r2 = warning_sweep(today=TODAY, batch_size=args.batch)
        reruns.append(time.perf_counter() - t0)
        assert r2.examined == 0, r2.examined
        checkpoint()
        select_s, update_s = references(k)
        selects.append(select_s)
        updates.append(update_s)
    counts = f"yellow {r.yellow}, red {r.red}, escalated {r.escalated}, cards {r.cards}, batches {r.batches}"
    run = Run(
        n,
        k,
        workers,
        sweeps,
        statistics.median(reruns),
        statistics.median(selects),
        statistics.median(updates),
        counts,
    )
    print(
        f"open {n:>9,}  changing {k:>6,}  workers {workers}  sweep {run.sweep:6.3f} s "
        f"[{', '.join(f'{s:.3f}' for s in sweeps)}] ({counts})  per change {run.per_change_ms:.3f} ms  "
        f"idle rerun {run.rerun * 1000:5.1f} ms  ref SELECT {run.select * 1000:6.1f} ms  "
        f"ref UPDATE {run.update * 1000:6.1f} ms  sweep/UPDATE {run.sweep / run.update:5.1f}×",
        flush=True,
    )
    return run


def explain(today: dt.date) -> str:
    qs = _candidates("yellow", today)[:1000]
    return qs.explain() if connection.vendor == "postgresql" else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also run 1,000,000 open watches")
    parser.add_argument("--sizes", type=int, nargs="*", help="explicit sizes (default 100000 [1000000])")
    parser.add_argument("--fixed", type=int, default=1000, help="rows changing in the fixed variant (0: off)")
    parser.add_argument("--reps", type=int, default=3, help="runs per variant (median reported)")
    parser.add_argument("--dispatch", action="store_true", help="also time the notification dispatch")
    parser.add_argument("--batch", type=int, default=None, help="rows per transaction (sweep default)")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="sweep connections to try (default 1 2)"
    )
    parser.add_argument(
        "--spread", action="store_true", help="changing rows spread over the table (default: ids 1..k)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile each sweep (slower)")
    parser.add_argument(
        "--overdue-rules", action="store_true", help="also card every overdue step (the former default)"
    )
    parser.add_argument("--directives", type=int, default=0, help="unanswered directives to card")
    parser.add_argument("--yes", action="store_true", help="allow a database whose name lacks 'bench'")
    args = parser.parse_args()
    if args.batch is None:
        args.batch = inspect.signature(warning_sweep).parameters["batch_size"].default
    name = str(connection.settings_dict["NAME"])
    if "bench" not in name and not args.yes:
        sys.exit(
            f"refusing to empty the supervision tables of database {name!r}: use a *bench* database or --yes"
        )
    sizes = args.sizes or ([100_000, 1_000_000] if args.big else [100_000])
    call_command("migrate", verbosity=0, stdout=io.StringIO())
    covered_years()
    dept_ids = departments()
    rules = card_rules(args.overdue_rules)
    add_directives(args.directives, dept_ids)
    if args.dispatch:
        add_heads(dept_ids)
    quiet, changing = combos(TODAY)
    print(
        f"database: {connection.vendor} {name}; today {TODAY}; batch {args.batch}; "
        f"workers {args.workers}; reps {args.reps}; spread {args.spread}; "
        f"load average {os.getloadavg()[0]:.1f}; card rules: {rules}; directives {args.directives}"
    )
    pct: dict[int, list[Run]] = {w: [] for w in args.workers}
    fixed: dict[int, list[Run]] = {w: [] for w in args.workers}
    for n in sizes:
        n_pct = n // 100
        load_s = load(n, n_pct, args.spread, dept_ids, quiet, changing, random.Random(n))
        snapshot(n, n_pct, args.spread)
        print(f"open {n:>9,}  loaded in {load_s:.1f} s", flush=True)
        for w in args.workers:  # 1 % first: it leaves rows above --fixed as the sweep left them
            pct[w].append(measure(n, n_pct, w, args))
        if args.dispatch:
            t0 = time.perf_counter()
            sent = warning_events_dispatch()
            print(f"  dispatch {time.perf_counter() - t0:6.2f} s ({sent} messages)", flush=True)
        for w in args.workers if args.fixed else []:
            k = min(args.fixed, n_pct)
            fixed[w].append(pct[w][-1] if k == n_pct else measure(n, k, w, args))
    print()
    for w in args.workers:
        for label, runs in (("1 % changing", pct[w]), (f"{args.fixed:,} changing", fixed[w])):
            if len(runs) < 2:
                continue
            a, b = runs[0], runs[-1]
            print(
                f"workers {w}, {label}: sweep {b.n:,}/{a.n:,} = {b.sweep:.3f}/{a.sweep:.3f} s "
                f"-> ratio {b.sweep / a.sweep:.2f} (rows changing ×{b.k / a.k:g}; "
                f"reference UPDATE ratio {b.update / a.update:.2f}); "
                f"per change {a.per_change_ms:.3f} -> {b.per_change_ms:.3f} ms; "
                f"sweep/UPDATE {a.sweep / a.update:.1f}× -> {b.sweep / b.update:.1f}×"
            )
    plan = explain(TODAY)
    if plan:
        print("plan of the yellow candidates query:\n" + plan)


if __name__ == "__main__":
    main()
