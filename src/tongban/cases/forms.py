"""Application form schemas: what an item asks the applicant to fill in, validated on the server.

A schema is JSON, stored per item version in `ItemForm.schema`:

    {"fields": [
        {"key": "name", "label": "申请人姓名", "type": "text", "required": true, "prefill": "name"},
        {"key": "scale", "label": "经营规模", "type": "select", "options": ["小型", "中型"]},
        ...
    ]}

Field types: text, textarea, number, date (YYYY-MM-DD), select (value one of `options`), idnumber
(居民身份证号码), creditcode (统一社会信用代码), identity (either of the two), mobile. Optional keys:
`required` (default false), `options` (select), `prefill` (an applicant attribute, see PREFILL_KEYS),
`max_length` (text, default 500), `min`/`max` (number), `help` (shown under the field).

Errors are returned per field key with a Chinese message that names the field, so a form or the API
can put each message next to its field. This module has no database writes.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from tongban.common.validators import (
    validate_credit_code,
    validate_id_number,
    validate_identity_number,
    validate_mobile,
)

FIELD_TYPES = ("text", "textarea", "number", "date", "select", "idnumber", "creditcode", "identity", "mobile")
PREFILL_KEYS = (
    "name",
    "id_number",
    "credit_code",
    "identity_number",
    "legal_representative",
    "contact_name",
    "mobile",
    "email",
    "address",
)
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def default_schema(item=None) -> dict:
    """The form every item has unless it defines its own: who applies, how to reach them, and why.

    The identity field follows the item's service objects: ID number for natural persons only,
    credit code for legal persons only, either when both may apply.
    """
    kinds = set(getattr(item, "applicant_kinds", None) or ["natural"])
    if kinds == {"legal"}:
        identity = {"key": "identity_number", "label": "统一社会信用代码", "type": "creditcode"}
    elif kinds == {"natural"}:
        identity = {"key": "identity_number", "label": "身份证号码", "type": "idnumber"}
    else:
        identity = {"key": "identity_number", "label": "身份证号码/统一社会信用代码", "type": "identity"}
    return {
        "fields": [
            {"key": "name", "label": "申请人名称", "type": "text", "required": True, "prefill": "name"},
            {**identity, "required": True, "prefill": "identity_number"},
            {"key": "mobile", "label": "联系电话", "type": "mobile", "required": True, "prefill": "mobile"},
            {"key": "address", "label": "联系地址", "type": "text", "required": False, "prefill": "address"},
            {"key": "reason", "label": "申请事由", "type": "textarea", "required": True, "max_length": 2000},
        ]
    }


def schema_problems(schema: Any) -> list[str]:
    """Everything wrong with a schema (empty list: valid). Used by ItemForm.clean and the services."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return ['表单定义应为 {"fields": [...]} 格式。']
    problems: list[str] = []
    seen: set[str] = set()
    for i, f in enumerate(schema["fields"], start=1):
        if not isinstance(f, dict):
            problems.append(f"第 {i} 个字段应为对象。")
            continue
        key, label, ftype = f.get("key"), f.get("label"), f.get("type")
        where = f"第 {i} 个字段（{label or key or '未命名'}）"
        if not isinstance(key, str) or not KEY_RE.match(key):
            problems.append(f"{where}的 key 应为小写字母开头的字母、数字或下划线。")
        elif key in seen:
            problems.append(f"{where}的 key“{key}”重复。")
        else:
            seen.add(key)
        if not label:
            problems.append(f"{where}缺少 label（显示名称）。")
        if ftype not in FIELD_TYPES:
            problems.append(f"{where}的类型“{ftype}”无效，可用：{'、'.join(FIELD_TYPES)}。")
        if ftype == "select" and not (isinstance(f.get("options"), list) and f["options"]):
            problems.append(f"{where}为下拉选择，必须给出 options。")
        if f.get("prefill") and f["prefill"] not in PREFILL_KEYS:
            problems.append(f"{where}的 prefill“{f['prefill']}”无效，可用：{'、'.join(PREFILL_KEYS)}。")
    return problems


def _clean_value(field: dict, raw: Any) -> Any:
    """Normalise one value or raise ValueError with the reason (without the label)."""
    ftype = field["type"]
    value = raw.strip() if isinstance(raw, str) else raw
    if ftype in ("text", "textarea"):
        value = "" if value is None else str(value)
        limit = int(field.get("max_length") or (2000 if ftype == "textarea" else 500))
        if len(value) > limit:
            raise ValueError(f"不能超过 {limit} 个字")
        return value
    if ftype == "number":
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ValueError("应为数字") from None
        if not number.is_finite():
            raise ValueError("应为数字")
        if field.get("min") is not None and number < Decimal(str(field["min"])):
            raise ValueError(f"不能小于 {field['min']}")
        if field.get("max") is not None and number > Decimal(str(field["max"])):
            raise ValueError(f"不能大于 {field['max']}")
        return int(number) if number == number.to_integral_value() else float(number)
    if ftype == "date":
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("应为日期，格式如 2026-01-31") from None
    if ftype == "select":
        options = [str(o) for o in field.get("options") or []]
        if str(value) not in options:
            raise ValueError(f"应从以下选项中选择：{'、'.join(options)}")
        return str(value)
    validator = {
        "idnumber": validate_id_number,
        "creditcode": validate_credit_code,
        "identity": lambda v: validate_identity_number(v)[1],  # the reason of the kind it looks like
        "mobile": validate_mobile,
    }[ftype]
    try:
        return validator(str(value))
    except ValidationError as exc:
        raise ValueError(exc.messages[0].rstrip("。")) from None


def form_clean(schema: dict, data: dict | None) -> tuple[dict, dict[str, str]]:
    """(cleaned data, errors by field key). Keys not in the schema are dropped, never stored."""
    data = data or {}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in schema.get("fields", []):
        key, label = field["key"], field["label"]
        raw = data.get(key)
        empty = raw is None or (isinstance(raw, str) and not raw.strip())
        if empty:
            if field.get("required"):
                errors[key] = f"请填写“{label}”。"
            continue
        try:
            cleaned[key] = _clean_value(field, raw)
        except ValueError as exc:
            errors[key] = f"“{label}”{exc}。"
    return cleaned, errors


def form_validate(schema: dict, data: dict | None) -> dict[str, str]:
    """Field-level Chinese errors for `data` against `schema`; an empty dict means valid."""
    return form_clean(schema, data)[1]


def form_prefill(schema: dict, applicant) -> dict:
    """Initial values from the applicant's profile, so nothing the platform knows is typed twice."""
    values: dict[str, Any] = {}
    if applicant is None:
        return values
    for field in schema.get("fields", []):
        source = field.get("prefill")
        if not source:
            continue
        value = getattr(applicant, source, "") or ""
        if value:
            values[field["key"]] = value
    return values


def form_for_item(item) -> dict:
    """The item version's own schema, or the default schema when it has none."""
    from .models import ItemForm

    stored = ItemForm.objects.filter(item=item).values_list("schema", flat=True).first()
    return stored if stored else default_schema(item)
