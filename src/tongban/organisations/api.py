"""/api/v1/ departments, halls, regions (public) and staff (scoped by `.visible_to`)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions

from tongban.common.errors import choice_param, id_param

from . import selectors
from .choices import HallLevel, RegionLevel, StaffRole
from .permissions import IsStaffMember
from .serializers import DepartmentSerializer, HallSerializer, RegionSerializer, StaffAssignmentSerializer


@extend_schema_view(
    get=extend_schema(
        tags=["organisation"],
        summary="部门列表（公开）",
        parameters=[OpenApiParameter("region", OpenApiTypes.INT, description="区划 id")],
        auth=[],
    )
)
class DepartmentList(generics.ListAPIView):
    serializer_class = DepartmentSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return selectors.department_list(
            user=self.request.user, region_id=id_param(self.request.query_params, "region", "区划")
        )


@extend_schema_view(
    get=extend_schema(
        tags=["organisation"],
        summary="服务大厅及窗口（公开）",
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, enum=HallLevel.values, description="大厅层级")
        ],
        auth=[],
    )
)
class HallList(generics.ListAPIView):
    serializer_class = HallSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        level = choice_param(self.request.query_params, "level", HallLevel, "大厅层级")
        return selectors.hall_list(user=self.request.user, level=level)


@extend_schema_view(
    get=extend_schema(
        tags=["organisation"],
        summary="行政区划（公开）",
        parameters=[
            OpenApiParameter("parent", OpenApiTypes.INT, description="上级区划 id"),
            OpenApiParameter("level", OpenApiTypes.STR, enum=RegionLevel.values),
            OpenApiParameter("q", OpenApiTypes.STR, description="区划代码前缀或名称"),
        ],
        auth=[],
    )
)
class RegionList(generics.ListAPIView):
    serializer_class = RegionSerializer
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        level = choice_param(self.request.query_params, "level", RegionLevel, "区划层级")
        return selectors.region_list(
            user=self.request.user,
            parent_id=id_param(self.request.query_params, "parent", "上级区划"),
            level=level,
            q=(self.request.query_params.get("q") or "").strip()[:64],
        )


@extend_schema_view(
    get=extend_schema(
        tags=["organisation"],
        summary="工作人员及岗位（按权限范围）",
        description="管理员和监察人员看全部；部门人员看本部门；窗口人员看本大厅；申请人无权访问。",
        parameters=[
            OpenApiParameter("department", OpenApiTypes.INT),
            OpenApiParameter("hall", OpenApiTypes.INT),
            OpenApiParameter("role", OpenApiTypes.STR, enum=StaffRole.values),
        ],
    )
)
class StaffList(generics.ListAPIView):
    serializer_class = StaffAssignmentSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaffMember]

    def get_queryset(self):
        role = choice_param(self.request.query_params, "role", StaffRole, "岗位")
        return selectors.staff_assignment_list(
            user=self.request.user,
            department_id=id_param(self.request.query_params, "department", "部门"),
            hall_id=id_param(self.request.query_params, "hall", "大厅"),
            role=role,
        )
