"""Benchmark: what a clerk waits per case-lifecycle action on PostgreSQL, with 1, 4 and 10 clerks at
once, over a database already holding 10k and 1M cases.

    .venv/bin/python bench/bench_lifecycle.py                    # full: 10k and 1M cases, 1/4/10 clerks
    .venv/bin/python bench/bench_lifecycle.py --quick            # CI size: 1k and 10k cases, 1/4 clerks
    .venv/bin/python bench/bench_lifecycle.py --cases 10000,100000 --clerks 1,4,10 --seconds 20 --repeat 3

One lifecycle = seven transactions through the services: the applicant submits online (case_submit),
a clerk accepts (case_accept), three departments each complete their parallel review (step_complete,
reported per department), the lead department decides (case_decide) and the clerk issues
electronically (case_issue) — row locks, transition checks, events, steps, deadlines, notices and
notifications enqueued on commit, the real cost.

For each size N in --cases the database `<name>_<N>` (10k → tongban_bench_10k; 1M and more → the
DATABASE_URL's own name, tongban_bench, loaded once and reused) is created when missing, migrated and
topped up to N synthetic cases with the bench-data loader (tongban.demo.bench; COPY on PostgreSQL; the
load time is printed). Then for each clerk count C, C processes (spawn: each imports Django and opens
its own connection) start together and drive whole lifecycles for --seconds on their own keys; the
script prints p50/p95 per action and SQL statements per action. Reference measured in the same run:
the smallest size — the script prints the p95 ratio of every other size to it per action (target
≤ 1.2× at 1M against 10k). With --no-prepared-too it also runs the largest clerk count with
`common.prepared` replaced by the plain queryset, and prints that ratio too.
--repeat R runs every configuration R times (interleaved) and reports the median of the per-run
p50/p95. Refuses a database whose name lacks "bench".
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongban_bench")
os.environ["DEBUG"] = "false"

import dj_database_url  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

REGION_CODE = "990901"
FORM = {"reason": "新建厂房施工许可（压测）"}
BIG = 1_000_000


def label(n: int) -> str:
    """10000 → "10k", 1000000 → "1m"."""
    for unit, size in (("m", 1_000_000), ("k", 1_000)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def database_url(base: str, cases: int) -> str:
    """The database of a size: the base one for ≥ 1M (loaded once, shared), `<base>_<size>` below."""
    cfg = dj_database_url.parse(base)
    name = cfg["NAME"] if cases >= BIG else f"{cfg['NAME']}_{label(cases)}"
    return base.rsplit("/", 1)[0] + "/" + name


def ensure_database(url: str) -> str:
    """Create the PostgreSQL database named in `url` if it does not exist yet (via the 'postgres' db)."""
    cfg = dj_database_url.parse(url)
    if cfg["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"DATABASE_URL must point to PostgreSQL (got {cfg['ENGINE']})")
    name = cfg["NAME"]
    if "bench" not in name:
        sys.exit(f"refusing to write to database {name!r}: its name does not contain 'bench'")
    params = {"host": cfg.get("HOST") or "127.0.0.1", "port": cfg.get("PORT") or 5432}
    params["user"] = cfg.get("USER") or "postgres"
    if cfg.get("PASSWORD"):
        params["password"] = cfg["PASSWORD"]
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", flush=True)
    return name


def use_database(url: str) -> None:
    """Point Django's default connection (and spawned workers, through the environment) at `url`."""
    from django.db import connections

    os.environ["DATABASE_URL"] = url
    connections.close_all()
    connections["default"].settings_dict["NAME"] = dj_database_url.parse(url)["NAME"]


