"""Benchmark: full case lifecycles per second through the services on PostgreSQL, beside SpiffWorkflow.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_bench \
        .venv/bin/python bench/bench_lifecycle.py [--cases 200] [--spiff-reload] [--clerks N [--seconds 20]]

One lifecycle = seven transactions: the applicant submits online (case_submit), a clerk accepts
(case_accept), three departments each complete their parallel review (step_complete ×3), the lead
department decides (case_decide) and the clerk issues electronically (case_issue). That is the real
cost: row locks, transition checks, events, steps, deadlines from the working-day calendar, the
acceptance and decision PDFs, and the notifications enqueued on commit (DB task backend in dev).

The comparison runs in the same process against the same database: SpiffWorkflow (pip install
'tongban[bench]') executes bench/lifecycle.bpmn — the same seven user tasks with a parallel split and
join around the three reviews — and after every step serialises the whole workflow
(BpmnWorkflowSerializer) into the table spiff_state in its own transaction, as an engine that persists
between requests must. It does not reload the state before each step, which flatters SpiffWorkflow;
`--spiff-reload` adds that (closer to what a web request does). Target: services ≥ 5× SpiffWorkflow.

A third contender, the floor, runs the same seven transactions in bare SQL through a raw psycopg
connection (not Django) on its own tables bench_floor_case / bench_floor_event: the first inserts the
case and one log row, each of the other six locks the case row (SELECT … FOR UPDATE), checks the
status, updates status and version and appends one log row. Nothing else — no steps, deadlines,
notices, notifications or permission checks — so it is the most any engine that locks, updates and
logs every action can do on this machine; the script prints where 5× SpiffWorkflow lies against it.

`--clerks N` then runs N processes at once (spawn: each imports Django and opens its own connection),
each driving whole services lifecycles for `--seconds` on its own idempotency keys, and reports the
throughput over all of them and p50/p95/max per action — what a clerk waits with N colleagues at work.

The world (region, hall, three departments with approvers, a clerk, an applicant, a published item
with a 3-department parallel process) is built once and found again on later runs; idempotency keys
carry a per-run token, so the script can be run again and again on the same database. Refuses a
database whose name lacks "bench".
"""

from __future__ import annotations

import argparse
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

BPMN = HERE / "lifecycle.bpmn"
REGION_CODE = "990901"
FORM = {"reason": "新建厂房施工许可（压测）"}


def pg_params(url: str, dbname: str) -> dict:
    """psycopg connection keywords for the server named in `url`, on database `dbname`."""
    cfg = dj_database_url.parse(url)
    if cfg["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"DATABASE_URL must point to PostgreSQL (got {cfg['ENGINE']})")
    params = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or "postgres",
        "dbname": dbname,
    }
    if cfg.get("PASSWORD"):
        params["password"] = cfg["PASSWORD"]
    return params


