"""From a watch and its freshly computed state to the change to write: fields, log rows and rule cards.

No queries here: the single-row services and the batch sweep both call `plan_change` and then write the
result their own way (one save, or grouped UPDATEs and bulk INSERTs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from .choices import CardColor, CardEventKind, CardStatus, Level, SubjectType, WarningKind
from .models import Deadline
from .thresholds import State


@dataclass(slots=True)
class EventRow:
    """A WarningEvent to insert (plain data: the sweep builds thousands, model instances cost more)."""

    deadline_id: int
    kind: str
    step: int
    due_date: dt.date
    level_before: str
    level_after: str
    overdue_days: int
    at: dt.datetime
    notify_pending: bool
    actor_id: int | None = None
    note: str = ""
    notified_at: dt.datetime | None = None


@dataclass(slots=True)
class CardRow:
    """A rule Card to insert."""

    color: str
    department_id: int
    staff_id: int | None
    reason: str
    rule_key: str
    subject_type: str
    subject_id: int
    subject_label: str
    deadline_id: int
    issued_on: dt.date
    status: str = CardStatus.ACTIVE
    issued_by_id: int | None = None
    appeal_reason: str = ""
    appealed_by_id: int | None = None
    appealed_at: dt.datetime | None = None
    decision_note: str = ""
    decided_by_id: int | None = None
    decided_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    pk: int | None = None


@dataclass(slots=True)
class CardEventRow:
    card_id: int
    kind: str
    from_status: str
    to_status: str
    note: str
    at: dt.datetime
    actor_id: int | None = None


@dataclass(slots=True)
class Watch:
    """The columns of a Deadline the sweep needs, without a model instance per row."""

    id: int
    subject_type: str
    subject_id: int
    reference: str
    title: str
    department_id: int
    assignee_id: int | None
    item_code: str
    started_on: dt.date
    due_date: dt.date
    limit_days: int
    extension_days: int
    level: str
    yellow_on: dt.date | None
    red_on: dt.date | None
    escalation_level: int
    next_escalation_on: dt.date | None

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True)
class CardRule:
    """A card issued automatically when a watch of a subject type turns red (once per subject)."""

    key: str
    color: str
    reason: str  # str.format with reference, title, due_date, overdue_days
    applies: Callable[[Deadline], bool] = lambda d: True


# subject type -> rules. Later apps add theirs with `register_card_rule`.
CARD_RULES: dict[str, list[CardRule]] = {
    SubjectType.STEP: [
        CardRule(
            key="step_overdue_no_extension",
            color=CardColor.YELLOW,
            reason="办理环节“{title}”（{reference}）超过期限 {due_date} 且未经批准延期。",
            applies=lambda d: d.extension_days == 0,
        )
    ],
    SubjectType.CASE: [
        CardRule(
            key="case_overdue",
            color=CardColor.RED,
            reason="办件 {reference}（{title}）超过办结期限 {due_date} 仍未办结。",
        )
    ],
}


def register_card_rule(subject_type: str, rule: CardRule) -> None:
    rules = CARD_RULES.setdefault(subject_type, [])
    if all(r.key != rule.key for r in rules):
        rules.append(rule)


@dataclass
class Change:
    fields: dict = field(default_factory=dict)
    events: list[EventRow] = field(default_factory=list)
    cards: list[CardRow] = field(default_factory=list)

    @property
    def notifies(self) -> bool:
        return any(e.notify_pending for e in self.events)


# Looked up once per row by the sweep: built once here, not on every call.
_RANK = {Level.NORMAL: 0, Level.YELLOW: 1, Level.RED: 2}
_CROSSINGS = WarningKind.crossings()
_STATE_FIELDS = ("yellow_on", "red_on", "next_escalation_on", "level", "escalation_level")


def _event(
    d: Deadline | Watch, kind: str, *, before: str, after: str, step: int = 0, overdue: int = 0, now
) -> EventRow:
    return EventRow(
        deadline_id=d.pk,
        kind=kind,
        step=step,
        due_date=d.due_date,
        level_before=before,
        level_after=after,
        overdue_days=overdue,
        at=now,
        notify_pending=kind in _CROSSINGS,
    )


def plan_change(d: Deadline | Watch, state: State, *, today: dt.date, now=None) -> Change:
    """What must change on `d` for it to stand at `state` (d's due date already set)."""
    now = now or timezone.now()
    change = Change()
    for name in _STATE_FIELDS:
        value = getattr(state, name)
        if getattr(d, name) != value:
            change.fields[name] = value
    before, after = d.level, state.level
    up = _RANK[after] - _RANK[before]
    if up > 0 and after == Level.YELLOW:
        change.events.append(_event(d, WarningKind.YELLOW, before=before, after=after, now=now))
    if up > 0 and after == Level.RED:
        change.events.append(
            _event(d, WarningKind.RED, before=before, after=after, overdue=state.overdue_days, now=now)
        )
        change.cards.extend(rule_cards(d, today=today, overdue=state.overdue_days))
    if after == Level.RED and state.escalation_level > (d.escalation_level if before == Level.RED else 0):
        change.events.append(
            _event(
                d,
                WarningKind.ESCALATED,
                before=before,
                after=after,
                step=state.escalation_level,
                overdue=state.overdue_days,
                now=now,
            )
        )
    if up < 0:
        change.events.append(_event(d, WarningKind.LOWERED, before=before, after=after, now=now))
    return change


def rule_cards(d: Deadline | Watch, *, today: dt.date, overdue: int) -> list[CardRow]:
    cards = []
    for rule in CARD_RULES.get(d.subject_type, []):
        if not rule.applies(d):
            continue
        reason = rule.reason.format(
            reference=d.reference or d.subject_id, title=d.title, due_date=d.due_date, overdue_days=overdue
        )
        cards.append(
            CardRow(
                color=rule.color,
                department_id=d.department_id,
                staff_id=d.assignee_id,
                reason=reason,
                rule_key=rule.key,
                subject_type=d.subject_type,
                subject_id=d.subject_id,
                subject_label=(d.reference or d.title)[:200],
                deadline_id=d.pk,
                issued_on=today,
            )
        )
    return cards


def card_issued_events(cards: list[CardRow], *, now) -> list[CardEventRow]:
    return [
        CardEventRow(
            card_id=c.pk, kind=CardEventKind.ISSUED, from_status="", to_status=c.status, note=c.reason, at=now
        )
        for c in cards
        if c.pk
    ]
