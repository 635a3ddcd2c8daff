"""Cards shown by the rules (CardRule) for directives and repeated faults.

* `directive_ignored`: the sweep asks SQL for the directives still unanswered more than `after_days`
  working days after their deadline that this rule has not carded (one locking query per rule);
* `directive_late`: `directive_respond` calls `directive_late_cards` in its transaction when the answer
  came after the deadline — unless the directive was already carded as ignored (one sanction per order);
* `repeated_fault`: the sweep asks SQL for the red warnings of the last `window_days` days that this rule
  has not counted yet, and shows one card for every `count` of them per department (or person); the card
  links the warnings it counted, so each counts once per rule.

The time-driven rules are evaluated in one transaction holding their rows: two sweeps running at once
evaluate them one after the other, and the second sees the first one's cards. The work is proportional
to the directives overdue and the recent red warnings, never to the watches open.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from tongban.accounts.models import User
from tongban.organisations.models import Department
from tongban.workdays.calendar import CalendarMissing, working_days_between

from ..cardrules import (
    RuleBook,
    directive_ignored_reason,
    directive_late_reason,
    ignored_cutoff,
    repeated_reason,
    staff_for,
)
from ..choices import CardTarget, CardTrigger, DeadlineStatus, DirectiveStatus, SubjectType, WarningKind
from ..engine import CardRow
from ..models import Card, CardRule, CardWarning, Deadline, Directive, WarningEvent
from .deadlines import save_rule_cards

logger = logging.getLogger(__name__)


def _directive_watches(ids: list[int]) -> dict[int, tuple[int, int | None]]:
    """directive id -> (its response deadline's watch id, that watch's responsible person)."""
    rows = Deadline.objects.filter(
        subject_type=SubjectType.DIRECTIVE, subject_id__in=ids, status=DeadlineStatus.OPEN
    ).values_list("subject_id", "pk", "assignee_id")
    return {sid: (pk, assignee) for sid, pk, assignee in rows}


def _directive_card(rule: CardRule, directive: Directive, *, reason: str, today: dt.date, watch) -> CardRow:
    watch_id, assignee_id = watch or (None, None)
    return CardRow(
        color=rule.color,
        department_id=directive.department_id,
        staff_id=staff_for(rule, assignee_id),
        reason=reason,
        rule_key=rule.key,
        rule_id=rule.pk,
        subject_type=SubjectType.DIRECTIVE,
        subject_id=directive.pk,
        subject_label=f"督办单 {directive.number}",
        deadline_id=watch_id,
        directive_id=directive.pk,
        issued_on=today,
    )


def _ignored(rule: CardRule, today: dt.date) -> QuerySet[Directive] | None:
    """The directives this rule finds ignored on `today` and has not carded yet (None: the calendar
    cannot say today — the next sweep retries)."""
    try:
        cutoff = ignored_cutoff(today, rule.after_days)
    except CalendarMissing as exc:
        logger.error("督办单逾期规则 %s 本次未能判断：%s", rule.key, exc.message)
        return None
    carded = Card.objects.filter(
        rule_key=rule.key, subject_type=SubjectType.DIRECTIVE, subject_id=OuterRef("pk")
    )
    return Directive.objects.filter(status=DirectiveStatus.ISSUED, due_date__lt=cutoff).exclude(
        Exists(carded)
    )


def directive_ignored_cards(rule: CardRule, *, today: dt.date) -> int:
    """Card every directive the rule finds ignored on `today` (once per directive and rule). Call
    inside a transaction holding the rule's row."""
    candidates = _ignored(rule, today)
    if candidates is None:
        return 0
    # Locked: an answer being written now either commits first (and the row no longer matches)
    # or waits for this card — the answer then finds it and adds no "late" card on top.
    directives = list(candidates.select_for_update().order_by("id"))
    if not directives:
        return 0
    watches = _directive_watches([d.pk for d in directives])
    rows = [
        _directive_card(
            rule, d, reason=directive_ignored_reason(rule, d), today=today, watch=watches.get(d.pk)
        )
        for d in directives
    ]
    return len(save_rule_cards(rows))


def directive_late_cards(directive: Directive, *, today: dt.date, rules: RuleBook | None = None) -> list[int]:
    """Called by `directive_respond` (the directive's row locked) when the answer came after the
    deadline: the active `directive_late` rules' cards, unless a directive rule already carded it."""
    late_rules = (rules or RuleBook()).by_trigger(CardTrigger.DIRECTIVE_LATE)
    if not late_rules:
        return []
    if Card.objects.filter(
        subject_type=SubjectType.DIRECTIVE,
        subject_id=directive.pk,
        rule__trigger__in=CardTrigger.directive(),
    ).exists():
        return []
    reason = directive_late_reason(directive, overdue_days=working_days_between(directive.due_date, today))
    watch = Deadline.objects.filter(subject_type=SubjectType.DIRECTIVE, subject_id=directive.pk).order_by(
        "-pk"
    )
    found = watch.values_list("pk", "assignee_id").first()
    rows = [_directive_card(rule, directive, reason=reason, today=today, watch=found) for rule in late_rules]
    return save_rule_cards(rows)


