"""The catalogue editors' API (/api/v1/catalogue/versions/…): one item version as its editors see it,
its fields and its materials, written through catalogue.services like the admin's item form.

Materials are numbered by the services: a new one goes last (or where `position` puts it), a removed
one leaves no gap, and `materials/order/` puts them all in a new order. A published version is never
edited: a PATCH of it answers with the new draft version that carries the edits (its own id).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.common.errors import NotFound
from tongban.organisations.permissions import IsStaffMember

from . import selectors, services
from .choices import ItemStatus, MaterialForm, MaterialSource
from .models import MaterialRequirement, ServiceItem
from .serializers import ApiErrorSerializer, MaterialSerializer, ServiceItemDetailSerializer

TAG = "事项清单（编辑）"
ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}


class EditableMaterialSerializer(MaterialSerializer):
    class Meta(MaterialSerializer.Meta):
        fields = ["id", *MaterialSerializer.Meta.fields]
        read_only_fields = fields


class ItemVersionSerializer(ServiceItemDetailSerializer):
    status_display = serializers.CharField(source="get_status_display", label="状态（名称）")
    materials = serializers.SerializerMethodField(label="申请材料（按序号）")

    class Meta(ServiceItemDetailSerializer.Meta):
        fields = [
            "id",
            "status",
            "status_display",
            *(f for f in ServiceItemDetailSerializer.Meta.fields if f not in ("url", "materials")),
            "materials",
        ]
        read_only_fields = fields

    @extend_schema_field(EditableMaterialSerializer(many=True))
    def get_materials(self, item: ServiceItem) -> list[dict]:
        rows = selectors.item_materials(item)
        return EditableMaterialSerializer(rows, many=True, context=self.context).data


class ItemFieldsSerializer(serializers.Serializer):
    fields = serializers.DictField(
        label="要修改的要素",
        help_text='要素名 → 新值，如 {"name": "…", "promised_limit": 5}；department/region 为 ID。',
    )


class MaterialInputSerializer(serializers.Serializer):
    """A material's fields. `position` is optional: where to put it (the others move); never required."""

    name = serializers.CharField(label="材料名称", max_length=200)
    form = serializers.ChoiceField(label="材料形式", choices=MaterialForm.choices, required=False)
    original_copies = serializers.IntegerField(label="原件份数", min_value=0, required=False)
    copy_copies = serializers.IntegerField(label="复印件份数", min_value=0, required=False)
    required = serializers.BooleanField(label="是否必需", required=False)
    condition = serializers.CharField(label="适用情形", allow_blank=True, required=False)
    source = serializers.ChoiceField(label="来源渠道", choices=MaterialSource.choices, required=False)
    source_note = serializers.CharField(label="来源说明", allow_blank=True, required=False)
    notes = serializers.CharField(label="填报须知", allow_blank=True, required=False)
    position = serializers.IntegerField(label="放在第几项（可省略：放在最后）", min_value=1, required=False)


class MaterialOrderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(), label="材料 ID，按新的顺序", help_text="该版本的每项材料各一次"
    )


def _version(request: Request, item_id: int) -> ServiceItem:
    return selectors.item_get(pk=item_id, user=request.user)


def _material(item: ServiceItem, material_id: int) -> MaterialRequirement:
    material = selectors.item_material(item, material_id)
    if material is None:
        raise NotFound("申请材料不存在。", field="material_id")
    return material


def _answer(request: Request, item_id: int, code=status.HTTP_200_OK) -> Response:
    item = selectors.item_version_get(item_id)
    return Response(ItemVersionSerializer(item, context={"request": request}).data, status=code)


class VersionApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        tags=[TAG],
        summary="事项版本（含草稿）",
        description="编辑人员可见的一个事项版本：全部要素，材料按序号排列（含材料 ID）。",
        responses={200: ItemVersionSerializer, **ERRORS},
    )
    def get(self, request: Request, item_id: int) -> Response:
        return _answer(request, _version(request, item_id).pk)

    @extend_schema(
        tags=[TAG],
        summary="修改事项要素",
        description=(
            "草稿就地修改；已发布版本不会被修改，而是新建一个带这些修改的草稿版本（返回其 ID，状态 201）。"
            "出错时 `message` 写明字段和原因。"
        ),
        request=ItemFieldsSerializer,
        responses={200: ItemVersionSerializer, 201: ItemVersionSerializer, **ERRORS},
    )
    def patch(self, request: Request, item_id: int) -> Response:
        item = _version(request, item_id)
        data = ItemFieldsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.item_update(actor=request.user, item=item.pk, fields=data.validated_data["fields"])
        new = saved.pk != item.pk and item.status == ItemStatus.PUBLISHED
        return _answer(request, saved.pk, status.HTTP_201_CREATED if new else status.HTTP_200_OK)


class VersionMaterialsApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        tags=[TAG],
        summary="添加申请材料",
        description="材料自动编号：不给 `position` 时放在最后；给出时放在该项，其后的材料依次后移。",
        request=MaterialInputSerializer,
        responses={201: EditableMaterialSerializer, **ERRORS},
    )
    def post(self, request: Request, item_id: int) -> Response:
        item = _version(request, item_id)
        data = MaterialInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        material = services.material_add(actor=request.user, item=item.pk, fields=data.validated_data)
        return Response(EditableMaterialSerializer(material).data, status=status.HTTP_201_CREATED)


class VersionMaterialApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        tags=[TAG],
        summary="修改申请材料",
        description="只改给出的字段；给出 `position` 即把该材料移到该项，其余材料重新编号。",
        request=MaterialInputSerializer(partial=True),
        responses={200: EditableMaterialSerializer, **ERRORS},
    )
    def patch(self, request: Request, item_id: int, material_id: int) -> Response:
        material = _material(_version(request, item_id), material_id)
        data = MaterialInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        saved = services.material_update(actor=request.user, material=material.pk, fields=data.validated_data)
        return Response(EditableMaterialSerializer(saved).data)

    @extend_schema(
        tags=[TAG],
        summary="删除申请材料",
        description="其后的材料依次前移，序号不留空缺。",
        responses={204: None, **ERRORS},
    )
    def delete(self, request: Request, item_id: int, material_id: int) -> Response:
        material = _material(_version(request, item_id), material_id)
        services.material_remove(actor=request.user, material=material.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionMaterialOrderApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        tags=[TAG],
        summary="调整申请材料顺序",
        description="按给出的顺序把材料编为第 1…n 项，记入事项变更日志。须列出该版本的每项材料各一次。",
        request=MaterialOrderSerializer,
        responses={200: ItemVersionSerializer, **ERRORS},
    )
    def put(self, request: Request, item_id: int) -> Response:
        item = _version(request, item_id)
        data = MaterialOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.material_reorder(actor=request.user, item=item.pk, order=data.validated_data["order"])
        return _answer(request, item.pk)
