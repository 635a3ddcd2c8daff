"""Writes of the organisation: regions, departments, halls, windows and staff role grants.

Each write is for administrators (superusers count; `actor=None` is a system run such as `createstaff`),
locks the row it changes, checks it with the model's own rules (Chinese messages naming the field), and
writes an `OrganisationEvent` in the same transaction through `common.workflow.record`. A refused write
leaves nothing behind.

Rows that others refer to are never deleted: a department, hall or window is deactivated (`is_active`),
and deleting a row that cases, items, staff or other units still point to is refused with their names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ForeignObjectRel
from django.db.models.deletion import ProtectedError, RestrictedError

from tongban.common.errors import TEXT_MAX_LENGTH, Conflict, NotFound, ValidationFailed
from tongban.common.models import field_label
from tongban.common.workflow import record

from .choices import OrganisationEventKind as Kind
from .models import Department, OrganisationEvent, Region, ServiceHall, StaffAssignment, Window
from .permissions import require_administrator

if TYPE_CHECKING:
    from tongban.common.types import User


M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Kind(Generic[M]):
    """What the services need to know of one organisation model: its writable columns."""

    model: type[M]
    fields: tuple[str, ...]  # attnames: a foreign key is written by its id ("region_id")

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


REGION = _Kind(Region, ("code", "name", "level", "parent_id"))
DEPARTMENT = _Kind(
    Department,
    ("name", "short_name", "credit_code", "region_id", "phone", "address", "is_active", "sort_order"),
)
HALL = _Kind(
    ServiceHall,
    ("name", "code", "level", "region_id", "parent_id", "address", "phone", "opening_hours", "is_active"),
)
WINDOW = _Kind(Window, ("hall_id", "number", "name", "kind", "department_id", "categories", "is_active"))
STAFF_ROLE = _Kind(StaffAssignment, ("user_id", "role", "department_id", "hall_id", "window_id"))
KINDS: dict[type[models.Model], _Kind[Any]] = {
    k.model: k for k in (REGION, DEPARTMENT, HALL, WINDOW, STAFF_ROLE)
}


# --- the event writer and its helpers -------------------------------------------------------------------


def _log(k: _Kind, obj: models.Model, kind: str, *, actor, before, after, note: str, gone: bool = False):
    """Log a change of `obj`; the log's user / department / hall say whom and where it concerns (never
    the row itself once deleted: the log keeps its id and label instead)."""
    where = {
        "user_id": getattr(obj, "user_id", None),
        "department_id": getattr(obj, "department_id", None),
        "hall_id": getattr(obj, "hall_id", None),
    }
    if isinstance(obj, Department):
        where["department_id"] = None if gone else obj.pk
    if isinstance(obj, ServiceHall):
        where["hall_id"] = None if gone else obj.pk
    return record(OrganisationEvent, obj, kind, actor=actor, before=before, after=after, note=note, **where)


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > TEXT_MAX_LENGTH:
        raise ValidationFailed(f"说明不能超过 {TEXT_MAX_LENGTH} 个字。", field="note")
    return note


def _snapshot(k: _Kind[Any], obj: models.Model) -> dict[str, Any]:
    """The writable values as JSON; a foreign key as {id, name}, so the log reads without joins."""
    out: dict[str, Any] = {}
    for attname in k.fields:
        value = getattr(obj, attname)
        if attname.endswith("_id"):
            name = attname[:-3]
            related = getattr(obj, name) if value is not None else None
            out[name] = {"id": value, "name": str(related)} if related is not None else None
        else:
            out[attname] = list(value) if isinstance(value, list | tuple) else value
    return out


def _clean(obj: models.Model) -> None:
    """The model's validation as a service refusal: every message names its field."""
    try:
        obj.full_clean()
    except DjangoValidationError as exc:
        errors: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            label = field_label(type(obj), name)
            errors[name] = [m if not label or label in m else f"{label}：{m}" for m in messages]
        first = next(iter(errors))
        summary = "；".join(m[0] for m in errors.values())
        raise ValidationFailed(summary, field=None if first == "__all__" else first, errors=errors) from None


