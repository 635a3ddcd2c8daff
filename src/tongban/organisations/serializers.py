from __future__ import annotations

from rest_framework import serializers

from .models import Department, Region, ServiceHall, StaffAssignment, Window


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
