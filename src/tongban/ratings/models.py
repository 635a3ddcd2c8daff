"""好差评 records: the services that can be rated, the ratings, and the follow-up of bad ratings.

Why a separate `RatableService` row: the hall (tickets, kiosk sessions), the cases (online cases) and later
the hotline each own their services; this row copies what a rating needs to be counted (department, window,
staff, item, hall) so the figures are plain SQL aggregates over our own tables, and it carries the one-time
token an anonymous person rates with. `unique(kind, reference_id)` makes registration idempotent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tongban.common.workflow import StateEvent, subject_index
from tongban.organisations.models import Department, ServiceHall, Window
from tongban.organisations.scoping import Scope, ScopedQuerySet

from .choices import (
    CallbackResult,
    ClaimKind,
    ClaimStatus,
    ClosedReason,
    FollowUpEventKind,
    FollowUpStage,
    RatingChannel,
    Score,
    ServiceKind,
)


def _staff_q(scope: Scope, prefix: str = "") -> Q:
    """Department staff see their departments' rows; clerks the rows of their halls."""
    q = Q(pk__in=[])
    departments = scope.staff_department_ids
    if departments:
        q |= Q(**{f"{prefix}department_id__in": departments})
    if scope.clerk_hall_ids:
        q |= Q(**{f"{prefix}hall_id__in": scope.clerk_hall_ids})
    return q


class RatableServiceQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Supervisors and admins all; department staff their department's; clerks their hall's;
        applicants the services they received; anonymous users nothing (they rate by token)."""
        if scope.sees_everything:
            return self
        if not scope.is_authenticated:
            return self.none()
        q = _staff_q(scope) | Q(user_id=scope.user_id)
        return self.filter(q)

    def unrated(self):
        return self.filter(rated=False)


class RatableService(models.Model):
    """One service a person can rate once: a window visit, an online case, a kiosk session, a work order."""

    kind = models.CharField("服务类型", max_length=16, choices=ServiceKind.choices)
    reference_id = models.BigIntegerField("来源记录 ID")
    reference = models.CharField("编号", max_length=64, blank=True, help_text="号票号码、办件编号等。")
    title = models.CharField("服务内容", max_length=200)
    department = models.ForeignKey(
        Department, verbose_name="责任部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hall = models.ForeignKey(
        ServiceHall, verbose_name="大厅", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="服务人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="可评价账户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.CharField("评价令牌", max_length=32, unique=True, help_text="一次性评价链接的令牌。")
    served_at = models.DateTimeField("服务时间", db_index=True)
    rate_by = models.DateTimeField("评价截止（逾期默认基本满意）")
    rated = models.BooleanField("已评价", default=False)
    created_at = models.DateTimeField("登记时间", default=timezone.now)

    objects = RatableServiceQuerySet.as_manager()

    class Meta:
        verbose_name = "可评价服务"
        verbose_name_plural = "可评价服务"
        ordering = ["-served_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference_id"], name="uniq_ratable_service_ref"),
        ]
        indexes = [
            # The default sweep reads only unrated rows whose deadline has come.
            models.Index(fields=["rate_by", "id"], condition=Q(rated=False), name="ratable_unrated_due"),
            models.Index(fields=["user", "rated"], name="ratable_user_rated"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference or self.reference_id}：{self.title}"


class RatingQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        if scope.sees_everything:
            return self
        if not scope.is_authenticated:
            return self.none()
        return self.filter(_staff_q(scope, "service__") | Q(service__user_id=scope.user_id))

    def counted(self):
        """Ratings that count in the figures: all but those a supervisor accepted as invalid."""
        return self.filter(excluded=False)


class Rating(models.Model):
    """One rating of one service; written once (the row itself is the record of the rating)."""

    service = models.OneToOneField(
        RatableService, verbose_name="服务", on_delete=models.PROTECT, related_name="rating"
    )
    score = models.PositiveSmallIntegerField("评价等级", choices=Score.choices)
    tags = models.JSONField("评价维度", default=list, blank=True)
    comment = models.TextField("评价内容", blank=True)
    channel = models.CharField("评价渠道", max_length=8, choices=RatingChannel.choices)
    is_default = models.BooleanField("默认评价", default=False)
    excluded = models.BooleanField("无效差评（不计入统计）", default=False)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评价人账户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rated_at = models.DateTimeField("评价时间", default=timezone.now, db_index=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(name="rating_score_1_5", condition=Q(score__gte=1, score__lte=5)),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.get_score_display()}"

    @property
    def is_bad(self) -> bool:
        return self.score in Score.bad()


class FollowUpQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Supervisors and admins all; department staff their department's follow-ups; clerks those of
        their hall that have no department (a kiosk session, a comprehensive window without a case)."""
        if scope.sees_everything:
            return self
        if not scope.is_authenticated or scope.is_applicant:
            return self.none()
        q = Q(pk__in=[])
        departments = scope.staff_department_ids
        if departments:
            q |= Q(department_id__in=departments)
        if scope.clerk_hall_ids:
            q |= Q(department__isnull=True, hall_id__in=scope.clerk_hall_ids)
        return self.filter(q)

    def open(self):
        return self.filter(stage__in=FollowUpStage.open())


