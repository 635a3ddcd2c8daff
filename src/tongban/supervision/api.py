"""API of supervision (/api/v1/supervision/…): scoped reads, and writes that parse and call ONE service."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.common.errors import ValidationFailed, date_param

from . import selectors, services
from .permissions import IsStaffMember
from .serializers import (
    CardAppealSerializer,
    CardDecideSerializer,
    CardDetailSerializer,
    CardIssueSerializer,
    CardRuleDetailSerializer,
    CardRuleSerializer,
    CardRuleWriteSerializer,
    CardSerializer,
    DeadlineDetailSerializer,
    DeadlineFilterSerializer,
    DeadlineSerializer,
    DirectiveCloseSerializer,
    DirectiveDetailSerializer,
    DirectiveIssueSerializer,
    DirectiveReissueSerializer,
    DirectiveRespondSerializer,
    DirectiveResponseRateSerializer,
    DirectiveSerializer,
    ErrorSerializer,
    RemindInputSerializer,
    SupervisionCountsSerializer,
    WarningEventSerializer,
)

ERRORS = {
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}
TAG = ["电子监察"]


def _parse(serializer_class, data) -> dict:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


@extend_schema(tags=TAG, parameters=[DeadlineFilterSerializer])
class DeadlineListApi(generics.ListAPIView):
    """Open watches the user may see (supervisors: all; department staff: theirs; clerks: their hall's)."""

    permission_classes = [IsStaffMember]
    serializer_class = DeadlineSerializer

    def get_queryset(self):
        f = _parse(DeadlineFilterSerializer, self.request.query_params)
        return selectors.deadline_list(
            user=self.request.user,
            level=f.get("level"),
            department_id=f.get("department"),
            hall_id=f.get("hall"),
            subject_type=f.get("subject_type"),
            ordering=f.get("ordering", "urgency"),
        )


@extend_schema(tags=TAG, responses={200: DeadlineDetailSerializer, **ERRORS})
class DeadlineDetailApi(APIView):
    permission_classes = [IsStaffMember]

    def get(self, request: Request, deadline_id: int) -> Response:
        d = selectors.deadline_get(user=request.user, deadline_id=deadline_id)
        return Response(DeadlineDetailSerializer(d).data)


@extend_schema(tags=TAG, request=RemindInputSerializer, responses={201: WarningEventSerializer, **ERRORS})
class DeadlineRemindApi(APIView):
    """催办: a supervisor's manual reminder to the assignee (or the department's approvers)."""

    permission_classes = [IsStaffMember]

    def post(self, request: Request, deadline_id: int) -> Response:
        data = _parse(RemindInputSerializer, request.data)
        event = services.reminder_send(actor=request.user, deadline_id=deadline_id, note=data.get("note", ""))
        return Response(WarningEventSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAG,
    parameters=[OpenApiParameter("subject_type", str, required=False)],
    responses={200: SupervisionCountsSerializer},
)
class CountsApi(APIView):
    """Open watches by level, by department and by hall (the supervision screen's figures)."""

    permission_classes = [IsStaffMember]

    def get(self, request: Request) -> Response:
        st = request.query_params.get("subject_type") or None
        return Response(
            {
                "by_level": selectors.level_counts(user=request.user, subject_type=st),
                "by_department": selectors.counts_by_department(user=request.user, subject_type=st),
                "by_hall": selectors.counts_by_hall(user=request.user, subject_type=st),
            }
        )


def _directive_data(request: Request, directive) -> dict:
    """A directive as read back through the selector (with the case link the list shows)."""
    return DirectiveDetailSerializer(
        selectors.directive_get(user=request.user, directive_id=directive.pk)
    ).data


@extend_schema(
    tags=TAG,
    parameters=[
        OpenApiParameter("status", str, required=False),
        OpenApiParameter("case_number", str, required=False, description="办件编号（可不带连字符）"),
    ],
)
class DirectiveListApi(generics.ListAPIView):
    permission_classes = [IsStaffMember]
    serializer_class = DirectiveSerializer

    def get_queryset(self):
        q = self.request.query_params
        return selectors.directive_list(
            user=self.request.user, status=q.get("status") or None, case_number=q.get("case_number") or None
        )

    @extend_schema(request=DirectiveIssueSerializer, responses={201: DirectiveDetailSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        data = _parse(DirectiveIssueSerializer, request.data)
        directive = services.directive_issue(actor=request.user, **data)
        return Response(_directive_data(request, directive), status=status.HTTP_201_CREATED)


@extend_schema(tags=TAG, responses={200: DirectiveDetailSerializer, **ERRORS})
class DirectiveDetailApi(APIView):
    permission_classes = [IsStaffMember]

    def get(self, request: Request, directive_id: int) -> Response:
        d = selectors.directive_get(user=request.user, directive_id=directive_id)
        return Response(DirectiveDetailSerializer(d).data)


@extend_schema(
    tags=TAG, request=DirectiveRespondSerializer, responses={200: DirectiveDetailSerializer, **ERRORS}
)
class DirectiveRespondApi(APIView):
    permission_classes = [IsStaffMember]

    def post(self, request: Request, directive_id: int) -> Response:
        data = _parse(DirectiveRespondSerializer, request.data)
        d = services.directive_respond(
            actor=request.user, directive_id=directive_id, response=data["response"]
        )
        return Response(_directive_data(request, d))


@extend_schema(
    tags=TAG, request=DirectiveCloseSerializer, responses={200: DirectiveDetailSerializer, **ERRORS}
)
class DirectiveCloseApi(APIView):
    permission_classes = [IsStaffMember]

    def post(self, request: Request, directive_id: int) -> Response:
        data = _parse(DirectiveCloseSerializer, request.data)
        d = services.directive_close(actor=request.user, directive_id=directive_id, note=data.get("note", ""))
        return Response(_directive_data(request, d))


@extend_schema(
    tags=TAG, request=DirectiveReissueSerializer, responses={201: DirectiveDetailSerializer, **ERRORS}
)
class DirectiveReissueApi(APIView):
    permission_classes = [IsStaffMember]

    def post(self, request: Request, directive_id: int) -> Response:
        data = _parse(DirectiveReissueSerializer, request.data)
        d = services.directive_reissue(actor=request.user, directive_id=directive_id, **data)
        return Response(_directive_data(request, d), status=status.HTTP_201_CREATED)


@extend_schema(
    tags=TAG,
    parameters=[
        OpenApiParameter("since", str, required=False),
        OpenApiParameter("until", str, required=False),
    ],
    responses={200: DirectiveResponseRateSerializer(many=True)},
)
class ResponseRatesApi(APIView):
    """督办反馈率 per department."""

    permission_classes = [IsStaffMember]

    def get(self, request: Request) -> Response:
        since = date_param(request.query_params, "since", "起始日期")
        until = date_param(request.query_params, "until", "截止日期")
        return Response(selectors.directive_response_rates(user=request.user, since=since, until=until))


@extend_schema(
    tags=TAG,
    parameters=[
        OpenApiParameter("color", str, required=False),
        OpenApiParameter("status", str, required=False),
        OpenApiParameter("rule", int, required=False, description="出牌规则 ID"),
    ],
)
class CardListApi(generics.ListAPIView):
    permission_classes = [IsStaffMember]
    serializer_class = CardSerializer

    def get_queryset(self):
        q = self.request.query_params
        rule = q.get("rule") or ""
        if rule and not rule.isdigit():
            raise ValidationFailed("规则应为规则 ID（整数）。", field="rule")
        return selectors.card_list(
            user=self.request.user,
            color=q.get("color") or None,
            status=q.get("status") or None,
            rule_id=int(rule) if rule else None,
        )

    @extend_schema(request=CardIssueSerializer, responses={201: CardDetailSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        data = _parse(CardIssueSerializer, request.data)
        card = services.card_issue(actor=request.user, **data)
        return Response(CardDetailSerializer(card).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAG, responses={200: CardDetailSerializer, **ERRORS})
class CardDetailApi(APIView):
    permission_classes = [IsStaffMember]

    def get(self, request: Request, card_id: int) -> Response:
        return Response(CardDetailSerializer(selectors.card_get(user=request.user, card_id=card_id)).data)


@extend_schema(tags=TAG, request=CardAppealSerializer, responses={200: CardDetailSerializer, **ERRORS})
class CardAppealApi(APIView):
    permission_classes = [IsStaffMember]

    def post(self, request: Request, card_id: int) -> Response:
        data = _parse(CardAppealSerializer, request.data)
        card = services.card_appeal(actor=request.user, card_id=card_id, reason=data["reason"])
        return Response(CardDetailSerializer(card).data)


@extend_schema(tags=TAG, request=CardDecideSerializer, responses={200: CardDetailSerializer, **ERRORS})
class CardDecideApi(APIView):
    permission_classes = [IsStaffMember]

    def post(self, request: Request, card_id: int) -> Response:
        data = _parse(CardDecideSerializer, request.data)
        card = services.card_appeal_decide(actor=request.user, card_id=card_id, **data)
        return Response(CardDetailSerializer(card).data)


@extend_schema(tags=TAG)
class CardRuleListApi(generics.ListAPIView):
    """出牌规则: supervisors and administrators read them; administrators create them (POST)."""

    permission_classes = [IsStaffMember]
    serializer_class = CardRuleSerializer

    def get_queryset(self):
        return selectors.card_rule_list(user=self.request.user)

    @extend_schema(request=CardRuleWriteSerializer, responses={201: CardRuleDetailSerializer, **ERRORS})
    def post(self, request: Request) -> Response:
        data = dict(_parse(CardRuleWriteSerializer, request.data))
        data.pop("expected_version", None)
        rule = services.card_rule_create(
            actor=request.user, key=data.pop("key", ""), trigger=data.pop("trigger", ""), **data
        )
        return Response(
            CardRuleDetailSerializer(selectors.card_rule_get(user=request.user, rule_id=rule.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=TAG, responses={200: CardRuleDetailSerializer, **ERRORS})
class CardRuleDetailApi(APIView):
    """One rule with its change log; PATCH changes it (administrators; key and trigger are fixed)."""

    permission_classes = [IsStaffMember]

    def get(self, request: Request, rule_id: int) -> Response:
        return Response(
            CardRuleDetailSerializer(selectors.card_rule_get(user=request.user, rule_id=rule_id)).data
        )

    @extend_schema(request=CardRuleWriteSerializer, responses={200: CardRuleDetailSerializer, **ERRORS})
    def patch(self, request: Request, rule_id: int) -> Response:
        data = dict(_parse(CardRuleWriteSerializer, request.data))
        services.card_rule_update(actor=request.user, rule_id=rule_id, **data)
        return Response(
            CardRuleDetailSerializer(selectors.card_rule_get(user=request.user, rule_id=rule_id)).data
        )
