"""/api/v1/auth/: token, who-am-I, registration. Each view parses, calls one service, answers."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.common.badges import badge_counts

from . import selectors, services
from .serializers import (
    CountsSerializer,
    LegalRegisterSerializer,
    MeSerializer,
    NaturalRegisterSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)


class AuthErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = serializers.DictField(required=False)


class AuthLockedErrorSerializer(AuthErrorSerializer):
    locked_until = serializers.DateTimeField()


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class TokenView(APIView):
    """Username and password in, token out; counts failures and honours locks like the login form."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["auth"],
        summary="获取接口令牌",
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(AuthErrorSerializer, description="用户名或密码错误（invalid_credentials）"),
            403: OpenApiResponse(AuthErrorSerializer, description="账户已停用（account_inactive）"),
            423: OpenApiResponse(AuthLockedErrorSerializer, description="账户已锁定（account_locked）"),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = services.auth_token_issue(
            identifier=data.validated_data["username"],
            password=data.validated_data["password"],
            ip=client_ip(request),
        )
        return Response({"token": token})


class MeView(APIView):
    @extend_schema(tags=["auth"], summary="当前用户", responses={200: MeSerializer})
    def get(self, request):
        return Response(MeSerializer.of(selectors.user_profile(user=request.user)))


class MyCountsView(APIView):
    """The counts the site's menu shows as badges: unread messages, services to rate, corrections."""

    @extend_schema(
        tags=["auth"],
        summary="待办计数（未读消息、待评价、待补正）",
        description="与网页菜单上的数字相同，只列出大于 0 的计数。",
        responses={200: CountsSerializer},
    )
    def get(self, request):
        return Response(CountsSerializer({"counts": list(badge_counts(request.user).values())}).data)


REGISTER_REQUEST = PolymorphicProxySerializer(
    component_name="RegisterRequest",
    serializers={"natural": NaturalRegisterSerializer, "legal": LegalRegisterSerializer},
    resource_type_field_name="kind",
)


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["auth"],
        summary="申请人注册（个人 natural / 法人 legal）",
        request=REGISTER_REQUEST,
        responses={
            201: MeSerializer,
            400: OpenApiResponse(AuthErrorSerializer, description="填写有误（validation_failed）"),
            409: OpenApiResponse(AuthErrorSerializer, description="已注册（already_registered）"),
        },
        examples=[
            OpenApiExample(
                "个人注册",
                value={
                    "kind": "natural",
                    "name": "张三",
                    "id_number": "11010519491231002X",
                    "mobile": "13800138000",
                    "password": "Qiang-Mima-2024",
                },
                request_only=True,
            )
        ],
        auth=[],
    )
    def post(self, request):
        kind = request.data.get("kind") if hasattr(request.data, "get") else None
        if kind == "legal":
            data = LegalRegisterSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = {k: v for k, v in data.validated_data.items() if k != "kind"}
            user = services.applicant_register_legal(**fields)
        else:
            data = NaturalRegisterSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = {k: v for k, v in data.validated_data.items() if k != "kind"}
            user = services.applicant_register_natural(**fields)
        return Response(MeSerializer.of(selectors.user_profile(user=user)), status=status.HTTP_201_CREATED)