def top_up(cases: int) -> None:
    """Migrate, then load synthetic cases with the bench-data loader until the database holds `cases`."""
    from django.core.management import call_command

    from tongban.cases.models import Case
    from tongban.demo.bench import bench_data

    call_command("migrate", verbosity=0)
    have = Case.objects.filter(number__startswith="BENCH-").count()
    if have >= cases:
        print(f"  {have} bench-data cases already loaded", flush=True)
        return
    started = time.perf_counter()
    result = bench_data(
        cases=cases - have,
        seed=have + 1,
        progress=lambda done, total: (
            print(f"  loaded {done}/{total}", flush=True) if done % 100_000 == 0 or done == total else None
        ),
    )
    took = time.perf_counter() - started
    print(
        f"  loaded {cases - have} cases in {took:.0f} s ({(cases - have) / took:.0f} cases/s; "
        f"load average {os.getloadavg()[0]:.1f}): {result}",
        flush=True,
    )


def build_world():
    """The bench's own district: found by its fixed names/codes, created when missing."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from tongban.accounts.models import Applicant, User, UserKind
    from tongban.cases import services
    from tongban.cases.models import ProcessDefinition
    from tongban.catalogue.choices import (
        ApplicantKind,
        CaseKind,
        ItemCategory,
        ItemStatus,
        ItemType,
        LimitUnit,
        OnlineDepth,
        ServiceLevel,
    )
    from tongban.catalogue.models import ServiceItem
    from tongban.common.validators import uscc_check_char
    from tongban.organisations.choices import HallLevel, RegionLevel, StaffRole
    from tongban.organisations.models import Department, Region, ServiceHall, StaffAssignment

    def staff(username: str, display: str, role: str, *, department=None, hall=None):
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display, "kind": UserKind.STAFF, "password": make_password(None)},
        )
        StaffAssignment.objects.get_or_create(user=user, role=role, department=department, hall=hall)
        return user

    with transaction.atomic():
        region, _ = Region.objects.get_or_create(
            code=REGION_CODE, defaults={"name": "压测区", "level": RegionLevel.DISTRICT}
        )
        hall, _ = ServiceHall.objects.get_or_create(
            code="BENCHLC",
            defaults={"name": "压测区政务服务中心", "level": HallLevel.DISTRICT, "region": region},
        )
        depts = {}
        for n, (short, name) in enumerate(
            (
                ("住建", "压测区住房和城乡建设局"),
                ("规划", "压测区规划和自然资源局"),
                ("应急", "压测区应急管理局"),
            ),
            start=1,
        ):
            first17 = f"11{REGION_CODE}{990900000 + n:09d}"
            depts[short], _ = Department.objects.get_or_create(
                name=name,
                defaults={
                    "short_name": short,
                    "credit_code": first17 + uscc_check_char(first17),
                    "region": region,
                    "phone": "020-12345678",
                },
            )
        clerk = staff("bench-lc-clerk", "压测窗口", StaffRole.CLERK, hall=hall)
        approvers = {  # department id → that department's approver
            d.pk: staff(f"bench-lc-approver-{i}", f"压测{short}审批", StaffRole.APPROVER, department=d)
            for i, (short, d) in enumerate(depts.items())
        }
        applicant_user, _ = User.objects.get_or_create(
            username="110105198001010016",
            defaults={
                "display_name": "压测申请人",
                "kind": UserKind.APPLICANT,
                "password": make_password(None),
            },
        )
        applicant, _ = Applicant.objects.get_or_create(
            user=applicant_user,
            defaults={
                "kind": ApplicantKind.NATURAL,
                "name": "压测申请人",
                "id_number": "110105198001010016",
                "mobile": "13900000001",
            },
        )
        item, _ = ServiceItem.objects.get_or_create(
            code="BENCHLC001",
            version=1,
            defaults={
                "status": ItemStatus.PUBLISHED,
                "name": "建筑工程施工许可（压测）",
                "item_type": ItemType.LICENSING,
                "department": depts["住建"],
                "level": ServiceLevel.DISTRICT,
                "category": ItemCategory.CONSTRUCTION,
                "applicant_kinds": [ApplicantKind.NATURAL.value],
                "summary": "压测用并联审批事项。",
                "legal_basis": "《建筑工程施工许可管理办法》第四条",
                "conditions": "符合法定条件的申请人均可申请。",
                "statutory_limit": 20,
                "statutory_limit_unit": LimitUnit.WORKING_DAYS,
                "promised_limit": 10,
                "promised_limit_unit": LimitUnit.WORKING_DAYS,
                "case_kind": CaseKind.PROMISED,
                "visits_required": 0,
                "online_depth": OnlineDepth.ACCEPT,
                "place": "压测区政务服务中心",
                "phone": "020-12345678",
                "published_at": timezone.now(),
            },
        )
    if not ProcessDefinition.objects.filter(item=item).exists():
        services.process_define(
            item_id=item.pk,
            stages=[
                {
                    "name": "并联审查",
                    "kind": "parallel",
                    "lead_department_id": depts["住建"].pk,
                    "joint_limit_days": 2,
                    "steps": [
                        {"name": "住建审查", "department_id": depts["住建"].pk, "limit_days": 5},
                        {"name": "规划审查", "department_id": depts["规划"].pk, "limit_days": 8},
                        {"name": "消防审查", "department_id": depts["应急"].pk, "limit_days": 4},
                    ],
                }
            ],
        )
    return clerk, approvers, applicant, item, depts["住建"].pk


# The actions of one lifecycle, in order; the three reviews are reported per department.
ACTIONS = ("submit", "accept", "review 住建", "review 规划", "review 消防", "decide", "issue")


class Timer:
    """Per-action wall time and SQL statement count (the statement counter is a connection wrapper)."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}
        self.queries: dict[str, list[int]] = {}
        self._count = 0

    def __call__(self, execute, sql, params, many, context):
        self._count += 1
        return execute(sql, params, many, context)

    def measure(self, name: str, fn):
        count, t = self._count, time.perf_counter()
        result = fn()
        self.seconds.setdefault(name, []).append(time.perf_counter() - t)
        self.queries.setdefault(name, []).append(self._count - count)
        return result


