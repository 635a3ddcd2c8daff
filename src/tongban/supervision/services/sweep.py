"""The periodic sweep and the dispatcher of warning notifications.

`warning_sweep` reads only rows whose stored transition date has come, through three partial indexes
(models.Deadline): red candidates, escalation candidates, yellow candidates — in that order, so a watch
that crossed yellow and red since the last run gets its red alert, not a stale reminder first. Each
batch is one transaction: lock the rows (SKIP LOCKED on PostgreSQL, so two sweeps share the work), write
the crossing log rows (unique per crossing: a rerun cannot write them twice), update the levels with a
few grouped UPDATEs, insert rule cards. A crash rolls back the current batch only; the next run picks it
up again. Every processed row leaves its index (its level rose or its date moved past today), so the
loop ends and the cost follows the number of rows changing level.

Notifications are not sent inside the sweep: crossing rows are an outbox (`notify_pending`), turned
into messages by `warning_events_dispatch` (after commit, as a task), whose message idempotency keys
name the log row and the recipient — a redispatch after a crash sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tongban.common.pdf.layout import chinese_date
from tongban.workdays.calendar import CalendarMissing, covered_years

from ..bulk import sweep_write, update_rows
from ..choices import CardColor, CardEventKind, CardStatus, DeadlineStatus, Level, WarningKind
from ..engine import CardRow, EventRow, Watch, plan_change
from ..models import Card, CardEvent, Deadline, WarningEvent
from ..policies import PolicyBook
from ..recipients import Recipients
from ..thresholds import state_on
from ._common import dispatch_on_commit, local_today, lock
from .deadlines import save_events, save_rule_cards
from .rule_cards import rule_cards_sweep

logger = logging.getLogger(__name__)

SWEEP_FIELDS = (
    "id",
    "subject_type",
    "subject_id",
    "reference",
    "title",
    "department_id",
    "assignee_id",
    "item_code",
    "started_on",
    "due_date",
    "limit_days",
    "extension_days",
    "level",
    "yellow_on",
    "red_on",
    "escalation_level",
    "next_escalation_on",
)


@dataclass
class SweepResult:
    today: dt.date
    examined: int = 0
    yellow: int = 0
    red: int = 0
    escalated: int = 0
    lowered: int = 0
    cards: int = 0
    skipped: int = 0  # calendar missing for a year: retried the next day
    batches: int = 0
    by_pass: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}


def _candidates(pass_name: str, today: dt.date) -> QuerySet[Deadline]:
    base = Deadline.objects.filter(status=DeadlineStatus.OPEN, paused=False)
    if pass_name == "red":
        return base.filter(level__in=[Level.NORMAL, Level.YELLOW], red_on__lte=today).order_by("red_on", "id")
    if pass_name == "escalate":
        return base.filter(level=Level.RED, next_escalation_on__lte=today).order_by(
            "next_escalation_on", "id"
        )
    return base.filter(level=Level.NORMAL, yellow_on__lte=today).order_by("yellow_on", "id")


_PASS_FIELD = {"red": "red_on", "escalate": "next_escalation_on", "yellow": "yellow_on"}
STATE_FIELDS = ("level", "escalation_level", "yellow_on", "red_on", "next_escalation_on")


def _process_batch(
    rows: list[Watch],
    *,
    pass_name: str,
    today: dt.date,
    book: PolicyBook,
    result: SweepResult,
    states: dict,
) -> bool:
    """Compute and write one locked batch; returns whether a notification is pending.

    `states` memoises state_on per (start, due, limit, item) for the whole sweep: watches crossing on
    the same day share few such combinations, and the working-day arithmetic is the costly part."""
    now = timezone.now()
    new_values: list[tuple] = []
    events: list[EventRow] = []
    cards: list[CardRow] = []
    retry_on = today + dt.timedelta(days=1)  # a retry trigger, not a deadline: try again tomorrow
    for d in rows:
        key = (d.started_on, d.due_date, d.limit_days, d.item_code)
        state = states.get(key)
        if state is None:
            try:
                state = state_on(
                    started_on=d.started_on,
                    due=d.due_date,
                    limit_days=d.limit_days,
                    thresholds=book.for_item(d.item_code),
                    today=today,
                )
            except CalendarMissing as exc:
                state = exc
            states[key] = state
        if isinstance(state, CalendarMissing):
            logger.error("时限监控 %s 无法计算预警级别：%s", d.pk, state.message)
            values = {name: getattr(d, name) for name in STATE_FIELDS}
            values[_PASS_FIELD[pass_name]] = retry_on
            new_values.append((d.pk, *values.values()))
            result.skipped += 1
            continue
        change = plan_change(d, state, today=today, now=now, rules=book.rules)
        new_values.append((d.pk, *(getattr(state, name) for name in STATE_FIELDS)))
        events.extend(change.events)
        cards.extend(change.cards)
    result.cards += _write_batch(new_values, events, cards, today=today, now=now)
    for e in events:
        if e.kind == WarningKind.YELLOW:
            result.yellow += 1
        elif e.kind == WarningKind.RED:
            result.red += 1
        elif e.kind == WarningKind.ESCALATED:
            result.escalated += 1
        elif e.kind == WarningKind.LOWERED:
            result.lowered += 1
    return any(e.notify_pending for e in events)


def _write_batch(
    new_values: list[tuple], events: list[EventRow], cards: list[CardRow], *, today: dt.date, now
) -> int:
    """Write a batch: every watch gets its five state columns (unchanged ones rewritten with the same
    value: the row is rewritten anyway), the crossing rows and the rule cards. PostgreSQL: one
    statement (bulk.sweep_write); elsewhere the ORM. Returns the number of cards created."""
    if connection.vendor != "postgresql":
        groups: dict[tuple, list[int]] = defaultdict(list)
        for pk, *values in new_values:
            groups[tuple(values)].append(pk)
        for state, ids in groups.items():
            update_rows(Deadline, ids, dict(zip(STATE_FIELDS, state, strict=True)))
        save_events(events)
        return len(save_rule_cards(cards))
    columns = list(zip(*new_values, strict=True))
    updates = dict(zip(("id", *STATE_FIELDS), (list(c) for c in columns), strict=True))
    event_columns = {
        name: [getattr(e, name) for e in events]
        for name in (
            "deadline_id",
            "kind",
            "step",
            "due_date",
            "level_before",
            "level_after",
            "overdue_days",
            "notify_pending",
        )
    }
    card_columns = {
        name: [getattr(c, name) for c in cards]
        for name in (
            "color",
            "department_id",
            "staff_id",
            "reason",
            "rule_key",
            "rule_id",
            "subject_type",
            "subject_id",
            "subject_label",
            "deadline_id",
        )
    }
    card_constants = {
        "issued_on": today,
        "rule_ref": "",
        "directive_id": None,
        "notify_pending": True,
        "status": CardStatus.ACTIVE,
        "issued_by_id": None,
        "appeal_reason": "",
        "appealed_by_id": None,
        "appealed_at": None,
        "decision_note": "",
        "decided_by_id": None,
        "decided_at": None,
        "created_at": now,
        "updated_at": now,
    }
    # async_commit: the batch's commit does not wait for its WAL to reach the disk (a few ms per batch
    # here). What a server crash can lose is the last fraction of a second of batches, each whole —
    # levels and crossing rows together, never one without the other — and the next sweep redoes them
    # from the dates. Nothing lost can have been notified: the dispatcher commits synchronously, which
    # flushes the WAL up to and past the commit of every row it has read.
    _, carded = sweep_write(
        Deadline,
        updates,
        (WarningEvent, event_columns, {"at": now, "actor_id": None, "note": "", "notified_at": None}),
        (Card, card_columns, card_constants),
        (CardEvent, {"kind": CardEventKind.ISSUED, "from_status": "", "at": now}),
        async_commit=True,
    )
    return carded


def _sweep_passes(
    *, today: dt.date, batch_size: int, book: PolicyBook, states: dict
) -> tuple[SweepResult, bool]:
    """The three passes on this thread's connection; returns its share of the work and whether a
    notification is pending."""
    result = SweepResult(today=today)
    notify = False
    for pass_name in ("red", "escalate", "yellow"):
        seen: set[int] = set()
        count = 0
        query = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                if query is None:  # compiled once per pass (inside a transaction, as FOR UPDATE wants):
                    # the ORM's per-batch compile and per-row iteration are not free
                    qs = lock(_candidates(pass_name, today)).values_list(*SWEEP_FIELDS)[:batch_size]
                    query = qs.query.sql_with_params()
                cursor.execute(*query)
                rows = [Watch(*r) for r in cursor.fetchall()]
                fresh = [d for d in rows if d.pk not in seen]
                if not fresh:
                    if rows:  # cannot happen by construction; never loop forever if it does
                        logger.error("预警扫描：%s 批次未能推进，已停止本轮。", pass_name)
                    break
                seen.update(d.pk for d in fresh)
                notify = (
                    _process_batch(
                        fresh, pass_name=pass_name, today=today, book=book, result=result, states=states
                    )
                    or notify
                )
                result.batches += 1
                count += len(fresh)
        result.by_pass[pass_name] = count
        result.examined += count
    return result, notify


T = TypeVar("T")


def _on_own_connection(fn: Callable[[], T]) -> T:
    """Run `fn` in a worker thread: Django gives the thread its own connection, closed at the end."""
    try:
        return fn()
    finally:
        connection.close()


def warning_sweep(*, today: dt.date | None = None, batch_size: int = 1000, workers: int = 1) -> SweepResult:
    """Move every running watch whose transition date has come to its level on `today`.

    `workers` > 1 (PostgreSQL, outside a transaction): that many threads, each on its own connection,
    share the batches through SKIP LOCKED — the database does most of the work, and one connection
    keeps one server process busy while the others wait. Every row's state is computed from its dates,
    whichever pass or worker takes it, so the split changes nothing in what is written."""
    today = today or local_today()
    covered_years()  # load (and, outside a transaction, confirm) the calendar index once, up front
    book = PolicyBook()
    book.rules.load()  # once, here, rather than racing in the worker threads
    states: dict = {}
    passes = partial(_sweep_passes, today=today, batch_size=batch_size, book=book, states=states)
    if workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_on_own_connection, passes) for _ in range(workers)]
            parts = [f.result() for f in futures]
    else:
        parts = [passes()]
    result = SweepResult(today=today)
    for part, _ in parts:
        for name in ("examined", "yellow", "red", "escalated", "lowered", "cards", "skipped", "batches"):
            setattr(result, name, getattr(result, name) + getattr(part, name))
        for name, count in part.by_pass.items():
            result.by_pass[name] = result.by_pass.get(name, 0) + count
    # The time-driven card rules (directives ignored, repeated faults): after the passes, so the red
    # crossings of today are counted today.
    result.cards += rule_cards_sweep(today=today, rules=book.rules)
    notify = any(n for _, n in parts)
    if (
        notify
        or WarningEvent.objects.filter(notify_pending=True).exists()
        or Card.objects.filter(notify_pending=True).exists()
    ):
        dispatch_on_commit()
    return result


# ---- dispatch ------------------------------------------------------------------------------------


def _context(d: Deadline, event: WarningEvent) -> tuple[str, dict]:
    base = {
        "case_number": d.reference or f"{d.get_subject_type_display()}{d.subject_id}",
        "item_name": d.title,
    }
    if event.kind in (WarningKind.YELLOW, WarningKind.MANUAL_REMINDER):
        return "supervision.reminder", {**base, "due_date": chinese_date(event.due_date)}
    if event.kind == WarningKind.RED:
        reason = f"已超过期限（{chinese_date(event.due_date)}）"
        return "supervision.alert", {**base, "level": "红灯", "reason": reason}
    reason = f"已超期{event.overdue_days}个工作日，升级为第{event.step}级督办"
    return "supervision.alert", {**base, "level": f"{event.step}级升级", "reason": reason}


def _notify_event(event: WarningEvent, recipients: Recipients) -> int:
    from tongban.notifications.services import notify

    d = event.deadline
    if d.status == DeadlineStatus.CLOSED:
        return 0  # done before the message went out: a reminder or alert about it would only be noise
    template, context = _context(d, event)
    sent = 0
    for user in recipients.for_event(kind=event.kind, step=event.step, deadline=d):
        notify(
            recipient_user=user,
            template=template,
            context=context,
            ref=d.subject_ref,
            idempotency_key=f"supervision:event:{event.pk}:{user.pk}",
        )
        sent += 1
    return sent


def notify_card(card: Card, recipients: Recipients) -> int:
    """Tell the department's heads (and the carded staff member) about a card."""
    from tongban.notifications.services import notify

    users = {u.pk: u for u in recipients.department_heads(card.department_id)}
    if card.staff is not None and card.staff.is_active:
        users.setdefault(card.staff.pk, card.staff)
    source = card.rule.name if card.rule is not None else f"{card.issued_by or '监察人员'}人工出示"
    for user in users.values():
        notify(
            recipient_user=user,
            template="supervision.card",
            context={
                "department": card.department.name,
                "color": CardColor(card.color).label,
                "source": source,
                "reason": card.reason,
            },
            ref=f"card:{card.pk}",
            idempotency_key=f"supervision:card:{card.pk}:{user.pk}",
        )
    return len(users)


def warning_events_dispatch(*, limit: int = 200) -> int:
    """Turn pending crossing rows and rule cards into messages, batch by batch; returns the number of
    messages asked for. Safe to run concurrently (SKIP LOCKED) and again after a crash (idempotency
    keys)."""
    recipients = Recipients()
    total = 0
    while True:
        with transaction.atomic():
            events = list(
                lock(WarningEvent.objects.filter(notify_pending=True).order_by("id")).select_related(
                    "deadline", "deadline__assignee"
                )[:limit]
            )
            if not events:
                break
            for event in events:
                total += _notify_event(event, recipients)
            WarningEvent.objects.filter(pk__in=[e.pk for e in events]).update(
                notify_pending=False, notified_at=timezone.now()
            )
    while True:
        with transaction.atomic():
            cards = list(
                lock(Card.objects.filter(notify_pending=True).order_by("id")).select_related(
                    "department", "staff", "rule", "issued_by"
                )[:limit]
            )
            if not cards:
                return total
            for card in cards:
                total += notify_card(card, recipients)
            Card.objects.filter(pk__in=[c.pk for c in cards]).update(notify_pending=False)
