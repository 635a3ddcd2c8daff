"""API: the signed-in user's in-app messages and the staff-visible delivery log (scoped like the pages)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.common.errors import ValidationFailed

from . import selectors, services
from .forms import LogFilterForm
from .models import Message, MessageEvent


class NotificationErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = serializers.JSONField(required=False)


class InboxMessageSerializer(serializers.ModelSerializer):
    unread = serializers.BooleanField(source="is_unread", read_only=True)

    class Meta:
        model = Message
        fields = ["id", "template", "subject", "body", "ref", "created_at", "read_at", "unread"]
        read_only_fields = fields


class MessageEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = MessageEvent
        fields = ["kind", "kind_display", "attempt", "detail", "actor", "at"]
        read_only_fields = fields


class LogMessageSerializer(serializers.ModelSerializer):
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "channel_display",
            "recipient",
            "address",
            "template",
            "subject",
            "body",
            "ref",
            "status",
            "status_display",
            "attempts",
            "last_error",
            "idempotency_key",
            "created_at",
            "last_attempt_at",
            "next_attempt_at",
            "sent_at",
            "read_at",
        ]
        read_only_fields = fields


class LogMessageDetailSerializer(LogMessageSerializer):
    events = MessageEventSerializer(many=True, read_only=True)

    class Meta(LogMessageSerializer.Meta):
        fields = [*LogMessageSerializer.Meta.fields, "events"]
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


class InboxListApi(generics.ListAPIView):
    """The signed-in user's own in-app messages, newest first."""

    serializer_class = InboxMessageSerializer

    @extend_schema(
        operation_id="notifications_inbox",
        tags=["notifications"],
        summary="我的站内消息",
        parameters=[OpenApiParameter("unread", bool, description="只返回未读消息")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        unread = self.request.query_params.get("unread", "").lower() in {"1", "true"}
        return selectors.inbox_list(user=self.request.user, unread_only=unread)


class InboxReadApi(APIView):
    @extend_schema(
        operation_id="notifications_read",
        tags=["notifications"],
        summary="将一条站内消息标为已读",
        request=None,
        responses={200: InboxMessageSerializer, 404: NotificationErrorSerializer},
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = services.message_mark_read(message_id=message_id, user=request.user)
        return Response(InboxMessageSerializer(message).data)


class InboxReadAllApi(APIView):
    @extend_schema(
        operation_id="notifications_read_all",
        tags=["notifications"],
        summary="将全部站内消息标为已读",
        request=None,
        responses={200: ReadAllSerializer},
    )
    def post(self, request: Request) -> Response:
        return Response({"updated": services.messages_mark_all_read(user=request.user)})


class LogListApi(generics.ListAPIView):
    """The delivery log: administrators and supervisors see all, other staff the messages sent to them."""

    serializer_class = LogMessageSerializer

    @extend_schema(
        operation_id="notification_log_list",
        tags=["notifications"],
        summary="消息发送日志",
        parameters=[
            OpenApiParameter("status", str, description="queued / sending / sent / failed / gave_up"),
            OpenApiParameter("channel", str, description="sms / email / in_app"),
            OpenApiParameter("template", str, description="消息模板，如 case.accepted"),
            OpenApiParameter("ref", str, description="关联对象，如 case:123"),
        ],
        responses={
            200: LogMessageSerializer(many=True),
            400: NotificationErrorSerializer,
            403: NotificationErrorSerializer,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        form = LogFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationFailed(
                "筛选条件有误，请按提示修改。", errors={k: list(v) for k, v in form.errors.items()}
            )
        filters = {k: v for k, v in form.cleaned_data.items() if v}
        return selectors.log_list(user=self.request.user, **filters)


class LogDetailApi(APIView):
    @extend_schema(
        operation_id="notification_log_detail",
        tags=["notifications"],
        summary="消息详情及发送记录",
        responses={
            200: LogMessageDetailSerializer,
            403: NotificationErrorSerializer,
            404: NotificationErrorSerializer,
        },
    )
    def get(self, request: Request, message_id: int) -> Response:
        message = selectors.log_message(user=request.user, message_id=message_id)
        return Response(LogMessageDetailSerializer(message).data)


class LogResendApi(APIView):
    @extend_schema(
        operation_id="notification_log_resend",
        tags=["notifications"],
        summary="重新发送一条消息（管理员）",
        request=None,
        responses={
            200: LogMessageSerializer,
            403: NotificationErrorSerializer,
            404: NotificationErrorSerializer,
            409: NotificationErrorSerializer,
        },
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = services.message_resend(message_id=message_id, actor=request.user)
        return Response(LogMessageSerializer(message).data)
