"""REST API of 好差评: submit (by token or as the logged-in person), my unrated services, follow-ups and
their actions, figures. Errors are {"code", "message", ("field")} (api.errors)."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.common.errors import NotAllowed, NotFound, ValidationFailed

from . import permissions, selectors, services
from .actions import FOLLOWUP_ACTIONS, followup_act
from .choices import CallbackResult, ClaimKind, FigureDimension, RatingChannel, RatingTag, Score
from .models import FollowUp, RatableService, Rating


class RatingErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(required=False)


class RatableServiceSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = RatableService
        fields = ["id", "kind", "kind_display", "reference", "title", "served_at", "rate_by", "rated"]


class RatingSerializer(serializers.ModelSerializer):
    score_display = serializers.CharField(source="get_score_display", read_only=True)
    followup = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = [
            "id",
            "service",
            "score",
            "score_display",
            "tags",
            "comment",
            "channel",
            "is_default",
            "rated_at",
            "followup",
        ]

    def get_followup(self, obj) -> int | None:
        fu = getattr(obj, "followup", None) if hasattr(obj, "followup") else None
        return fu.pk if fu else None


class RatingSubmitSerializer(serializers.Serializer):
    token = serializers.CharField(required=False, help_text="评价链接中的一次性令牌（匿名评价）。")
    service = serializers.IntegerField(required=False, help_text="已登录申请人评价自己的服务时的服务 ID。")
    score = serializers.ChoiceField(choices=Score.choices)
    tags = serializers.ListField(child=serializers.ChoiceField(choices=RatingTag.choices), required=False)
    comment = serializers.CharField(required=False, allow_blank=True)
    channel = serializers.ChoiceField(
        choices=[(c, label) for c, label in RatingChannel.choices if c != RatingChannel.SYSTEM],
        required=False,
        default=RatingChannel.WEB,
    )


class SubmitApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=RatingSubmitSerializer,
        responses={
            201: RatingSerializer,
            400: RatingErrorSerializer,
            404: RatingErrorSerializer,
            409: RatingErrorSerializer,
        },
        summary="提交评价（每项服务一次）",
    )
    def post(self, request: Request) -> Response:
        s = RatingSubmitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        rating = services.rating_submit(
            token=d.get("token"),
            service_id=d.get("service"),
            actor=request.user,
            score=d["score"],
            tags=d.get("tags", []),
            comment=d.get("comment", ""),
            channel=d["channel"],
        )
        return Response(RatingSerializer(rating).data, status=201)


class MyUnratedApi(generics.ListAPIView):
    serializer_class = RatableServiceSerializer

    @extend_schema(summary="我的待评价服务")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.my_unrated_services(self.request.user)


class StageRecordSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="verify 核实 / rectify 整改 / callback 回访")
    label = serializers.CharField()
    note = serializers.CharField(help_text="核实情况、整改措施或回访记录。")
    by = serializers.IntegerField(source="by.pk", allow_null=True, default=None, help_text="办理人 ID")
    by_name = serializers.CharField(source="by", allow_null=True, default=None, help_text="办理人")
    at = serializers.DateTimeField(allow_null=True, help_text="办理时间")
    due = serializers.DateField(allow_null=True, help_text="该环节期限")


class SamePersonSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    stages = serializers.ListField(child=serializers.CharField())


class RatingFollowUpSerializer(serializers.ModelSerializer):
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    stages = serializers.SerializerMethodField(help_text="核实、整改、回访：内容、办理人、时间、期限。")
    same_person = serializers.SerializerMethodField(
        help_text="同一人办理了多个环节时列出（人员与环节），否则为空。"
    )
    callback_result_display = serializers.CharField(source="get_callback_result_display", read_only=True)
    service = RatableServiceSerializer(read_only=True)
    score = serializers.IntegerField(source="rating.score", read_only=True)
    comment = serializers.CharField(source="rating.comment", read_only=True)
    remaining_working_days = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "reference",
            "service",
            "score",
            "comment",
            "department",
            "hall",
            "stage",
            "stage_display",
            "stage_due",
            "remaining_working_days",
            "overdue",
            "verify_due",
            "rectify_due",
            "callback_due",
            "verified_at",
            "verify_note",
            "verified_by",
            "rectified_at",
            "rectify_note",
            "rectified_by",
            "called_back_at",
            "callback_note",
            "called_back_by",
            "callback_result",
            "callback_result_display",
            "stages",
            "same_person",
            "claim_status",
            "claim_kind",
            "claim_reason",
            "closed_reason",
            "version",
        ]

    @extend_schema_field(StageRecordSerializer(many=True))
    def get_stages(self, obj) -> list[dict]:
        return StageRecordSerializer(obj.stage_records(), many=True).data

    @extend_schema_field(SamePersonSerializer(many=True))
    def get_same_person(self, obj) -> list[dict]:
        return [
            {"person": person.pk, "person_name": str(person), "stages": stages}
            for person, stages in obj.same_person_stages()
        ]

    def get_remaining_working_days(self, obj) -> int | None:
        return selectors.due_info(obj).remaining

    def get_overdue(self, obj) -> bool:
        return selectors.due_info(obj).overdue


class FollowUpListApi(generics.ListAPIView):
    serializer_class = RatingFollowUpSerializer
    permission_classes = [permissions.SeesFollowUps]

    @extend_schema(
        summary="差评整改单（本部门）",
        parameters=[OpenApiParameter("stage", str, description="verify / rectify / callback / closed")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.followups_for(
            self.request.user, stage=self.request.query_params.get("stage") or None
        )


class FollowUpEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_name = serializers.CharField(source="actor", allow_null=True, default=None)
    note = serializers.CharField()
    at = serializers.DateTimeField()


class RatingFollowUpDetailSerializer(RatingFollowUpSerializer):
    events = serializers.SerializerMethodField()

    class Meta(RatingFollowUpSerializer.Meta):
        fields = [*RatingFollowUpSerializer.Meta.fields, "events"]

    @extend_schema_field(FollowUpEventSerializer(many=True))
    def get_events(self, obj) -> list[dict]:
        return FollowUpEventSerializer(selectors.followup_events(obj), many=True).data


class FollowUpDetailApi(APIView):
    permission_classes = [permissions.SeesFollowUps]

    @extend_schema(
        summary="差评整改单详情：核实、整改、回访的内容、办理人和时间，及整改日志",
        responses={
            200: RatingFollowUpDetailSerializer,
            403: RatingErrorSerializer,
            404: RatingErrorSerializer,
        },
    )
    def get(self, request: Request, followup_id: int) -> Response:
        fu = selectors.followup_get(request.user, followup_id)
        if fu is None:
            raise NotFound("差评整改单不存在，或您无权查看。")
        return Response(RatingFollowUpDetailSerializer(fu).data)


class RatingFollowUpActionSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="核实情况、整改措施、回访记录或审核意见。"
    )
    result = serializers.ChoiceField(
        choices=CallbackResult.choices, required=False, help_text="回访结果（callback）。"
    )
    kind = serializers.ChoiceField(
        choices=ClaimKind.choices, required=False, help_text="申诉理由类型（claim）。"
    )
    reason = serializers.CharField(required=False, allow_blank=True, help_text="申诉理由（claim）。")
    expected_version = serializers.IntegerField(required=False)


class FollowUpActionApi(APIView):
    permission_classes = [permissions.SeesFollowUps]

    @extend_schema(
        request=RatingFollowUpActionSerializer,
        responses={
            200: RatingFollowUpSerializer,
            400: RatingErrorSerializer,
            403: RatingErrorSerializer,
            404: RatingErrorSerializer,
            409: RatingErrorSerializer,
        },
        summary="整改单操作：verify 核实、rectify 整改、callback 回访、claim 申诉、accept/reject 审核",
    )
    def post(self, request: Request, followup_id: int, action: str) -> Response:
        if action not in FOLLOWUP_ACTIONS:
            raise NotFound(f"未知的操作“{action}”。")
        s = RatingFollowUpActionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        fu = followup_act(
            action, d, actor=request.user, followup_id=followup_id, expected_version=d.get("expected_version")
        )
        return Response(RatingFollowUpSerializer(fu).data)


class RatingFigureRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    total = serializers.IntegerField()
    good = serializers.IntegerField()
    bad = serializers.IntegerField()
    rectified = serializers.IntegerField()
    called_back = serializers.IntegerField()
    defaults = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    good_rate = serializers.FloatField(allow_null=True, help_text="好评率（%）")
    rectify_rate = serializers.FloatField(allow_null=True, help_text="差评整改率（%）")
    callback_rate = serializers.FloatField(allow_null=True, help_text="回访率（%）")


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed("日期格式应为 YYYY-MM-DD。", field=field) from None


class FiguresApi(APIView):
    @extend_schema(
        summary="好差评统计（好评率、差评整改率、回访率）",
        parameters=[
            OpenApiParameter(
                "dimension",
                str,
                enum=FigureDimension.values,
                description="staff / window / department / item",
            ),
            OpenApiParameter("start", dt.date),
            OpenApiParameter("end", dt.date),
        ],
        responses={
            200: RatingFigureRowSerializer(many=True),
            400: RatingErrorSerializer,
            403: RatingErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response:
        if not permissions.can_see_figures(request.user):
            raise NotAllowed("您没有查看好差评统计的权限。")
        rows = selectors.rating_figures(
            request.query_params.get("dimension", FigureDimension.DEPARTMENT),
            _date(request.query_params.get("start"), "start"),
            _date(request.query_params.get("end"), "end"),
            request.user,
        )
        data = [r.as_dict() for r in rows]
        for r in data:
            r["key"] = None if r["key"] is None else str(r["key"])
        return Response(data)