def lifecycle(world, key: str, timer: Timer) -> None:
    """One case from online submission to electronic issuance, as the people involved would drive it."""
    from tongban.cases import services
    from tongban.cases.choices import CaseStatus, StepStatus
    from tongban.cases.models import Step

    clerk, approvers, applicant, item, lead_department_id = world
    form = {"name": applicant.name, "identity_number": applicant.id_number, "mobile": applicant.mobile}
    case = timer.measure(
        "submit",
        lambda: services.case_submit(
            actor=applicant.user,
            idempotency_key=key,
            item_id=item.pk,
            form_data={**form, **FORM},
            applicant_id=applicant.pk,
        ),
    )
    case = timer.measure("accept", lambda: services.case_accept(actor=clerk, case_id=case.pk))
    steps = Step.objects.filter(case=case, status=StepStatus.OPEN).values_list("pk", "department_id", "name")
    for step_id, dept_id, name in steps:
        timer.measure(
            f"review {name[:2]}",
            lambda s=step_id, d=dept_id: services.step_complete(
                actor=approvers[d], step_id=s, outcome="pass", opinion="符合条件，同意"
            ),
        )
    case = timer.measure(
        "decide",
        lambda: services.case_decide(
            actor=approvers[lead_department_id],
            case_id=case.pk,
            decision="approved",
            reason="各部门审查通过",
            legal_basis="《建筑工程施工许可管理办法》第四条",
        ),
    )
    case = timer.measure(
        "issue", lambda: services.case_issue(actor=clerk, case_id=case.pk, method="electronic")
    )
    if case.status != CaseStatus.CLOSED:
        raise RuntimeError(f"case {case.pk} ended in {case.status}, not closed")


def without_prepared() -> None:
    """Run every `common.prepared` query as its plain queryset (what the ORM alone would do)."""
    from tongban.common.prepared import Prepared

    Prepared.fetch = lambda self, *values: list(self._build(*values))


