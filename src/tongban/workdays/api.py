"""Read-only API of the working-day calendar: public, no sign-in needed (the calendar is public data),
except the horizon (how far the imported calendar reaches), which is for staff."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.api.serializers import ErrorSerializer
from tongban.organisations.permissions import IsStaffMember

from .calendar import add_working_days
from .choices import HorizonLevel
from .selectors import calendar_horizon, calendar_special_days


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1950, max_value=2199, help_text="年份，例如 2025")


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField(help_text="holiday（法定节假日）或 makeup（调休上班）")
    kind_display = serializers.CharField(source="get_kind_display")
    is_workday = serializers.BooleanField()
    name = serializers.CharField(source="holiday_name", allow_blank=True)


class YearDaysSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    days = CalendarDaySerializer(many=True)


class AddQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="起始日（不计入），YYYY-MM-DD")
    n = serializers.IntegerField(min_value=0, max_value=10000, help_text="工作日数，从起始日的次日起算")


class AddResultSerializer(serializers.Serializer):
    start = serializers.DateField()
    n = serializers.IntegerField()
    result = serializers.DateField()


class WorkdayListApi(APIView):
    """The non-standard days of a year: holiday rest days and make-up working days (调休)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="workdays_list",
        tags=["workdays"],
        summary="某年的节假日和调休上班日",
        parameters=[YearQuerySerializer],
        responses={200: YearDaysSerializer, 400: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        query = YearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data["year"]
        days = calendar_special_days(year=year)
        return Response(YearDaysSerializer({"year": year, "days": days}).data)


class WorkdayAddApi(APIView):
    """The n-th working day after `start`, counted from the day after as the law counts."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="workdays_add",
        tags=["workdays"],
        summary="计算 n 个工作日后的日期",
        parameters=[AddQuerySerializer],
        responses={200: AddResultSerializer, 400: ErrorSerializer},
        examples=[
            OpenApiExample(
                "国庆 2025",
                value={"start": "2025-09-30", "n": 5, "result": "2025-10-14"},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        query = AddQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, n = query.validated_data["start"], query.validated_data["n"]
        result = add_working_days(start, n)
        return Response(AddResultSerializer({"start": start, "n": n, "result": result}).data)


class HorizonSerializer(serializers.Serializer):
    today = serializers.DateField(help_text="计算所依据的日期（北京时间今天）")
    level = serializers.ChoiceField(
        choices=HorizonLevel.choices, help_text="ok（正常）、warning（提醒）或 urgent（紧急）"
    )
    level_display = serializers.CharField(source="level_label")
    last_covered = serializers.DateField(allow_null=True, help_text="已导入日历的最后一天")
    missing_year = serializers.IntegerField(help_text="尚未导入的下一年度")
    working_days_left = serializers.IntegerField(help_text="从今天起（不含今天）到日历最后一天的工作日数")
    longest_limit = serializers.IntegerField(help_text="已发布事项的最长办理时限（工作日）")
    warning_threshold = serializers.IntegerField(help_text="剩余工作日少于此数即提醒")
    warning_from = serializers.DateField(help_text="自此日起提醒（最后一个已导入年度的 10 月 1 日）")
    blocked_items = serializers.IntegerField(help_text="承诺时限已超过剩余工作日、无法受理的已发布事项数")


class HorizonApi(APIView):
    """How far the imported calendar reaches and whether next year's must be imported now (staff only)."""

    permission_classes = [IsStaffMember]

    @extend_schema(
        operation_id="workdays_horizon",
        tags=["workdays"],
        summary="工作日历剩余范围与导入提醒",
        description="已导入的工作日历还能覆盖多少个工作日，以及提醒级别"
        "（规则见 docs/workdays-import.md）。仅限工作人员。",
        responses={200: HorizonSerializer, 401: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(HorizonSerializer(calendar_horizon(timezone.localdate())).data)
