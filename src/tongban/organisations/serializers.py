from __future__ import annotations

from rest_framework import serializers

from tongban.common.choices import ItemCategory
from tongban.common.errors import choice_messages

from .choices import HallLevel, RegionLevel, StaffRole, WindowKind
from .models import Department, OrganisationEvent, Region, ServiceHall, StaffAssignment, Window


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "level_display", "parent"]


class DepartmentSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="所属区划代码")
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "credit_code", "region", "region_name", "phone", "address"]


class WindowSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)
    categories = serializers.ListField(
        child=serializers.CharField(), help_text="construction / business / citizen"
    )

    class Meta:
        model = Window
        fields = [
            "id",
            "number",
            "name",
            "kind",
            "kind_display",
            "department",
            "department_name",
            "categories",
        ]


class HallSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="所属区划代码")
    windows = WindowSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceHall
        fields = [
            "id",
            "name",
            "code",
            "level",
            "level_display",
            "region",
            "parent",
            "address",
            "phone",
            "opening_hours",
            "windows",
        ]


class StaffUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()


class StaffAssignmentSerializer(serializers.ModelSerializer):
    user = StaffUserSerializer(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)
    hall_name = serializers.CharField(source="hall.name", read_only=True, allow_null=True)
    window_number = serializers.IntegerField(source="window.number", read_only=True, allow_null=True)

    class Meta:
        model = StaffAssignment
        fields = [
            "id",
            "user",
            "role",
            "role_display",
            "department",
            "department_name",
            "hall",
            "hall_name",
            "window",
            "window_number",
        ]


# --- the administrators' writes ---------------------------------------------------------------------------
# Input is only typed here; the services check it (Chinese messages naming the field). Related rows are
# given by id under the field's name ("region": 3); every write may carry a note for the log.


def _id(help_text: str, *, allow_null: bool = True) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=allow_null, min_value=1, help_text=help_text)


def _text(max_length: int, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, help_text=help_text)


class _Flag(serializers.BooleanField):
    """A yes/no that is absent when not sent, also in form-encoded input (DRF reads a missing check box
    there as False, which would deactivate a unit nobody meant to touch)."""

    default_empty_html = serializers.empty


def _choice(choices, label: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices.choices, required=False, error_messages=choice_messages(choices, label)
    )


class _NoteSerializer(serializers.Serializer):
    note = _text(2000, "变更说明（记入组织机构日志）")


class RegionWriteSerializer(_NoteSerializer):
    code = _text(12, "区划代码（6 位或 12 位数字）")
    name = _text(64)
    level = _choice(RegionLevel, "区划层级")
    parent = _id("上级区划 id")


class DepartmentWriteSerializer(_NoteSerializer):
    name = _text(128)
    short_name = _text(32)
    credit_code = _text(18, "统一社会信用代码")
    region = _id("所属区划 id")
    phone = _text(32)
    address = _text(255)
    is_active = _Flag(required=False, help_text="false：停用（已有事项、办件仍指向该部门）")
    sort_order = serializers.IntegerField(required=False, min_value=0)


class HallWriteSerializer(_NoteSerializer):
    name = _text(128)
    code = _text(32, "大厅编码")
    level = _choice(HallLevel, "大厅层级")
    region = _id("所属区划 id")
    parent = _id("上级大厅 id")
    address = _text(255)
    phone = _text(32)
    opening_hours = _text(128)
    is_active = _Flag(required=False, help_text="false：停用")


class WindowWriteSerializer(_NoteSerializer):
    hall = _id("所属大厅 id（创建时必填，之后不能改）")
    number = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=32767)
    name = _text(64)
    kind = _choice(WindowKind, "窗口类型")
    department = _id("所属部门 id（部门专窗必填）")
    categories = serializers.ListField(
        child=serializers.ChoiceField(
            choices=ItemCategory.choices, error_messages=choice_messages(ItemCategory, "服务事项分类")
        ),
        required=False,
        help_text="综合受理窗口服务的事项分类",
    )
    is_active = _Flag(required=False, help_text="false：停用")


class StaffRoleWriteSerializer(_NoteSerializer):
    user = _id("工作人员（用户）id；授予时必填，之后不能改")
    role = _choice(StaffRole, "角色")
    department = _id("部门 id（审批人员、部门负责人必填）")
    hall = _id("大厅 id（窗口人员必填）")
    window = _id("窗口 id")


class DepartmentDetailSerializer(DepartmentSerializer):
    class Meta(DepartmentSerializer.Meta):
        fields = [*DepartmentSerializer.Meta.fields, "is_active", "sort_order"]


class HallDetailSerializer(HallSerializer):
    class Meta(HallSerializer.Meta):
        fields = [*HallSerializer.Meta.fields, "is_active"]


class WindowDetailSerializer(WindowSerializer):
    class Meta(WindowSerializer.Meta):
        fields = [*WindowSerializer.Meta.fields, "hall", "is_active"]


class OrganisationEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    subject_type_display = serializers.CharField(source="get_subject_type_display", read_only=True)
    user = StaffUserSerializer(read_only=True, allow_null=True, help_text="角色事件所涉工作人员")
    actor = StaffUserSerializer(read_only=True, allow_null=True, help_text="操作人；空为系统")
    before = serializers.JSONField(read_only=True)
    after = serializers.JSONField(read_only=True)

    class Meta:
        model = OrganisationEvent
        fields = [
            "id",
            "at",
            "kind",
            "kind_display",
            "subject_type",
            "subject_type_display",
            "subject_id",
            "subject_label",
            "user",
            "department",
            "hall",
            "before",
            "after",
            "note",
            "actor",
        ]
