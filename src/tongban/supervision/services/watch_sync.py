"""Bring a group of watches in line with their subjects in a handful of statements.

An owner (cases today; hotline work orders and rating follow-ups can do the same) describes what each of
its things should look like (`WatchSpec`) on every transition, and `deadlines_sync` opens, pauses,
resumes, updates or closes the watches that differ. It does what the single-row `deadline_*` services do
— same validation, same log rows, same level evaluation with its crossings, cards and notifications —
but reads all open watches of the group with one locking query, opens new ones with one INSERT each for
watches and their log rows, and leaves alone a watch whose subject did not change and whose stored
transition dates have not been reached (its level cannot have moved: see `due_for_evaluation`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.common.prepared import Prepared

from ..choices import DeadlineStatus, DeadlineUnit, Level, WarningKind
from ..engine import EventRow, plan_change
from ..models import Deadline
from ..policies import PolicyBook
from ..thresholds import state_on
from ._common import dispatch_on_commit, local_today
from .deadlines import (
    close_locked,
    deadline_pause,
    deadline_resume,
    deadline_update,
    open_values,
    refresh,
    save_events,
    save_rule_cards,
)

if TYPE_CHECKING:
    pass


@dataclass(kw_only=True)
class WatchSpec:
    """What the watch of one subject should be now. `watched=False` closes an open watch (on
    `closed_on`); the other fields are used when a watch is opened or its deadline moves."""

    subject_type: str
    subject_id: int
    watched: bool
    paused: bool = False
    closed_on: dt.date | None = None
    title: str = ""
    reference: str = ""
    department: object = None
    item: object = None
    item_code: str | None = None
    hall: object = None
    assignee: object = None
    started_on: dt.date | None = None
    due_date: dt.date | None = None
    limit_days: int = 0
    unit: str = DeadlineUnit.WORKING
    extension_days: int = 0
    provisional: bool = False

    def dates(self) -> tuple[dt.date, dt.date]:
        """(started_on, due_date): a watch opens or resumes only with both (the owner's contract)."""
        if self.started_on is None or self.due_date is None:
            raise ValueError(
                f"watch of {self.subject_type} {self.subject_id}: started_on and due_date required"
            )
        return self.started_on, self.due_date


_OPEN_WATCHES: dict[tuple[str, ...], Prepared] = {}


def _open_watches(types: tuple[str, ...]) -> Prepared:
    """The locking read of the open watches of some subjects of `types`, compiled once per connection
    (and list length): every case transition runs it, and compiling it cost more than running it."""
    query = _OPEN_WATCHES.get(types)
    if query is None:

        def build(*ids_per_type: list[int]) -> QuerySet[Deadline]:
            match = Q()
            for subject_type, ids in zip(types, ids_per_type, strict=True):
                match |= Q(subject_type=subject_type, subject_id__in=ids)
            return Deadline.objects.select_for_update().filter(match, status=DeadlineStatus.OPEN).order_by()

        query = _OPEN_WATCHES[types] = Prepared(build, *("ints",) * len(types))
    return query


def due_for_evaluation(d: Deadline, *, today: dt.date) -> bool:
    """Has a stored transition date of `d` come? If not, re-evaluating it cannot change anything (the
    dates are recomputed whenever the deadline, the policy or the calendar changes)."""
    if d.yellow_on is None or d.red_on is None:
        return True
    if d.level == Level.NORMAL and today >= d.yellow_on:
        return True
    if d.level != Level.RED and today >= d.red_on:
        return True
    return d.level == Level.RED and d.next_escalation_on is not None and today >= d.next_escalation_on


def deadlines_sync(specs: list[WatchSpec], *, today: dt.date | None = None) -> None:
    """Make the open watches of `specs`' subjects match them (call inside the owner's transaction)."""
    if not specs:
        return
    today = today or local_today()
    ids_by_type: dict[str, list[int]] = defaultdict(list)
    for spec in specs:
        ids_by_type[spec.subject_type].append(spec.subject_id)
    types = tuple(sorted(ids_by_type))
    locked = _open_watches(types).fetch(*(ids_by_type[t] for t in types))
    existing = {(d.subject_type, d.subject_id): d for d in locked}
    to_open: list[WatchSpec] = []
    book: PolicyBook | None = None
    for spec in specs:
        d = existing.get((spec.subject_type, spec.subject_id))
        if not spec.watched:
            if d is not None:
                close_locked(d, closed_on=spec.closed_on or today)
        elif d is None:
            to_open.append(spec)
        elif spec.paused and not d.paused:
            deadline_pause(subject_type=spec.subject_type, subject_id=spec.subject_id, paused_on=today)
        elif not spec.paused and d.paused:
            deadline_resume(
                subject_type=spec.subject_type,
                subject_id=spec.subject_id,
                due_date=spec.dates()[1],
                resumed_on=today,
            )
        elif spec.paused:
            continue  # the due date of a stopped clock is provisional: keep the last real one
        elif spec.due_date != d.due_date or spec.extension_days != d.extension_days:
            deadline_update(
                subject_type=spec.subject_type,
                subject_id=spec.subject_id,
                due_date=spec.due_date,
                extension_days=spec.extension_days,
                today=today,
            )
        elif due_for_evaluation(d, today=today):
            book = book or PolicyBook()
            refresh(d, today=today, book=book)
        if spec.watched and d is not None and d.provisional != spec.provisional:
            Deadline.objects.filter(pk=d.pk).update(provisional=spec.provisional)  # 暂定 follows the owner
    if to_open:
        _open_many(to_open, today=today, book=book or PolicyBook())


def _open_many(specs: list[WatchSpec], *, today: dt.date, book: PolicyBook) -> None:
    """Open watches as `deadline_open` would — evaluated at once, so one opened late is red straight
    away with its alert and card — in one INSERT for the watches and one for their log rows."""
    now = timezone.now()
    watches, changes = [], []
    for spec in specs:
        values = open_values(
            title=spec.title,
            reference=spec.reference,
            department=spec.department,
            assignee=spec.assignee,
            hall=spec.hall,
            item=spec.item,
            item_code=spec.item_code,
            started_on=spec.dates()[0],
            due_date=spec.dates()[1],
            limit_days=spec.limit_days,
            unit=spec.unit,
            extension_days=spec.extension_days,
        )
        d = Deadline(
            subject_type=spec.subject_type,
            subject_id=spec.subject_id,
            paused=spec.paused,
            opened_at=now,
            **{**values, "provisional": spec.provisional or values["provisional"]},
        )
        state = state_on(
            started_on=d.started_on,
            due=d.due_date,
            limit_days=d.limit_days,
            thresholds=book.for_item(d.item_code),
            today=today,
        )
        if d.paused:  # a paused watch gets its dates, never a level (as `refresh` does)
            d.yellow_on, d.red_on = state.yellow_on, state.red_on
            change = None
        else:
            change = plan_change(d, state, today=today, now=now, rules=book.rules)
            for name, value in change.fields.items():
                setattr(d, name, value)
        watches.append(d)
        changes.append(change)
    Deadline.objects.bulk_create(watches)
    events: list[EventRow] = []
    cards = []
    for d, change in zip(watches, changes, strict=True):
        opened = EventRow.of(d, WarningKind.OPENED, at=timezone.now(), note=f"期限 {d.due_date:%Y-%m-%d}")
        opened.level_before = opened.level_after = Level.NORMAL
        events.append(opened)
        if change is None:
            continue
        for e in change.events:
            e.deadline_id = d.pk
        for c in change.cards:
            c.deadline_id = d.pk
        events.extend(change.events)
        cards.extend(change.cards)
    save_events(events)
    save_rule_cards(cards)
    if any(e.notify_pending for e in events):
        dispatch_on_commit()
