"""Read-only representations of the public catalogue. Every coded value comes with its Chinese label
(`item_type` + `item_type_display`), so a client can show the label and filter by the code."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .capabilities import CapabilityCode, item_capabilities
from .choices import ApplicantKind, LifeEvent, LimitUnit
from .models import MaterialRequirement, ServiceItem

__all__ = [
    "ApiErrorSerializer",
    "MaterialSerializer",
    "ServiceItemDetailSerializer",
    "ServiceItemListSerializer",
]


class ApiErrorSerializer(serializers.Serializer):
    code = serializers.CharField(label="错误代码")
    message = serializers.CharField(label="错误说明")
    field = serializers.CharField(label="出错字段", required=False)


class DepartmentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="部门 ID")
    name = serializers.CharField(label="部门名称")
    short_name = serializers.CharField(label="简称")
    credit_code = serializers.CharField(label="统一社会信用代码")
    phone = serializers.CharField(label="咨询电话")


class RegionBriefSerializer(serializers.Serializer):
    code = serializers.CharField(label="区划代码")
    name = serializers.CharField(label="名称")


@extend_schema_field(
    {"type": "string", "description": "；".join(f"{v}={label}" for v, label in LimitUnit.choices)}
)
class LimitUnitField(serializers.CharField):
    """Both time limits share one unit set; described inline, the schema has no duplicate enum names."""


def _labels(values, choices) -> list[str]:
    mapping = dict(choices.choices)
    return [str(mapping.get(v, v)) for v in values or []]


class CapabilitySerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=CapabilityCode.choices,
        label="办理方式代码",
        help_text="；".join(f"{v}={label}" for v, label in CapabilityCode.choices),
    )
    label = serializers.CharField(label="办理方式")
    url = serializers.CharField(label="办理入口（站内地址）", allow_blank=True)
    detail = serializers.CharField(label="说明", allow_blank=True)


class MaterialSerializer(serializers.ModelSerializer):
    form_display = serializers.CharField(source="get_form_display", label="材料形式（名称）")
    source_display = serializers.CharField(source="get_source_display", label="来源渠道（名称）")
    blank_form = serializers.FileField(label="空白表格", read_only=True, use_url=True)
    sample = serializers.FileField(label="示例样表", read_only=True, use_url=True)

    class Meta:
        model = MaterialRequirement
        fields = [
            "position",
            "name",
            "form",
            "form_display",
            "original_copies",
            "copy_copies",
            "required",
            "condition",
            "source",
            "source_display",
            "source_note",
            "blank_form",
            "sample",
            "notes",
        ]
        read_only_fields = fields


class ServiceItemListSerializer(serializers.ModelSerializer):
    item_type_display = serializers.CharField(source="get_item_type_display", label="事项类型（名称）")
    category_display = serializers.CharField(source="get_category_display", label="事项分类（名称）")
    case_kind_display = serializers.CharField(source="get_case_kind_display", label="办件类型（名称）")
    promised_limit_unit_display = serializers.CharField(
        source="get_promised_limit_unit_display", label="承诺时限单位（名称）"
    )
    online_depth = serializers.IntegerField(
        read_only=True,
        label="网办深度（部门申报）",
        help_text="部门申报的网办深度（1–7），不代表本平台已开通的功能；实际可用的办理方式见 capabilities。",
    )
    capabilities = serializers.SerializerMethodField(
        label="办理方式",
        help_text="本平台对该事项实际提供的办理方式（网上办理、预约办理等），由系统配置决定；没有的功能不列出。",
    )
    promised_limit_unit = LimitUnitField(label="承诺时限单位")
    applicant_kinds = serializers.ListField(child=serializers.CharField(), label="服务对象")
    applicant_kinds_display = serializers.SerializerMethodField(label="服务对象（名称）")
    department = DepartmentBriefSerializer(label="实施主体")
    is_once_at_most = serializers.BooleanField(label="最多跑一次")
    url = serializers.HyperlinkedIdentityField(
        view_name="api-catalogue-item-detail", lookup_field="code", label="接口地址"
    )

    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "version",
            "name",
            "item_type",
            "item_type_display",
            "category",
            "category_display",
            "department",
            "applicant_kinds",
            "applicant_kinds_display",
            "case_kind",
            "case_kind_display",
            "promised_limit",
            "promised_limit_unit",
            "promised_limit_unit_display",
            "visits_required",
            "is_once_at_most",
            "online_depth",
            "capabilities",
            "published_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_applicant_kinds_display(self, item: ServiceItem) -> list[str]:
        return _labels(item.applicant_kinds, ApplicantKind)

    @extend_schema_field(CapabilitySerializer(many=True))
    def get_capabilities(self, item: ServiceItem) -> list[dict]:
        """From the page's batch (`capabilities` in the context) when the view computed one."""
        batch = self.context.get("capabilities")
        capabilities = batch[item.pk] if batch and item.pk in batch else item_capabilities(item)
        return CapabilitySerializer(capabilities, many=True).data


class ServiceItemDetailSerializer(ServiceItemListSerializer):
    level_display = serializers.CharField(source="get_level_display", label="行使层级（名称）")
    region = RegionBriefSerializer(label="实施区划", allow_null=True)
    life_events = serializers.ListField(child=serializers.CharField(), label="主题分类")
    life_events_display = serializers.SerializerMethodField(label="主题分类（名称）")
    statutory_limit_unit_display = serializers.CharField(
        source="get_statutory_limit_unit_display", label="法定时限单位（名称）"
    )
    statutory_limit_unit = LimitUnitField(label="法定时限单位")
    materials = MaterialSerializer(many=True, label="申请材料")
    processing_mode_display = serializers.CharField(
        source="get_processing_mode_display", label="办理方式（名称）"
    )
    extension_days_allowed = serializers.IntegerField(
        source="legal_extension_days", label="每次最多延长（日，已按法定默认值补足）"
    )
    extension_basis_text = serializers.CharField(label="延期依据（留空时为行政许可法第四十二条）")

    class Meta(ServiceItemListSerializer.Meta):
        fields = [
            *ServiceItemListSerializer.Meta.fields,
            "level",
            "level_display",
            "region",
            "life_events",
            "life_events_display",
            "summary",
            "legal_basis",
            "conditions",
            "statutory_limit",
            "statutory_limit_unit",
            "statutory_limit_unit_display",
            "processing_mode",
            "processing_mode_display",
            "extension_max_times",
            "extension_max_days",
            "extension_days_allowed",
            "extension_basis",
            "extension_basis_text",
            "charges_fee",
            "fee_amount",
            "fee_description",
            "fee_basis",
            "place",
            "hours",
            "phone",
            "complaint_phone",
            "result_name",
            "keywords",
            "materials",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_life_events_display(self, item: ServiceItem) -> list[str]:
        return _labels(item.life_events, LifeEvent)
