"""Synthetic data for benchmarks (`tongban bench-data --cases N`).

The demo district's departments, items, halls and windows, two bench clerks per window, then N cases
received over the last `months` months (ids ascending with the submission time, as in production) with
a realistic mix: status, online share, 一次性告知 corrections before acceptance, clock pauses (补正中),
extensions, returns to the window, late conclusions, pick-up and extra visits (两头跑). Every row the
performance figures read is written — cases, events, steps, visits, pauses, extensions — and the
`CaseFact` row of each case, computed from the same plan with the same clock functions as
`analytics.facts.build_facts` (a test checks that a refresh rewrites them unchanged).

On PostgreSQL the rows go in with COPY (psycopg `cursor.copy`): a million cases in a few minutes. Any
other database (the tests' SQLite) gets the same rows through bulk_create.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
import time
from collections.abc import Callable, Iterator

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from tongban.accounts.models import Applicant, User
from tongban.analytics.facts import FACT_FIELDS, _window_lookup
from tongban.analytics.models import CaseFact
from tongban.cases.choices import (
    CaseChannel,
    CaseEventKind,
    CaseStatus,
    IssuanceMethod,
    PauseKind,
    StepKind,
    StepStatus,
    VisitKind,
)
from tongban.cases.models import Case, CaseEvent, ClockPause, Extension, Step, Visit
from tongban.catalogue.choices import CaseKind
from tongban.catalogue.models import ServiceItem
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment, Window
from tongban.workdays.calendar import (
    add_working_days,
    covered_years,
    is_workday,
    working_days_between,
)
from tongban.workdays.clock import Pause, due_date, used_working_days

from .loader import load_demo

BATCH = 20_000
# status → weight of the cases received more than six weeks ago (finished), and of the open ones.
FINISHED = [
    (CaseStatus.CLOSED, 84),
    (CaseStatus.CONCLUDED, 3),
    (CaseStatus.REFUSED, 6),
    (CaseStatus.WITHDRAWN, 4),
    (CaseStatus.CORRECTION, 3),  # told what to correct, never came back
]
OPEN_MIX = [
    (CaseStatus.IN_REVIEW, 60),
    (CaseStatus.SUPPLEMENTING, 8),
    (CaseStatus.SUBMITTED, 20),
    (CaseStatus.CORRECTION, 12),
]
ONLINE_SHARE = 0.55
CORRECTED_SHARE = 0.12  # 一次性告知 before acceptance, then resubmitted
PAUSED_SHARE = 0.06  # concluded cases whose clock stopped once (补正中 / 特别程序)
EXTENDED_SHARE = 0.04  # concluded cases with a limit ≥ 5 working days that were extended
RETURNED_SHARE = 0.02
LATE_SHARE = 0.06
EXTRA_VISIT_SHARE = 0.03  # 两头跑
PICKUP_SHARE = 0.3  # closed cases whose result was picked up at a window

CASE_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "number",
    "query_code",
    "agent_name",
    "agent_id_number",
    "agent_mobile",
    "channel",
    "form_data",
    "status",
    "version",
    "submitted_at",
    "intake_due",
    "intake_overdue",
    "accepted_at",
    "accepted_on",
    "due_date",
    "extension_days",
    "is_paused",
    "current_stage",
    "plan",
    "refusal_reason",
    "refer_to",
    "decision",
    "decision_reason",
    "decision_basis",
    "concluded_at",
    "issuance_method",
    "tracking_number",
    "closed_at",
    "visit_count",
    "accepted_by_id",
    "applicant_id",
    "intake_hall_id",
    "item_id",
]
EVENT_COLUMNS = ["case_id", "kind", "from_status", "to_status", "note", "detail", "at"]
STEP_COLUMNS = [
    "case_id",
    "stage_position",
    "stage_name",
    "parallel",
    "kind",
    "name",
    "role",
    "is_lead",
    "limit_days",
    "status",
    "opened_on",
    "opened_at",
    "due_date",
    "outcome",
    "opinion",
    "completed_at",
    "department_id",
]
VISIT_COLUMNS = ["case_id", "kind", "note", "at", "hall_id", "staff_id"]
PAUSE_COLUMNS = ["case_id", "kind", "procedure", "reason", "started_on", "ended_on"]
EXTENSION_COLUMNS = ["case_id", "days", "reason", "due_before", "due_after", "at"]
# The fact table's columns, in the order build_facts fills them (one list for both writers).
FACT_COLUMNS = ["case_id", *(CaseFact._meta.get_field(name).attname for name in FACT_FIELDS)]
JSON_COLUMNS = frozenset({"form_data", "plan", "detail"})  # written as JSON text by COPY
TABLES: list[tuple[type[models.Model], list[str]]] = [
    (Case, CASE_COLUMNS),
    (CaseEvent, EVENT_COLUMNS),
    (Step, STEP_COLUMNS),
    (Visit, VISIT_COLUMNS),
    (ClockPause, PAUSE_COLUMNS),
    (Extension, EXTENSION_COLUMNS),
    (CaseFact, FACT_COLUMNS),
]


class Batch:
    """The rows of a batch of synthetic cases, one list of tuples per table (in TABLES order)."""

    def __init__(self) -> None:
        self.rows: list[list[tuple]] = [[] for _ in TABLES]

    def __len__(self) -> int:
        return len(self.rows[0])


def bench_clerks() -> list[tuple[int, int]]:
    """(user, hall) of the clerks who accept bench cases: the demo's, plus two bench clerks per window
    (so the window and staff dimensions have realistic numbers of rows)."""
    for window in Window.objects.select_related("hall").order_by("id"):
        for k in (1, 2):
            user, _ = User.objects.get_or_create(
                username=f"bench-clerk-{window.pk}-{k}",
                defaults={"display_name": f"基准窗口{window.number}-{k}", "is_staff": True},
            )
            StaffAssignment.objects.get_or_create(
                user=user, role=StaffRole.CLERK, hall=window.hall, defaults={"window": window}
            )
    return list(
        StaffAssignment.objects.filter(role=StaffRole.CLERK, hall__isnull=False)
        .order_by("id")
        .values_list("user_id", "hall_id")
    )


class Generator:
    """Plans synthetic cases: `rows(case_id, status, received)` appends everything about one case."""

    def __init__(self, *, rng: random.Random, today: dt.date, items, clerks, applicants, windows) -> None:
        self.rng, self.today = rng, today
        self.items = items
        ranks = list(range(len(items)))
        rng.shuffle(ranks)
        # A few items take most cases (Zipf-like), as in any hall.
        self.item_cum = list(itertools.accumulate(1 / (r + 1) ** 0.9 for r in ranks))
        self.clerks, self.applicants, self.windows = clerks, applicants, windows
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.settled = today - dt.timedelta(days=120)

    def at(self, day: dt.date, hour_from: int = 9) -> dt.datetime:
        r = self.rng
        return dt.datetime(
            day.year, day.month, day.day, r.randint(hour_from, 16), r.randint(0, 59), tzinfo=self.tz
        )

    def later(self, day: dt.date, lo: int, hi: int) -> dt.date:
        """A working day lo..hi working days after `day`, not after today."""
        return min(add_working_days(day, self.rng.randint(lo, hi)), self.today)

    def rows(self, batch: Batch, case_id: int, status: str, received: dt.date) -> None:
        r, today = self.rng, self.today
        cases, events, steps, visits, pauses_t, extensions_t, facts = batch.rows
        item = self.items[bisect.bisect_left(self.item_cum, r.random() * self.item_cum[-1])]
        online = r.random() < ONLINE_SHARE
        clerk, hall = r.choice(self.clerks)
        submitted_at = self.at(received)
        first_event = len(events)
        events.append((case_id, CaseEventKind.SUBMITTED, "", CaseStatus.SUBMITTED, "", "{}", submitted_at))
        visit_rows = []
        if not online:
            visit_rows.append((case_id, VisitKind.INTAKE, "", submitted_at, hall, clerk))
        corrections = returns = 0
        accepted_on = accepted_at = due = concluded_at = closed_at = refused_on = intake_due = None
        decision = issuance = refusal = ""
        extension_days = 0
        pauses: list[Pause] = []
        accepted = status not in (
            CaseStatus.SUBMITTED,
            CaseStatus.REFUSED,
            CaseStatus.CORRECTION,
            CaseStatus.WITHDRAWN,
        )
        ready = received  # the day the file was complete (after a correction)
        if status == CaseStatus.CORRECTION or (accepted and r.random() < CORRECTED_SHARE):
            corrections = 1
            events.append(
                (
                    case_id,
                    CaseEventKind.CORRECTION_REQUESTED,
                    "submitted",
                    "correction",
                    "",
                    "{}",
                    submitted_at,
                )
            )
            if accepted:
                ready = self.later(received, 1, 5)
                at = self.at(ready)
                events.append((case_id, CaseEventKind.RESUBMITTED, "correction", "submitted", "", "{}", at))
                if not online:
                    visit_rows.append((case_id, VisitKind.CORRECTION, "", at, hall, clerk))
        if status == CaseStatus.SUBMITTED:
            intake_due = add_working_days(received, 5)
        elif status == CaseStatus.REFUSED:
            refused_on = self.later(received, 0, 3)
            refusal = "申请材料不符合法定形式"
            events.append(
                (case_id, CaseEventKind.REFUSED, "submitted", status, refusal, "{}", self.at(refused_on))
            )
        elif status == CaseStatus.WITHDRAWN:
            events.append(
                (
                    case_id,
                    CaseEventKind.WITHDRAWN,
                    "submitted",
                    status,
                    "",
                    "{}",
                    self.at(self.later(received, 0, 2)),
                )
            )
        if accepted:
            accepted_on = ready
            accepted_at = self.at(ready) if ready != received else submitted_at
            events.append((case_id, CaseEventKind.ACCEPTED, "submitted", "in_review", "", "{}", accepted_at))
            limit = 0 if item.case_kind == CaseKind.IMMEDIATE else max(item.promised_limit, 0)
            concluded = status in CaseStatus.concluded()
            due = accepted_on if limit == 0 else add_working_days(accepted_on, limit)
            if status == CaseStatus.SUPPLEMENTING and not limit:
                status = CaseStatus.IN_REVIEW  # an immediate item has no clock to stop
            if status == CaseStatus.SUPPLEMENTING:
                start = min(self.later(accepted_on, 1, limit), today)
                pauses.append(Pause(start=start, end=None))
                due = due_date(start=accepted_on, limit=limit, pauses=pauses, today=today)
            elif concluded and limit and accepted_on < self.settled:
                # Only cases accepted months ago: their pause has ended and every date is in the calendar.
                if r.random() < PAUSED_SHARE:
                    start = add_working_days(accepted_on, r.randint(1, limit))
                    pauses.append(Pause(start=start, end=add_working_days(start, r.randint(2, 10))))
                if limit >= 5 and r.random() < EXTENDED_SHARE:
                    extension_days = max(limit // 2, 1)
                due = due_date(start=accepted_on, limit=limit, pauses=pauses, extension_days=extension_days)
            if concluded:
                after = pauses[0].end if pauses else accepted_on
                if r.random() < LATE_SHARE:
                    day = add_working_days(due, r.randint(1, 3))
                else:
                    day = add_working_days(after, r.randint(0, max(working_days_between(after, due), 0)))
                day = min(max(day, after), today)
                concluded_at = self.at(day, 10)
                decision = "approved" if r.random() < 0.95 else "denied"
                events.append(
                    (case_id, CaseEventKind.DECIDED, "in_review", "concluded", "", "{}", concluded_at)
                )
            if r.random() < RETURNED_SHARE:
                returns = 1
                events.append(
                    (
                        case_id,
                        CaseEventKind.RETURNED,
                        "in_review",
                        "returned",
                        "",
                        "{}",
                        accepted_at + dt.timedelta(hours=1),
                    )
                )
            for p in pauses:
                pauses_t.append((case_id, PauseKind.CORRECTION, "", "补正材料", p.start, p.end))
                events.append(
                    (case_id, CaseEventKind.PAUSED, "in_review", "supplementing", "", "{}", self.at(p.start))
                )
                if p.end is not None:
                    events.append(
                        (
                            case_id,
                            CaseEventKind.RESUMED,
                            "supplementing",
                            "in_review",
                            "",
                            "{}",
                            self.at(p.end),
                        )
                    )
            if extension_days:
                before = due_date(start=accepted_on, limit=limit, pauses=pauses)
                at = self.at(min(before, concluded_at.date()))
                extensions_t.append((case_id, extension_days, "情况复杂", before, due, at))
                events.append((case_id, CaseEventKind.EXTENDED, "in_review", "in_review", "", "{}", at))
            steps.append(
                (
                    case_id,
                    1,
                    "审查决定",
                    False,
                    StepKind.DECISION,
                    "审查决定",
                    "",
                    False,
                    max(limit, 1),
                    StepStatus.DONE if concluded else StepStatus.OPEN,
                    accepted_on,
                    accepted_at,
                    due,
                    "pass" if concluded else "",
                    "",
                    concluded_at,
                    item.department_id,
                )
            )
            if status == CaseStatus.CLOSED:
                closed_on = self.later(concluded_at.date(), 0, 3)
                closed_at = max(self.at(closed_on, 10), concluded_at)
                pick = r.random()
                if pick < PICKUP_SHARE:
                    issuance = IssuanceMethod.PICKUP
                    visit_rows.append((case_id, VisitKind.PICKUP, "", closed_at, hall, clerk))
                else:
                    issuance = IssuanceMethod.POST if pick < 0.5 else IssuanceMethod.ELECTRONIC
                events.append((case_id, CaseEventKind.ISSUED, "concluded", "closed", "", "{}", closed_at))
            if concluded and r.random() < EXTRA_VISIT_SHARE:
                visit_rows.append((case_id, VisitKind.OTHER, "两头跑", concluded_at, hall, None))
        visits.extend(visit_rows)
        last = max(e[-1] for e in events[first_event:])
        channel = CaseChannel.ONLINE if online else CaseChannel.WINDOW
        cases.append(
            (
                case_id,
                submitted_at,
                last,
                f"BENCH-{case_id:09d}",
                "",
                "",
                "",
                "",
                channel,
                "{}",
                status,
                1,
                submitted_at,
                intake_due,
                False,
                accepted_at,
                accepted_on,
                due,
                extension_days,
                status == CaseStatus.SUPPLEMENTING,
                1 if accepted else 0,
                "[]",
                refusal,
                "",
                decision,
                "",
                "",
                concluded_at,
                issuance,
                "",
                closed_at,
                len(visit_rows),
                clerk if accepted else None,
                r.choice(self.applicants),
                hall,
                item.pk,
            )
        )
        # The fact, exactly as facts.build_facts computes it from these rows.
        concluded_on = concluded_at.date() if concluded_at else None
        promised = used = on_time = early = None
        if accepted_on and due:
            promised = used_working_days(start=accepted_on, end=due, pauses=pauses)
            if concluded_on:
                used = used_working_days(start=accepted_on, end=concluded_on, pauses=pauses)
                on_time, early = concluded_on <= due, concluded_on < due
        staff = clerk if accepted else None
        facts.append(
            (
                case_id,
                item.department_id,
                item.pk,
                hall,
                (self.windows.get((staff, hall)) or self.windows.get((staff, None))) if staff else None,
                staff,
                channel,
                status,
                received,
                accepted_on,
                refused_on,
                concluded_on,
                due,
                promised,
                used,
                on_time,
                early,
                len(visit_rows),
                corrections,
                1 if extension_days else 0,
                len(pauses),
                returns,
                self.now,
            )
        )


def _received_days(
    rng: random.Random, n: int, first: dt.date, today: dt.date
) -> Iterator[tuple[str, dt.date]]:
    """(status, received day) of n cases in submission order, spread evenly over the working days of
    [first, today]. A case received more than six weeks ago is finished (FINISHED mix); a recent one is
    still open with a probability that grows towards today (OPEN_MIX), as in a hall's backlog."""
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
    days = [d for d in days if is_workday(d)]
    recent = 30  # working days
    finished, finished_w = zip(*FINISHED, strict=True)
    still_open, open_w = zip(*OPEN_MIX, strict=True)
    for position in sorted(rng.randrange(len(days)) for _ in range(n)):
        age = len(days) - 1 - position
        if age < recent and rng.random() < 0.8 * (1 - age / recent):
            status = rng.choices(still_open, open_w)[0]
            if status == CaseStatus.SUBMITTED and age > 5:
                status = CaseStatus.IN_REVIEW  # the 5-day intake rule: decided by then
        else:
            status = rng.choices(finished, finished_w)[0]
        yield status, days[position]


