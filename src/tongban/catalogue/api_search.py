"""REST API of what the search is taught: synonyms and life events for catalogue administrators
(list, create, change, delete, import, export), and the life events for everyone (the guide's browse).

Writes go through catalogue.search_services, so the rules, the Chinese errors naming the field and the
change log are the admin's. A change may send the `updated_at` it read: if the row changed since, the
answer is 409 and nothing is written. The search uses every change at once (catalogue.search_index).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.common.errors import NotFound, ValidationFailed

from . import search_services as svc
from . import selectors
from .choices import LifeEvent
from .life_events import life_event_get, life_event_items, life_events
from .models import LifeEventIntent, SearchSynonym
from .search_io import KINDS, export_csv, export_xlsx, import_file
from .serializers import ApiErrorSerializer
from .services import can_manage_catalogue

TAG = "检索配置"
PUBLIC_TAG = "事项清单"
ERRORS = {
    400: ApiErrorSerializer,
    401: ApiErrorSerializer,
    403: ApiErrorSerializer,
    404: ApiErrorSerializer,
    409: ApiErrorSerializer,
}


class IsCatalogueManager(BasePermission):
    """Catalogue administrators (and superusers); others are refused outright."""

    message = "只有事项清单管理员可以维护同义词和人生事件。"

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and can_manage_catalogue(request.user))


class SynonymSerializer(serializers.ModelSerializer):
    class Meta:
        model = SearchSynonym
        fields = ["id", "phrase", "terms", "item_codes", "note", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class SynonymWriteSerializer(serializers.Serializer):
    """For the schema: the services check the values (and answer in Chinese, naming the field)."""

    phrase = serializers.CharField(label="说法", required=False)
    terms = serializers.ListField(child=serializers.CharField(), label="对应检索词", required=False)
    item_codes = serializers.ListField(child=serializers.CharField(), label="直达事项编码", required=False)
    note = serializers.CharField(label="备注", required=False, allow_blank=True)
    is_active = serializers.BooleanField(label="启用", required=False)
    updated_at = serializers.DateTimeField(
        label="读取时的更新时间", required=False, help_text="修改时可带上；条目已被他人修改则返回 409。"
    )


class LifeEventSerializer(serializers.ModelSerializer):
    theme_display = serializers.CharField(source="get_theme_display", label="主题分类（名称）")

    class Meta:
        model = LifeEventIntent
        fields = [
            "id",
            "code",
            "name",
            "description",
            "phrases",
            "theme",
            "theme_display",
            "item_codes",
            "sort_order",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LifeEventWriteSerializer(serializers.Serializer):
    code = serializers.CharField(label="编码", required=False)
    name = serializers.CharField(label="名称", required=False)
    description = serializers.CharField(label="说明", required=False, allow_blank=True)
    phrases = serializers.ListField(child=serializers.CharField(), label="常见说法", required=False)
    theme = serializers.ChoiceField(
        choices=[("", "无"), *LifeEvent.choices], label="主题分类", required=False
    )
    item_codes = serializers.ListField(
        child=serializers.CharField(), label="事项编码（按办理顺序）", required=False
    )
    sort_order = serializers.IntegerField(label="排序", required=False)
    is_active = serializers.BooleanField(label="启用", required=False)
    updated_at = serializers.DateTimeField(label="读取时的更新时间", required=False)


def _body(request: Request) -> tuple[dict, object]:
    """The request's fields for a service, and the `updated_at` the client read (or None)."""
    if not isinstance(request.data, dict):
        raise ValidationFailed("请求内容应为一个 JSON 对象。")
    fields = dict(request.data)
    seen = fields.pop("updated_at", None)
    expected = None
    if seen not in (None, ""):
        expected = parse_datetime(str(seen))
        if expected is None:
            raise ValidationFailed("updated_at：应为 ISO 8601 时间。", field="updated_at")
    return fields, expected


def _row(model, pk: int):
    row = selectors.search_row(model, pk)
    if row is None:
        raise NotFound(f"{model._meta.verbose_name}不存在。")
    return row


# --- synonyms --------------------------------------------------------------------------------------------


