"""Public, read-only catalogue API (no login, like the guide): the item list with the guide's search and
filters, and one item's published version with its materials. Drafts and retired versions never show."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from tongban.api.pagination import Pagination
from tongban.common.errors import ValidationFailed, choice_param, id_param

from . import selectors
from .capabilities import capabilities_for
from .choices import ApplicantKind, ItemCategory, ItemType
from .life_events import life_event_choices, life_event_find
from .serializers import ApiErrorSerializer, ServiceItemDetailSerializer, ServiceItemListSerializer

TAG = "事项清单"


class CataloguePagination(Pagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _choices_text(choices) -> str:
    return "；".join(f"{v}={label}" for v, label in choices.choices)


def _life_event_param(params):
    """The active life event named by `life_event`, None when absent; a Chinese 400 when unknown."""
    code = (params.get("life_event") or "").strip()
    if not code:
        return None
    event = life_event_find(code)
    if event is None:
        allowed = "、".join(f"{c}（{n}）" for c, n in life_event_choices())
        raise ValidationFailed(f"人生事件：未知的编码“{code}”，允许：{allowed}。", field="life_event")
    return event


@extend_schema(
    tags=[TAG],
    summary="事项列表（公开）",
    description=(
        "已发布的政务服务事项，分页。`search`（或 `q`）使用与办事指南相同的检索：群众的说法（开饭店、"
        "身份证丢了、我想开一家奶茶店需要办什么证）、同义词、人生事件、同音错字（营业只照）、全拼和拼音首字母"
        "（yingyezhizhao、yyzz）、事项编码，按匹配程度排序；不带检索词时按事项编码排序。其余参数为筛选条件，可组合。"
    ),
    parameters=[
        OpenApiParameter("search", OpenApiTypes.STR, description="检索词（与办事指南的检索相同）"),
        OpenApiParameter("q", OpenApiTypes.STR, description="同 search"),
        OpenApiParameter(
            "category", OpenApiTypes.STR, description=f"事项分类：{_choices_text(ItemCategory)}"
        ),
        OpenApiParameter("department", OpenApiTypes.INT, description="实施主体（部门 ID）"),
        OpenApiParameter(
            "applicant_kind", OpenApiTypes.STR, description=f"服务对象：{_choices_text(ApplicantKind)}"
        ),
        OpenApiParameter(
            "life_event",
            OpenApiTypes.STR,
            description="人生事件编码（见 /api/v1/life-events/）：该事件所列事项及其主题分类下的事项",
        ),
        OpenApiParameter("item_type", OpenApiTypes.STR, description=f"事项类型：{_choices_text(ItemType)}"),
        OpenApiParameter("page_size", OpenApiTypes.INT, description="每页条数（最多 100，默认 20）"),
    ],
    responses={200: ServiceItemListSerializer(many=True), 400: ApiErrorSerializer},
)
class ItemListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ServiceItemListSerializer
    pagination_class = CataloguePagination

    def get_queryset(self):
        params = self.request.query_params
        return selectors.published_items(
            user=self.request.user,
            category=choice_param(params, "category", ItemCategory, "事项分类"),
            department_id=id_param(params, "department", "实施主体"),
            applicant_kind=choice_param(params, "applicant_kind", ApplicantKind, "服务对象"),
            life_event=_life_event_param(params),
            item_type=choice_param(params, "item_type", ItemType, "事项类型"),
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.get_queryset()
        query = (request.query_params.get("search") or request.query_params.get("q") or "").strip()
        if query:
            from .search import search_items  # the guide's search, owned by catalogue.search

            items = search_items(query, queryset=queryset)
        else:
            items = queryset
        page = self.paginate_queryset(items)
        context = {**self.get_serializer_context(), "capabilities": capabilities_for(page)}
        data = self.get_serializer_class()(page, many=True, context=context).data
        return self.get_paginated_response(data)


@extend_schema(
    tags=[TAG],
    summary="事项详情（公开）",
    description="按事项编码取当前发布版本的全部要素和申请材料。草稿、已废止或不存在的编码返回 404。",
    responses={200: ServiceItemDetailSerializer, 404: ApiErrorSerializer},
)
class ItemDetailView(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = ServiceItemDetailSerializer
    lookup_field = "code"

    def get_object(self):
        return selectors.item_get_published(code=self.kwargs["code"], user=self.request.user)
