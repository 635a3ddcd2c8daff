"""API of the working-day calendar: the reads are public, no sign-in needed (the calendar is public
data), except the horizon (how far the official calendar reaches), which is for staff; the import of a
year's official schedule is for administrators."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.api.serializers import ErrorSerializer
from tongban.common.errors import ValidationFailed
from tongban.organisations.permissions import IsStaffMember, is_administrator

from .calendar import add_working_days, touches_provisional
from .choices import DayKind, HorizonLevel
from .selectors import calendar_horizon, calendar_special_days, calendar_year_info
from .services import calendar_day_set, calendar_year_import


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
    provisional = serializers.BooleanField(
        help_text="true：官方安排尚未导入，按《全国年节及纪念日放假办法》推算（暂定，不含调休）"
    )
    source = serializers.CharField(help_text="数据来源")
    days = CalendarDaySerializer(many=True)


class AddQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="起始日（不计入），YYYY-MM-DD")
    n = serializers.IntegerField(min_value=0, max_value=10000, help_text="工作日数，从起始日的次日起算")


class AddResultSerializer(serializers.Serializer):
    start = serializers.DateField()
    n = serializers.IntegerField()
    result = serializers.DateField()
    provisional = serializers.BooleanField(help_text="true：计算用到了暂定年份的日期（暂定）")


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
        info = calendar_year_info(year=year)
        return Response(
            YearDaysSerializer(
                {"year": year, "provisional": info.provisional, "source": info.source, "days": days}
            ).data
        )


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
                value={"start": "2025-09-30", "n": 5, "result": "2025-10-14", "provisional": False},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        query = AddQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, n = query.validated_data["start"], query.validated_data["n"]
        result = add_working_days(start, n)
        return Response(
            AddResultSerializer(
                {"start": start, "n": n, "result": result, "provisional": touches_provisional(start, result)}
            ).data
        )


class HorizonSerializer(serializers.Serializer):
    today = serializers.DateField(help_text="计算所依据的日期（北京时间今天）")
    level = serializers.ChoiceField(
        choices=HorizonLevel.choices,
        help_text="ok（正常）、warning（提醒：官方日历将尽）或 urgent（紧急：新办件已有暂定期限）",
    )
    level_display = serializers.CharField(source="level_label")
    last_official = serializers.DateField(allow_null=True, help_text="已导入官方日历的最后一天")
    missing_year = serializers.IntegerField(help_text="尚未导入官方安排的第一个年度")
    working_days_left = serializers.IntegerField(help_text="从今天起（不含今天）到官方日历最后一天的工作日数")
    longest_limit = serializers.IntegerField(help_text="已发布事项的最长办理时限（工作日）")
    warning_threshold = serializers.IntegerField(help_text="剩余工作日少于此数即提醒")
    warning_from = serializers.DateField(help_text="自此日起提醒（最后一个官方年度的 10 月 1 日）")
    provisional_until = serializers.DateField(
        allow_null=True, help_text="按法定节假日推算的暂定日历的最后一天（日历不会用完）"
    )
    provisional_items = serializers.IntegerField(help_text="新办件的承诺期限已是暂定日期的已发布事项数")
    provisional_open = serializers.IntegerField(help_text="在办的暂定期限个数（办件、环节等）")


class HorizonApi(APIView):
    """How far the official calendar reaches and whether next year's must be imported now (staff only)."""

    permission_classes = [IsStaffMember]

    @extend_schema(
        operation_id="workdays_horizon",
        tags=["workdays"],
        summary="官方工作日历范围与导入提醒",
        description="已导入的官方工作日历还能覆盖多少个工作日、此后的暂定日期，以及提醒级别"
        "（规则见 docs/workdays-import.md）。仅限工作人员。",
        responses={200: HorizonSerializer, 401: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(HorizonSerializer(calendar_horizon(timezone.localdate())).data)


class IsCalendarAdministrator(BasePermission):
    """Administrators (the role that keeps the calendar) and superusers."""

    message = "只有系统管理员可以导入工作日历。"

    def has_permission(self, request, view) -> bool:
        return is_administrator(request.user)


class CalendarImportRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1950, max_value=2199, help_text="年份，例如 2027")
    file = serializers.FileField(
        help_text="CSV 或 Excel（.xlsx），列为 date,type,name（docs/workdays-import.md）"
    )
    replace = serializers.BooleanField(
        required=False, default=False, help_text="覆盖已导入的官方年度（暂定年度总是被替换）"
    )


class CalendarImportResultSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    provisional = serializers.BooleanField(help_text="导入后该年度是否仍为暂定（总是 false）")
    source = serializers.CharField()
    recomputed = serializers.DictField(
        help_text="各模块重新计算暂定期限的结果，如 cases：{checked, changed, notified}"
    )


class CalendarImportApi(APIView):
    """Import a year's official schedule (国务院办公厅放假安排); every open deadline computed on that
    year's provisional days is recomputed in the same transaction and logged, applicants told."""

    permission_classes = [IsCalendarAdministrator]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="workdays_import",
        tags=["workdays"],
        summary="导入年度官方节假日安排（管理员）",
        description="全部校验通过才写入；已存在的官方年度须 replace=true（否则 409），暂定年度总是替换。"
        "同一事务内重新计算所有按暂定日期计算的在办期限（办件、环节、暂停、监察预警），写入办件日志，"
        "期限变动的申请人收到通知。",
        request={"multipart/form-data": CalendarImportRequestSerializer},
        responses={
            201: CalendarImportResultSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        body = CalendarImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        year = calendar_year_import(
            year=body.validated_data["year"],
            file=upload.read(),
            replace=body.validated_data["replace"],
            actor=request.user,
            source=f"API 导入：{upload.name}"[:100],
        )
        return Response(
            CalendarImportResultSerializer(
                {
                    "year": year.year,
                    "provisional": year.provisional,
                    "source": year.source,
                    "recomputed": year.recomputed,
                }
            ).data,
            status=201,
        )


class IsCalendarDayEditor(IsCalendarAdministrator):
    message = "只有系统管理员可以修改工作日历。"


class CalendarDaySetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DayKind.choices,
        help_text="workday（工作日，仅周一至周五）、weekend（周末）、holiday（法定节假日）、"
        "makeup（调休上班，仅周六日）",
    )
    name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=50, help_text="节日名称，如 国庆节"
    )


