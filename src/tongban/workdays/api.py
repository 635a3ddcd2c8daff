"""Read-only API of the working-day calendar: public, no sign-in needed (the calendar is public data)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.api.serializers import ErrorSerializer

from .calendar import add_working_days
from .selectors import calendar_special_days


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