def ensure_database(url: str) -> str:
    """Create the PostgreSQL database named in `url` if it does not exist yet (via the 'postgres' db)."""
    name = dj_database_url.parse(url)["NAME"]
    with psycopg.connect(**pg_params(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    return name


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


class Phases:
    """Per-service wall time and SQL statement count, to show where a lifecycle's time goes."""

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

    def total(self) -> int:
        return sum(sum(q) for q in self.queries.values())

    def report(self) -> None:
        for name, secs in self.seconds.items():
            print(
                f"  {name:16s} median {statistics.median(secs) * 1000:6.1f} ms, "
                f"{statistics.median(self.queries[name]):4.0f} SQL statements"
            )


def services_lifecycle(world, key: str, phases: Phases | None = None) -> None:
    """One case from online submission to electronic issuance, as the people involved would drive it."""
    from tongban.cases import services
    from tongban.cases.choices import CaseStatus, StepStatus
    from tongban.cases.models import Step

    clerk, approvers, applicant, item, lead_department_id = world
    form = {
        "name": applicant.name,
        "identity_number": applicant.id_number,
        "mobile": applicant.mobile,
        **FORM,
    }

    def measure(name: str, fn):
        return phases.measure(name, fn) if phases is not None else fn()

    case = measure(
        "case_submit",
        lambda: services.case_submit(
            actor=applicant.user,
            idempotency_key=key,
            item_id=item.pk,
            form_data=form,
            applicant_id=applicant.pk,
        ),
    )
    case = measure("case_accept", lambda: services.case_accept(actor=clerk, case_id=case.pk))
    open_steps = Step.objects.filter(case=case, status=StepStatus.OPEN).values_list("pk", "department_id")
    for step_id, dept_id in open_steps:
        measure(
            "step_complete",
            lambda s=step_id, d=dept_id: services.step_complete(
                actor=approvers[d], step_id=s, outcome="pass", opinion="符合条件，同意"
            ),
        )
    case = measure(
        "case_decide",
        lambda: services.case_decide(
            actor=approvers[lead_department_id],
            case_id=case.pk,
            decision="approved",
            reason="各部门审查通过",
            legal_basis="《建筑工程施工许可管理办法》第四条",
        ),
    )
    case = measure(
        "case_issue", lambda: services.case_issue(actor=clerk, case_id=case.pk, method="electronic")
    )
    if case.status != CaseStatus.CLOSED:
        raise RuntimeError(f"case {case.pk} ended in {case.status}, not closed")


def render_pending(key_prefix: str) -> float:
    """Render the notices the timed lifecycles left to the task worker; seconds per lifecycle."""
    from tongban.cases.documents import document_render
    from tongban.cases.models import CaseDocument

    ids = list(
        CaseDocument.objects.filter(case__submit_key__startswith=key_prefix, rendered_at=None).values_list(
            "pk", flat=True
        )
    )
    cases = CaseDocument.objects.filter(pk__in=ids).values("case_id").distinct().count()
    started = time.perf_counter()
    for pk in ids:
        document_render(pk)
    return (time.perf_counter() - started) / max(cases, 1)


def spiff_setup():
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS spiff_state ("
            " id serial PRIMARY KEY, case_key text UNIQUE NOT NULL, state jsonb NOT NULL,"
            " updated_at timestamptz NOT NULL DEFAULT now())"
        )
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    parser = BpmnParser()
    parser.add_bpmn_file(str(BPMN))
    return parser.get_spec("case_lifecycle"), BpmnWorkflowSerializer()


def spiff_lifecycle(spec, serializer, key: str, *, reload: bool) -> None:
    """The same seven steps in SpiffWorkflow, the workflow state saved after each one."""
    from django.db import connection, transaction
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO spiff_state (case_key, state) VALUES (%s, %s)",
            [key, serializer.serialize_json(workflow)],
        )
    steps = 0
    while not workflow.completed:
        with transaction.atomic(), connection.cursor() as cur:
            if reload:
                cur.execute("SELECT state::text FROM spiff_state WHERE case_key = %s FOR UPDATE", [key])
                workflow = serializer.deserialize_json(cur.fetchone()[0])
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data[task.task_spec.name] = {"by": "bench", "outcome": "pass"}
            task.run()
            workflow.do_engine_steps()
            cur.execute(
                "UPDATE spiff_state SET state = %s, updated_at = now() WHERE case_key = %s",
                [serializer.serialize_json(workflow), key],
            )
        steps += 1
    if steps != 7:
        raise RuntimeError(f"SpiffWorkflow ran {steps} user tasks, expected 7")


# The floor: the same seven actions with nothing but a row lock, a transition check, the update and
# one log row each — what any engine that persists and logs every action must pay at least.
FLOOR_ACTIONS = (  # (log kind, status required, status after)
    ("accept", "submitted", "reviewing"),
    ("review", "reviewing", "reviewing"),
    ("review", "reviewing", "reviewing"),
    ("review", "reviewing", "reviewed"),
    ("decide", "reviewed", "decided"),
    ("issue", "decided", "closed"),
)


def floor_connect(url: str, dbname: str) -> psycopg.Connection:
    """A raw psycopg connection (not Django's) with the floor's two tables created if missing."""
    conn = psycopg.connect(**pg_params(url, dbname))
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_floor_case ("
        " id bigserial PRIMARY KEY, status text NOT NULL, version int NOT NULL, data jsonb NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_floor_event ("
        " id bigserial PRIMARY KEY,"
        " case_id bigint NOT NULL REFERENCES bench_floor_case DEFERRABLE INITIALLY DEFERRED,"
        " kind text NOT NULL, at timestamptz NOT NULL DEFAULT now(), detail jsonb NOT NULL)"
    )
    conn.commit()
    return conn


def floor_lifecycle(conn: psycopg.Connection, key: str) -> None:
    """Seven transactions in bare SQL: insert the case and its log row, then lock-check-update-log ×6."""
    from psycopg.types.json import Jsonb

    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO bench_floor_case (status, version, data) VALUES ('submitted', 1, %s) RETURNING id",
            [Jsonb({"key": key, **FORM})],
        )
        case_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO bench_floor_event (case_id, kind, detail) VALUES (%s, 'submit', %s)",
            [case_id, Jsonb({"version": 1})],
        )
        conn.commit()
        for kind, before, after in FLOOR_ACTIONS:
            cur.execute("SELECT status, version FROM bench_floor_case WHERE id = %s FOR UPDATE", [case_id])
            status, version = cur.fetchone()
            if status != before:
                raise RuntimeError(f"floor case {case_id}: {kind} from {status}, expected {before}")
            cur.execute(
                "UPDATE bench_floor_case SET status = %s, version = %s WHERE id = %s",
                [after, version + 1, case_id],
            )
            cur.execute(
                "INSERT INTO bench_floor_event (case_id, kind, detail) VALUES (%s, %s, %s)",
                [case_id, kind, Jsonb({"version": version + 1, "status": after})],
            )
            conn.commit()


