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
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tongban.common.pdf.layout import chinese_date
from tongban.workdays.calendar import CalendarMissing, covered_years

from ..bulk import update_rows
from ..choices import CardColor, DeadlineStatus, Level, WarningKind
from ..engine import CardRow, EventRow, Watch, plan_change
from ..models import Card, Deadline, WarningEvent
from ..policies import PolicyBook
from ..recipients import Recipients
from ..thresholds import state_on
from ._common import dispatch_on_commit, local_today, lock
from .deadlines import save_events, save_rule_cards

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


def _candidates(pass_name: str, today: dt.date):
    base = Deadline.objects.filter(status=DeadlineStatus.OPEN, paused=False)
    if pass_name == "red":
        return base.filter(level__in=[Level.NORMAL, Level.YELLOW], red_on__lte=today).order_by("red_on", "id")
    if pass_name == "escalate":
        return base.filter(level=Level.RED, next_escalation_on__lte=today).order_by(
            "next_escalation_on", "id"
        )
    return base.filter(level=Level.NORMAL, yellow_on__lte=today).order_by("yellow_on", "id")


_PASS_FIELD = {"red": "red_on", "escalate": "next_escalation_on", "yellow": "yellow_on"}


def _process_batch(
    rows: list[Deadline], *, pass_name: str, today: dt.date, book: PolicyBook, result: SweepResult
):
    now = timezone.now()
    groups: dict[tuple, list[int]] = defaultdict(list)
    events: list[EventRow] = []
    cards: list[CardRow] = []
    retry_on = today + dt.timedelta(days=1)  # a retry trigger, not a deadline: try again tomorrow
    for d in rows:
        try:
            state = state_on(
                started_on=d.started_on,
                due=d.due_date,
                limit_days=d.limit_days,
                thresholds=book.for_item(d.item_code),
                today=today,
            )
        except CalendarMissing as exc:
            logger.error("时限监控 %s 无法计算预警级别：%s", d.pk, exc.message)
            groups[((_PASS_FIELD[pass_name], retry_on),)].append(d.pk)
            result.skipped += 1
            continue
        change = plan_change(d, state, today=today, now=now)
        if change.fields:
            groups[tuple(sorted(change.fields.items()))].append(d.pk)
        events.extend(change.events)
        cards.extend(change.cards)
    for fields, ids in groups.items():
        update_rows(Deadline, ids, dict(fields))
    save_events(events)
    created = save_rule_cards(cards)
    result.cards += len(created)
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


def warning_sweep(*, today: dt.date | None = None, batch_size: int = 1000) -> SweepResult:
    """Move every running watch whose transition date has come to its level on `today`."""
    today = today or local_today()
    covered_years()  # load (and, outside a transaction, confirm) the calendar index once, up front
    book = PolicyBook()
    result = SweepResult(today=today)
    notify = False
    for pass_name in ("red", "escalate", "yellow"):
        seen: set[int] = set()
        count = 0
        while True:
            with transaction.atomic():
                rows = [
                    Watch(*r)
                    for r in lock(_candidates(pass_name, today)).values_list(*SWEEP_FIELDS)[:batch_size]
                ]
                fresh = [d for d in rows if d.pk not in seen]
                if not fresh:
                    if rows:  # cannot happen by construction; never loop forever if it does
                        logger.error("预警扫描：%s 批次未能推进，已停止本轮。", pass_name)
                    break
                seen.update(d.pk for d in fresh)
                notify = (
                    _process_batch(fresh, pass_name=pass_name, today=today, book=book, result=result)
                    or notify
                )
                result.batches += 1
                count += len(fresh)
        result.by_pass[pass_name] = count
        result.examined += count
    if notify or WarningEvent.objects.filter(notify_pending=True).exists():
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
    if event.kind == WarningKind.RED:
        for card in Card.objects.filter(deadline_id=d.pk).exclude(rule_key=""):
            sent += notify_card(card, recipients)
    return sent


def notify_card(card: Card, recipients: Recipients) -> int:
    """Tell the department's heads (and the carded staff member) about a card."""
    from tongban.notifications.services import notify

    users = {u.pk: u for u in recipients.department_heads(card.department_id)}
    if card.staff_id and card.staff.is_active:
        users.setdefault(card.staff_id, card.staff)
    for user in users.values():
        notify(
            recipient_user=user,
            template="supervision.alert",
            context={
                "case_number": card.subject_label or "—",
                "item_name": card.department.name,
                "level": CardColor(card.color).label,
                "reason": card.reason,
            },
            ref=f"card:{card.pk}",
            idempotency_key=f"supervision:card:{card.pk}:{user.pk}",
        )
    return len(users)


def warning_events_dispatch(*, limit: int = 200) -> int:
    """Turn pending crossing rows into messages, batch by batch; returns the number of messages asked
    for. Safe to run concurrently (SKIP LOCKED) and again after a crash (idempotency keys)."""
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
                return total
            for event in events:
                total += _notify_event(event, recipients)
            WarningEvent.objects.filter(pk__in=[e.pk for e in events]).update(
                notify_pending=False, notified_at=timezone.now()
            )