class SynonymListApi(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        tags=[TAG], summary="同义词与口语说法列表", responses={200: SynonymSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request) -> Response:
        return Response(SynonymSerializer(selectors.synonym_list(), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="新增同义词或口语说法",
        description="说法（phrase）→ 对应检索词（terms）和/或直达事项编码（item_codes），"
        "至少一项。立即生效。",
        request=SynonymWriteSerializer,
        responses={201: SynonymSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        fields, _seen = _body(request)
        synonym = svc.synonym_create(actor=request.user, fields=fields)
        return Response(SynonymSerializer(synonym).data, status=201)


class SynonymDetailApi(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(tags=[TAG], summary="同义词详情", responses={200: SynonymSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(SynonymSerializer(_row(SearchSynonym, pk)).data)

    @extend_schema(
        tags=[TAG],
        summary="修改同义词（只改给出的字段）",
        request=SynonymWriteSerializer,
        responses={200: SynonymSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        fields, seen = _body(request)
        synonym = svc.synonym_update(actor=request.user, synonym=pk, fields=fields, expected_updated_at=seen)
        return Response(SynonymSerializer(synonym).data)

    @extend_schema(tags=[TAG], summary="删除同义词", responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        svc.synonym_delete(actor=request.user, synonym=pk)
        return Response(status=204)


# --- life events (administration) -------------------------------------------------------------------------


class LifeEventAdminListApi(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        tags=[TAG],
        summary="人生事件列表（含停用的）",
        responses={200: LifeEventSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(LifeEventSerializer(selectors.life_event_admin_list(), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="新增人生事件",
        description="编码、名称必填；事项按办理顺序列出，主题分类下的事项也列入本事件。立即生效。",
        request=LifeEventWriteSerializer,
        responses={201: LifeEventSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        fields, _seen = _body(request)
        event = svc.life_event_create(actor=request.user, fields=fields)
        return Response(LifeEventSerializer(event).data, status=201)


class LifeEventAdminDetailApi(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(tags=[TAG], summary="人生事件详情", responses={200: LifeEventSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(LifeEventSerializer(_row(LifeEventIntent, pk)).data)

    @extend_schema(
        tags=[TAG],
        summary="修改人生事件（只改给出的字段）",
        request=LifeEventWriteSerializer,
        responses={200: LifeEventSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        fields, seen = _body(request)
        event = svc.life_event_update(actor=request.user, event=pk, fields=fields, expected_updated_at=seen)
        return Response(LifeEventSerializer(event).data)

    @extend_schema(tags=[TAG], summary="删除人生事件", responses={204: None, **ERRORS})
    def delete(self, request: Request, pk: int) -> Response:
        svc.life_event_delete(actor=request.user, event=pk)
        return Response(status=204)


# --- import / export -------------------------------------------------------------------------------------


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(label="文件", help_text=".xlsx（同义词、人生事件工作表）或 .csv（其中一种）")
    dry_run = serializers.BooleanField(label="只检查，不导入", required=False, default=False)


class ImportResultSerializer(serializers.Serializer):
    message = serializers.CharField(label="结果")
    dry_run = serializers.BooleanField()
    counts = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        label="按类型：created / updated / unchanged",
    )


class SearchImportApi(APIView):
    permission_classes = [IsCatalogueManager]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="导入同义词和人生事件（XLSX 或 CSV）",
        description="全部检查无误才写入，否则返回 400 和逐行错误清单（errors：sheet、row、field、message）。"
        "格式与导出文件相同，见 docs/search.md。",
        request={"multipart/form-data": ImportSerializer},
        responses={200: ImportResultSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = ImportSerializer(data=request.data)
        if not data.is_valid():
            raise ValidationFailed("请上传文件（file）。", field="file")
        upload = data.validated_data["file"]
        name = upload.name or ""
        if not name.lower().endswith((".xlsx", ".csv")):
            raise ValidationFailed("文件：只接受 .xlsx 或 .csv 文件。", field="file")
        dry_run = data.validated_data["dry_run"]
        result = import_file(upload.read(), name=name, actor=request.user, dry_run=dry_run)
        body = {"message": result.summary(), "dry_run": dry_run, "counts": result.counts}
        return Response(body)


class SearchExportApi(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        tags=[TAG],
        summary="导出同义词和人生事件",
        parameters=[
            OpenApiParameter("filetype", OpenApiTypes.STR, description="xlsx（默认，两个工作表）或 csv"),
            OpenApiParameter("kind", OpenApiTypes.STR, description="csv 时必填：synonyms 或 life_events"),
        ],
        responses={200: OpenApiResponse(description="文件"), **ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        fmt = request.query_params.get("filetype", "xlsx")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            response = HttpResponse(export_xlsx(), content_type=content_type)
            filename = f"search-{stamp}.xlsx"
        elif fmt == "csv":
            kind = request.query_params.get("kind", "")
            if kind not in KINDS:
                raise ValidationFailed(
                    "kind：应为 synonyms（同义词）或 life_events（人生事件）。", field="kind"
                )
            response = HttpResponse(export_csv(kind), content_type="text/csv; charset=utf-8")
            filename = f"{kind}-{stamp}.csv"
        else:
            raise ValidationFailed("filetype：应为 xlsx 或 csv。", field="filetype")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- life events (public) --------------------------------------------------------------------------------


class ItemBriefSerializer(serializers.Serializer):
    code = serializers.CharField(label="事项编码")
    name = serializers.CharField(label="事项名称")
    department = serializers.CharField(source="department.name", label="实施主体")


class PublicLifeEventSerializer(serializers.Serializer):
    code = serializers.CharField(label="编码")
    name = serializers.CharField(label="名称")
    description = serializers.CharField(label="说明")


class PublicLifeEventDetailSerializer(PublicLifeEventSerializer):
    items = ItemBriefSerializer(many=True, label="通常要办的事项（按办理顺序）")
    related = ItemBriefSerializer(many=True, label="其他相关事项")


class LifeEventListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[PUBLIC_TAG],
        summary="人生事件（公开）",
        description="办事指南“按人生事件”浏览的事件，按排序。事项列表可用 life_event=编码 筛选。",
        responses={200: PublicLifeEventSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(PublicLifeEventSerializer(life_events(), many=True).data)


class LifeEventDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[PUBLIC_TAG],
        summary="人生事件及其事项（公开）",
        responses={200: PublicLifeEventDetailSerializer, 404: ApiErrorSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        event = life_event_get(code=code)
        listed, related = life_event_items(event=event, user=request.user)
        data = {"code": event.code, "name": event.name, "description": event.description}
        return Response(PublicLifeEventDetailSerializer({**data, "items": listed, "related": related}).data)
