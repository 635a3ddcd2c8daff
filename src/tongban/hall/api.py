"""REST API of the hall: tickets and calling (clerks), board and slots (public), booking (applicants),
check-in (clerks), waiting figures (hall staff). Errors are {"code", "message", ("field")} (api.errors)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.common.errors import NotFound, ValidationFailed, date_param, id_param
from tongban.organisations.permissions import IsStaffMember

from . import selectors, services
from .choices import TicketSource
from .models import Appointment, Ticket


class HallErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(required=False)


class TicketSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="TicketStatus 的值")
    source = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    window_number = serializers.IntegerField(source="window.number", read_only=True, allow_null=True)
    case_numbers = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "hall",
            "category",
            "category_code",
            "service_date",
            "source",
            "is_priority",
            "status",
            "status_display",
            "window",
            "window_number",
            "target_window",
            "issued_at",
            "called_at",
            "last_called_at",
            "call_count",
            "started_at",
            "ended_at",
            "version",
            "case_numbers",
        ]
        read_only_fields = fields

    def get_case_numbers(self, obj) -> list[str]:
        return [link.case_number for link in obj.case_links.all()]


class TakeSerializer(serializers.Serializer):
    hall = serializers.IntegerField()
    category = serializers.IntegerField()


class PrioritySerializer(TakeSerializer):
    note = serializers.CharField(max_length=200)


class ActionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, allow_null=True)


class TransferSerializer(ActionSerializer):
    window = serializers.IntegerField(required=False, allow_null=True)
    category = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class LinkCaseSerializer(serializers.Serializer):
    case_number = serializers.CharField(max_length=32)


class AppointmentSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="booked/cancelled/checked_in/no_show")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, allow_null=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "hall",
            "category",
            "item",
            "item_name",
            "slot_date",
            "slot_start",
            "slot_end",
            "booking_code",
            "status",
            "status_display",
            "ticket_number",
            "created_at",
        ]
        read_only_fields = fields


class BookSerializer(serializers.Serializer):
    hall = serializers.IntegerField()
    item = serializers.IntegerField()
    slot_date = serializers.DateField()
    slot_start = serializers.TimeField()


class CheckInSerializer(serializers.Serializer):
    booking_code = serializers.CharField(required=False, allow_blank=True, max_length=8)
    id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=18,
        help_text="或：预约人的身份证号码或统一社会信用代码（号码本身有误时 400，field 为 id_number）",
    )


class SlotSerializer(serializers.Serializer):
    date = serializers.DateField()
    start = serializers.TimeField()
    end = serializers.TimeField()
    capacity = serializers.IntegerField()
    booked = serializers.IntegerField()
    available = serializers.IntegerField()


def _valid(serializer_class, request: Request) -> dict:
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return s.validated_data


TAG = ["hall"]


class TicketListCreateApi(generics.ListAPIView):
    """Tickets the user may see (hall staff: their halls), optionally of one hall and day; POST takes one."""

    serializer_class = TicketSerializer
    permission_classes = [IsStaffMember]

    @extend_schema(
        operation_id="hall_tickets",
        tags=TAG,
        summary="号票列表",
        parameters=[OpenApiParameter("hall", int), OpenApiParameter("date", dt.date)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        raw_date = self.request.query_params.get("date")
        try:
            on = dt.date.fromisoformat(raw_date) if raw_date else None
        except ValueError as exc:
            raise ValidationFailed("日期格式应为 YYYY-MM-DD。", field="date") from exc
        hall_id = id_param(self.request.query_params, "hall", "大厅")
        return selectors.ticket_list(user=self.request.user, hall_id=hall_id, on=on, with_case_links=True)

    @extend_schema(
        operation_id="hall_ticket_take",
        tags=TAG,
        summary="取号（工作人员代取为 staff，其他为现场取号）",
        request=TakeSerializer,
        responses={201: TicketSerializer, 400: HallErrorSerializer, 403: HallErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        data = _valid(TakeSerializer, request)
        from .permissions import is_hall_clerk

        source = TicketSource.STAFF if is_hall_clerk(request.user, data["hall"]) else TicketSource.WALK_IN
        ticket = services.ticket_take(
            hall_id=data["hall"], category_id=data["category"], source=source, actor=request.user
        )
        return Response(TicketSerializer(ticket).data, status=201)


class PriorityApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        operation_id="hall_ticket_priority",
        tags=TAG,
        summary="发特呼号（导办台预审后）",
        request=PrioritySerializer,
        responses={201: TicketSerializer, 400: HallErrorSerializer, 403: HallErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        data = _valid(PrioritySerializer, request)
        ticket = services.ticket_issue_priority(
            actor=request.user, hall_id=data["hall"], category_id=data["category"], note=data["note"]
        )
        return Response(TicketSerializer(ticket).data, status=201)


class CallNextApi(APIView):
    @extend_schema(
        operation_id="hall_call_next",
        tags=TAG,
        summary="叫号：本窗口的下一个号",
        request=None,
        responses={
            200: TicketSerializer,
            403: HallErrorSerializer,
            404: HallErrorSerializer,
            409: HallErrorSerializer,
        },
    )
    def post(self, request: Request, window_id: int) -> Response:
        ticket = services.ticket_call_next(actor=request.user, window_id=window_id)
        return Response(TicketSerializer(ticket).data)


SIMPLE_ACTIONS = {
    "recall": services.ticket_recall,
    "start": services.ticket_start,
    "finish": services.ticket_finish,
    "no-show": services.ticket_no_show,
    "leave": services.ticket_leave,
}


class TicketActionApi(APIView):
    @extend_schema(
        operation_id="hall_ticket_action",
        tags=TAG,
        summary="号票操作：recall 重呼、start 开始、finish 完成、no-show 未到、leave 离开",
        request=ActionSerializer,
        responses={200: TicketSerializer, 403: HallErrorSerializer, 409: HallErrorSerializer},
    )
    def post(self, request: Request, ticket_id: int, action: str) -> Response:
        service = SIMPLE_ACTIONS.get(action)
        if service is None:
            raise NotFound("未知的号票操作。")
        data = _valid(ActionSerializer, request)
        ticket = service(
            actor=request.user, ticket_id=ticket_id, expected_version=data.get("expected_version")
        )
        return Response(TicketSerializer(ticket).data)


class TransferApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        operation_id="hall_ticket_transfer",
        tags=TAG,
        summary="转移到其他窗口或类别（返回新的等候号票）",
        request=TransferSerializer,
        responses={200: TicketSerializer, 400: HallErrorSerializer, 409: HallErrorSerializer},
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        data = _valid(TransferSerializer, request)
        ticket = services.ticket_transfer(
            actor=request.user,
            ticket_id=ticket_id,
            window_id=data.get("window"),
            category_id=data.get("category"),
            note=data.get("note", ""),
            expected_version=data.get("expected_version"),
        )
        return Response(TicketSerializer(ticket).data)


class LinkCaseApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        operation_id="hall_ticket_link_case",
        tags=TAG,
        summary="关联办件并登记到场",
        request=LinkCaseSerializer,
        responses={200: TicketSerializer, 404: HallErrorSerializer, 409: HallErrorSerializer},
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        data = _valid(LinkCaseSerializer, request)
        link = services.ticket_link_case(
            actor=request.user, ticket_id=ticket_id, case_number=data["case_number"]
        )
        return Response(TicketSerializer(link.ticket).data)


class BoardApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(operation_id="hall_board", tags=TAG, summary="显示屏数据（公开）", responses={200: dict})
    def get(self, request: Request, hall_code: str) -> Response:
        return Response(selectors.board_data(hall=selectors.hall_by_code(hall_code)))


class SlotsApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="hall_slots",
        tags=TAG,
        summary="可预约时段（公开）",
        parameters=[
            OpenApiParameter("category", str, description="类别字头，如 B"),
            OpenApiParameter("date", dt.date),
        ],
        responses={200: SlotSerializer(many=True), 400: HallErrorSerializer, 404: HallErrorSerializer},
    )
    def get(self, request: Request, hall_code: str) -> Response:
        hall = selectors.hall_by_code(hall_code)
        category = selectors.queue_category_by_code(hall=hall, code=request.query_params.get("category", ""))
        if category is None:
            raise ValidationFailed("排队类别无效。", field="category")
        try:
            on = dt.date.fromisoformat(request.query_params.get("date", ""))
        except ValueError as exc:
            raise ValidationFailed("日期格式应为 YYYY-MM-DD。", field="date") from exc
        slots = selectors.hall_slots(hall=hall, category=category, on=on)
        return Response([{**asdict(s), "available": s.available} for s in slots])


class AppointmentListCreateApi(generics.ListAPIView):
    serializer_class = AppointmentSerializer

    @extend_schema(operation_id="hall_my_appointments", tags=TAG, summary="我的预约")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.my_appointments(user=self.request.user)

    @extend_schema(
        operation_id="hall_appointment_book",
        tags=TAG,
        summary="预约",
        request=BookSerializer,
        responses={
            201: AppointmentSerializer,
            400: HallErrorSerializer,
            403: HallErrorSerializer,
            409: HallErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        data = _valid(BookSerializer, request)
        appointment = services.appointment_book(
            actor=request.user,
            hall_id=data["hall"],
            item_id=data["item"],
            slot_date=data["slot_date"],
            slot_start=data["slot_start"],
        )
        return Response(AppointmentSerializer(appointment).data, status=201)


class AppointmentCancelApi(APIView):
    @extend_schema(
        operation_id="hall_appointment_cancel",
        tags=TAG,
        summary="取消预约",
        request=None,
        responses={200: AppointmentSerializer, 404: HallErrorSerializer, 409: HallErrorSerializer},
    )
    def post(self, request: Request, appointment_id: int) -> Response:
        appointment = services.appointment_cancel(actor=request.user, appointment_id=appointment_id)
        return Response(AppointmentSerializer(appointment).data)


class CheckInApi(APIView):
    @extend_schema(
        operation_id="hall_check_in",
        tags=TAG,
        summary="窗口为预约人签到（返回号票）",
        request=CheckInSerializer,
        responses={201: TicketSerializer, 403: HallErrorSerializer, 404: HallErrorSerializer},
    )
    def post(self, request: Request, hall_code: str) -> Response:
        data = _valid(CheckInSerializer, request)
        hall = selectors.hall_by_code(hall_code)
        ticket = services.appointment_check_in(
            hall_id=hall.pk,
            booking_code=data.get("booking_code", ""),
            id_number=data.get("id_number", ""),
            actor=request.user,
        )
        return Response(TicketSerializer(ticket).data, status=201)


class FiguresApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        operation_id="hall_figures",
        tags=TAG,
        summary="等候与办理时间统计（大厅工作人员、监察人员、管理员）",
        parameters=[
            OpenApiParameter("hall", int),
            OpenApiParameter("from", dt.date),
            OpenApiParameter("to", dt.date),
        ],
        responses={200: dict, 403: HallErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        data = selectors.hall_figures(
            user=request.user,
            date_from=date_param(params, "from", "开始日期", required=True),
            date_to=date_param(params, "to", "结束日期", required=True),
            hall_id=id_param(params, "hall", "大厅"),
        )

        def row(r) -> dict:
            return {
                k: getattr(r, k)
                for k in (
                    "key",
                    "label",
                    "tickets",
                    "visits",
                    "served",
                    "unserved",
                    "transferred",
                    "avg_wait",
                    "max_wait",
                    "avg_service",
                )
            }

        return Response(
            {
                "from": data.date_from,
                "to": data.date_to,
                "halls": data.hall_ids,
                "total": row(data.total),
                "by_category": [row(r) for r in data.by_category],
                "by_window": [row(r) for r in data.by_window],
                "by_hour": [row(r) for r in data.by_hour],
            }
        )