class CalendarDaySetResultSerializer(CalendarDaySerializer):
    kind = serializers.CharField(help_text="workday、weekend、holiday 或 makeup")
    recomputed = serializers.DictField(
        help_text="各模块重新计算受影响期限的结果，如 cases：{checked, changed, steps_changed, notified}；"
        "类型未在工作日与休息日之间变化时为空"
    )


class WorkdayDayApi(APIView):
    """Change one date of an official year (e.g. a holiday announced late); every open deadline the
    change moves is recomputed in the same transaction and logged, applicants told."""

    permission_classes = [IsCalendarDayEditor]

    @extend_schema(
        operation_id="workdays_day_set",
        tags=["workdays"],
        summary="修改官方日历中的某一天（管理员）",
        description="暂定年度不能逐日修改（400，请导入全年安排）；未收录的年度 400。"
        "同一事务内重新计算受该日影响的在办期限（办件、环节、暂停、监察预警），写入办件日志，"
        "期限变动的申请人收到通知。",
        parameters=[
            OpenApiParameter("day", OpenApiTypes.DATE, OpenApiParameter.PATH, description="日期，YYYY-MM-DD")
        ],
        request=CalendarDaySetSerializer,
        responses={
            200: CalendarDaySetResultSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def put(self, request: Request, day: str) -> Response:
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            raise ValidationFailed(f"日期“{day}”无效，应为 YYYY-MM-DD。", field="day") from None
        body = CalendarDaySetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = calendar_day_set(
            day=date, kind=body.validated_data["kind"], name=body.validated_data["name"], actor=request.user
        )
        return Response(CalendarDaySetResultSerializer(row).data)
