"""Watches after the calendar under them changed: an official year replaced a provisional one, or an
administrator changed one date of an official year (then "the changed year" below reads "that date").

Two steps, both inside the import's transaction (workdays.hooks.calendar_changed):

1. `watches_redate` — the owners (cases) hand over the due dates they recomputed: one locking read, one
   bulk UPDATE, one INSERT of the log rows ("期限变更").
2. `calendar_recompute` (a registered recomputer, after the owners) — every open watch whose stored dates
   reach into a changed year (due date, red date or next escalation on or after 1 January of the first
   changed year) gets its warning dates, level and 暂定 flag again. Rows whose level does not move — all
   but a few — are written with one bulk UPDATE; a row whose level moves goes through the usual
   `plan_change` / `write_change` so its crossing is logged, notified and carded as on any transition.

Cost follows the rows reaching into the changed year, not the number open (the date columns are indexed:
`deadline_status_due` and the sweep's partial indexes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from tongban.common.bulk import update_each
from tongban.workdays.calendar import CalendarMissing, touches_provisional

from ..choices import DeadlineStatus, WarningKind
from ..engine import EventRow, plan_change
from ..models import Deadline
from ..policies import PolicyBook
from ..thresholds import Dates, State, dates_for, state_on
from ._common import dispatch_on_commit, local_today
from .deadlines import save_events, save_rule_cards

if TYPE_CHECKING:
    from tongban.common.types import User

STATE_FIELDS = ("yellow_on", "red_on", "next_escalation_on", "level", "escalation_level")

BATCH = 1000


@dataclass(frozen=True)
class Redate:
    subject_type: str
    subject_id: int
    due_date: dt.date
    provisional: bool


def watches_redate(changes: list[Redate], *, note: str = "官方日历导入，期限重新计算") -> int:
    """Move the due dates of the open watches of these subjects (levels follow in `calendar_recompute`).
    Returns how many watches changed."""
    if not changes:
        return 0
    by_key = {(c.subject_type, c.subject_id): c for c in changes}
    match = Q()
    for subject_type in {c.subject_type for c in changes}:
        ids = [c.subject_id for c in changes if c.subject_type == subject_type]
        match |= Q(subject_type=subject_type, subject_id__in=ids)
    now = timezone.now()
    moved, events = [], []
    for d in Deadline.objects.select_for_update().filter(match, status=DeadlineStatus.OPEN).order_by("pk"):
        c = by_key[(d.subject_type, d.subject_id)]
        if (d.due_date, d.provisional) == (c.due_date, c.provisional):
            continue
        old = d.due_date
        d.due_date, d.provisional = c.due_date, c.provisional
        moved.append(d)
        events.append(
            EventRow.of(
                d, WarningKind.UPDATED, at=now, note=f"{note}：{old:%Y-%m-%d} → {c.due_date:%Y-%m-%d}"
            )
        )
    update_each(Deadline, moved, ["due_date", "provisional"], batch_size=BATCH)
    save_events(events)
    return len(moved)


def calendar_recompute(
    *,
    years: list[int],
    actor: User | None = None,
    today: dt.date | None = None,
    day: dt.date | None = None,
    reason: str = "",
) -> dict:
    """Warning dates and levels of every open watch reaching into the changed years — or, when one date of
    an official year changed (`day`), reaching that date (see the module docstring), in bulk: one locking
    read, one UPDATE per 1,000 changed rows, one INSERT of the log rows (crossings included: a level that
    moves is logged, notified and carded as on any transition). Idempotent — a second run finds every row
    already as computed."""
    today = today or local_today()
    first = day or dt.date(min(years), 1, 1)
    reach = (
        Q(due_date__gte=first) | Q(red_on__gte=first) | Q(next_escalation_on__gte=first) | Q(provisional=True)
    )
    book = PolicyBook()
    rows = list(Deadline.objects.select_for_update().filter(reach, status=DeadlineStatus.OPEN).order_by("pk"))
    now = timezone.now()
    changed: list[Deadline] = []
    events, cards = [], []
    notifies = False
    moved_level = 0
    paused_memo: dict[tuple, Dates] = {}
    running_memo: dict[tuple, State] = {}
    for d in rows:
        thresholds = book.for_item(d.item_code)
        key = (d.started_on, d.due_date, d.limit_days, thresholds)
        try:
            if d.paused:  # a paused watch gets its dates, never a level (as `refresh` does)
                if key not in paused_memo:
                    paused_memo[key] = dates_for(
                        started_on=d.started_on,
                        due=d.due_date,
                        limit_days=d.limit_days,
                        thresholds=thresholds,
                    )
                dates = paused_memo[key]
            else:
                if key not in running_memo:
                    running_memo[key] = state_on(
                        started_on=d.started_on,
                        due=d.due_date,
                        limit_days=d.limit_days,
                        thresholds=thresholds,
                        today=today,
                    )
                state = running_memo[key]
        except CalendarMissing:
            continue
        provisional = touches_provisional(d.started_on, d.due_date)
        if d.paused:
            fields = {"yellow_on": dates.yellow_on, "red_on": dates.red_on}
        else:
            change = plan_change(d, state, today=today, now=now, rules=book.rules)
            fields = change.fields
            events.extend(change.events)
            cards.extend(change.cards)
            notifies = notifies or change.notifies
            moved_level += "level" in fields or "escalation_level" in fields
        if fields or provisional != d.provisional:
            for k, v in fields.items():
                setattr(d, k, v)
            d.provisional = provisional
            changed.append(d)
    update_each(Deadline, changed, [*STATE_FIELDS, "provisional"], batch_size=BATCH)
    save_events(events)
    save_rule_cards(cards)
    if notifies:
        dispatch_on_commit()
    return {"checked": len(rows), "changed": len(changed), "level_changed": moved_level}


__all__ = ["Redate", "calendar_recompute", "watches_redate"]
