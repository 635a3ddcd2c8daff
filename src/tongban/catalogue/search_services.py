"""Writes to what administrators teach the search: synonyms / colloquial phrasings and life events.

Same rules as the catalogue's items (DESIGN rules 1, 2, 7): catalogue administrators only; every write
locks its row, validates, names the field in Chinese when something is wrong, and appends a
`SearchEvent` (who, what, before and after) in the same transaction. An edit may carry the
`updated_at` the editor saw: if the row changed since, it is refused with a 409 rather than overwriting
someone else's change. The search index notices every change by itself (catalogue.search_index).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tongban.common.errors import Conflict, NotAllowed, NotFound, ValidationFailed

from .models import LifeEventIntent, SearchEvent, SearchSynonym, ServiceItem
from .models_search import SearchEventKind
from .search_pinyin import normalise
from .services import can_manage_catalogue, validation_failed_from

if TYPE_CHECKING:
    from tongban.accounts.models import User

__all__ = [
    "LIFE_EVENT_FIELDS",
    "SYNONYM_FIELDS",
    "life_event_create",
    "life_event_delete",
    "life_event_update",
    "synonym_create",
    "synonym_delete",
    "synonym_update",
]

SYNONYM_FIELDS = ("phrase", "terms", "item_codes", "note", "is_active")
LIFE_EVENT_FIELDS = (
    "code",
    "name",
    "description",
    "phrases",
    "theme",
    "item_codes",
    "sort_order",
    "is_active",
)
MAX_LIST = 50  # words or items in one list
MAX_WORD = 32
_LIST_SPLIT = re.compile(r"[\s,，、;；/|]+")
_LABELS = {
    "phrase": "说法",
    "terms": "对应检索词",
    "item_codes": "事项编码",
    "note": "备注",
    "is_active": "启用",
    "code": "编码",
    "name": "名称",
    "description": "说明",
    "phrases": "常见说法",
    "theme": "主题分类",
    "sort_order": "排序",
}


def _require_manager(actor: User | None) -> None:
    if not can_manage_catalogue(actor):
        raise NotAllowed("只有事项清单管理员可以维护同义词和人生事件。")


# --- cleaning --------------------------------------------------------------------------------------------


def _word(value: Any, field: str) -> str:
    """One phrase or word, as the search compares it: NFKC, lower case, no spaces inside."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{_LABELS[field]}：应为文字。", field=field)
    text = re.sub(r"\s+", "", normalise(value))
    if not text:
        raise ValidationFailed(f"{_LABELS[field]}：不能为空。", field=field)
    if len(text) > MAX_WORD:
        raise ValidationFailed(f"{_LABELS[field]}：“{text}”超过 {MAX_WORD} 个字。", field=field)
    return text


