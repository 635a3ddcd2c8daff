"""The default card rules (seeded by migration 0004; callable again with live models, e.g. by the test
suite after a transactional test's flush emptied the tables: `seed_card_rules(django.apps.apps)`).
Written against the fields of migration 0004 only, so the migration keeps working.
"""

from __future__ import annotations

# The escalation of the centres Tongban serves, as the default rules (issue 12 point 5): warnings,
# 催办 and 督办 first; a card only for a directive ignored or answered late, or a fault repeated. The
# former automatic cards on every overdue case and step stay as rules an administrator may switch on.
DEFAULT_RULES = [
    {
        "key": "directive_ignored",
        "name": "督办单逾期未反馈",
        "trigger": "directive_ignored",
        "after_days": 3,
        "color": "red",
        "target": "department",
        "active": True,
        "description": "督办单反馈期限届满后超过 3 个工作日仍未反馈，向责任部门出示红牌（每张督办单一次）。",
    },
    {
        "key": "directive_late",
        "name": "督办单逾期反馈",
        "trigger": "directive_late",
        "color": "yellow",
        "target": "department",
        "active": True,
        "description": "督办单超过反馈期限才反馈，向责任部门出示黄牌（已因逾期未反馈出示过牌的不再出示）。",
    },
    {
        "key": "repeated_red",
        "name": "30 日内 5 次红灯超期",
        "trigger": "repeated_fault",
        "count": 5,
        "window_days": 30,
        "color": "yellow",
        "target": "department",
        "active": True,
        "description": "同一部门在最近 30 日内有 5 次红灯超期（办件、环节、差评整改），出示黄牌；"
        "每次红灯只计入一张牌。",
    },
    {
        "key": "case_overdue",
        "name": "办件超期即出示红牌",
        "trigger": "overdue",
        "subject_type": "case",
        "color": "red",
        "target": "department",
        "active": False,
        "description": "旧规则：每件超期办件自动出示红牌。默认停用，需要时由管理员启用。",
    },
    {
        "key": "step_overdue_no_extension",
        "name": "环节超期且未经批准延期即出示黄牌",
        "trigger": "overdue",
        "subject_type": "step",
        "exempt_extended": True,
        "color": "yellow",
        "target": "person",
        "active": False,
        "description": "旧规则：办理环节超期且未经批准延期，自动向部门及经办人出示黄牌。默认停用。",
    },
]


def seed_card_rules(apps) -> None:
    """Create the default rules (kept if they exist) and link the cards the former code rules issued."""
    CardRule = apps.get_model("supervision", "CardRule")
    Card = apps.get_model("supervision", "Card")
    for values in DEFAULT_RULES:
        rule, _ = CardRule.objects.get_or_create(key=values["key"], defaults=values)
        Card.objects.filter(rule_key=rule.key, rule__isnull=True).update(rule=rule)
