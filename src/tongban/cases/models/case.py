"""The case (办件) and everything recorded against it: events, materials, documents, visits, clock.

Columns that supervision and dashboards filter on (status, due_date, intake_due, is_paused,
intake_overdue) are stored (DESIGN rule 5) and the services keep them up to date. Status with the
dates, and item with status, are indexed together; the yes/no columns are not indexed, as an index
there would not be selective and every transition would have to rewrite it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tongban.accounts.models import Applicant
from tongban.catalogue.models import MaterialRequirement, ServiceItem
from tongban.common.models import TimeStampedModel
from tongban.common.workflow import StateEvent, subject_index
from tongban.organisations.models import ServiceHall
from tongban.organisations.scoping import Scope, ScopedQuerySet

from ..choices import (
    CaseChannel,
    CaseEventKind,
    CaseStatus,
    Decision,
    DocumentKind,
    IssuanceMethod,
    MaterialStatus,
    PauseKind,
    SpecialProcedure,
    VisitKind,
)


class CaseQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Who sees which cases (DESIGN rule 3).

        - administrators and supervisors: all;
        - applicants: their own (the applicant's login, or the login that filed it as an agent);
        - clerks: cases taken in at their halls, plus online submissions no hall has taken yet (any
          comprehensive window may take an online application: 全城通办);
        - approvers and heads: cases with a step for their department, and cases of items their
          department owns (the head extends those).
        """
        if scope.sees_everything:
            return self
        if not scope.is_authenticated:
            return self.none()
        q = Q(applicant__user_id=scope.user_id) | Q(submitted_by_id=scope.user_id)
        if scope.clerk_hall_ids:
            q |= Q(intake_hall_id__in=scope.clerk_hall_ids)
            q |= Q(intake_hall__isnull=True, channel=CaseChannel.ONLINE, status__in=CaseStatus.intake()) & ~Q(
                status=CaseStatus.DRAFT
            )
        departments = scope.staff_department_ids
        if departments:
            from .work import Step

            q |= Q(item__department_id__in=departments)
            q |= Q(Exists(Step.objects.filter(case_id=OuterRef("pk"), department_id__in=departments)))
        return self.filter(q)

    def awaiting_intake(self):
        """The intake queue (待受理 / 网上预审)."""
        return self.filter(status=CaseStatus.SUBMITTED)


