"""Card rules as data: an administrator creates, changes, switches on and off the rules that show cards
(黄牌/红牌). Every change is logged (CardRuleEvent: field → [before, after]). A rule's key and trigger
never change once created — the cards it showed name them — and a rule is never deleted, only
switched off. The sweep reads the rules afresh on each run, so a change applies from the next one."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from tongban.common.errors import ValidationFailed, require_text
from tongban.common.models import field_label
from tongban.common.workflow import lock, record, save_with_version
from tongban.organisations.permissions import require_administrator

from ..choices import CardColor, CardRuleEventKind, CardTarget, CardTrigger
from ..models import RULE_SUBJECTS, CardRule, CardRuleEvent

if TYPE_CHECKING:
    from tongban.common.types import User

KEY = re.compile(r"^[a-z][a-z0-9_-]{1,47}$")
EDITABLE = (
    "name",
    "subject_type",
    "count",
    "window_days",
    "after_days",
    "exempt_extended",
    "color",
    "target",
    "active",
    "description",
)
LIMITS = {"count": (2, 100), "window_days": (1, 366), "after_days": (0, 30)}


def _label(name: str) -> str:
    return field_label(CardRule, name)


def _int(values: dict, name: str) -> int:
    value = values.get(name, 0)
    lo, hi = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValidationFailed(f"{_label(name)}应为 {lo} 至 {hi} 的整数。", field=name)
    return value


def clean_rule(trigger: str, values: dict) -> dict:
    """The checked values of a rule with this trigger; fields the trigger does not use are reset, so a
    rule never carries a number that looks meaningful and is not."""
    if trigger not in CardTrigger.values:
        raise ValidationFailed("请选择触发条件。", field="trigger")
    out = {
        "name": require_text(values.get("name", ""), field="name", label="规则名称", max_length=100),
        "description": (values.get("description") or "").strip()[:2000],
        "active": bool(values.get("active", True)),
        "subject_type": "",
        "count": 0,
        "window_days": 0,
        "after_days": 0,
        "exempt_extended": False,
    }
    color = values.get("color")
    if color not in CardColor.values:
        raise ValidationFailed("牌色只能是黄牌或红牌。", field="color")
    target = values.get("target") or CardTarget.DEPARTMENT
    if target not in CardTarget.values:
        raise ValidationFailed("出示对象只能是责任部门或责任人。", field="target")
    out["color"], out["target"] = color, target
    subject_type = values.get("subject_type") or ""
    if subject_type and subject_type not in RULE_SUBJECTS:
        raise ValidationFailed("监控对象只能是办件、办理环节、差评整改或12345工单。", field="subject_type")
    if trigger == CardTrigger.OVERDUE:
        if not subject_type:
            raise ValidationFailed("“超期即出示”规则须指定监控对象。", field="subject_type")
        out["subject_type"] = subject_type
        out["exempt_extended"] = bool(values.get("exempt_extended", False))
    elif trigger == CardTrigger.REPEATED_FAULT:
        out["subject_type"] = subject_type
        out["count"] = _int(values, "count")
        out["window_days"] = _int(values, "window_days")
    elif trigger == CardTrigger.DIRECTIVE_IGNORED:
        out["after_days"] = _int(values, "after_days")
    return out


def card_rule_create(*, actor: User, key: str, trigger: str, **values) -> CardRule:
    """A new rule (administrators). `key`: lower-case letters, digits, "_" or "-", unique."""
    require_administrator(actor, action="新建出牌规则")
    key = (key or "").strip()
    if not KEY.match(key):
        raise ValidationFailed(
            "规则代码应以小写字母开头，由小写字母、数字、下划线或连字符组成（2–48 位）。", field="key"
        )
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(f"未知的字段：{'、'.join(sorted(unknown))}。", field=sorted(unknown)[0])
    cleaned = clean_rule(trigger, values)
    try:
        with transaction.atomic():
            rule = CardRule.objects.create(key=key, trigger=trigger, updated_by=actor, **cleaned)
            record(
                CardRuleEvent,
                rule,
                CardRuleEventKind.CREATED,
                actor=actor,
                changes={"key": key, "trigger": trigger, **cleaned},
            )
    except IntegrityError:
        raise ValidationFailed(f"规则代码“{key}”已被使用。", field="key") from None
    return rule


def card_rule_update(
    *, actor: User, rule_id: int, expected_version: int | None = None, **changes
) -> CardRule:
    """Change a rule (administrators); only the fields given change. The key and the trigger are
    fixed. A stale `expected_version` is a conflict (someone else saved in between)."""
    require_administrator(actor, action="修改出牌规则")
    for fixed in ("key", "trigger"):
        if fixed in changes:
            raise ValidationFailed(f"{_label(fixed)}创建后不能修改；请新建规则并停用本规则。", field=fixed)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(f"未知的字段：{'、'.join(sorted(unknown))}。", field=sorted(unknown)[0])
    with transaction.atomic():
        rule = lock(
            CardRule.objects,
            rule_id,
            expected_version,
            missing="出牌规则不存在。",
            stale="该规则已被他人修改，请刷新后重试。",
            stale_code="stale",
        )
        merged = {name: changes.get(name, getattr(rule, name)) for name in EDITABLE}
        cleaned = clean_rule(rule.trigger, merged)
        diff = {
            name: [getattr(rule, name), value]
            for name, value in cleaned.items()
            if getattr(rule, name) != value
        }
        if not diff:
            return rule
        for name, value in cleaned.items():
            setattr(rule, name, value)
        rule.updated_by = actor
        save_with_version(rule, [*cleaned, "updated_by"])
        if set(diff) == {"active"}:
            kind = CardRuleEventKind.ACTIVATED if rule.active else CardRuleEventKind.DEACTIVATED
        else:
            kind = CardRuleEventKind.CHANGED
        record(CardRuleEvent, rule, kind, actor=actor, changes=diff)
        return rule
