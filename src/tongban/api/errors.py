"""API errors: 4xx with a machine code and a Chinese message (DESIGN rule 7)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tongban.common.errors import ServiceError, shown_message

NOT_FOUND = gettext_lazy("您要找的内容不存在或您无权查看。")


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(
            {"code": "validation_failed", "message": "提交的数据有误，请按提示修改。", "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ParseError):
        # DRF's text names the parser's position in English ("JSON parse error - Expecting value …")
        response.data = {
            "code": "parse_error",
            "message": "请求内容不是有效的 JSON（或所声明的格式），无法解析。",
        }
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "validation_failed",
            "message": "提交的数据有误，请按提示修改。",
            "errors": response.data,
        }
    elif isinstance(exc, exceptions.APIException):
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        # A view's own words, never a stock English text such as Http404's "No Case matches the given query."
        fallback = str(NOT_FOUND if isinstance(exc, exceptions.NotFound) else exc.default_detail)
        response.data = {
            "code": exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code,
            "message": shown_message(detail, fallback),
        }
    return response