class FollowUp(models.Model):
    """差评整改单: verify (核实) → rectify (整改) → call back (回访) → closed, each stage watched by a
    supervision Deadline (subject type rating_followup). The due dates are also kept here for the list."""

    rating = models.OneToOneField(
        Rating, verbose_name="差评", on_delete=models.PROTECT, related_name="followup"
    )
    service = models.ForeignKey(
        RatableService, verbose_name="服务", on_delete=models.PROTECT, related_name="followups"
    )
    department = models.ForeignKey(
        Department, verbose_name="责任部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hall = models.ForeignKey(
        ServiceHall, verbose_name="大厅", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(
        "环节", max_length=8, choices=FollowUpStage.choices, default=FollowUpStage.VERIFY, db_index=True
    )
    opened_on = models.DateField("差评日期")
    verify_due = models.DateField("核实期限")
    rectify_due = models.DateField("整改期限")
    callback_due = models.DateField("回访期限", null=True, blank=True)
    stage_due = models.DateField("当前环节期限", null=True, blank=True, db_index=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verify_note = models.TextField("核实情况", blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rectified_at = models.DateTimeField("整改时间", null=True, blank=True)
    rectify_note = models.TextField("整改措施", blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="整改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    callback_result = models.CharField("回访结果", max_length=16, choices=CallbackResult.choices, blank=True)
    callback_note = models.TextField("回访记录", blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claim_status = models.CharField(
        "申诉状态", max_length=8, choices=ClaimStatus.choices, blank=True, default=ClaimStatus.NONE
    )
    claim_kind = models.CharField("申诉理由类型", max_length=16, choices=ClaimKind.choices, blank=True)
    claim_reason = models.TextField("申诉理由", blank=True)
    claimed_at = models.DateTimeField("申诉时间", null=True, blank=True)
    claim_decision_note = models.TextField("审核意见", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_reason = models.CharField(
        "办结方式", max_length=16, choices=ClosedReason.choices, blank=True, default=ClosedReason.NONE
    )
    version = models.PositiveIntegerField("版本号", default=1)
    created_at = models.DateTimeField("生成时间", default=timezone.now)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["stage_due", "id"]
        indexes = [models.Index(fields=["department", "stage"], name="followup_dept_stage")]

    def __str__(self) -> str:
        return f"差评整改 FU{self.pk}（{self.get_stage_display()}）"

    @property
    def reference(self) -> str:
        return f"FU{self.pk}"

    def stage_records(self) -> list[dict]:
        """核实 / 整改 / 回访 as done so far: stage, label, text, who, when, due date (for pages and API)."""
        rows = [
            ("verify", "核实", self.verify_note, self.verified_by, self.verified_at, self.verify_due),
            ("rectify", "整改", self.rectify_note, self.rectified_by, self.rectified_at, self.rectify_due),
            (
                "callback",
                "回访",
                self.callback_note,
                self.called_back_by,
                self.called_back_at,
                self.callback_due,
            ),
        ]
        return [
            {"stage": stage, "label": label, "note": note, "by": by, "at": at, "due": due}
            for stage, label, note, by, at, due in rows
        ]

    def same_person_stages(self) -> list[tuple[object, list[str]]]:
        """(person, [stage labels]) for each person who did more than one of 核实 / 整改 / 回访: shown on
        the pages and in the API, so one person handling a bad rating alone is visible."""
        done: dict[int, tuple[object, list[str]]] = {}
        for record in self.stage_records():
            if record["by"] is not None:
                done.setdefault(record["by"].pk, (record["by"], []))[1].append(record["label"])
        return [(person, stages) for person, stages in done.values() if len(stages) > 1]


class FollowUpEvent(StateEvent):
    """Append-only log of a follow-up: who did which step, from which stage to which (the stage is the
    follow-up's state)."""

    subject_field = "followup"
    state_field = "stage"

    followup = models.ForeignKey(
        FollowUp, verbose_name="整改单", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("事件", max_length=24, choices=FollowUpEventKind.choices)
    from_status = models.CharField("原环节", max_length=16, choices=FollowUpStage.choices, blank=True)
    to_status = models.CharField("新环节", max_length=16, choices=FollowUpStage.choices, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta(StateEvent.Meta):
        verbose_name = "整改日志"
        verbose_name_plural = "整改日志"
        ordering = ["followup", "at", "id"]
        indexes = [subject_index("followup", "followupevent_fu_at")]

    def __str__(self) -> str:
        return f"FU{self.followup_id} · {self.get_kind_display()}"