def clerk_worker(index: int, run: str, seconds: float, prepared: bool, barrier, queue) -> None:
    """One clerk process: its own connection, whole lifecycles until `seconds` have passed.

    Sends back ("ok", index, lifecycles, failures, {action: [s]}, {action: [statements]}, errors) or
    ("error", index, traceback) — never leaves the parent waiting.
    """
    import traceback

    try:
        import django

        django.setup()
        from django.db import connection

        if not prepared:
            without_prepared()
        world = build_world()  # found again, not created: the parent built it
        for w in range(2):  # warm-up: first queries, caches, compiled statements
            lifecycle(world, f"bench-{run}-c{index}-warm{w}", Timer())
        barrier.wait()
    except Exception:
        barrier.abort()
        queue.put(("error", index, traceback.format_exc()))
        return
    timer = Timer()
    done = failures = 0
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    with connection.execute_wrapper(timer):
        while time.monotonic() < deadline:
            try:
                lifecycle(world, f"bench-{run}-c{index}-{done + failures}", timer)
                done += 1
            except Exception as exc:  # a deadlock or serialisation failure is a finding, not a crash
                failures += 1
                if len(errors) < 3:
                    errors.append(f"{type(exc).__name__}: {exc}")
    queue.put(("ok", index, done, failures, timer.seconds, timer.queries, errors))


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(round(len(values) * 0.95) - 1, 0)]


def clerks_run(n: int, seconds: float, run: str, *, prepared: bool) -> dict:
    """N clerk processes at once; returns {action: (p50 ms, p95 ms, calls, statements)} and prints it."""
    import multiprocessing
    import queue as queue_module
    import threading

    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(n + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=clerk_worker, args=(i, run, seconds, prepared, barrier, results), daemon=True)
        for i in range(n)
    ]
    for p in procs:
        p.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a worker failed: its traceback is queued
        barrier.wait(timeout=600)
    load = os.getloadavg()[0]
    got = []
    for _ in procs:
        try:
            got.append(results.get(timeout=seconds + 600))
        except queue_module.Empty:
            break
    for p in procs:
        p.join(timeout=30)
        if p.is_alive():
            p.terminate()
    failed = [r for r in got if r[0] == "error"]
    if failed or len(got) < n:
        for r in failed:
            print(f"clerk {r[1]} failed:\n{r[2]}", file=sys.stderr)
        sys.exit(f"{n - len(got) + len(failed)} of {n} clerk processes did not finish")
    seconds_of: dict[str, list[float]] = {}
    statements_of: dict[str, list[int]] = {}
    for r in got:
        for name, secs in r[4].items():
            seconds_of.setdefault(name, []).extend(secs)
        for name, counts in r[5].items():
            statements_of.setdefault(name, []).extend(counts)
    done, failures = sum(r[2] for r in got), sum(r[3] for r in got)
    print(
        f"  {n:2d} clerks, {seconds:g} s, prepared {'on ' if prepared else 'off'}: {done} lifecycles "
        f"({failures} failed), load average {load:.1f}",
        flush=True,
    )
    for r in got:
        for e in r[6]:
            print(f"    clerk {r[1]} failure: {e}")
    figures = {}
    for name in ACTIONS:
        secs = seconds_of.get(name)
        if secs:
            figures[name] = (
                statistics.median(secs) * 1000,
                p95(secs) * 1000,
                len(secs),
                statistics.median(statements_of[name]),
            )
    return figures


def median_of(runs: list[dict]) -> dict:
    """Per action, the median over repeated runs of p50 and p95 (calls summed)."""
    out = {}
    for name in ACTIONS:
        got = [r[name] for r in runs if name in r]
        if got:
            out[name] = (
                statistics.median(g[0] for g in got),
                statistics.median(g[1] for g in got),
                sum(g[2] for g in got),
                statistics.median(g[3] for g in got),
            )
    return out


