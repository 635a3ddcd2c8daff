"""/api/v1/ departments, halls, regions (public) and staff (scoped by `.visible_to`); the administrators'
writes of all of them, windows and role grants included, each through ONE service; the organisation log."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.api.serializers import ErrorSerializer
from tongban.common.errors import choice_param, id_param

from . import selectors, services
from .choices import HallLevel, OrganisationSubject, RegionLevel, StaffRole
from .permissions import IsOrganisationAdmin, IsStaffMember
from .serializers import (
    DepartmentDetailSerializer,
    DepartmentSerializer,
    DepartmentWriteSerializer,
    HallDetailSerializer,
    HallSerializer,
    HallWriteSerializer,
    OrganisationEventSerializer,
    RegionSerializer,
    RegionWriteSerializer,
    StaffAssignmentSerializer,
    StaffRoleWriteSerializer,
    WindowDetailSerializer,
    WindowWriteSerializer,
)

ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}
ADMIN_ONLY = [permissions.IsAuthenticated, IsOrganisationAdmin]
RELATED = ("region", "parent", "hall", "department", "user", "window")


def _kwargs(serializer_class, data) -> dict:
    """Checked input as a service takes it: related rows by id ("region" → region_id)."""
    s = serializer_class(data=data, partial=True)  # what is missing is the service's to refuse or default
    s.is_valid(raise_exception=True)
    return {f"{k}_id" if k in RELATED else k: v for k, v in s.validated_data.items()}


# Reads keep their permissions; writes are for administrators (the services check again). No docstrings
# on these mixins: the schema would show them as the description of every list they are mixed into.
class AdminWritesMixin:
    def get_permissions(self):
        if self.request.method in permissions.SAFE_METHODS:
            return super().get_permissions()
        return [p() for p in ADMIN_ONLY]


# POST: create through `create` (a service) with `defaults` for what the client left out.
class CreateMixin(AdminWritesMixin):
    write_serializer: type
    output_serializer: type
    create = staticmethod(lambda **kwargs: None)
    defaults: dict = {}

    def post(self, request: Request) -> Response:
        obj = self.create(
            actor=request.user, **{**self.defaults, **_kwargs(self.write_serializer, request.data)}
        )
        return Response(self.output_serializer(obj).data, status=status.HTTP_201_CREATED)


class DetailApi(APIView):
    """PATCH changes the given fields, DELETE removes a row nothing refers to (409 otherwise: deactivate
    with PATCH {"is_active": false} instead). Administrators only."""

    permission_classes = ADMIN_ONLY
    write_serializer: type
    output_serializer: type
    update = staticmethod(lambda **kwargs: None)
    remove = staticmethod(lambda **kwargs: None)
    id_kw = ""

    def patch(self, request: Request, pk: int) -> Response:
        obj = self.update(
            actor=request.user, **{self.id_kw: pk}, **_kwargs(self.write_serializer, request.data)
        )
        return Response(self.output_serializer(obj).data)

    def delete(self, request: Request, pk: int) -> Response:
        self.remove(actor=request.user, **{self.id_kw: pk})
        return Response(status=status.HTTP_204_NO_CONTENT)


def _created(write, output, summary: str):
    return extend_schema(
        tags=["organisation"], summary=summary, request=write, responses={201: output, **ERRORS}
    )


def _detail(write, output, *, changed: str, removed: str):
    """The schema of an item's writes: PATCH and DELETE."""
    return extend_schema_view(
        patch=extend_schema(
            tags=["organisation"], summary=changed, request=write, responses={200: output, **ERRORS}
        ),
        delete=extend_schema(tags=["organisation"], summary=removed, responses={204: None, **ERRORS}),
    )