def _checked(k: _Kind[Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Known columns only; text trimmed."""
    unknown = sorted(set(values) - set(k.fields))
    if unknown:
        raise ValidationFailed(f"未知的字段：{'、'.join(unknown)}。", field=unknown[0])
    return {name: v.strip() if isinstance(v, str) else v for name, v in values.items()}


def _locked(k: _Kind[M], pk: int) -> M:
    obj = k.model._default_manager.select_for_update(of=("self",)).filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{k.label}不存在。")
    return obj


def _references(obj: models.Model) -> list[str]:
    """The names of the kinds of rows that still point to `obj` (the organisation log does not count)."""
    names = []
    for rel in obj._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel) or rel.related_model is OrganisationEvent:
            continue  # a column of its own, or the log
        if not (rel.one_to_many or rel.one_to_one or rel.many_to_many):
            continue
        if rel.related_model._base_manager.filter(**{rel.field.name: obj}).exists():
            names.append(str(rel.related_model._meta.verbose_name_plural))
    return sorted(set(names))


def _create(
    k: _Kind[M], *, actor: User | None, values: Mapping[str, Any], note: str, kind: str = Kind.CREATED
) -> M:
    obj = k.model(**_checked(k, values))
    _clean(obj)
    try:
        with transaction.atomic():
            obj.save()
            _log(k, obj, kind, actor=actor, before={}, after=_snapshot(k, obj), note=note)
    except IntegrityError:
        raise Conflict(f"{k.label}与已有记录重复（可能刚被他人创建），请刷新后重试。") from None
    return obj


def _update(
    k: _Kind[M],
    *,
    actor: User | None,
    pk: int,
    changes: Mapping[str, Any],
    note: str,
    changed: str = Kind.CHANGED,
) -> M:
    """Change the given fields only; nothing logged when nothing changed. A change of `is_active` alone is
    logged as deactivation or activation."""
    changes = _checked(k, changes)
    try:
        with transaction.atomic():
            obj = _locked(k, pk)
            before = _snapshot(k, obj)
            for attname, value in changes.items():
                setattr(obj, attname, value)
            _clean(obj)
            after = _snapshot(k, obj)
            diff = [name for name in after if after[name] != before[name]]
            if not diff:
                return obj
            obj.save()
            kind = changed
            if diff == ["is_active"]:
                kind = Kind.ACTIVATED if after["is_active"] else Kind.DEACTIVATED
            _log(
                k,
                obj,
                kind,
                actor=actor,
                before={n: before[n] for n in diff},
                after={n: after[n] for n in diff},
                note=note,
            )
    except IntegrityError:
        raise Conflict(f"{k.label}与已有记录重复（可能刚被他人修改），请刷新后重试。") from None
    return obj


def _delete(k: _Kind[Any], *, actor: User | None, pk: int, note: str, kind: str = Kind.DELETED) -> None:
    with transaction.atomic():
        obj = _locked(k, pk)
        refs = _references(obj)
        instead = "请改为停用。" if hasattr(obj, "is_active") else "请先处理这些记录。"
        if refs:
            raise Conflict(
                f"{k.label}“{obj}”仍被{'、'.join(refs)}引用，不能删除；{instead}", code="referenced"
            )
        before = _snapshot(k, obj)
        _log(k, obj, kind, actor=actor, before=before, after={}, note=note, gone=True)
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError):
            raise Conflict(
                f"{k.label}“{obj}”仍被其他记录引用，不能删除；{instead}", code="referenced"
            ) from None


# --- regions --------------------------------------------------------------------------------------------


def region_create(
    *, actor: User | None, code: str, name: str, level: str, parent_id: int | None = None, note: str = ""
) -> Region:
    """A new division (code length fits the level, the parent is one level up)."""
    require_administrator(actor, action="新建行政区划", system_ok=True)
    values = {
        "code": (code or "").strip(),
        "name": (name or "").strip(),
        "level": level,
        "parent_id": parent_id,
    }
    return _create(REGION, actor=actor, values=values, note=_note(note))


def region_update(*, actor: User | None, region_id: int, note: str = "", **changes: Any) -> Region:
    """Change code, name, level or parent (`parent_id`); only the fields given change."""
    require_administrator(actor, action="修改行政区划", system_ok=True)
    return _update(REGION, actor=actor, pk=region_id, changes=changes, note=_note(note))


def region_delete(*, actor: User | None, region_id: int, note: str = "") -> None:
    """Remove a division nothing refers to (no sub-division, department or hall); refused otherwise."""
    require_administrator(actor, action="删除行政区划", system_ok=True)
    _delete(REGION, actor=actor, pk=region_id, note=_note(note))


# --- departments ----------------------------------------------------------------------------------------


def department_create(
    *,
    actor: User | None,
    name: str,
    short_name: str,
    credit_code: str,
    region_id: int | None,
    phone: str = "",
    address: str = "",
    is_active: bool = True,
    sort_order: int = 0,
    note: str = "",
) -> Department:
    require_administrator(actor, action="新建部门", system_ok=True)
    values = {
        "name": (name or "").strip(),
        "short_name": (short_name or "").strip(),
        "credit_code": (credit_code or "").strip().upper(),
        "region_id": region_id,
        "phone": (phone or "").strip(),
        "address": (address or "").strip(),
        "is_active": is_active,
        "sort_order": sort_order,
    }
    return _create(DEPARTMENT, actor=actor, values=values, note=_note(note))


def department_update(
    *, actor: User | None, department_id: int, note: str = "", **changes: Any
) -> Department:
    """Change the given fields; `is_active=False` alone is a deactivation (cases and items keep it)."""
    require_administrator(actor, action="修改部门", system_ok=True)
    if "credit_code" in changes:
        changes["credit_code"] = (changes["credit_code"] or "").strip().upper()
    return _update(DEPARTMENT, actor=actor, pk=department_id, changes=changes, note=_note(note))


def department_deactivate(*, actor: User | None, department_id: int, note: str = "") -> Department:
    return department_update(actor=actor, department_id=department_id, is_active=False, note=note)


def department_delete(*, actor: User | None, department_id: int, note: str = "") -> None:
    """Remove a department nothing refers to; one with items, cases, staff or windows is refused."""
    require_administrator(actor, action="删除部门", system_ok=True)
    _delete(DEPARTMENT, actor=actor, pk=department_id, note=_note(note))


# --- halls ----------------------------------------------------------------------------------------------


def hall_create(
    *,
    actor: User | None,
    name: str,
    code: str,
    level: str,
    region_id: int | None,
    parent_id: int | None = None,
    address: str = "",
    phone: str = "",
    opening_hours: str | None = None,
    is_active: bool = True,
    note: str = "",
) -> ServiceHall:
    require_administrator(actor, action="新建服务大厅", system_ok=True)
    values: dict[str, Any] = {
        "name": (name or "").strip(),
        "code": (code or "").strip(),
        "level": level,
        "region_id": region_id,
        "parent_id": parent_id,
        "address": (address or "").strip(),
        "phone": (phone or "").strip(),
        "is_active": is_active,
    }
    if opening_hours is not None:
        values["opening_hours"] = opening_hours.strip()
    return _create(HALL, actor=actor, values=values, note=_note(note))


def hall_update(*, actor, hall_id: int, note: str = "", **changes: Any) -> ServiceHall:
    require_administrator(actor, action="修改服务大厅", system_ok=True)
    return _update(HALL, actor=actor, pk=hall_id, changes=changes, note=_note(note))


def hall_deactivate(*, actor: User | None, hall_id: int, note: str = "") -> ServiceHall:
    return hall_update(actor=actor, hall_id=hall_id, is_active=False, note=note)


def hall_delete(*, actor: User | None, hall_id: int, note: str = "") -> None:
    """Remove a hall nothing refers to (no windows, staff, tickets, cases); refused otherwise."""
    require_administrator(actor, action="删除服务大厅", system_ok=True)
    _delete(HALL, actor=actor, pk=hall_id, note=_note(note))


# --- windows --------------------------------------------------------------------------------------------


def window_create(
    *,
    actor: User | None,
    hall_id: int | None,
    number: int | None,
    name: str,
    kind: str,
    department_id: int | None = None,
    categories: list[str] | None = None,
    is_active: bool = True,
    note: str = "",
) -> Window:
    """A counter: a comprehensive window serves item categories, a department's own counter one department."""
    require_administrator(actor, action="新建窗口", system_ok=True)
    values = {
        "hall_id": hall_id,
        "number": number,
        "name": (name or "").strip(),
        "kind": kind,
        "department_id": department_id,
        "categories": list(categories or []),
        "is_active": is_active,
    }
    return _create(WINDOW, actor=actor, values=values, note=_note(note))


def window_update(*, actor, window_id: int, note: str = "", **changes: Any) -> Window:
    require_administrator(actor, action="修改窗口", system_ok=True)
    if "hall_id" in changes and not Window.objects.filter(pk=window_id, hall_id=changes["hall_id"]).exists():
        # Its tickets and calls belong to this hall; another hall gets a window of its own.
        raise ValidationFailed(
            "所属大厅：窗口不能移到其他大厅；请在该大厅新建窗口，并停用本窗口。", field="hall"
        )
    if "categories" in changes:
        changes["categories"] = list(changes["categories"] or [])
    return _update(WINDOW, actor=actor, pk=window_id, changes=changes, note=_note(note))


def window_deactivate(*, actor: User | None, window_id: int, note: str = "") -> Window:
    return window_update(actor=actor, window_id=window_id, is_active=False, note=note)


def window_delete(*, actor: User | None, window_id: int, note: str = "") -> None:
    """Remove a window nothing refers to (tickets, calls, staff); refused otherwise."""
    require_administrator(actor, action="删除窗口", system_ok=True)
    _delete(WINDOW, actor=actor, pk=window_id, note=_note(note))


# --- staff roles ----------------------------------------------------------------------------------------


def _staff_locked(user_id: int | None) -> User:
    """The staff member's row, locked: grants to one person are serialised, so the duplicate check holds."""
    user = get_user_model().objects.select_for_update().filter(pk=user_id).first() if user_id else None
    if user is None:
        raise ValidationFailed("请选择工作人员（该账户不存在）。", field="user")
    if getattr(user, "is_applicant", False):
        raise ValidationFailed("工作人员：申请人账户不能授予工作人员角色。", field="user")
    return user


def _refuse_duplicate(assignment: StaffAssignment) -> None:
    same = StaffAssignment.objects.filter(
        user_id=assignment.user_id,
        role=assignment.role,
        department=assignment.department_id,  # None: IS NULL, as the duplicate rule means
        hall=assignment.hall_id,
    ).exclude(pk=assignment.pk)
    if same.exists():
        raise ValidationFailed(
            f"角色：该人员在此部门/大厅已有“{assignment.get_role_display()}”角色。", field="role"
        )


def staff_role_grant(
    *,
    actor: User | None,
    user_id: int,
    role: str,
    department_id: int | None = None,
    hall_id: int | None = None,
    window_id: int | None = None,
    note: str = "",
) -> StaffAssignment:
    """Give a staff member a role in a department and/or hall; logged: who granted what to whom, where."""
    require_administrator(actor, action="授予工作人员角色", system_ok=True)
    note = _note(note)
    values = {
        "user_id": user_id,
        "role": role,
        "department_id": department_id,
        "hall_id": hall_id,
        "window_id": window_id,
    }
    with transaction.atomic():
        _staff_locked(user_id)
        _refuse_duplicate(StaffAssignment(**values))
        return _create(STAFF_ROLE, actor=actor, values=values, note=note, kind=Kind.ROLE_GRANTED)


def staff_role_update(
    *, actor: User | None, assignment_id: int, note: str = "", **changes: Any
) -> StaffAssignment:
    """Change a grant's role, department, hall or window (the person stays the same)."""
    require_administrator(actor, action="变更工作人员角色", system_ok=True)
    note = _note(note)
    if "user_id" in changes:
        raise ValidationFailed("工作人员：角色不能转给他人；请撤销后重新授予。", field="user")
    with transaction.atomic():
        current = StaffAssignment.objects.filter(pk=assignment_id).values_list("user_id", flat=True).first()
        if current is None:
            raise NotFound("人员角色不存在。")
        _staff_locked(current)
        merged = StaffAssignment.objects.get(pk=assignment_id)
        for attname, value in changes.items():
            setattr(merged, attname, value)
        _refuse_duplicate(merged)
        return _update(
            STAFF_ROLE, actor=actor, pk=assignment_id, changes=changes, note=note, changed=Kind.ROLE_CHANGED
        )


def staff_role_revoke(*, actor: User | None, assignment_id: int, note: str = "") -> None:
    """Take a role away; the log keeps who had it, where, and who revoked it."""
    require_administrator(actor, action="撤销工作人员角色", system_ok=True)
    _delete(STAFF_ROLE, actor=actor, pk=assignment_id, note=_note(note), kind=Kind.ROLE_REVOKED)
