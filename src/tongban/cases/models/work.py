"""Steps (环节 / 任务): the back-office work of one department on one case, with its own deadline.

A Step row is the "task" of the glossary: approvers' 待办 / 已办 lists are Step lists. Steps are
created from the process definition stage by stage when the case reaches the stage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tongban.organisations.models import Department
from tongban.organisations.scoping import Scope, ScopedQuerySet

from ..choices import StepKind, StepOutcome, StepStatus
from .case import Case, CaseQuerySet


class StepQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Department staff see their departments' steps; everyone else sees steps of cases they see."""
        if scope.sees_everything:
            return self
        if not scope.is_authenticated:
            return self.none()
        departments = scope.staff_department_ids
        q = Q(case__in=CaseQuerySet(Case).scope_filter(scope).values("pk"))
        if departments:
            q |= Q(department_id__in=departments)
        return self.filter(q)

    def open(self):
        return self.filter(status=StepStatus.OPEN)


class Step(models.Model):
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="steps")
    stage_position = models.PositiveSmallIntegerField("阶段序号")
    stage_name = models.CharField("阶段名称", max_length=64)
    parallel = models.BooleanField("并联", default=False)
    kind = models.CharField("环节类型", max_length=16, choices=StepKind.choices, default=StepKind.REVIEW)
    name = models.CharField("环节名称", max_length=64)
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("办理角色", max_length=16, blank=True)
    is_lead = models.BooleanField("牵头部门", default=False)
    limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    status = models.CharField("状态", max_length=16, choices=StepStatus.choices, default=StepStatus.OPEN)
    opened_on = models.DateField("开始日期")
    opened_at = models.DateTimeField("开始时间")
    due_date = models.DateField("环节期限", db_index=True)
    due_provisional = models.BooleanField("环节期限为暂定", default=False)
    outcome = models.CharField("办理结果", max_length=8, choices=StepOutcome.choices, blank=True)
    opinion = models.TextField("办理意见", blank=True)
    completed_at = models.DateTimeField("办理时间", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = StepQuerySet.as_manager()

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["case", "stage_position", "id"]
        indexes = [
            models.Index(fields=["department", "status", "due_date"]),
            models.Index(fields=["id"], condition=Q(due_provisional=True), name="step_provisional_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.name}（{self.department}）"
