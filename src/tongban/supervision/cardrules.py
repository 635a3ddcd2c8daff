"""Reading the card rules (`CardRule`, data an administrator changes) and saying why a card is shown.

The rules are few; `RuleBook` loads the active ones once (one query, only when a sweep or a transition
meets something a rule may answer). The reasons are written here so that every path — the sweep's
batch write, a single watch's transition, a directive's answer — words a card the same way.
"""

from __future__ import annotations

import datetime as dt

from tongban.workdays.calendar import is_workday

from .choices import CardTarget, CardTrigger, SubjectType
from .models import CardRule

# Why a card on a red crossing (the opt-in `overdue` trigger), by the watched thing's type.
OVERDUE_REASONS = {
    SubjectType.CASE: "办件 {reference}（{title}）超过办结期限 {due_date} 仍未办结。",
    SubjectType.STEP: "办理环节“{title}”（{reference}）超过期限 {due_date}{unextended}。",
    SubjectType.RATING_FOLLOWUP: "差评整改 {reference}（{title}）超过期限 {due_date} 仍未完成。",
    SubjectType.WORKORDER: "12345工单 {reference}（{title}）超过期限 {due_date} 仍未办结。",
}


class RuleBook:
    """The active rules, loaded on first use and grouped by trigger."""

    def __init__(self, rules: list[CardRule] | None = None) -> None:
        self._rules = rules

    @property
    def rules(self) -> list[CardRule]:
        if self._rules is None:
            self._rules = list(CardRule.objects.filter(active=True).order_by("id"))
        return self._rules

    def load(self) -> RuleBook:
        """Read the rules now (before worker threads share the book)."""
        _ = self.rules
        return self

    def by_trigger(self, trigger: str) -> list[CardRule]:
        return [r for r in self.rules if r.trigger == trigger]

    def overdue(self, subject_type: str) -> list[CardRule]:
        return [r for r in self.by_trigger(CardTrigger.OVERDUE) if r.subject_type == subject_type]


def overdue_applies(rule: CardRule, *, extension_days: int) -> bool:
    return not (rule.exempt_extended and extension_days > 0)


def overdue_reason(rule: CardRule, *, subject_type: str, reference: str, title: str, due_date) -> str:
    template = OVERDUE_REASONS.get(subject_type, "{title}（{reference}）超过期限 {due_date}。")
    unextended = " 且未经批准延期" if rule.exempt_extended else ""
    return template.format(reference=reference, title=title, due_date=due_date, unextended=unextended)


def staff_for(rule: CardRule, assignee_id: int | None) -> int | None:
    """The person a rule's card names: the watch's responsible person when the rule targets people."""
    return assignee_id if rule.target == CardTarget.PERSON else None


def ignored_cutoff(today: dt.date, after_days: int) -> dt.date:
    """Directives due BEFORE this date are more than `after_days` working days overdue on `today`.

    overdue(today) = working days in (due, today] (supervision's definition); it exceeds `after_days`
    exactly when the (after_days + 1)-th most recent working day on or before today lies after the due
    date. So the cutoff is that working day, and the rule is `due_date < cutoff` — one SQL condition."""
    d, seen = today, 0
    while True:
        if is_workday(d):
            seen += 1
            if seen == after_days + 1:
                return d
        d -= dt.timedelta(days=1)


def directive_ignored_reason(rule: CardRule, directive) -> str:
    late = f"超过 {rule.after_days} 个工作日" if rule.after_days else ""
    return (
        f"督办单 {directive.number}（{directive.title}）的反馈期限 {directive.due_date:%Y-%m-%d} 已过{late}，"
        "责任部门仍未反馈。"
    )


def directive_late_reason(directive, *, overdue_days: int) -> str:
    return (
        f"督办单 {directive.number}（{directive.title}）的反馈期限为 {directive.due_date:%Y-%m-%d}，"
        f"{directive.responded_on:%Y-%m-%d} 才反馈（逾期 {overdue_days} 个工作日）。"
    )


def repeated_reason(rule: CardRule, *, who: str, references: list[str]) -> str:
    shown = "、".join(references[:10]) + ("等" if len(references) > 10 else "")
    return f"{who}在最近 {rule.window_days} 日内有 {len(references)} 次红灯超期：{shown}。"


def rule_summary(rule: CardRule) -> str:
    """The rule in one sentence, as the pages and the API show it."""
    subject = SubjectType(rule.subject_type).label if rule.subject_type else ""
    color = rule.get_color_display()
    whom = "责任人及其部门" if rule.target == CardTarget.PERSON else "责任部门"
    if rule.trigger == CardTrigger.DIRECTIVE_IGNORED:
        when = (
            "督办单反馈期限届满"
            + (f"后超过 {rule.after_days} 个工作日" if rule.after_days else "")
            + "仍未反馈"
        )
    elif rule.trigger == CardTrigger.DIRECTIVE_LATE:
        when = "督办单超过反馈期限才反馈（已因逾期未反馈出示过牌的除外）"
    elif rule.trigger == CardTrigger.REPEATED_FAULT:
        scope = subject or "办件、环节、差评整改等"
        when = f"最近 {rule.window_days} 日内 {rule.count} 次红灯超期（{scope}；每次红灯只计入一张牌）"
    else:
        when = f"{subject or '监控对象'}超期" + ("（已批准延期的除外）" if rule.exempt_extended else "")
    return f"{when}，向{whom}出示{color}。"
