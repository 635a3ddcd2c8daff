"""Supervision (电子监察): watches on anything with a deadline, their warning log, policies, directives
(督办单) and cards (黄牌/红牌).

The central idea is the `Deadline` row ("watch"). It is generic: a subject reference (type + id) names
the watched thing — a case, a step, a 12345 work order, a rating follow-up, a directive — so later apps
reuse the same machinery. Each watch stores its level AND the dates on which its level will next change
(`yellow_on`, `red_on`, `next_escalation_on`), computed once by `thresholds.py` whenever the deadline
changes. The periodic sweep therefore only reads rows whose transition date has come (partial indexes
below), so its cost grows with the number of rows changing level, not with the number open.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tongban.common.models import TimeStampedModel
from tongban.common.workflow import Event, StateEvent, actor_field, subject_index
from tongban.organisations.models import Department, ServiceHall
from tongban.organisations.scoping import Scope, ScopedQuerySet

from .choices import (
    CardColor,
    CardEventKind,
    CardRuleEventKind,
    CardStatus,
    CardTarget,
    CardTrigger,
    DeadlineStatus,
    DeadlineUnit,
    DirectiveEventKind,
    DirectiveStatus,
    Level,
    RuleSubject,
    SubjectType,
    WarningKind,
)

# Defaults of the warning thresholds (the issue's numbers); a global WarningPolicy row overrides them.
DEFAULT_YELLOW_DAYS = 1
DEFAULT_YELLOW_PERCENT = 20
DEFAULT_ESCALATE_EVERY = 3
DEFAULT_MAX_ESCALATION = 3


def _department_q(scope: Scope, field: str = "department_id") -> Q:
    departments = scope.staff_department_ids
    return Q(**{f"{field}__in": departments}) if departments else Q(pk__in=[])


class WarningPolicy(TimeStampedModel):
    """Warning thresholds: one global row (item_code "") and optional rows per item code.

    Yellow when at most `yellow_days` working days OR at most `yellow_percent` % of the limit is left,
    whichever comes first; red once overdue; then one escalation every `escalate_every_days` working
    days overdue, up to `max_escalation_level` (0 escalation days: never escalate).
    """

    item_code = models.CharField(
        "事项编码", max_length=64, blank=True, unique=True, help_text="留空表示全局默认规则。"
    )
    yellow_days = models.PositiveSmallIntegerField("黄灯：剩余工作日不超过", default=DEFAULT_YELLOW_DAYS)
    yellow_percent = models.PositiveSmallIntegerField(
        "黄灯：剩余时限不超过（%）", default=DEFAULT_YELLOW_PERCENT
    )
    escalate_every_days = models.PositiveSmallIntegerField(
        "超期每满几个工作日升级一次", default=DEFAULT_ESCALATE_EVERY
    )
    max_escalation_level = models.PositiveSmallIntegerField("最高升级级别", default=DEFAULT_MAX_ESCALATION)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"
        ordering = ["item_code"]
        constraints = [
            models.CheckConstraint(name="policy_percent_max_100", condition=Q(yellow_percent__lte=100)),
        ]

    def __str__(self) -> str:
        return f"事项 {self.item_code} 预警规则" if self.item_code else "全局预警规则"


class DeadlineQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Supervisors/admins all; department staff their department's; clerks their halls'; anyone
        the watches assigned to them. Applicants and anonymous users nothing."""
        if scope.sees_everything:
            return self
        if not scope.is_authenticated or scope.is_applicant:
            return self.none()
        q = _department_q(scope) | Q(assignee_id=scope.user_id)
        if scope.clerk_hall_ids:
            q |= Q(hall_id__in=scope.clerk_hall_ids)
        return self.filter(q)

    def open(self):
        return self.filter(status=DeadlineStatus.OPEN)