@extend_schema_view(
    get=extend_schema(
        tags=["organisation"],
        summary="部门列表（公开）",
        parameters=[OpenApiParameter("region", OpenApiTypes.INT, description="区划 id")],
        auth=[],
    ),
    post=_created(DepartmentWriteSerializer, DepartmentDetailSerializer, "新建部门（管理员）"),
)
class DepartmentList(CreateMixin, generics.ListAPIView):
    serializer_class = DepartmentSerializer
    permission_classes = [permissions.AllowAny]
    write_serializer, output_serializer = DepartmentWriteSerializer, DepartmentDetailSerializer
    create = staticmethod(services.department_create)
    defaults = {"name": "", "short_name": "", "credit_code": "", "region_id": None}

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
    ),
    post=_created(HallWriteSerializer, HallDetailSerializer, "新建服务大厅（管理员）"),
)
class HallList(CreateMixin, generics.ListAPIView):
    serializer_class = HallSerializer
    permission_classes = [permissions.AllowAny]
    write_serializer, output_serializer = HallWriteSerializer, HallDetailSerializer
    create = staticmethod(services.hall_create)
    defaults = {"name": "", "code": "", "level": "", "region_id": None}

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
    ),
    post=_created(RegionWriteSerializer, RegionSerializer, "新建行政区划（管理员）"),
)
class RegionList(CreateMixin, generics.ListAPIView):
    serializer_class = RegionSerializer
    permission_classes = [permissions.AllowAny]
    write_serializer, output_serializer = RegionWriteSerializer, RegionSerializer
    create = staticmethod(services.region_create)
    defaults = {"code": "", "name": "", "level": ""}

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
    ),
    post=_created(StaffRoleWriteSerializer, StaffAssignmentSerializer, "授予工作人员角色（管理员）"),
)
class StaffList(CreateMixin, generics.ListAPIView):
    serializer_class = StaffAssignmentSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaffMember]
    write_serializer, output_serializer = StaffRoleWriteSerializer, StaffAssignmentSerializer
    create = staticmethod(services.staff_role_grant)
    defaults = {"user_id": None, "role": ""}

    def get_queryset(self):
        role = choice_param(self.request.query_params, "role", StaffRole, "岗位")
        return selectors.staff_assignment_list(
            user=self.request.user,
            department_id=id_param(self.request.query_params, "department", "部门"),
            hall_id=id_param(self.request.query_params, "hall", "大厅"),
            role=role,
        )


@_detail(DepartmentWriteSerializer, DepartmentDetailSerializer, changed="修改或停用部门", removed="删除部门")
class DepartmentDetail(DetailApi):
    write_serializer, output_serializer = DepartmentWriteSerializer, DepartmentDetailSerializer
    update, remove = staticmethod(services.department_update), staticmethod(services.department_delete)
    id_kw = "department_id"


@_detail(HallWriteSerializer, HallDetailSerializer, changed="修改或停用服务大厅", removed="删除服务大厅")
class HallDetail(DetailApi):
    write_serializer, output_serializer = HallWriteSerializer, HallDetailSerializer
    update, remove = staticmethod(services.hall_update), staticmethod(services.hall_delete)
    id_kw = "hall_id"


@extend_schema_view(post=_created(WindowWriteSerializer, WindowDetailSerializer, "新建窗口（管理员）"))
class WindowCreate(CreateMixin, APIView):
    permission_classes = ADMIN_ONLY
    write_serializer, output_serializer = WindowWriteSerializer, WindowDetailSerializer
    create = staticmethod(services.window_create)
    defaults = {"hall_id": None, "number": None, "name": "", "kind": ""}


@_detail(WindowWriteSerializer, WindowDetailSerializer, changed="修改或停用窗口", removed="删除窗口")
class WindowDetail(DetailApi):
    write_serializer, output_serializer = WindowWriteSerializer, WindowDetailSerializer
    update, remove = staticmethod(services.window_update), staticmethod(services.window_delete)
    id_kw = "window_id"


@_detail(RegionWriteSerializer, RegionSerializer, changed="修改行政区划", removed="删除行政区划")
class RegionDetail(DetailApi):
    write_serializer, output_serializer = RegionWriteSerializer, RegionSerializer
    update, remove = staticmethod(services.region_update), staticmethod(services.region_delete)
    id_kw = "region_id"


@_detail(
    StaffRoleWriteSerializer,
    StaffAssignmentSerializer,
    changed="变更工作人员角色",
    removed="撤销工作人员角色",
)
class StaffRoleDetail(DetailApi):
    write_serializer, output_serializer = StaffRoleWriteSerializer, StaffAssignmentSerializer
    update, remove = staticmethod(services.staff_role_update), staticmethod(services.staff_role_revoke)
    id_kw = "assignment_id"


@extend_schema_view(
    get=extend_schema(
        tags=["organisation"],
        summary="组织机构日志（管理员）",
        description="部门、大厅、窗口、区划的新建、修改、停用、删除，以及工作人员角色的授予、变更、撤销：谁、何时、改了什么。",
        parameters=[
            OpenApiParameter("subject_type", OpenApiTypes.STR, enum=OrganisationSubject.values),
            OpenApiParameter("subject_id", OpenApiTypes.INT, description="对象 id"),
            OpenApiParameter("user", OpenApiTypes.INT, description="角色事件所涉工作人员 id"),
            OpenApiParameter("department", OpenApiTypes.INT),
            OpenApiParameter("hall", OpenApiTypes.INT),
        ],
    )
)
class OrganisationEventList(generics.ListAPIView):
    serializer_class = OrganisationEventSerializer
    permission_classes = ADMIN_ONLY

    def get_queryset(self):
        params = self.request.query_params
        return selectors.organisation_event_list(
            user=self.request.user,
            subject_type=choice_param(params, "subject_type", OrganisationSubject, "对象类型"),
            subject_id=id_param(params, "subject_id", "对象"),
            user_id=id_param(params, "user", "工作人员"),
            department_id=id_param(params, "department", "部门"),
            hall_id=id_param(params, "hall", "大厅"),
        )
