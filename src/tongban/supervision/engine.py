"""From a watch and its freshly computed state to the change to write: fields, log rows and rule cards.

No queries here: the single-row services and the batch sweep both call `plan_change` and then write the
result their own way (one save, or grouped UPDATEs and bulk INSERTs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from tongban.common.workflow import NOTE_MAX_LENGTH

from .cardrules import RuleBook, overdue_applies, overdue_reason, staff_for
from .choices import CardEventKind, CardStatus, Level, WarningKind
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

    @classmethod
    def of(
        cls,
        d: Deadline | Watch,
        kind: str,
        *,
        at: dt.datetime,
        before: str | None = None,
        after: str | None = None,
        step: int = 0,
        overdue: int = 0,
        actor=None,
        note: str = "",
    ) -> EventRow:
        """The log row of `d` as common.workflow.build would make it, as plain data: levels default to
        the watch's current one, a crossing is an outbox row (notify_pending), the note is clipped."""
        return cls(
            deadline_id=d.pk,
            kind=kind,
            step=step,
            due_date=d.due_date,
            level_before=d.level if before is None else before,
            level_after=d.level if after is None else after,
            overdue_days=overdue,
            at=at,
            notify_pending=kind in _CROSSINGS,
            actor_id=getattr(actor, "pk", None),
            note=note[:NOTE_MAX_LENGTH],
        )


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
    deadline_id: int | None
    issued_on: dt.date
    rule_id: int | None = None
    rule_ref: str = ""
    directive_id: int | None = None
    notify_pending: bool = True
    warning_ids: tuple[int, ...] = ()
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


def plan_change(
    d: Deadline | Watch, state: State, *, today: dt.date, now=None, rules: RuleBook | None = None
) -> Change:
    """What must change on `d` for it to stand at `state` (d's due date already set). `rules`: the
    active card rules, asked only on a red crossing (the opt-in card on every overdue thing)."""
    now = now or timezone.now()
    change = Change()
    for name in _STATE_FIELDS:
        value = getattr(state, name)
        if getattr(d, name) != value:
            change.fields[name] = value
    before, after = d.level, state.level
    up = _RANK[after] - _RANK[before]
    if up > 0 and after == Level.YELLOW:
        change.events.append(EventRow.of(d, WarningKind.YELLOW, before=before, after=after, at=now))
    if up > 0 and after == Level.RED:
        change.events.append(
            EventRow.of(d, WarningKind.RED, before=before, after=after, overdue=state.overdue_days, at=now)
        )
        if rules is not None:
            change.cards.extend(overdue_cards(d, rules=rules, today=today))
    if after == Level.RED and state.escalation_level > (d.escalation_level if before == Level.RED else 0):
        change.events.append(
            EventRow.of(
                d,
                WarningKind.ESCALATED,
                before=before,
                after=after,
                step=state.escalation_level,
                overdue=state.overdue_days,
                at=now,
            )
        )
    if up < 0:
        change.events.append(EventRow.of(d, WarningKind.LOWERED, before=before, after=after, at=now))
    return change


def overdue_cards(d: Deadline | Watch, *, rules: RuleBook, today: dt.date) -> list[CardRow]:
    """The cards of the active `overdue` rules for d's type (off by default: cards answer directives
    and repeated faults). Once per (rule, subject): the insert skips a card the subject already has."""
    cards: list[CardRow] = []
    if d.department_id is None:  # a hall's own watch: a card names a department
        return cards
    for rule in rules.overdue(d.subject_type):
        if not overdue_applies(rule, extension_days=d.extension_days):
            continue
        reason = overdue_reason(
            rule,
            subject_type=d.subject_type,
            reference=d.reference or str(d.subject_id),
            title=d.title,
            due_date=d.due_date,
        )
        cards.append(
            CardRow(
                color=rule.color,
                department_id=d.department_id,
                staff_id=staff_for(rule, d.assignee_id),
                reason=reason,
                rule_key=rule.key,
                rule_id=rule.pk,
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