class Deadline(models.Model):
    """A watch on one thing with a deadline (see the module docstring)."""

    subject_type = models.CharField("监控对象类型", max_length=24, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField("监控对象编号")
    reference = models.CharField("编号", max_length=64, blank=True, help_text="如办件编号、工单号。")
    title = models.CharField("名称", max_length=200)
    # A watch belongs to a department, or — for what only a hall answers for (a kiosk session, a comprehensive
    # window visit without a case) — to a hall; the check constraint below requires one of the two.
    department = models.ForeignKey(
        Department, verbose_name="责任部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # No single-column indexes on these: every index is rewritten when the sweep changes a level (the
    # level column is indexed, so the update is never HOT); the screen's GROUP BYs use the composite
    # (status, level, department|hall) indexes below.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    hall = models.ForeignKey(
        ServiceHall,
        verbose_name="受理大厅",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    item_code = models.CharField("事项编码", max_length=64, blank=True)
    started_on = models.DateField("开始日期")
    due_date = models.DateField("期限")
    limit_days = models.PositiveIntegerField("时限")
    unit = models.CharField(
        "时限单位", max_length=8, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING
    )
    extension_days = models.PositiveSmallIntegerField("已批准延期", default=0)
    # 暂定: the due date or a warning date was computed on a provisional calendar year; importing the
    # official year recomputes these rows (services.watch_recompute.calendar_recompute).
    provisional = models.BooleanField("期限为暂定", default=False)
    paused = models.BooleanField("暂停计时", default=False)
    level = models.CharField("预警级别", max_length=8, choices=Level.choices, default=Level.NORMAL)
    yellow_on = models.DateField("黄灯日期", null=True, blank=True)
    red_on = models.DateField("红灯日期", null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField("升级级别", default=0)
    next_escalation_on = models.DateField("下次升级日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    opened_at = models.DateTimeField("开始监控时间", default=timezone.now)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    closed_on_time = models.BooleanField("按时完成", null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = "时限监控"
        verbose_name_plural = "时限监控"
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(status="open"),
                name="uniq_open_deadline_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(hall__isnull=False), name="deadline_has_owner"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "level", "department"], name="deadline_level_dept"),
            models.Index(fields=["status", "level", "hall"], name="deadline_level_hall"),
            models.Index(fields=["status", "due_date"], name="deadline_status_due"),
            # The sweep's three range scans: each index holds only the rows that can still cross.
            models.Index(
                fields=["yellow_on", "id"],
                condition=Q(status="open", paused=False, level="normal"),
                name="deadline_sweep_yellow",
            ),
            models.Index(
                fields=["red_on", "id"],
                condition=Q(status="open", paused=False, level__in=["normal", "yellow"]),
                name="deadline_sweep_red",
            ),
            models.Index(
                fields=["next_escalation_on", "id"],
                condition=Q(status="open", paused=False, level="red"),
                name="deadline_sweep_escalate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_type_display()} {self.reference or self.subject_id}：{self.title}"

    @property
    def subject_ref(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"


class WarningEventQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        if scope.sees_everything:
            return self
        return self.filter(deadline__in=Deadline.objects.scope_filter(scope).values("pk"))


class WarningEvent(Event):
    """The append-only log of a watch. A crossing (yellow, red, escalation step) is unique per watch,
    step and due date: a second sweep, or a rerun after a crash, cannot record — or notify — it twice.
    `notify_pending` rows are the outbox the dispatcher turns into messages. A watch has levels, not a
    state machine: its before/after are `level_before` / `level_after`."""

    subject_field = "deadline"

    deadline = models.ForeignKey(
        Deadline, verbose_name="时限监控", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("事件", max_length=24, choices=WarningKind.choices)
    step = models.PositiveSmallIntegerField("升级级别", default=0)
    due_date = models.DateField("当时期限")
    level_before = models.CharField("原级别", max_length=8, choices=Level.choices, blank=True)
    level_after = models.CharField("新级别", max_length=8, choices=Level.choices, blank=True)
    overdue_days = models.IntegerField("超期工作日", default=0)
    # The sweep inserts these by the thousand and nothing reads them by actor: no index to keep up.
    actor = actor_field(db_index=False)
    notify_pending = models.BooleanField("待发送通知", default=False)
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)

    objects = WarningEventQuerySet.as_manager()

    class Meta(Event.Meta):
        verbose_name = "预警日志"
        verbose_name_plural = "预警日志"
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "kind", "step", "due_date"],
                condition=Q(kind__in=["yellow", "red", "escalated"]),
                name="uniq_warning_crossing",
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(notify_pending=True), name="warning_outbox"),
            # The repeated-fault card rules count the red crossings of a recent window.
            models.Index(fields=["at"], condition=Q(kind="red"), name="warning_red_at"),
            subject_index("deadline", "warningevent_deadline_at"),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} · {self.get_kind_display()}"

    @classmethod
    def subject_defaults(cls, subject):
        """The watch's due date and level as they stand (a level change is the sweep's: engine.EventRow)."""
        return {"due_date": subject.due_date, "level_before": subject.level, "level_after": subject.level}


class DirectiveQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Supervisors/admins all; department staff their department's directives."""
        if scope.sees_everything:
            return self
        if not scope.is_authenticated or scope.is_applicant:
            return self.none()
        return self.filter(_department_q(scope))


class Directive(TimeStampedModel):
    """督办单: a supervision order on a case, a step or a department, with a response deadline (itself
    watched by a Deadline with subject_type "directive")."""

    number = models.CharField("督办单号", max_length=32, unique=True, null=True, blank=True)
    subject_type = models.CharField("督办对象类型", max_length=24, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField("督办对象编号")
    subject_label = models.CharField("督办对象", max_length=200, blank=True)
    case_number = models.CharField(
        "办件编号", max_length=32, blank=True, db_index=True, help_text="督办办件或办理环节时所属办件的编号。"
    )
    department = models.ForeignKey(
        Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("督办事项", max_length=200)
    required_action = models.TextField("督办要求")
    response_days = models.PositiveSmallIntegerField("反馈时限（工作日）")
    due_date = models.DateField("反馈期限", db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=DirectiveStatus.choices, default=DirectiveStatus.ISSUED, db_index=True
    )
    round = models.PositiveSmallIntegerField("督办轮次", default=1)
    previous = models.OneToOneField(
        "self", verbose_name="原督办单", null=True, blank=True, on_delete=models.PROTECT, related_name="next"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_on = models.DateField("督办日期")
    response = models.TextField("反馈内容", blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="反馈人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_on = models.DateField("反馈日期", null=True, blank=True)
    responded_on_time = models.BooleanField("按期反馈", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_on = models.DateField("办结日期", null=True, blank=True)
    close_note = models.TextField("办结意见", blank=True)

    objects = DirectiveQuerySet.as_manager()

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["department", "status"], name="directive_dept_status")]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.title}"


class EventQuerySet(ScopedQuerySet):
    """A log row is visible to whoever may see the thing it logs (`parent` names that foreign key)."""

    parent: str = ""
    parent_model: type[models.Model] | None = None

    def scope_filter(self, scope: Scope):
        if scope.sees_everything:
            return self
        parents = self.parent_model.objects.scope_filter(scope).values("pk")
        return self.filter(**{f"{self.parent}__in": parents})


class DirectiveEventQuerySet(EventQuerySet):
    parent = "directive"
    parent_model = Directive


class DirectiveEvent(StateEvent):
    """Append-only log of a directive's moves: who, when, from which state to which."""

    subject_field = "directive"

    directive = models.ForeignKey(
        Directive, verbose_name="督办单", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("事件", max_length=24, choices=DirectiveEventKind.choices)
    from_status = models.CharField("原状态", max_length=16, choices=DirectiveStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=DirectiveStatus.choices, blank=True)

    objects = DirectiveEventQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        verbose_name = "督办日志"
        verbose_name_plural = "督办日志"
        indexes = [subject_index("directive", "directiveevent_dir_at")]

    def __str__(self) -> str:
        return f"{self.directive_id} · {self.get_kind_display()}"


RULE_SUBJECTS = tuple(RuleSubject.values)


class CardRule(TimeStampedModel):
    """A rule that shows a card (黄牌/红牌) — data an administrator changes in the admin or the API.

    `trigger` says when (CardTrigger); the numeric fields that matter depend on it: `after_days` for a
    directive ignored (still unanswered more than that many working days after its deadline), `count`
    and `window_days` for a repeated fault (that many red warnings within that many natural days), and
    `subject_type` / `exempt_extended` for the opt-in card on every red crossing. Cards keep the rule's
    `key`, so a rule is never deleted once used: it is switched off (`active`)."""

    key = models.SlugField(
        "规则代码", max_length=48, unique=True, help_text="创建后不可修改，出示的牌记录此代码。"
    )
    name = models.CharField("规则名称", max_length=100)
    trigger = models.CharField("触发条件", max_length=24, choices=CardTrigger.choices)
    subject_type = models.CharField(
        "监控对象",
        max_length=24,
        blank=True,
        choices=RuleSubject.choices,
        help_text="逐件出示：必填；多次红灯：留空表示办件、环节、差评整改等全部时限（督办单除外）。",
    )
    count = models.PositiveSmallIntegerField("红灯次数（N）", default=0, help_text="多次红灯：达到几次出示。")
    window_days = models.PositiveSmallIntegerField(
        "统计期（M，自然日）", default=0, help_text="多次红灯：在最近几天内累计。"
    )
    after_days = models.PositiveSmallIntegerField(
        "逾期超过（工作日）",
        default=0,
        help_text="督办单逾期未反馈：反馈期限后超过几个工作日仍未反馈即出示。",
    )
    exempt_extended = models.BooleanField("已批准延期的不出示", default=False)
    color = models.CharField("牌色", max_length=8, choices=CardColor.choices)
    target = models.CharField(
        "出示对象", max_length=12, choices=CardTarget.choices, default=CardTarget.DEPARTMENT
    )
    active = models.BooleanField("启用", default=True)
    description = models.TextField("说明", blank=True)
    version = models.PositiveIntegerField("版本号", default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "出示黄牌/红牌规则"
        verbose_name_plural = "出示黄牌/红牌规则"
        ordering = ["-active", "trigger", "key"]

    def __str__(self) -> str:
        return self.name


class CardRuleEvent(Event):
    """Append-only log of a rule's changes: who changed what (field: [before, after]) and when."""

    subject_field = "rule"

    rule = models.ForeignKey(CardRule, verbose_name="规则", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=24, choices=CardRuleEventKind.choices)
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta(Event.Meta):
        verbose_name = "出牌规则日志"
        verbose_name_plural = "出牌规则日志"
        indexes = [subject_index("rule", "cardruleevent_rule_at")]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.get_kind_display()}"


class CardQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Supervisors/admins all; department staff their department's cards; staff their own."""
        if scope.sees_everything:
            return self
        if not scope.is_authenticated or scope.is_applicant:
            return self.none()
        return self.filter(_department_q(scope) | Q(staff_id=scope.user_id))


class Card(TimeStampedModel):
    """黄牌/红牌 against a department (and optionally a staff member), by a rule or by a supervisor.

    A rule card is unique per (rule, subject): the sweep may see the same red crossing again and never
    issues a second card for it."""

    color = models.CharField("牌色", max_length=8, choices=CardColor.choices)
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField("理由")
    rule_key = models.CharField(
        "规则代码", max_length=48, blank=True, help_text="规则自动出示时填写；人工出示为空。"
    )
    rule = models.ForeignKey(
        CardRule, verbose_name="规则", null=True, blank=True, on_delete=models.PROTECT, related_name="cards"
    )
    # What one firing of a rule is about beyond its subject: a repeated-fault rule fires again for the
    # same department, so each card names the last warning it counted ("" for once-per-subject rules).
    rule_ref = models.CharField("触发标识", max_length=64, blank=True)
    directive = models.ForeignKey(
        Directive,
        verbose_name="督办单",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cards",
    )
    warnings = models.ManyToManyField(
        "WarningEvent", verbose_name="计入的红灯预警", blank=True, through="CardWarning", related_name="cards"
    )
    notify_pending = models.BooleanField("待发送通知", default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="出示人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_type = models.CharField("对象类型", max_length=24, choices=SubjectType.choices, blank=True)
    subject_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    subject_label = models.CharField("对象", max_length=200, blank=True)
    deadline = models.ForeignKey(
        Deadline,
        verbose_name="时限监控",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cards",
    )
    issued_on = models.DateField("出示日期", db_index=True)
    status = models.CharField(
        "状态", max_length=16, choices=CardStatus.choices, default=CardStatus.ACTIVE, db_index=True
    )
    appeal_reason = models.TextField("申诉理由", blank=True)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申诉人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appealed_at = models.DateTimeField("申诉时间", null=True, blank=True)
    decision_note = models.TextField("申诉处理意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = "黄牌/红牌"
        verbose_name_plural = "黄牌/红牌"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_key", "subject_type", "subject_id", "rule_ref"],
                condition=~Q(rule_key=""),
                name="uniq_rule_card_per_firing",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "color", "status"], name="card_dept_color"),
            models.Index(fields=["id"], condition=Q(notify_pending=True), name="card_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_color_display()} · {self.department}"


class CardWarning(models.Model):
    """A red warning a rule card counted (a repeated fault) or a manual card points to as evidence. For
    one rule a warning is counted once: the next card of that rule counts new warnings only."""

    card = models.ForeignKey(Card, verbose_name="牌", on_delete=models.CASCADE, related_name="+")
    warning = models.ForeignKey(WarningEvent, verbose_name="预警", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "黄牌/红牌依据"
        verbose_name_plural = "黄牌/红牌依据"
        constraints = [models.UniqueConstraint(fields=["card", "warning"], name="uniq_card_warning")]

    def __str__(self) -> str:
        return f"{self.card_id} ← {self.warning_id}"


class CardEventQuerySet(EventQuerySet):
    parent = "card"
    parent_model = Card


class CardEvent(StateEvent):
    """Append-only log of a card's moves: who, when, from which state to which."""

    subject_field = "card"

    card = models.ForeignKey(Card, verbose_name="牌", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=24, choices=CardEventKind.choices)
    from_status = models.CharField("原状态", max_length=16, choices=CardStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=CardStatus.choices, blank=True)

    objects = CardEventQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        verbose_name = "黄牌/红牌日志"
        verbose_name_plural = "黄牌/红牌日志"
        indexes = [subject_index("card", "cardevent_card_at")]

    def __str__(self) -> str:
        return f"{self.card_id} · {self.get_kind_display()}"


__all__ = [
    "Card",
    "CardColor",
    "CardEvent",
    "CardRule",
    "CardRuleEvent",
    "CardWarning",
    "Deadline",
    "Directive",
    "DirectiveEvent",
    "WarningEvent",
    "WarningPolicy",
]
