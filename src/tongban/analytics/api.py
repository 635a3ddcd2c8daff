"""REST API of analytics (scoped like the pages): performance figures, anomalies, screen data.
Errors are {"code", "message", ("field")} through the project's exception handler."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.common.errors import NotAllowed

from . import permissions, screen, selectors
from .choices import AnomalyKind, Dimension
from .models import Anomaly
from .selectors import COLUMNS, PerformanceRow
from .views import period_from

RATES = [
    "on_time_rate",
    "early_rate",
    "avg_used_days",
    "avg_promised_days",
    "online_rate",
    "avg_visits",
    "one_visit_rate",
    "correction_rate",
    "directive_response_rate",
]


class PerformanceRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    refused = serializers.IntegerField()
    concluded = serializers.IntegerField()
    extensions = serializers.IntegerField()
    pauses = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    early_rate = serializers.FloatField(allow_null=True)
    avg_used_days = serializers.FloatField(allow_null=True)
    avg_promised_days = serializers.FloatField(allow_null=True)
    online_rate = serializers.FloatField(allow_null=True)
    avg_visits = serializers.FloatField(allow_null=True)
    one_visit_rate = serializers.FloatField(allow_null=True)
    correction_rate = serializers.FloatField(allow_null=True)
    directive_response_rate = serializers.FloatField(allow_null=True)


class PerformanceSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    rows = PerformanceRowSerializer(many=True)
    total = PerformanceRowSerializer()
    notes = serializers.ListField(child=serializers.CharField())


def _row(row: PerformanceRow) -> dict:
    data = {k: v for k, v in asdict(row).items() if k in PerformanceRowSerializer().fields}
    data["key"] = None if row.key is None else str(row.key)
    for name in RATES:
        data[name] = getattr(row, name)
    return data


def _require(user) -> None:
    if not permissions.can_view_performance(user):
        raise PermissionDenied("只有监察人员、管理员、部门审批人员和窗口人员可以查看绩效。")


class PerformanceApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "dimension", str, enum=Dimension.values, description="统计维度，默认 department"
            ),
            OpenApiParameter("month", str, description="月份 YYYY-MM"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="开始日期（与 to 同用）"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="结束日期"),
            OpenApiParameter(
                "sort",
                str,
                description=f"排序字段（前加 - 为降序）：label, {', '.join(c for c, _ in COLUMNS)}",
            ),
        ],
        responses=PerformanceSerializer,
    )
    def get(self, request: Request) -> Response:
        _require(request.user)
        date_from, date_to = period_from(request.query_params, _today())
        perf = selectors.performance_by(
            user=request.user,
            dimension=request.query_params.get("dimension") or Dimension.DEPARTMENT,
            date_from=date_from,
            date_to=date_to,
            sort=request.query_params.get("sort", ""),
        )
        return Response(
            {
                "dimension": perf.dimension,
                "date_from": perf.date_from,
                "date_to": perf.date_to,
                "rows": [_row(r) for r in perf.rows],
                "total": _row(perf.total),
                "notes": perf.notes,
            }
        )


def _today():
    from django.utils import timezone

    return timezone.localdate()


class AnomalySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Anomaly
        fields = [
            "id",
            "kind",
            "kind_display",
            "case",
            "case_number",
            "department",
            "department_name",
            "evidence",
            "detected_at",
        ]


class AnomalyListApi(generics.ListAPIView):
    serializer_class = AnomalySerializer

    @extend_schema(parameters=[OpenApiParameter("kind", str, enum=AnomalyKind.values)])
    def get(self, request, *args, **kwargs):
        _require(request.user)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.anomalies_list(
            user=self.request.user, kind=self.request.query_params.get("kind", "")
        )


class ScreenApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, description="监察大屏数据（监察人员、管理员）")
    def get(self, request: Request) -> Response:
        try:
            return Response(screen.screen_data(user=request.user))
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