def window_start(today: dt.date, window_days: int) -> dt.datetime:
    """The first moment counted by a window of `window_days` natural days ending today (local time)."""
    first = today - dt.timedelta(days=window_days - 1)
    return timezone.make_aware(dt.datetime.combine(first, dt.time.min))


def _repeated(rule: CardRule, today: dt.date) -> dict[tuple, list[tuple[int, str]]]:
    """(department, person or None) -> its red warnings of the window this rule has not counted yet
    (id, reference; oldest first), for those with at least `count` of them."""
    if rule.count < 1 or rule.window_days < 1:
        return {}
    counted = CardWarning.objects.filter(warning_id=OuterRef("pk"), card__rule_key=rule.key)
    reds = WarningEvent.objects.filter(
        kind=WarningKind.RED,
        at__gte=window_start(today, rule.window_days),
        deadline__department__isnull=False,
    ).exclude(deadline__subject_type__in=[SubjectType.DIRECTIVE, SubjectType.DEPARTMENT])
    if rule.subject_type:
        reds = reds.filter(deadline__subject_type=rule.subject_type)
    person = rule.target == CardTarget.PERSON
    if person:
        reds = reds.filter(deadline__assignee__isnull=False)
    rows = (
        reds.exclude(Exists(counted))
        .order_by("id")
        .values_list("id", "deadline__department_id", "deadline__assignee_id", "deadline__reference")
    )
    groups: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    for pk, department_id, assignee_id, reference in rows:
        groups[(department_id, assignee_id if person else None)].append((pk, reference))
    return {key: found for key, found in groups.items() if len(found) >= rule.count}


def repeated_fault_cards(rule: CardRule, *, today: dt.date) -> int:
    """One card for each `count` red warnings of a department (or person) in the window that this rule
    has not counted yet, oldest first; the card links the warnings it counted. Call inside a
    transaction holding the rule's row."""
    firing = _repeated(rule, today)
    if not firing:
        return 0
    names = dict(Department.objects.filter(pk__in={k[0] for k in firing}).values_list("pk", "name"))
    people = {u.pk: str(u) for u in User.objects.filter(pk__in={k[1] for k in firing if k[1]})}
    cards = []
    for (department_id, staff_id), found in firing.items():
        who = names.get(department_id, "") + (f"（{people.get(staff_id, '')}）" if staff_id else "")
        for i in range(0, len(found) - rule.count + 1, rule.count):
            chunk = found[i : i + rule.count]
            cards.append(
                CardRow(
                    color=rule.color,
                    department_id=department_id,
                    staff_id=staff_id,
                    reason=repeated_reason(rule, who=who, references=[ref or "—" for _, ref in chunk]),
                    rule_key=rule.key,
                    rule_id=rule.pk,
                    rule_ref=f"w{chunk[-1][0]}",
                    subject_type=SubjectType.DEPARTMENT,
                    subject_id=department_id,
                    subject_label=names.get(department_id, "")[:200],
                    deadline_id=None,
                    issued_on=today,
                    warning_ids=tuple(pk for pk, _ in chunk),
                )
            )
    return len(save_rule_cards(cards))


TIME_DRIVEN: dict[str, Callable[..., int]] = {
    CardTrigger.DIRECTIVE_IGNORED: directive_ignored_cards,
    CardTrigger.REPEATED_FAULT: repeated_fault_cards,
}


def _something_to_card(rule: CardRule, today: dt.date) -> bool:
    """A look without locks: most sweep runs find nothing to card and then write nothing at all."""
    if rule.trigger == CardTrigger.DIRECTIVE_IGNORED:
        candidates = _ignored(rule, today)
        return candidates is not None and candidates.exists()
    return bool(_repeated(rule, today))


def rule_cards_sweep(*, today: dt.date, rules: RuleBook) -> int:
    """The time-driven rules, after the sweep's passes: directives ignored, faults repeated. Where an
    unlocked look finds something, the rows of the active rules are locked (fresh values: a rule
    changed since the book was read counts as now) and the rules evaluated again under the lock —
    two sweeps at once card one after the other, the second seeing the first one's cards."""
    active = [r for r in rules.rules if r.trigger in TIME_DRIVEN]
    if not any(_something_to_card(rule, today) for rule in active):
        return 0
    shown = 0
    with transaction.atomic():
        locked = CardRule.objects.select_for_update().filter(active=True, trigger__in=list(TIME_DRIVEN))
        for rule in locked.order_by("id"):
            shown += TIME_DRIVEN[rule.trigger](rule, today=today)
    return shown