ACTIONS = ("case_submit", "case_accept", "step_complete", "case_decide", "case_issue")


def clerk_worker(index: int, run: str, seconds: float, barrier, queue) -> None:
    """One clerk process: its own Django connection, whole lifecycles until `seconds` have passed.

    Sends back ("ok", index, lifecycles, started, ended, {action: [seconds]}, failures, first errors)
    or ("error", index, traceback) — never leaves the parent waiting.
    """
    import traceback

    try:
        import django

        django.setup()
        world = build_world()  # found again, not created: the parent built it
        for w in range(2):  # warm-up: first queries, caches
            services_lifecycle(world, f"bench-{run}-c{index}-warm{w}")
        barrier.wait()
    except Exception:
        barrier.abort()
        queue.put(("error", index, traceback.format_exc()))
        return
    phases = Phases()
    done = failures = 0
    errors: list[str] = []
    started = time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        try:
            services_lifecycle(world, f"bench-{run}-c{index}-{done + failures}", phases)
            done += 1
        except Exception as exc:  # a deadlock or serialisation failure is a finding, not a crash
            failures += 1
            if len(errors) < 3:
                errors.append(f"{type(exc).__name__}: {exc}")
    ended = time.monotonic()
    queue.put(("ok", index, done, started, ended, phases.seconds, failures, errors))


def clerks_run(n: int, seconds: float, run: str) -> None:
    """N clerk processes at once (spawn: each imports Django and opens its own connection)."""
    import contextlib
    import multiprocessing
    import queue as queue_module
    import threading

    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(n + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=clerk_worker, args=(i, run, seconds, barrier, results), daemon=True)
        for i in range(n)
    ]
    for p in procs:
        p.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a worker failed: its traceback is queued
        barrier.wait(timeout=300)
    got = []
    for _ in procs:
        try:
            got.append(results.get(timeout=seconds + 300))
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
    done = sum(r[2] for r in got)
    failures = sum(r[6] for r in got)
    wall = max(r[4] for r in got) - min(r[3] for r in got)
    per_action: dict[str, list[float]] = {}
    for r in got:
        for name, secs in r[5].items():
            per_action.setdefault(name, []).extend(secs)
    print(
        f"{n} clerks at once, {seconds:g} s: {done} lifecycles in {wall:.2f} s → "
        f"{done / wall:.1f} lifecycles/s over all processes ({failures} failed)",
        flush=True,
    )
    for r in got:
        for e in r[7]:
            print(f"  clerk {r[1]} failure: {e}")
    print("  what a clerk waits per action (ms):")
    for name in ACTIONS:
        secs = sorted(per_action.get(name, []))
        if not secs:
            continue
        print(
            f"  {name:16s} p50 {statistics.median(secs) * 1000:7.1f}  p95 "
            f"{secs[max(int(len(secs) * 0.95) - 1, 0)] * 1000:7.1f}  max {secs[-1] * 1000:7.1f}"
            f"  ({len(secs)} calls)"
        )