def _reserve_ids(n: int) -> int:
    """The first of n fresh case ids (PostgreSQL: taken from the identity sequence)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence('cases_case', 'id')")
            (seq,) = cur.fetchone()
            cur.execute("SELECT nextval(%s)", [seq])
            (start,) = cur.fetchone()
            cur.execute("SELECT setval(%s, %s)", [seq, start + n - 1])
        return start
    return (Case.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def _defaults(model: type[models.Model], columns: list[str]) -> tuple[list[str], tuple]:
    """Columns the generator does not set (e.g. a field added later) with their model defaults: COPY,
    unlike the ORM, does not fill them in."""
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.column not in columns and not f.primary_key:
            names.append(f.column)
            values.append(f.get_db_prep_save(f.get_default(), connection))
    return names, tuple(values)


def _write(batch: Batch) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                for (model, columns), rows in zip(TABLES, batch.rows, strict=True):
                    if not rows:
                        continue
                    extra_columns, extra = _defaults(model, columns)
                    sql = f"COPY {model._meta.db_table} ({', '.join(columns + extra_columns)}) FROM STDIN"
                    with cur.cursor.copy(sql) as copy:
                        for row in rows:
                            copy.write_row(row + extra)
        else:
            for (model, columns), rows in zip(TABLES, batch.rows, strict=True):
                objs = []
                for row in rows:
                    values = dict(zip(columns, row, strict=True))
                    for name in JSON_COLUMNS.intersection(values):
                        values[name] = json.loads(values[name])
                    objs.append(model(**values))
                model.objects.bulk_create(objs)


def bench_data(
    *,
    cases: int,
    seed: int = 1,
    today: dt.date | None = None,
    months: int = 18,
    progress: Callable | None = None,
) -> dict:
    """Create `cases` synthetic cases (numbers BENCH-<id>) received over the last `months` months;
    returns row counts and seconds."""
    started = time.perf_counter()
    load_demo(verbosity=0)
    rng = random.Random(seed)
    # End where the calendar still covers every deadline (limits run up to a few months).
    today = min(today or timezone.localdate(), dt.date(max(covered_years()), 9, 30))
    first = today - dt.timedelta(days=round(months * 30.44))
    items = list(ServiceItem.objects.published().order_by("id"))
    applicants = list(Applicant.objects.order_by("pk").values_list("pk", flat=True))
    clerks = bench_clerks()
    if not (items and applicants and clerks):
        raise RuntimeError("演示数据缺少事项、申请人或窗口人员。")
    gen = Generator(
        rng=rng, today=today, items=items, clerks=clerks, applicants=applicants, windows=_window_lookup()
    )
    made = dict.fromkeys(["cases", "events", "steps", "visits", "pauses", "extensions", "facts"], 0)
    next_id = _reserve_ids(cases) if cases else 0
    batch = Batch()
    for status, received in _received_days(rng, cases, first, today):
        gen.rows(batch, next_id, status, received)
        next_id += 1
        if len(batch) == BATCH:
            _flush(batch, made, cases, progress)
            batch = Batch()
    if len(batch):
        _flush(batch, made, cases, progress)
    if connection.vendor == "postgresql" and cases:
        with connection.cursor() as cur:
            for model, _ in TABLES:
                cur.execute(f"ANALYZE {model._meta.db_table}")
    made["seconds"] = round(time.perf_counter() - started, 1)
    return made


def _flush(batch: Batch, made: dict, total: int, progress: Callable | None) -> None:
    _write(batch)
    for key, rows in zip(made, batch.rows, strict=False):
        made[key] += len(rows)
    if progress:
        progress(made["cases"], total)
