"""Choices of supervision (DESIGN rule 2: TextChoices with named groups, never bare strings)."""

from __future__ import annotations

from django.db import models


class SubjectType(models.TextChoices):
    """What a watch (Deadline) or a directive is about. Any "thing with a deadline" gets a value here."""

    CASE = "case", "办件"
    INTAKE = "intake", "受理决定（5个工作日）"
    STEP = "step", "办理环节"
    WORKORDER = "workorder", "12345工单"
    RATING_FOLLOWUP = "rating_followup", "差评整改"
    DIRECTIVE = "directive", "督办单"
    DEPARTMENT = "department", "部门"


class Level(models.TextChoices):
    NORMAL = "normal", "正常"
    YELLOW = "yellow", "黄灯预警"
    RED = "red", "红灯超期"

    @classmethod
    def rank(cls, level: str) -> int:
        """normal 0 < yellow 1 < red 2: levels compare by urgency, not by spelling."""
        return {cls.NORMAL: 0, cls.YELLOW: 1, cls.RED: 2}[level]


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "监控中"
    CLOSED = "closed", "已结束"


class DeadlineUnit(models.TextChoices):
    WORKING = "working", "工作日"
    NATURAL = "natural", "自然日"


class WarningKind(models.TextChoices):
    """Rows of the watch log. The three *crossings* are unique per (watch, step, due date)."""

    OPENED = "opened", "开始监控"
    UPDATED = "updated", "期限变更"
    PAUSED = "paused", "暂停计时"
    RESUMED = "resumed", "恢复计时"
    CLOSED = "closed", "结束监控"
    LOWERED = "lowered", "预警解除"
    YELLOW = "yellow", "黄灯预警（催办）"
    RED = "red", "红灯超期（告警）"
    ESCALATED = "escalated", "超期升级"
    MANUAL_REMINDER = "manual_reminder", "人工催办"

    @classmethod
    def crossings(cls) -> frozenset[str]:
        return frozenset({cls.YELLOW, cls.RED, cls.ESCALATED})


class DirectiveStatus(models.TextChoices):
    ISSUED = "issued", "待反馈"
    RESPONDED = "responded", "已反馈"
    CLOSED = "closed", "已办结"
    REISSUED = "reissued", "已重新督办"

    @classmethod
    def open(cls) -> frozenset[str]:
        return frozenset({cls.ISSUED, cls.RESPONDED})


class DirectiveEventKind(models.TextChoices):
    ISSUED = "issued", "发出督办"
    RESPONDED = "responded", "部门反馈"
    CLOSED = "closed", "督办办结"
    REISSUED = "reissued", "重新督办"


class CardColor(models.TextChoices):
    YELLOW = "yellow", "黄牌"
    RED = "red", "红牌"


class CardStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    APPEALED = "appealed", "申诉中"
    UPHELD = "upheld", "申诉驳回（维持）"
    REVOKED = "revoked", "已撤销"


class CardEventKind(models.TextChoices):
    ISSUED = "issued", "出示"
    APPEALED = "appealed", "提出申诉"
    APPEAL_ACCEPTED = "appeal_accepted", "申诉成立（撤销）"
    APPEAL_REJECTED = "appeal_rejected", "申诉驳回"


class RuleSubject(models.TextChoices):
    """Watch types a card rule may look at: the work itself (directives have their own triggers)."""

    CASE = SubjectType.CASE.value, SubjectType.CASE.label
    STEP = SubjectType.STEP.value, SubjectType.STEP.label
    RATING_FOLLOWUP = SubjectType.RATING_FOLLOWUP.value, SubjectType.RATING_FOLLOWUP.label
    WORKORDER = SubjectType.WORKORDER.value, SubjectType.WORKORDER.label


class CardTrigger(models.TextChoices):
    """What makes a card rule (`CardRule`) show a card. The escalation of the centres Tongban serves is
    warning → 催办 → 督办 → card; a card answers a directive ignored or answered late, or a fault
    repeated. `overdue` (a card on every red crossing) exists for a centre that wants it: off by default."""

    DIRECTIVE_IGNORED = "directive_ignored", "督办单逾期未反馈"
    DIRECTIVE_LATE = "directive_late", "督办单逾期反馈"
    REPEATED_FAULT = "repeated_fault", "同一部门或人员多次红灯超期"
    OVERDUE = "overdue", "超期即出示（逐件）"

    @classmethod
    def directive(cls) -> frozenset[str]:
        return frozenset({cls.DIRECTIVE_IGNORED, cls.DIRECTIVE_LATE})


class CardTarget(models.TextChoices):
    """Whom a rule's card names: the department, or also the responsible person of the watch (a step's
    assignee). Where the watch names no person the card names the department alone."""

    DEPARTMENT = "department", "责任部门"
    PERSON = "person", "责任人（及其部门）"


class CardRuleEventKind(models.TextChoices):
    CREATED = "created", "新建规则"
    CHANGED = "changed", "修改规则"
    ACTIVATED = "activated", "启用规则"
    DEACTIVATED = "deactivated", "停用规则"
