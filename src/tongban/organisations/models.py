"""Regions, departments, halls, windows and staff assignments (who works where, in which role)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tongban.common.choices import ItemCategory
from tongban.common.models import TimeStampedModel
from tongban.common.validators import validate_credit_code
from tongban.common.workflow import Event

from .choices import (
    HallLevel,
    OrganisationEventKind,
    OrganisationSubject,
    RegionLevel,
    StaffRole,
    WindowKind,
)
from .scoping import ScopedQuerySet, scope_for

# Significant digits of a division code at each level (GB/T 2260 and the 12-digit statistical codes).
REGION_PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.DISTRICT: 6,
    RegionLevel.STREET: 9,
    RegionLevel.COMMUNITY: 12,
}


class PublicQuerySet(ScopedQuerySet):
    """Organisation data that is public knowledge (regions, halls, windows): every scope sees all of it."""

    def scope_filter(self, scope):
        return self


class ActivePublicQuerySet(PublicQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Region(models.Model):
    """行政区划, with a 6-digit (county and above) or 12-digit (street, community) division code."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Code length fits the level, the parent is one level up, and the code extends the parent's."""
        if not self.code.isdigit() or len(self.code) not in (6, 12):
            raise ValidationError({"code": "区划代码应为 6 位或 12 位数字。"})
        levels = list(RegionLevel.values)
        if self.level in (RegionLevel.STREET, RegionLevel.COMMUNITY) and len(self.code) != 12:
            raise ValidationError({"code": "街道/乡镇和社区/村居的区划代码应为 12 位数字。"})
        if self.level not in (RegionLevel.STREET, RegionLevel.COMMUNITY) and len(self.code) != 6:
            raise ValidationError({"code": "省、市、区县的区划代码应为 6 位数字。"})
        if self.parent_id is None:
            return
        parent = self.parent
        if self.level == RegionLevel.PROVINCE:
            raise ValidationError({"parent": "省级区划没有上级区划。"})
        expected = RegionLevel(levels[levels.index(self.level) - 1])
        if parent.level != expected:
            raise ValidationError({"parent": f"上级区划应为“{expected.label}”级。"})
        prefix = parent.code.ljust(12, "0")[: REGION_PREFIX_LENGTH[parent.level]]
        if not self.code.ljust(12, "0").startswith(prefix):
            raise ValidationError(
                {"code": f"区划代码应以上级区划代码的前 {len(prefix)} 位（{prefix}）开头。"}
            )


class DepartmentQuerySet(ActivePublicQuerySet):
    """Departments are public knowledge (the guide names them); everybody may see all of them."""


class Department(TimeStampedModel):
    """部门 / 实施主体."""

    name = models.CharField("部门名称", max_length=128, unique=True)
    short_name = models.CharField("简称", max_length=32)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code]
    )
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments"
    )
    phone = models.CharField("咨询电话", max_length=32, blank=True)
    address = models.CharField("办公地址", max_length=255, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ServiceHall(TimeStampedModel):
    """政务服务中心 / 便民服务中心."""

    name = models.CharField("名称", max_length=128, unique=True)
    code = models.CharField("大厅编码", max_length=32, unique=True)
    level = models.CharField("层级", max_length=16, choices=HallLevel.choices)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="halls"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级大厅",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField("地址", max_length=255, blank=True)
    phone = models.CharField("电话", max_length=32, blank=True)
    opening_hours = models.CharField("办公时间", max_length=128, default="工作日 9:00–12:00，13:30–17:00")
    is_active = models.BooleanField("启用", default=True)

    objects = ActivePublicQuerySet.as_manager()

    class Meta:
        verbose_name = "服务大厅"
        verbose_name_plural = "服务大厅"
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return self.name


class Window(TimeStampedModel):
    """窗口: a counter in a hall, serving some item categories (comprehensive) or one department."""

    hall = models.ForeignKey(
        ServiceHall, verbose_name="所属大厅", on_delete=models.CASCADE, related_name="windows"
    )
    number = models.PositiveSmallIntegerField("窗口号")
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("窗口类型", max_length=16, choices=WindowKind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门（专窗）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
    )
    categories = models.JSONField(
        "服务事项分类",
        default=list,
        blank=True,
        help_text="综合受理窗口服务的事项分类：construction（工程建设）、business（经营）、citizen（公民）。",
    )
    is_active = models.BooleanField("启用", default=True)

    objects = ActivePublicQuerySet.as_manager()

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["hall", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="uniq_window_number_per_hall")]

    def __str__(self) -> str:
        return f"{self.hall.name} {self.number} 号窗口（{self.name}）"

    def clean(self) -> None:
        valid = set(ItemCategory.values)
        unknown = [c for c in self.categories or [] if c not in valid]
        if unknown:
            raise ValidationError({"categories": f"未知的事项分类：{', '.join(unknown)}。"})
        if self.kind == WindowKind.DEPARTMENT and not self.department_id:
            raise ValidationError({"department": "部门专窗必须指定所属部门。"})
        if self.kind == WindowKind.COMPREHENSIVE and not self.categories:
            raise ValidationError({"categories": "综合受理窗口至少服务一个事项分类。"})