def timed_run(label: str, n: int, one) -> float:
    """Run `one(i)` n times (after 5 warm-up runs); print and return lifecycles per second."""
    for i in range(5):
        one(f"warm{i}")
    per = []
    started = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        one(str(i))
        per.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - started
    rate = n / elapsed
    print(
        f"{label:38s} {n:5d} lifecycles in {elapsed:7.2f} s → {rate:8.1f} lifecycles/s "
        f"(median {statistics.median(per) * 1000:6.1f} ms, p95 "
        f"{sorted(per)[int(len(per) * 0.95) - 1] * 1000:6.1f} ms)",
        flush=True,
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200, help="lifecycles per contender (default 200)")
    parser.add_argument("--spiff-reload", action="store_true", help="also time SpiffWorkflow reloading state")
    parser.add_argument(
        "--clerks", type=int, default=0, help="then N processes driving lifecycles at once (default 0: off)"
    )
    parser.add_argument("--seconds", type=float, default=20, help="how long the clerks work (default 20)")
    args = parser.parse_args()
    name = ensure_database(os.environ["DATABASE_URL"])
    if "bench" not in name:
        sys.exit(f"refusing to write to database {name!r}: its name does not contain 'bench'")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    world = build_world()
    run = uuid.uuid4().hex[:12]
    print(f"database: {connection.vendor} {name}, run {run}, {args.cases} lifecycles each")

    ours = timed_run("tongban services", args.cases, lambda i: services_lifecycle(world, f"bench-{run}-{i}"))
    phases = Phases()
    with connection.execute_wrapper(phases):
        for i in range(min(20, args.cases)):
            services_lifecycle(world, f"bench-{run}-p{i}", phases)
    print(f"where a lifecycle's time goes (separate {min(20, args.cases)} lifecycles):")
    phases.report()
    n = min(20, args.cases)
    print(f"  SQL statements per lifecycle: {phases.total() / n:.0f}")
    worker = render_pending(f"bench-{run}-p")
    print(
        f"  after commit, in the task worker (not in the figures above): rendering the two PDF notices "
        f"{worker * 1000:.1f} ms per lifecycle"
    )
    spec, serializer = spiff_setup()
    spiff = timed_run(
        "SpiffWorkflow (state saved each step)",
        args.cases,
        lambda i: spiff_lifecycle(spec, serializer, f"{run}-{i}", reload=False),
    )
    ratio = ours / spiff
    print(f"cases per second: {ours:.1f} (tongban) vs {spiff:.1f} (SpiffWorkflow) — ratio {ratio:.2f}×")
    print(f"target ≥ 5× SpiffWorkflow: {'met' if ratio >= 5 else 'NOT met'}")
    if args.spiff_reload:
        reloaded = timed_run(
            "SpiffWorkflow (reload + save each step)",
            args.cases,
            lambda i: spiff_lifecycle(spec, serializer, f"{run}-r{i}", reload=True),
        )
        print(f"ratio against SpiffWorkflow reloading its state: {ours / reloaded:.2f}×")
    floor_conn = floor_connect(os.environ["DATABASE_URL"], name)
    try:
        floor = timed_run(
            "floor (bare SQL, 7 transactions)",
            args.cases,
            lambda i: floor_lifecycle(floor_conn, f"{run}-{i}"),
        )
    finally:
        floor_conn.close()
    print(
        f"floor: {floor:.1f} lifecycles/s = {floor / spiff:.2f}× SpiffWorkflow; "
        f"services = {ours / floor:.3f}× the floor"
    )
    print(
        "  the floor is the most any engine can do on this machine that locks, updates and logs each "
        "action and nothing else (no steps, deadlines, notices, notifications, permission checks);"
    )
    print(
        f"  the target 5× SpiffWorkflow = {5 * spiff:.1f} lifecycles/s = {5 * spiff / floor:.2f}× the floor "
        f"({'at or above' if 5 * spiff >= floor else 'below'} it)"
    )
    if args.clerks > 0:
        clerks_run(args.clerks, args.seconds, run)


if __name__ == "__main__":
    main()