def print_table(title: str, figures: dict) -> None:
    print(f"{title}\n    {'action':12s} {'p50 ms':>8s} {'p95 ms':>8s} {'calls':>6s} {'SQL':>4s}")
    for name, (p50, p95_, calls, statements) in figures.items():
        print(f"    {name:12s} {p50:8.1f} {p95_:8.1f} {calls:6d} {statements:4.0f}")


def print_ratios(title: str, top: dict, bottom: dict, target: float | None = None) -> None:
    print(title)
    for name in ACTIONS:
        if name in top and name in bottom:
            ratio = top[name][1] / bottom[name][1]
            verdict = "" if target is None else ("  met" if ratio <= target else "  NOT met")
            print(f"    {name:12s} {top[name][1]:8.1f} / {bottom[name][1]:8.1f} = {ratio:5.2f}×{verdict}")


def sizes(text: str) -> list[int]:
    return sorted({int(float(s)) for s in text.split(",")})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=sizes, default=None, help="database sizes (default 10000,1000000)")
    parser.add_argument("--clerks", type=sizes, default=None, help="clerk counts (default 1,4,10)")
    parser.add_argument("--seconds", type=float, default=None, help="per run (default 20; quick 5)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration, medians reported")
    parser.add_argument(
        "--no-prepared-too",
        action="store_true",
        help="also run the most clerks with common.prepared off (plain querysets)",
    )
    parser.add_argument("--quick", action="store_true", help="CI size: 1k and 10k cases, 1 and 4 clerks, 5 s")
    args = parser.parse_args()
    cases = args.cases or ([1_000, 10_000] if args.quick else [10_000, BIG])
    clerks = args.clerks or ([1, 4] if args.quick else [1, 4, 10])
    seconds = args.seconds or (5 if args.quick else 20)
    base = os.environ["DATABASE_URL"]
    for n in cases:
        ensure_database(database_url(base, n))

    import django

    django.setup()
    run = uuid.uuid4().hex[:12]
    print(f"run {run}: sizes {[label(n) for n in cases]}, clerks {clerks}, {seconds:g} s × {args.repeat}")
    print(f"  (a shared machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start)")
    configs = [(c, True) for c in clerks] + ([(max(clerks), False)] if args.no_prepared_too else [])
    results: dict[tuple[int, int, bool], list[dict]] = {}
    for n in cases:
        url = database_url(base, n)
        print(f"database {dj_database_url.parse(url)['NAME']} ({label(n)} cases):", flush=True)
        use_database(url)
        top_up(n)
        build_world()
    for r in range(args.repeat):
        for n in cases:
            use_database(database_url(base, n))
            print(f"round {r + 1}, {label(n)} cases:", flush=True)
            for c, prepared in configs:
                results.setdefault((n, c, prepared), []).append(
                    clerks_run(c, seconds, f"{run}-{r}-{c}{'p' if prepared else 'n'}", prepared=prepared)
                )
    medians = {key: median_of(runs) for key, runs in results.items()}
    print(f"\nwhat a clerk waits per action (median over {args.repeat} run(s); SQL = statements per call):")
    for (n, c, prepared), figures in medians.items():
        print_table(f"  {label(n)} cases, {c} clerks, prepared {'on' if prepared else 'off'}:", figures)
    small = cases[0]
    for n in cases[1:]:
        for c in clerks:
            print_ratios(
                f"p95 at {label(n)} ÷ p95 at {label(small)} cases, {c} clerks (target ≤ 1.2×):",
                medians[(n, c, True)],
                medians[(small, c, True)],
                target=1.2,
            )
    if args.no_prepared_too:
        c = max(clerks)
        for n in cases:
            print_ratios(
                f"p95 without ÷ with common.prepared, {label(n)} cases, {c} clerks:",
                medians[(n, c, False)],
                medians[(n, c, True)],
            )


if __name__ == "__main__":
    main()