class StaffAssignmentQuerySet(ScopedQuerySet):
    def scope_filter(self, scope):
        if scope.sees_everything:
            return self
        q = models.Q(user_id=scope.user_id)
        if scope.department_ids:
            q |= models.Q(department_id__in=scope.department_ids)
        if scope.hall_ids:
            q |= models.Q(hall_id__in=scope.hall_ids)
        return self.filter(q)


class StaffAssignment(TimeStampedModel):
    """One role of one staff member, bound to a department and/or a hall (and optionally a window)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    role = models.CharField("角色", max_length=16, choices=StaffRole.choices)
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    hall = models.ForeignKey(
        ServiceHall,
        verbose_name="大厅",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    window = models.ForeignKey(
        Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )

    objects = StaffAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "人员角色"
        verbose_name_plural = "人员角色"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department", "hall"], name="uniq_staff_assignment"
            )
        ]

    def __str__(self) -> str:
        where = self.department or self.hall or "全区"
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self) -> None:
        if self.role in StaffRole.department_roles() and not self.department_id:
            raise ValidationError({"department": "审批人员和部门负责人必须属于一个部门。"})
        if self.role == StaffRole.CLERK and not self.hall_id:
            raise ValidationError({"hall": "窗口人员必须属于一个大厅。"})
        if self.window_id and self.hall_id and self.window.hall_id != self.hall_id:
            raise ValidationError({"window": "窗口不在该人员所属的大厅。"})


class OrganisationEventQuerySet(ScopedQuerySet):
    def scope_filter(self, scope):
        """Administrators only: the log names people and their roles."""
        return self if scope.has_role(StaffRole.ADMINISTRATOR) else self.none()


class OrganisationEvent(Event):
    """Append-only log of every organisation change and staff role grant: who did what to which unit or
    person, when, with the row's values before and after. The subject is named by type and id (and a label
    that survives a deletion), so one table serves regions, departments, halls, windows and role grants;
    `user`, `department` and `hall` say whom and where a role grant concerns, for the log's filters.
    Written through `common.workflow.record` like every other event table."""

    kind = models.CharField("事件", max_length=24, choices=OrganisationEventKind.choices)
    subject_type = models.CharField("对象类型", max_length=16, choices=OrganisationSubject.choices)
    subject_id = models.PositiveBigIntegerField("对象 id")
    subject_label = models.CharField("对象", max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisation_events",
    )
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hall = models.ForeignKey(
        ServiceHall, verbose_name="大厅", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    before = models.JSONField("变更前", default=dict, blank=True)
    after = models.JSONField("变更后", default=dict, blank=True)

    objects = OrganisationEventQuerySet.as_manager()

    class Meta(Event.Meta):
        verbose_name = "组织机构日志"
        verbose_name_plural = "组织机构日志"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at"], name="org_event_at"),  # the whole log, newest first
            models.Index(fields=["subject_type", "subject_id", "at"], name="org_event_subject"),
            models.Index(fields=["user", "at"], name="org_event_user"),
            models.Index(fields=["department", "at"], name="org_event_department"),
        ]

    @classmethod
    def subject_defaults(cls, subject: models.Model) -> dict[str, Any]:
        """The subject by type, id and label (a deleted row keeps them); the writer adds whom and where."""
        return {
            "subject_type": SUBJECT_TYPES[type(subject)],
            "subject_id": subject.pk,
            "subject_label": str(subject)[:255],
        }

    def __str__(self) -> str:
        return f"{self.subject_label} · {self.get_kind_display()}"


SUBJECT_TYPES: dict[type[models.Model], str] = {
    Region: OrganisationSubject.REGION,
    Department: OrganisationSubject.DEPARTMENT,
    ServiceHall: OrganisationSubject.HALL,
    Window: OrganisationSubject.WINDOW,
    StaffAssignment: OrganisationSubject.STAFF_ROLE,
}


__all__ = [
    "Department",
    "OrganisationEvent",
    "Region",
    "ServiceHall",
    "StaffAssignment",
    "Window",
    "scope_for",
]
