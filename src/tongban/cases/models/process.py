"""Process definitions (办理流程): the back-office workflow of one item version, as data.

They live in the cases app, not the catalogue, because they describe how cases move; the catalogue
only shows them (`selectors.process_flow`). A process belongs to ONE item version: when the catalogue
creates a new version it calls `services.process_copy_to(item=...)`, so old cases keep the process
they were accepted under.

A process is an ordered list of stages. A stage is one step (SINGLE) or a parallel group (PARALLEL,
并联) of steps for several departments with a lead department (牵头部门), which sums up the siblings'
opinions (JOINT) once all are in. The last stage ends in the decision: the single step of a SINGLE
stage, or the lead's joint decision of a PARALLEL stage. Whole-process validation is
`services.process_problems` (model `clean` checks what one row can check on its own).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from tongban.catalogue.models import ServiceItem
from tongban.common.models import TimeStampedModel
from tongban.organisations.choices import DEPARTMENT_ROLES, StaffRole
from tongban.organisations.models import Department

from ..choices import StageKind

STEP_ROLE_CHOICES = [(role, StaffRole(role).label) for role in DEPARTMENT_ROLES]


class ProcessDefinition(TimeStampedModel):
    item = models.OneToOneField(
        ServiceItem, verbose_name="事项版本", on_delete=models.CASCADE, related_name="process"
    )
    name = models.CharField("流程名称", max_length=128, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "办理流程"
        verbose_name_plural = "办理流程"

    def __str__(self) -> str:
        return self.name or f"{self.item.name} 办理流程"


class StageDefinition(models.Model):
    process = models.ForeignKey(
        ProcessDefinition, verbose_name="流程", on_delete=models.CASCADE, related_name="stages"
    )
    position = models.PositiveSmallIntegerField("顺序", validators=[MinValueValidator(1)])
    name = models.CharField("阶段名称", max_length=64)
    kind = models.CharField("阶段类型", max_length=16, choices=StageKind.choices, default=StageKind.SINGLE)
    lead_department = models.ForeignKey(
        Department,
        verbose_name="牵头部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="并联审批阶段必填，须是本阶段的部门之一。",
    )
    joint_limit_days = models.PositiveSmallIntegerField(
        "牵头部门汇总时限（工作日）",
        default=1,
        help_text="并联阶段：各部门意见齐全后牵头部门汇总/决定的时限。",
    )

    class Meta:
        verbose_name = "流程阶段"
        verbose_name_plural = "流程阶段"
        ordering = ["process", "position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "position"], name="uniq_stage_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    def clean(self) -> None:
        if self.kind == StageKind.PARALLEL and not self.lead_department_id:
            raise ValidationError({"lead_department": "并联审批阶段必须指定牵头部门。"})
        if self.kind == StageKind.SINGLE and self.lead_department_id:
            raise ValidationError({"lead_department": "单一环节阶段不设牵头部门。"})

    @property
    def duration_days(self) -> int:
        """Working days this stage may take: the longest step, plus the lead's summing up if parallel."""
        limits = [s.limit_days for s in self.steps.all()]
        longest = max(limits, default=0)
        return longest + (self.joint_limit_days if self.kind == StageKind.PARALLEL else 0)


class StepDefinition(models.Model):
    stage = models.ForeignKey(
        StageDefinition, verbose_name="阶段", on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField("顺序", default=1)
    name = models.CharField("环节名称", max_length=64)
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(
        "办理角色",
        max_length=16,
        choices=STEP_ROLE_CHOICES,
        blank=True,
        help_text="留空则本部门审批人员和负责人均可办理。",
    )
    limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")

    class Meta:
        verbose_name = "流程环节"
        verbose_name_plural = "流程环节"
        ordering = ["stage", "position"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "position"], name="uniq_step_position"),
            models.UniqueConstraint(fields=["stage", "department"], name="uniq_step_department_per_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.department}，{self.limit_days} 个工作日）"


class ItemForm(TimeStampedModel):
    """The application form of one item version, as a JSON schema (see `forms.py` for its format)."""

    item = models.OneToOneField(
        ServiceItem, verbose_name="事项版本", on_delete=models.CASCADE, related_name="application_form"
    )
    schema = models.JSONField("表单定义", default=dict)

    class Meta:
        verbose_name = "申请表单"
        verbose_name_plural = "申请表单"

    def __str__(self) -> str:
        return f"{self.item.name} 申请表单"

    def clean(self) -> None:
        from ..forms import schema_problems

        problems = schema_problems(self.schema)
        if problems:
            raise ValidationError({"schema": problems})
