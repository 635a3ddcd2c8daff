"""Analytics tables: the per-case performance fact, anomalies, monthly reports.

`CaseFact` is one row per received case with everything the performance figures aggregate, computed
once per change of the case by `services.case_facts_refresh` (the working days a case used, with its
pauses, cannot be a plain SQL expression). The figures are then SQL aggregates over stored, indexed
columns (DESIGN rule 5) — no Python loop over cases on a page, and reports could read a replica.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tongban.cases.models import Case, CaseQuerySet
from tongban.catalogue.models import ServiceItem
from tongban.organisations.models import Department, ServiceHall, Window
from tongban.organisations.scoping import Scope, ScopedQuerySet

from .choices import AnomalyKind


def _fact_scope_q(scope: Scope, *, department_field: str, hall_field: str) -> Q:
    """Heads and approvers: their departments; clerks: their halls (callers handle see-everything)."""
    q = Q(pk__in=[])
    departments = scope.staff_department_ids
    if departments:
        q |= Q(**{f"{department_field}__in": departments})
    if scope.clerk_hall_ids:
        q |= Q(**{f"{hall_field}__in": scope.clerk_hall_ids})
    return q


class CaseFactQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Performance scoping: supervisors/admins all; heads/approvers the cases of their departments'
        items; clerks the cases taken in at their halls. Applicants and anonymous users nothing."""
        if scope.sees_everything:
            return self
        if not scope.is_authenticated or scope.is_applicant:
            return self.none()
        return self.filter(_fact_scope_q(scope, department_field="department_id", hall_field="hall_id"))


# Columns performance_by groups and scopes by, and those it adds up over the cases concluded in a period.
DIMENSION_COLUMNS = ["department", "item", "window", "staff", "hall"]
CONCLUDED_MEASURES = [
    "on_time",
    "early",
    "used_days",
    "promised_days",
    "visits",
    "corrections",
    "extensions",
    "pauses",
]


class CaseFact(models.Model):
    """Performance facts of one case (办件绩效事实). Dates are local dates."""

    case = models.OneToOneField(
        Case, verbose_name="办件", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name="实施部门", on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(ServiceItem, verbose_name="事项", on_delete=models.CASCADE, related_name="+")
    hall = models.ForeignKey(
        ServiceHall,
        verbose_name="受理大厅",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    window = models.ForeignKey(
        Window, verbose_name="受理窗口", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField("申报渠道", max_length=8)
    status = models.CharField("状态", max_length=16)
    received_on = models.DateField("收件日期", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    refused_on = models.DateField("不予受理日期", null=True, blank=True)
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    due_date = models.DateField("办结期限", null=True, blank=True)
    promised_days = models.PositiveIntegerField("承诺可用工作日", null=True, blank=True)
    used_days = models.PositiveIntegerField("实际用时（工作日）", null=True, blank=True)
    on_time = models.BooleanField("按时办结", null=True, blank=True)
    early = models.BooleanField("提前办结", null=True, blank=True)
    visits = models.PositiveSmallIntegerField("跑动次数", default=0)
    corrections = models.PositiveSmallIntegerField("补正告知次数", default=0)
    extensions = models.PositiveSmallIntegerField("延期次数", default=0)
    pauses = models.PositiveSmallIntegerField("暂停计时次数", default=0)
    returns = models.PositiveSmallIntegerField("退回窗口次数", default=0)
    refreshed_at = models.DateTimeField("计算时间", default=timezone.now)

    objects = CaseFactQuerySet.as_manager()

    class Meta:
        verbose_name = "办件绩效事实"
        verbose_name_plural = "办件绩效事实"
        # performance_by reads each figure through its own date: one index per date, carrying (on
        # PostgreSQL, INCLUDE) the dimensions, the scoping columns and what that date's figures add up,
        # so a month is an index-only range scan (docs/performance.md, "Bench").
        indexes = [
            models.Index(
                fields=["concluded_on"],
                include=[*DIMENSION_COLUMNS, *CONCLUDED_MEASURES],
                name="fact_concluded_cover",
            ),
            models.Index(
                fields=["received_on"], include=[*DIMENSION_COLUMNS, "channel"], name="fact_received_cover"
            ),
            models.Index(fields=["accepted_on"], include=DIMENSION_COLUMNS, name="fact_accepted_cover"),
            models.Index(fields=["refused_on"], include=DIMENSION_COLUMNS, name="fact_refused_cover"),
        ]

    def __str__(self) -> str:
        return f"绩效事实 #{self.case_id}"


class RefreshMark(models.Model):
    """Where an incremental job got to (e.g. the facts refresh): the `updated_at` it has seen up to."""

    name = models.CharField("名称", max_length=32, unique=True)
    mark = models.DateTimeField("已处理至")

    class Meta:
        verbose_name = "增量处理位置"
        verbose_name_plural = "增量处理位置"

    def __str__(self) -> str:
        return f"{self.name}: {self.mark}"


class AnomalyQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Staff see an anomaly when they see its case; applicants never (internal supervision data)."""
        if scope.sees_everything:
            return self
        if not scope.is_authenticated or scope.is_applicant:
            return self.none()
        return self.filter(case__in=CaseQuerySet(Case).scope_filter(scope).values("pk"))


class Anomaly(models.Model):
    """异常: something wrong beyond time, with the evidence that shows it; at most one per kind and case."""

    kind = models.CharField("异常类型", max_length=24, choices=AnomalyKind.choices, db_index=True)
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name="实施部门", on_delete=models.CASCADE, related_name="+"
    )
    evidence = models.JSONField("证据", default=dict)
    detected_at = models.DateTimeField("发现时间", default=timezone.now, db_index=True)

    objects = AnomalyQuerySet.as_manager()

    class Meta:
        verbose_name = "异常"
        verbose_name_plural = "异常"
        ordering = ["-detected_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "case"], name="uniq_anomaly_kind_case")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.case}"


class MonthlyReportQuerySet(ScopedQuerySet):
    """Monthly reports rank all departments: supervisors and administrators only (default scope)."""


class MonthlyReport(models.Model):
    """月度通报: one PDF per month, stored with its hash; generating a month twice keeps the first."""

    month = models.DateField("月份", unique=True, help_text="该月第一天。")
    file = models.FileField("文件", upload_to="analytics/reports/")
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = "月度通报"
        verbose_name_plural = "月度通报"
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月} 月度通报"
