"""Writes on watches (Deadline rows): open, update, pause, resume, close, manual reminder, policies.

Every write re-evaluates the level on the spot ("levels change on every transition"): crossings found
here are logged and notified exactly like the sweep's. The owner of the watched thing (cases, hotline,
ratings) calls these inside its own transaction, so a rolled-back transition leaves the watch alone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tongban.common.errors import NotFound, ValidationFailed
from tongban.common.models import field_label
from tongban.common.tasks import enqueue_with_transaction
from tongban.common.workflow import lock, record
from tongban.organisations.permissions import require_administrator
from tongban.workdays.calendar import CalendarMissing, touches_provisional

from ..bulk import insert_rows
from ..choices import DeadlineStatus, DeadlineUnit, Level, SubjectType, WarningKind
from ..engine import CardRow, Change, EventRow, card_issued_events, plan_change
from ..models import Card, CardEvent, CardWarning, Deadline, WarningEvent, WarningPolicy
from ..policies import PolicyBook, thresholds_for
from ..thresholds import State, dates_for, state_on
from ._common import dispatch_on_commit, local_today, pk_of, require_supervisor, require_text

if TYPE_CHECKING:
    from tongban.common.types import User

_UNSET = object()


def _check_subject_type(subject_type: str) -> None:
    if subject_type not in SubjectType.values:
        raise ValidationFailed(f"监控对象类型“{subject_type}”无效。", field="subject_type")


def _lock_open(subject_type: str, subject_id: int) -> Deadline | None:
    return (
        Deadline.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject_id, status=DeadlineStatus.OPEN)
        .first()
    )


def write_change(d: Deadline, change: Change) -> None:
    """Apply a planned change to one watch: fields, log rows (a crossing already recorded is skipped
    by its unique key), rule cards (once per subject), and the notifications after commit."""
    for name, value in change.fields.items():
        setattr(d, name, value)
    if change.fields:
        Deadline.objects.filter(pk=d.pk).update(**change.fields)
    if change.events:
        save_events(change.events)
    if change.cards:
        save_rule_cards(change.cards)
    if change.notifies:
        dispatch_on_commit()


EVENT_FIELDS = [
    "deadline_id",
    "kind",
    "step",
    "due_date",
    "level_before",
    "level_after",
    "overdue_days",
    "actor_id",
    "note",
    "at",
    "notify_pending",
    "notified_at",
]
CARD_FIELDS = [
    "color",
    "department_id",
    "staff_id",
    "reason",
    "rule_key",
    "rule_id",
    "rule_ref",
    "directive_id",
    "notify_pending",
    "issued_by_id",
    "subject_type",
    "subject_id",
    "subject_label",
    "deadline_id",
    "issued_on",
    "status",
    "appeal_reason",
    "appealed_by_id",
    "appealed_at",
    "decision_note",
    "decided_by_id",
    "decided_at",
    "created_at",
    "updated_at",
]
CARD_EVENT_FIELDS = ["card_id", "kind", "from_status", "to_status", "actor_id", "note", "at"]


def save_events(events: list[EventRow]) -> None:
    """Insert log rows; a crossing already recorded (same watch, kind, step, due date) is skipped."""
    insert_rows(
        WarningEvent,
        EVENT_FIELDS,
        [tuple(getattr(e, f) for f in EVENT_FIELDS) for e in events],
        ignore_conflicts=True,
    )


def save_rule_cards(cards: list[CardRow]) -> list[int]:
    """Insert the rule cards whose firing — (rule, subject, rule_ref) — has none yet, with their log
    rows and the warnings they counted; returns the new ids. Callers hold the lock that makes the
    check-then-insert safe (the watch's row, the directive's row, or the rule's row)."""
    if not cards:
        return []
    keys = {(c.rule_key, c.subject_type, c.subject_id, c.rule_ref) for c in cards}
    existing = set(
        Card.objects.filter(
            rule_key__in={k[0] for k in keys},
            subject_type__in={k[1] for k in keys},
            subject_id__in={k[2] for k in keys},
            rule_ref__in={k[3] for k in keys},
        ).values_list("rule_key", "subject_type", "subject_id", "rule_ref")
    )
    now = timezone.now()
    new: list[CardRow] = []
    for c in cards:
        key = (c.rule_key, c.subject_type, c.subject_id, c.rule_ref)
        if key not in existing:
            existing.add(key)
            c.created_at = c.updated_at = now
            new.append(c)
    ids = insert_rows(Card, CARD_FIELDS, [tuple(getattr(c, f) for f in CARD_FIELDS) for c in new])
    for c, pk in zip(new, ids, strict=False):
        c.pk = pk
    events = card_issued_events([c for c in new if c.pk], now=now)
    insert_rows(
        CardEvent, CARD_EVENT_FIELDS, [tuple(getattr(e, f) for f in CARD_EVENT_FIELDS) for e in events]
    )
    links = [(c.pk, w) for c in new if c.pk for w in c.warning_ids]
    insert_rows(CardWarning, ["card_id", "warning_id"], links)
    if new:
        dispatch_on_commit()
    return ids


def evaluate(d: Deadline, *, today: dt.date, book: PolicyBook) -> State:
    """The state `d` should be in on `today` (its stored due date, its item's thresholds)."""
    thresholds = book.for_item(d.item_code)
    return state_on(
        started_on=d.started_on, due=d.due_date, limit_days=d.limit_days, thresholds=thresholds, today=today
    )


def refresh(d: Deadline, *, today: dt.date, book: PolicyBook | None = None) -> None:
    """Recompute the dates; while running also the level (with its crossings). Paused: dates only."""
    book = book or PolicyBook()
    if d.paused or d.status != DeadlineStatus.OPEN:
        thresholds = book.for_item(d.item_code)
        dates = dates_for(
            started_on=d.started_on, due=d.due_date, limit_days=d.limit_days, thresholds=thresholds
        )
        fields = {"yellow_on": dates.yellow_on, "red_on": dates.red_on}
        Deadline.objects.filter(pk=d.pk).update(**fields)
        for k, v in fields.items():
            setattr(d, k, v)
        return
    write_change(d, plan_change(d, evaluate(d, today=today, book=book), today=today, rules=book.rules))


def _check_dates(started_on: dt.date, due_date: dt.date, limit_days: int) -> None:
    if due_date < started_on:
        raise ValidationFailed("期限不能早于开始日期。", field="due_date")
    if isinstance(limit_days, bool) or not isinstance(limit_days, int) or limit_days < 0:
        raise ValidationFailed("时限必须是不小于 0 的整数。", field="limit_days")


def open_values(
    *,
    title: str,
    reference: str,
    department,
    assignee,
    hall,
    item,
    item_code: str | None,
    started_on: dt.date,
    due_date: dt.date,
    limit_days: int,
    unit: str,
    extension_days: int,
) -> dict:
    """The checked column values of a watch to open (shared by `deadline_open` and `deadlines_sync`)."""
    _check_dates(started_on, due_date, limit_days)
    if unit not in DeadlineUnit.values:
        raise ValidationFailed("时限单位应为工作日或自然日。", field="unit")
    values = {
        "title": require_text(title, field="title", label="名称")[:200],
        "reference": (reference or "")[:64],
        "department_id": pk_of(department),
        "assignee_id": pk_of(assignee),
        "hall_id": pk_of(hall),
        "item_id": pk_of(item),
        "item_code": item_code or getattr(item, "code", "") or "",
        "started_on": started_on,
        "due_date": due_date,
        "limit_days": limit_days,
        "unit": unit,
        "extension_days": extension_days,
        "provisional": touches_provisional(started_on, due_date),  # 暂定: computed on a provisional year
    }
    if values["department_id"] is None and values.get("hall_id") is None:
        raise ValidationFailed("请指定责任部门或责任大厅。", field="department")
    return values


def deadline_open(
    *,
    subject_type: str,
    subject_id: int,
    title: str,
    department,
    started_on: dt.date,
    due_date: dt.date,
    limit_days: int,
    assignee=None,
    item_code: str | None = None,
    item=None,
    hall=None,
    reference: str = "",
    unit: str = DeadlineUnit.WORKING,
    extension_days: int = 0,
    paused: bool = False,
    today: dt.date | None = None,
) -> Deadline:
    """Start watching a thing with a deadline, or bring its open watch up to date (callers may call this
    on every transition of the thing). The level is evaluated at once: a watch opened already late is
    red straight away, with its alert."""
    _check_subject_type(subject_type)
    today = today or local_today()
    values = open_values(
        title=title,
        reference=reference,
        department=department,
        assignee=assignee,
        hall=hall,
        item=item,
        item_code=item_code,
        started_on=started_on,
        due_date=due_date,
        limit_days=limit_days,
        unit=unit,
        extension_days=extension_days,
    )
    with transaction.atomic():
        d = _lock_open(subject_type, subject_id)
        if d is None:
            d = Deadline.objects.create(
                subject_type=subject_type,
                subject_id=subject_id,
                paused=paused,
                opened_at=timezone.now(),
                **values,
            )
            record(WarningEvent, d, WarningKind.OPENED, note=f"期限 {due_date:%Y-%m-%d}")
        else:
            due_changed = d.due_date != due_date
            for k, v in values.items():
                setattr(d, k, v)
            d.paused = paused
            d.save(update_fields=[*values, "paused"])
            if due_changed:
                record(WarningEvent, d, WarningKind.UPDATED, note=f"期限变更为 {due_date:%Y-%m-%d}")
        refresh(d, today=today)
        return d


def deadline_update(
    *,
    subject_type: str,
    subject_id: int,
    due_date: dt.date | None = None,
    assignee=_UNSET,
    department=None,
    title: str | None = None,
    limit_days: int | None = None,
    extension_days: int | None = None,
    actor: User | None = None,
    today: dt.date | None = None,
) -> Deadline:
    """Change what the owner changed (a new due date after an extension, another assignee …) and
    re-evaluate the level at once: an extension can lower it, a shorter deadline raise it."""
    today = today or local_today()
    with transaction.atomic():
        d = _lock_open(subject_type, subject_id)
        if d is None:
            raise NotFound("没有该对象正在进行的时限监控。")
        fields: list[str] = []
        note = []
        if due_date is not None and due_date != d.due_date:
            _check_dates(d.started_on, due_date, d.limit_days)
            note.append(f"期限 {d.due_date:%Y-%m-%d} → {due_date:%Y-%m-%d}")
            d.due_date = due_date
            d.provisional = touches_provisional(d.started_on, due_date)
            fields += ["due_date", "provisional"]
        if assignee is not _UNSET and pk_of(assignee) != d.assignee_id:
            d.assignee_id = pk_of(assignee)
            fields.append("assignee")
            note.append("更换责任人")
        if department is not None and pk_of(department) != d.department_id:
            d.department_id = pk_of(department)
            fields.append("department")
            note.append("更换责任部门")
        if title:
            d.title = title[:200]
            fields.append("title")
        if limit_days is not None and limit_days != d.limit_days:
            d.limit_days = limit_days
            fields.append("limit_days")
        if extension_days is not None and extension_days != d.extension_days:
            d.extension_days = extension_days
            fields.append("extension_days")
            note.append(f"已批准延期 {extension_days} 个工作日")
        if fields:
            d.save(update_fields=fields)
            record(WarningEvent, d, WarningKind.UPDATED, actor=actor, note="；".join(note))
        refresh(d, today=today)
        return d


def deadline_pause(
    *,
    subject_type: str,
    subject_id: int,
    paused_on: dt.date | None = None,
    actor: User | None = None,
    note: str = "",
) -> Deadline:
    """Stop the watch: no level change while paused (the sweep's indexes do not hold paused rows)."""
    with transaction.atomic():
        d = _lock_open(subject_type, subject_id)
        if d is None:
            raise NotFound("没有该对象正在进行的时限监控。")
        if d.paused:
            return d
        d.paused = True
        d.save(update_fields=["paused"])
        record(
            WarningEvent,
            d,
            WarningKind.PAUSED,
            actor=actor,
            note=note or f"{(paused_on or local_today()):%Y-%m-%d} 暂停计时",
        )
        return d


def deadline_resume(
    *,
    subject_type: str,
    subject_id: int,
    due_date: dt.date,
    resumed_on: dt.date | None = None,
    actor: User | None = None,
    note: str = "",
) -> Deadline:
    """Run the watch again with the new due date the owner's clock computed; dates and level are
    recomputed as of `resumed_on` (today by default)."""
    today = resumed_on or local_today()
    with transaction.atomic():
        d = _lock_open(subject_type, subject_id)
        if d is None:
            raise NotFound("没有该对象正在进行的时限监控。")
        _check_dates(d.started_on, due_date, d.limit_days)
        d.paused, d.due_date = False, due_date
        d.provisional = touches_provisional(d.started_on, due_date)
        d.save(update_fields=["paused", "due_date", "provisional"])
        record(
            WarningEvent,
            d,
            WarningKind.RESUMED,
            actor=actor,
            note=note or f"恢复计时，期限 {due_date:%Y-%m-%d}",
        )
        refresh(d, today=today)
        return d


def deadline_close(
    *,
    subject_type: str,
    subject_id: int,
    closed_on: dt.date | None = None,
    actor: User | None = None,
    note: str = "",
) -> Deadline | None:
    """The thing is done: stop watching and record whether it was on time (closed on or before the due
    date). Returns None when nothing was being watched (closing twice is harmless)."""
    closed_on = closed_on or local_today()
    with transaction.atomic():
        d = _lock_open(subject_type, subject_id)
        if d is None:
            return None
        return close_locked(d, closed_on=closed_on, actor=actor, note=note)


def close_locked(d: Deadline, *, closed_on: dt.date, actor: User | None = None, note: str = "") -> Deadline:
    """Close a watch the caller has locked, recording whether it ended on time."""
    d.status, d.closed_on = DeadlineStatus.CLOSED, closed_on
    d.closed_on_time = closed_on <= d.due_date
    d.save(update_fields=["status", "closed_on", "closed_on_time"])
    record(
        WarningEvent,
        d,
        WarningKind.CLOSED,
        actor=actor,
        note=note or ("按时完成" if d.closed_on_time else "超期完成"),
    )
    return d


def reminder_send(*, actor: User, deadline_id: int, note: str = "") -> WarningEvent:
    """催办 by a supervisor: a logged manual reminder to the assignee (or the department's approvers)."""
    require_supervisor(actor, action="催办")
    with transaction.atomic():
        d = lock(Deadline.objects.visible_to(actor), deadline_id, missing="时限监控记录不存在。")
        if d.status != DeadlineStatus.OPEN:
            raise ValidationFailed("该事项已结束，无需催办。", field="deadline_id", code="deadline_closed")
        event = record(
            WarningEvent,
            d,
            WarningKind.MANUAL_REMINDER,
            actor=actor,
            note=note.strip() or "人工催办",
            notify_pending=True,
        )
        dispatch_on_commit()
        return event


def deadlines_recompute(
    *, item_code: str | None = None, today: dt.date | None = None, batch_size: int = 500
) -> int:
    """Re-evaluate open watches after a policy or calendar change (all of them, or one item code's).
    Walks the open rows by id in batches; an admin action, not the periodic path."""
    today = today or local_today()
    book = PolicyBook()
    done, last = 0, 0
    while True:
        with transaction.atomic():
            qs = Deadline.objects.open().filter(pk__gt=last).order_by("pk")
            if item_code is not None:
                qs = qs.filter(item_code=item_code)
            rows = list(qs.select_for_update()[:batch_size])
            if not rows:
                return done
            for d in rows:
                try:
                    refresh(d, today=today, book=book)
                except CalendarMissing:
                    continue
            done += len(rows)
            last = rows[-1].pk


def warning_policy_save(
    *,
    actor: User,
    item_code: str = "",
    yellow_days: int,
    yellow_percent: int,
    escalate_every_days: int,
    max_escalation_level: int,
    note: str = "",
) -> WarningPolicy:
    """Set the global thresholds (item_code "") or one item's; open watches are recomputed after commit."""
    require_administrator(actor, action="修改预警规则")
    for name, value, lo, hi in (
        ("yellow_days", yellow_days, 0, 365),
        ("yellow_percent", yellow_percent, 0, 100),
        ("escalate_every_days", escalate_every_days, 0, 365),
        ("max_escalation_level", max_escalation_level, 0, 10),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ValidationFailed(
                f"{field_label(WarningPolicy, name)}应为 {lo} 至 {hi} 的整数。", field=name
            )
    item_code = (item_code or "").strip()
    with transaction.atomic():
        policy, _ = WarningPolicy.objects.select_for_update().get_or_create(item_code=item_code)
        policy.yellow_days, policy.yellow_percent = yellow_days, yellow_percent
        policy.escalate_every_days, policy.max_escalation_level = escalate_every_days, max_escalation_level
        policy.note = note[:200]
        policy.save()
        from ..tasks import recompute_deadlines_task

        enqueue_with_transaction(recompute_deadlines_task, item_code or None)
        return policy


__all__ = [
    "Level",
    "deadline_close",
    "deadline_open",
    "deadline_pause",
    "deadline_resume",
    "deadline_update",
    "deadlines_recompute",
    "evaluate",
    "refresh",
    "reminder_send",
    "thresholds_for",
    "warning_policy_save",
    "write_change",
]