def _words(value: Any, field: str) -> list[str]:
    """A list of words, given as a list or as text separated by spaces, commas or 、; duplicates dropped."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [p for p in _LIST_SPLIT.split(value) if p]
    if not isinstance(value, (list, tuple)):
        raise ValidationFailed(f"{_LABELS[field]}：应为列表。", field=field)
    out = list(dict.fromkeys(_word(v, field) for v in value))
    if len(out) > MAX_LIST:
        raise ValidationFailed(f"{_LABELS[field]}：最多 {MAX_LIST} 个。", field=field)
    return out


def _codes(value: Any, field: str = "item_codes") -> list[str]:
    """Item codes, each of which must exist in the catalogue (in any version)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [p for p in _LIST_SPLIT.split(value) if p]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(f"{_LABELS[field]}：应为事项编码的列表。", field=field)
    codes = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if len(codes) > MAX_LIST:
        raise ValidationFailed(f"{_LABELS[field]}：最多 {MAX_LIST} 个。", field=field)
    known = set(ServiceItem.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = [c for c in codes if c not in known]
    if missing:
        raise ValidationFailed(f"{_LABELS[field]}：事项清单中没有编码 {'、'.join(missing)}。", field=field)
    return codes


def _text(value: Any, field: str, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(f"{_LABELS[field]}：应为文字。", field=field)
    text = value.strip()
    if len(text) > max_length:
        raise ValidationFailed(f"{_LABELS[field]}：不能超过 {max_length} 个字。", field=field)
    return text


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationFailed(f"{_LABELS[field]}：应为 true 或 false。", field=field)


def _known(fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    for key in fields:
        if key not in allowed:
            raise ValidationFailed(f"未知或不可修改的字段：{key}。", field=key)


def clean_synonym(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The given synonym fields, checked and normalised (only those given)."""
    _known(fields, SYNONYM_FIELDS)
    out: dict[str, Any] = {}
    if "phrase" in fields:
        out["phrase"] = _word(fields["phrase"], "phrase")
    if "terms" in fields:
        out["terms"] = _words(fields["terms"], "terms")
    if "item_codes" in fields:
        out["item_codes"] = _codes(fields["item_codes"])
    if "note" in fields:
        out["note"] = _text(fields["note"], "note", 200)
    if "is_active" in fields:
        out["is_active"] = _flag(fields["is_active"], "is_active")
    return out


def clean_life_event(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The given life-event fields, checked and normalised (only those given)."""
    _known(fields, LIFE_EVENT_FIELDS)
    out: dict[str, Any] = {}
    if "code" in fields:
        code = fields["code"]
        if not isinstance(code, str) or not re.fullmatch(r"[a-z0-9_-]{1,32}", code.strip()):
            raise ValidationFailed(
                "编码：只能是 1–32 个英文小写字母、数字、连字符或下划线（如 open_restaurant）。", field="code"
            )
        out["code"] = code.strip()
    if "name" in fields:
        name = _text(fields["name"], "name", 32)
        if not name:
            raise ValidationFailed("名称：不能为空。", field="name")
        out["name"] = name
    if "description" in fields:
        out["description"] = _text(fields["description"], "description", 255)
    if "phrases" in fields:
        out["phrases"] = _words(fields["phrases"], "phrases")
    if "theme" in fields:
        theme = fields["theme"] or ""
        from .choices import LifeEvent

        if theme not in ("", *LifeEvent.values):
            allowed = "、".join(f"{v}（{label}）" for v, label in LifeEvent.choices)
            raise ValidationFailed(f"主题分类：未知的值“{theme}”，允许：{allowed}，或留空。", field="theme")
        out["theme"] = theme
    if "item_codes" in fields:
        out["item_codes"] = _codes(fields["item_codes"])
    if "sort_order" in fields:
        value = fields["sort_order"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100000:
            raise ValidationFailed("排序：应为 0 到 100000 的整数。", field="sort_order")
        out["sort_order"] = value
    if "is_active" in fields:
        out["is_active"] = _flag(fields["is_active"], "is_active")
    return out


# --- writing ---------------------------------------------------------------------------------------------


def _values(obj, names: Iterable[str]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


def _log(target: str, key: str, kind: str, actor: User | None, **detail: Any) -> None:
    SearchEvent.objects.create(target=target, key=key, kind=kind, actor=actor, detail=detail)


def _check_unchanged(obj, expected: datetime | None) -> None:
    if expected is not None and obj.updated_at != expected:
        raise Conflict("该条目刚被其他人修改，请刷新后重试。", field="updated_at")


def _save(obj, unique_field: str, unique_message: str) -> None:
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise validation_failed_from(exc, type(obj)) from exc
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(unique_message, field=unique_field) from exc


def _lock(model, **lookup):
    obj = model.objects.select_for_update().filter(**lookup).first()
    if obj is None:
        raise NotFound(f"{model._meta.verbose_name}不存在。")
    return obj


def _apply(obj, values: Mapping[str, Any]) -> list[str]:
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for key in changed:
        setattr(obj, key, values[key])
    return changed


def _check_synonym(synonym: SearchSynonym) -> None:
    if not synonym.phrase:
        raise ValidationFailed("说法：不能为空。", field="phrase")
    if not synonym.terms and not synonym.item_codes:
        raise ValidationFailed("对应检索词和直达事项编码至少填写一项。", field="terms")
    others = SearchSynonym.objects.select_for_update().exclude(pk=synonym.pk)
    if others.filter(phrase=synonym.phrase).exists():
        raise Conflict(f"说法“{synonym.phrase}”已存在，请修改现有条目。", field="phrase")


def _check_event(event: LifeEventIntent) -> None:
    for key in ("code", "name"):
        if not getattr(event, key):
            raise ValidationFailed(f"{_LABELS[key]}：不能为空。", field=key)
    others = LifeEventIntent.objects.select_for_update().exclude(pk=event.pk)
    if others.filter(code=event.code).exists():
        raise Conflict(f"编码 {event.code} 已被其他人生事件使用。", field="code")
    if others.filter(name=event.name).exists():
        raise Conflict(f"名称“{event.name}”已被其他人生事件使用。", field="name")


@dataclass(frozen=True)
class _Kind:
    """What differs between synonyms and life events; the writes below are the same for both."""

    target: str
    model: type
    fields: tuple[str, ...]
    key: str
    clean: Callable[[Mapping[str, Any]], dict[str, Any]]
    check: Callable[[Any], None]


SYNONYM = _Kind("synonym", SearchSynonym, SYNONYM_FIELDS, "phrase", clean_synonym, _check_synonym)
LIFE_EVENT = _Kind("life_event", LifeEventIntent, LIFE_EVENT_FIELDS, "code", clean_life_event, _check_event)


def _create(kind: _Kind, actor: User | None, fields: Mapping[str, Any], event: str):
    _require_manager(actor)
    row = kind.model(**kind.clean(fields))
    kind.check(row)
    _save(row, kind.key, "该条目刚被其他人新建，请刷新后重试。")
    _log(kind.target, getattr(row, kind.key), event, actor, after=_values(row, kind.fields))
    return row


def _update(kind: _Kind, actor: User | None, pk: int, fields, expected: datetime | None, event: str):
    _require_manager(actor)
    values = kind.clean(fields)
    row = _lock(kind.model, pk=pk)
    _check_unchanged(row, expected)
    before = _values(row, kind.fields)
    if not _apply(row, values):
        return row
    kind.check(row)
    _save(row, kind.key, "该条目刚被其他人修改，请刷新后重试。")
    _log(kind.target, getattr(row, kind.key), event, actor, before=before, after=_values(row, kind.fields))
    return row


def _delete(kind: _Kind, actor: User | None, pk: int, expected: datetime | None) -> None:
    _require_manager(actor)
    row = _lock(kind.model, pk=pk)
    _check_unchanged(row, expected)
    key = getattr(row, kind.key)
    _log(kind.target, key, SearchEventKind.DELETED, actor, before=_values(row, kind.fields))
    row.delete()


def _pk(row) -> int:
    return getattr(row, "pk", row)


@transaction.atomic
def synonym_create(*, actor: User | None, fields: Mapping[str, Any], kind: str = "created") -> SearchSynonym:
    """A new phrase → terms / items. The phrase must be new; terms or items at least one."""
    return _create(SYNONYM, actor, fields, kind)


@transaction.atomic
def synonym_update(
    *,
    actor: User | None,
    synonym: SearchSynonym | int,
    fields: Mapping[str, Any],
    expected_updated_at: datetime | None = None,
    kind: str = "updated",
) -> SearchSynonym:
    """Change a synonym; refused with 409 if it changed since `expected_updated_at`."""
    return _update(SYNONYM, actor, _pk(synonym), fields, expected_updated_at, kind)


@transaction.atomic
def synonym_delete(
    *, actor: User | None, synonym: SearchSynonym | int, expected_updated_at: datetime | None = None
) -> None:
    _delete(SYNONYM, actor, _pk(synonym), expected_updated_at)


@transaction.atomic
def life_event_create(
    *, actor: User | None, fields: Mapping[str, Any], kind: str = "created"
) -> LifeEventIntent:
    """A new life event. Code and name must be new."""
    return _create(LIFE_EVENT, actor, fields, kind)


@transaction.atomic
def life_event_update(
    *,
    actor: User | None,
    event: LifeEventIntent | int,
    fields: Mapping[str, Any],
    expected_updated_at: datetime | None = None,
    kind: str = "updated",
) -> LifeEventIntent:
    """Change a life event (its code too: links to the old code then stop working)."""
    return _update(LIFE_EVENT, actor, _pk(event), fields, expected_updated_at, kind)


@transaction.atomic
def life_event_delete(
    *, actor: User | None, event: LifeEventIntent | int, expected_updated_at: datetime | None = None
) -> None:
    _delete(LIFE_EVENT, actor, _pk(event), expected_updated_at)
