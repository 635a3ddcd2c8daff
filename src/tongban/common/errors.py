"""Errors that speak Chinese to people and codes to programs (DESIGN rule 7).

Services raise these; views turn them into form errors and the API into 4xx responses with the code.
"""

from __future__ import annotations

import datetime as dt
import re


class ServiceError(Exception):
    """A request the domain refuses. `code` is stable for programs, `message` is for people."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, errors=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        # Optional detail: {field: [messages]} or a list of row errors for imports.
        self.errors = errors

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.errors is not None:
            data["errors"] = self.errors
        return data


class ValidationFailed(ServiceError):
    status = 400
    code = "validation_failed"


class NotAllowed(ServiceError):
    """The user may not do this (scoping or role)."""

    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """Someone else changed the object first, or the action was already done."""

    status = 409
    code = "conflict"


class IllegalTransition(ServiceError):
    """The state machine does not allow this step from the current state."""

    status = 409
    code = "illegal_transition"


_CJK = re.compile(r"[\u3400-\u9fff]")


def shown_message(message, fallback: str) -> str:
    """What an error page or the API may show people of an exception's message: the view's own words,
    unless they are missing or, on a Chinese page, not Chinese — Django's and DRF's stock texts
    ("No ServiceItem matches the given query.") are English and name internal models."""
    from django.utils.functional import Promise
    from django.utils.translation import get_language

    if isinstance(message, Promise):  # a lazy translation
        message = str(message)
    if not isinstance(message, str) or not message.strip():
        return str(fallback)
    if (get_language() or "zh-hans").startswith("zh") and not _CJK.search(message):
        return str(fallback)
    return message


# The longest free text a reason, note or opinion may have: a page of writing, not a pasted file.
TEXT_MAX_LENGTH = 2000


def require_text(value: str, *, field: str, label: str, max_length: int = TEXT_MAX_LENGTH) -> str:
    """A required free-text input, trimmed; a Chinese error naming the field when it is empty or too long."""
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"请填写{label}。", field=field)
    if len(value) > max_length:
        raise ValidationFailed(f"{label}不能超过 {max_length} 个字。", field=field)
    return value


def choice_messages(choices, label: str) -> dict[str, str]:
    """The Chinese messages for a choice the person must make: nothing chosen, or an unknown value.
    Keys as DRF's ChoiceField names them, so a serializer and `require_choice` say the same."""
    options = "、".join(str(text) for _value, text in choices.choices)
    missing = f"请选择{label}（{options}）。"
    return {
        "required": missing,
        "blank": missing,
        "null": missing,
        "invalid_choice": f"{label}只能是{options}之一。",
    }


def require_choice(value: str, choices, *, field: str, label: str) -> str:
    """A choice the person must make themselves (no default is assumed for a decision): a Chinese error
    naming the field when nothing was chosen or the value is not one of `choices`."""
    value = (value or "").strip()
    if value in choices.values:
        return value
    messages = choice_messages(choices, label)
    if not value:
        raise ValidationFailed(messages["required"], field=field, code="choice_required")
    raise ValidationFailed(messages["invalid_choice"], field=field)


MAX_ID = 2**63 - 1  # the largest bigint primary key: beyond it SQLite raises OverflowError


def id_param(params, name: str, label: str) -> int | None:
    """An optional id in the query string (`?department=3`): None when absent, a Chinese 400 naming the
    parameter when it is not a positive whole number that could be an id."""
    value = (params.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise ValidationFailed(f"{label}：应为整数 ID。", field=name)
    return int(value)


def date_param(params, name: str, label: str, *, required: bool = False):
    """An optional date in the query string (`?from=2026-11-01`): None when absent (a Chinese 400 when
    `required`), a Chinese 400 naming the parameter when it is not a YYYY-MM-DD date."""
    value = (params.get(name) or "").strip()
    if not value:
        if required:
            raise ValidationFailed(f"请给出{label}（YYYY-MM-DD）。", field=name)
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{label}应为 YYYY-MM-DD 格式的日期。", field=name) from None


def choice_param(params, name: str, choices, label: str, *, many: bool = False):
    """An optional choice in the query string (`?level=district`, or with `many` a comma-separated list):
    None when absent, a Chinese 400 naming the parameter and listing what is allowed when unknown."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()] if many else [raw]
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        allowed = "、".join(f"{v}（{text}）" for v, text in choices.choices)
        raise ValidationFailed(f"{label}：未知的值“{unknown[0]}”，允许：{allowed}。", field=name)
    return values if many else values[0]