class Case(TimeStampedModel):
    number = models.CharField("办件编号", max_length=32, unique=True, null=True, blank=True)
    query_code = models.CharField("查询码", max_length=8, blank=True)
    item = models.ForeignKey(
        ServiceItem,
        verbose_name="事项版本",
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # the (item, status) index starts with it
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name="申请人", on_delete=models.PROTECT, related_name="cases"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人账户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agent_name = models.CharField("代办人姓名", max_length=64, blank=True)
    agent_id_number = models.CharField("代办人身份证号码", max_length=18, blank=True)
    agent_mobile = models.CharField("代办人手机号码", max_length=20, blank=True)
    channel = models.CharField("申报渠道", max_length=8, choices=CaseChannel.choices)
    intake_hall = models.ForeignKey(
        ServiceHall,
        verbose_name="受理大厅",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    form_data = models.JSONField("申请表内容", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    version = models.PositiveIntegerField("版本号", default=1, help_text="乐观并发控制：每次变更加一。")
    submit_key = models.CharField("提交幂等键", max_length=64, unique=True, null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    intake_due = models.DateField("受理决定期限", null=True, blank=True, db_index=True)
    intake_overdue = models.BooleanField("受理超期", default=False)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField("办结期限", null=True, blank=True, db_index=True)
    # 限时办结: the statutory limit's deadline beside the promised one (pauses and approved extensions
    # included); an extension may never take the promise past it plus its legal extension.
    statutory_due_date = models.DateField("法定办结期限", null=True, blank=True)
    # 暂定: the date was computed on a provisional calendar year (workdays.provisional); importing the
    # official schedule recomputes every row with a flag set (services.deadlines_recompute).
    due_provisional = models.BooleanField("办结期限为暂定", default=False)
    statutory_due_provisional = models.BooleanField("法定办结期限为暂定", default=False)
    intake_due_provisional = models.BooleanField("受理决定期限为暂定", default=False)
    correction_due_provisional = models.BooleanField("补正期限为暂定", default=False)
    extension_days = models.PositiveSmallIntegerField("已延期工作日", default=0)
    is_paused = models.BooleanField("暂停计时", default=False)
    current_stage = models.PositiveSmallIntegerField("当前阶段", default=0)
    plan = models.JSONField(
        "办理流程（受理时快照）",
        default=list,
        blank=True,
        help_text="受理时按事项版本的流程生成，之后不随流程修改而变。",
    )
    correction_due = models.DateField("补正期限", null=True, blank=True)
    refusal_reason = models.TextField("不予受理理由", blank=True)
    refer_to = models.CharField("告知申请机关", max_length=200, blank=True)
    decision = models.CharField("审批决定", max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.TextField("决定理由", blank=True)
    decision_basis = models.TextField("决定依据", blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True, db_index=True)
    issuance_method = models.CharField("出件方式", max_length=16, choices=IssuanceMethod.choices, blank=True)
    tracking_number = models.CharField("邮寄单号", max_length=64, blank=True)
    closed_at = models.DateTimeField("出件时间", null=True, blank=True)
    visit_count = models.PositiveSmallIntegerField("跑动次数", default=0)
    # 实收费用: what the window actually charged (services.case_fee_record). The catalogue's fee is not
    # copied: `item` is the exact item version the case was filed under, so it IS the snapshot.
    fee_charged = models.DecimalField(
        "实收费用（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="空表示尚未登记收费；0 表示登记为不收费。",
    )
    fee_receipt_number = models.CharField("票据号", max_length=64, blank=True)
    fee_recorded_at = models.DateTimeField("收费登记时间", null=True, blank=True)
    fee_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收费登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-created_at", "-id"]
        # Every transition updates the row, and a changed indexed column rewrites every index: no
        # index on a yes/no or few-valued column, none that a composite below already starts with.
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["status", "intake_due"]),
            models.Index(fields=["item", "status"]),
            # The few rows an import of the official calendar must recompute (the flags rarely change).
            models.Index(
                fields=["id"],
                condition=Q(due_provisional=True)
                | Q(statutory_due_provisional=True)
                | Q(intake_due_provisional=True)
                | Q(correction_due_provisional=True),
                name="case_provisional_dates",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_charged__isnull=True) | Q(fee_charged__gte=0), name="case_fee_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"草稿 #{self.pk}"

    @property
    def is_immediate(self) -> bool:
        return self.item.case_kind == "immediate"


class CaseRelatedQuerySet(ScopedQuerySet):
    """Rows recorded against a case are visible exactly when their case is."""

    def scope_filter(self, scope: Scope):
        if scope.sees_everything:
            return self
        return self.filter(case__in=Case.objects.scope_filter(scope).values("pk"))


class CaseEvent(StateEvent):
    """办件日志: append-only; one row per thing that happened, with the state before and after."""

    subject_field = "case"

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=24, choices=CaseEventKind.choices, db_index=True)
    from_status = models.CharField("原状态", max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=CaseStatus.choices, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    # Also read across cases by time (analytics, the supervision screen).
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    objects = CaseRelatedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        verbose_name = "办件日志"
        verbose_name_plural = "办件日志"
        indexes = [subject_index("case", "caseevent_case_at")]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class CaseMaterial(models.Model):
    """One material of a case: one row per requirement of the item (plus extras without one)."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="materials")
    requirement = models.ForeignKey(
        MaterialRequirement,
        verbose_name="材料要求",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必需", default=True)
    status = models.CharField(
        "状态", max_length=16, choices=MaterialStatus.choices, default=MaterialStatus.MISSING
    )
    file = models.FileField("文件", upload_to="cases/materials/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    content_type = models.CharField("文件类型", max_length=16, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    checked = models.BooleanField("已核验", default=False)
    note = models.CharField("补正原因/备注", max_length=255, blank=True)
    uploaded_at = models.DateTimeField("上传时间", null=True, blank=True)

    objects = CaseRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "requirement"],
                condition=Q(requirement__isnull=False),
                name="uniq_case_material",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CaseDocument(models.Model):
    """A notice or decision issued for a case: its content fixed in the transaction that issued it, the
    PDF rendered from that content after commit (or on first download) and stored with its hash."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("文书类型", max_length=16, choices=DocumentKind.choices)
    number = models.CharField("文号", max_length=64)
    content = models.JSONField("文书内容", default=dict, blank=True)
    file = models.FileField("文件", upload_to="cases/documents/%Y/%m/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    rendered_at = models.DateTimeField("生成 PDF 时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("生成时间", default=timezone.now)

    objects = CaseRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = "办件文书"
        verbose_name_plural = "办件文书"
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Visit(models.Model):
    """One in-person interaction of the applicant for a case (跑动次数)."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField("到场事由", max_length=16, choices=VisitKind.choices)
    hall = models.ForeignKey(
        ServiceHall, verbose_name="大厅", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接待人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("说明", max_length=255, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    objects = CaseRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = "到场记录"
        verbose_name_plural = "到场记录"
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class ClockPause(models.Model):
    """A stop of the statutory clock: days in (started_on, ended_on] do not count (workdays.clock)."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField("原因类型", max_length=16, choices=PauseKind.choices)
    procedure = models.CharField("特别程序", max_length=16, choices=SpecialProcedure.choices, blank=True)
    reason = models.TextField("理由")
    expected_days = models.PositiveSmallIntegerField("预计时长（工作日）", null=True, blank=True)
    started_on = models.DateField("暂停日")
    ended_on = models.DateField("恢复日", null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="暂停人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="恢复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = "暂停计时"
        verbose_name_plural = "暂停计时"
        ordering = ["case", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="one_open_pause"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()} {self.started_on}"


class Extension(models.Model):
    """延期: +days working days approved by a head of the owning department."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.TextField("延期理由")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_before = models.DateField("原办结期限")
    due_after = models.DateField("新办结期限")
    at = models.DateTimeField("时间", default=timezone.now)

    objects = CaseRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case} +{self.days}"


class CaseSequence(models.Model):
    """The last case number used per region code and day, incremented under a row lock."""

    prefix = models.CharField("区划代码", max_length=12)
    day = models.DateField("日期")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "办件编号序列"
        verbose_name_plural = "办件编号序列"
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="uniq_case_sequence")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day:%Y%m%d}: {self.last}"
