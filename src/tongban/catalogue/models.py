"""The service catalogue (事项清单): items with their standard elements, materials, and versions.

Versioning: an item is identified by `code`; each edit of a published item creates a new row with the
same code and `version + 1` (draft until published). Cases point at the exact row they were filed
under, so old cases keep the elements they were decided by. At most one published row per code.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from tongban.common.models import TimeStampedModel
from tongban.common.workflow import actor_field
from tongban.organisations.models import Department, Region
from tongban.organisations.scoping import ScopedQuerySet

from .choices import (
    ApplicantKind,
    CaseKind,
    ItemCategory,
    ItemEventKind,
    ItemStatus,
    ItemType,
    LimitUnit,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    ProcessingMode,
    ServiceLevel,
)


class ServiceItemQuerySet(ScopedQuerySet):
    def published(self):
        return self.filter(status=ItemStatus.PUBLISHED)

    def scope_filter(self, scope):
        """Everybody sees published items; administrators every version; department staff their drafts."""
        if scope.sees_everything:
            return self
        q = Q(status=ItemStatus.PUBLISHED)
        if scope.department_ids:
            q |= Q(department_id__in=scope.department_ids)
        return self.filter(q)


#: 行政许可法 第四十二条: 可以延长十日 (alone), 可以延长十五日 (统一/联合/集中办理).
LEGAL_EXTENSION_DAYS = {ProcessingMode.SINGLE: 10, ProcessingMode.JOINT: 15}


class ServiceItem(TimeStampedModel):
    """政务服务事项 with the standard elements (GLOSSARY: Catalogue)."""

    code = models.CharField("事项编码", max_length=64, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField(
        "状态", max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT, db_index=True
    )
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    department = models.ForeignKey(
        Department, verbose_name="实施主体", on_delete=models.PROTECT, related_name="items"
    )
    level = models.CharField(
        "行使层级", max_length=16, choices=ServiceLevel.choices, default=ServiceLevel.DISTRICT
    )
    region = models.ForeignKey(
        Region, verbose_name="实施区划", null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    category = models.CharField("事项分类", max_length=16, choices=ItemCategory.choices, db_index=True)
    applicant_kinds = models.JSONField(
        "服务对象", default=list, help_text="natural（自然人）和/或 legal（法人）。"
    )
    life_events = models.JSONField("主题分类（人生事件/企业生命周期）", default=list, blank=True)
    summary = models.TextField("事项简介", blank=True)
    legal_basis = models.TextField("设定依据")
    conditions = models.TextField("受理条件")
    statutory_limit = models.PositiveIntegerField("法定办结时限")
    statutory_limit_unit = models.CharField(
        "法定时限单位", max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    promised_limit = models.PositiveIntegerField("承诺办结时限")
    promised_limit_unit = models.CharField(
        "承诺时限单位", max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    case_kind = models.CharField(
        "办件类型", max_length=16, choices=CaseKind.choices, default=CaseKind.PROMISED
    )
    # 延期 (行政许可法 第四十二条): the defaults are the administrative-permission rule; another law may
    # set other numbers for an item. cases.services.case_extend enforces them (tongban.cases.extensions).
    processing_mode = models.CharField(
        "办理方式",
        max_length=8,
        choices=ProcessingMode.choices,
        default=ProcessingMode.SINGLE,
        help_text="联合办理等按行政许可法第四十二条第二款：法定延长 15 个工作日。",
    )
    extension_max_times = models.PositiveSmallIntegerField(
        "最多延期次数",
        default=1,
        validators=[MaxValueValidator(5)],
        help_text="行政许可法第四十二条：延期一次。其他法律另有规定的按其规定填写；0 表示不得延期。",
    )
    extension_max_days = models.PositiveSmallIntegerField(
        "每次最多延长（日）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="留空按法定：单独办理 10 个工作日，联合办理 15 个工作日（单位同法定时限）。",
    )
    extension_basis = models.CharField(
        "延期依据",
        max_length=200,
        blank=True,
        help_text="留空为《中华人民共和国行政许可法》第四十二条；其他法律另有规定的写明条款。",
    )
    visits_required = models.PositiveSmallIntegerField(
        "到现场次数", default=1, validators=[MaxValueValidator(3)]
    )
    online_depth = models.PositiveSmallIntegerField(
        "网办深度",
        choices=OnlineDepth.choices,
        default=OnlineDepth.ACCEPT,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
    )
    charges_fee = models.BooleanField("是否收费", default=False)
    fee_amount = models.DecimalField("收费金额（元）", max_digits=12, decimal_places=2, default=Decimal("0"))
    fee_description = models.CharField("收费标准", max_length=255, blank=True)
    fee_basis = models.TextField("收费依据", blank=True)
    place = models.CharField("办理地点", max_length=255, blank=True)
    hours = models.CharField("办理时间", max_length=128, blank=True)
    phone = models.CharField("咨询电话", max_length=64, blank=True)
    complaint_phone = models.CharField("监督投诉电话", max_length=64, blank=True, default="12345")
    result_name = models.CharField("办理结果名称", max_length=128, blank=True)
    keywords = models.CharField("检索关键词", max_length=255, blank=True)
    # Search helpers, maintained by catalogue.services on save: full pinyin and initials of name+keywords.
    search_pinyin = models.CharField(max_length=1024, blank=True, editable=False)
    search_initials = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_item_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="published"), name="uniq_published_item_per_code"
            ),
            models.CheckConstraint(condition=Q(visits_required__lte=3), name="item_visits_max_3"),
            # Promised ≤ statutory where both limits have the same unit (clean() also compares mixed units).
            models.CheckConstraint(
                condition=Q(promised_limit__lte=F("statutory_limit"))
                | ~Q(promised_limit_unit=F("statutory_limit_unit")),
                name="item_promised_within_statutory",
                violation_error_message="承诺办结时限不得超过法定办结时限。",
            ),
        ]
        indexes = [models.Index(fields=["status", "category"]), models.Index(fields=["status", "department"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code} v{self.version}）"

    def save(self, *args, **kwargs) -> None:
        # Keep the pinyin search columns in step with name and keywords (catalogue.search).
        from .search import index_text

        self.search_pinyin, self.search_initials = index_text(self.name, self.keywords)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "keywords"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_pinyin", "search_initials"}
        super().save(*args, **kwargs)

    @property
    def legal_extension_days(self) -> int:
        """Days one extension may add: the item's own figure, else the law's for its processing mode."""
        if self.extension_max_days:
            return self.extension_max_days
        return LEGAL_EXTENSION_DAYS[self.processing_mode]

    @property
    def extension_basis_text(self) -> str:
        if self.extension_basis:
            return self.extension_basis
        paragraph = "第二款" if self.processing_mode == ProcessingMode.JOINT else "第一款"
        return f"《中华人民共和国行政许可法》第四十二条{paragraph}"

    @property
    def is_once_at_most(self) -> bool:
        """最多跑一次."""
        return self.visits_required <= 1

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if (
            self.promised_limit is not None
            and self.statutory_limit is not None
            and self._promise_exceeds_statute()
        ):
            errors.setdefault("promised_limit", []).append("承诺办结时限不得超过法定办结时限。")
        kinds = self.applicant_kinds or []
        if not kinds:
            errors.setdefault("applicant_kinds", []).append("请至少选择一种服务对象（自然人或法人）。")
        elif any(k not in ApplicantKind.values for k in kinds):
            errors.setdefault("applicant_kinds", []).append(
                "服务对象只能是 natural（自然人）或 legal（法人）。"
            )
        from .choices import LifeEvent

        if any(e not in LifeEvent.values for e in self.life_events or []):
            errors.setdefault("life_events", []).append("含有未知的主题分类。")
        if self.case_kind == CaseKind.IMMEDIATE and self.promised_limit not in (0, 1):
            errors.setdefault("promised_limit", []).append("即办件的承诺时限应为 0 或 1 个工作日。")
        if self.charges_fee and not self.fee_description:
            errors.setdefault("fee_description", []).append("收费事项必须写明收费标准。")
        if (
            self.processing_mode == ProcessingMode.JOINT
            and not self.extension_basis  # another law may allow more
            and self.statutory_limit is not None
            and self._limit_in_natural_days(self.statutory_limit, self.statutory_limit_unit) > 45 * 7 / 5
        ):
            errors.setdefault("statutory_limit", []).append(
                "统一办理、联合办理、集中办理的法定时限不得超过 45 个工作日（行政许可法第四十二条第二款）；"
                "其他法律另有规定的，请在“延期依据”中写明。"
            )
        if errors:
            raise ValidationError(errors)

    def _promise_exceeds_statute(self) -> bool:
        if self.promised_limit_unit == self.statutory_limit_unit:
            return self.promised_limit > self.statutory_limit
        return self._limit_in_natural_days(self.promised_limit, self.promised_limit_unit) > (
            self._limit_in_natural_days(self.statutory_limit, self.statutory_limit_unit)
        )

    @staticmethod
    def _limit_in_natural_days(n: int, unit: str) -> float:
        # Only used to compare limits in different units: a working week is 5 of 7 natural days.
        return n * 7 / 5 if unit == LimitUnit.WORKING_DAYS else float(n)


class MaterialRequirement(models.Model):
    """申请材料 of one item version."""

    item = models.ForeignKey(
        ServiceItem, verbose_name="事项", on_delete=models.CASCADE, related_name="materials"
    )
    position = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("材料名称", max_length=200)
    form = models.CharField(
        "材料形式", max_length=16, choices=MaterialForm.choices, default=MaterialForm.BOTH
    )
    original_copies = models.PositiveSmallIntegerField("原件份数", default=0)
    copy_copies = models.PositiveSmallIntegerField("复印件份数", default=1)
    required = models.BooleanField("是否必需", default=True)
    condition = models.CharField(
        "适用情形", max_length=255, blank=True, help_text="容缺或按情形提交时写明情形。"
    )
    source = models.CharField(
        "来源渠道", max_length=16, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    source_note = models.CharField("来源说明", max_length=255, blank=True)
    blank_form = models.FileField("空白表格", upload_to="catalogue/forms/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalogue/samples/", blank=True)
    notes = models.TextField("填报须知", blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["item", "position"]
        constraints = [models.UniqueConstraint(fields=["item", "position"], name="uniq_material_position")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.required and not self.condition:
            raise ValidationError({"condition": "非必需材料必须写明适用情形。"})


class ItemEventQuerySet(ScopedQuerySet):
    def scope_filter(self, scope):
        """The catalogue's change log: administrators and supervisors all of it, department staff theirs."""
        if scope.sees_everything:
            return self
        if scope.department_ids:
            return self.filter(item__department_id__in=scope.department_ids)
        return self.none()


class ItemEvent(models.Model):
    """Append-only log of catalogue changes: who created, edited, published or retired which version."""

    item = models.ForeignKey(
        ServiceItem, verbose_name="事项版本", on_delete=models.PROTECT, related_name="events"
    )
    code = models.CharField("事项编码", max_length=64, db_index=True)
    version = models.PositiveIntegerField("版本")
    kind = models.CharField("事件", max_length=24, choices=ItemEventKind.choices)
    actor = actor_field()
    detail = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    objects = ItemEventQuerySet.as_manager()

    class Meta:
        verbose_name = "事项变更日志"
        verbose_name_plural = "事项变更日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} · {self.get_kind_display()}"


from .models_search import LifeEventIntent, SearchEvent, SearchSynonym  # noqa: E402, F401  (search's tables)
