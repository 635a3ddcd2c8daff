"""Writes to the catalogue: items, their versions and their materials (DESIGN rule 1 and 2).

Versioning rules, kept here and nowhere else:
- a draft is edited in place; a published item is never edited: `item_update` on it makes a new draft
  version (materials copied) and leaves the published row — and the cases filed under it — untouched;
- a code has at most one draft (always its highest version) and at most one published version;
- `item_publish` retires the previously published version of the same code in the same transaction;
- materials change only on drafts.

Who may write: administrators (and superusers) everything; department approvers and heads edit the drafts
of their own department's items. Publishing, retiring and importing are for administrators only.
`actor=None` means the system itself (management commands, data migrations).

Every write locks the rows it changes, validates with `full_clean`, and appends an `ItemEvent`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.common.errors import Conflict, IllegalTransition, NotAllowed, NotFound, ValidationFailed
from tongban.common.models import field_label
from tongban.organisations.permissions import acts_for_department, is_administrator

from .choices import ItemEventKind, ItemStatus
from .models import ItemEvent, MaterialRequirement, ServiceItem

if TYPE_CHECKING:
    from tongban.accounts.models import User

__all__ = [
    "ITEM_FIELDS",
    "MATERIAL_FIELDS",
    "can_edit_item",
    "can_manage_catalogue",
    "item_create",
    "item_import_version",
    "item_log",
    "item_new_version",
    "item_publish",
    "item_retire",
    "item_update",
    "material_add",
    "material_remove",
    "material_reorder",
    "material_update",
    "validation_failed_from",
]

# The standard elements an editor may set (code is given once, at creation; status/version by the rules).
ITEM_FIELDS: tuple[str, ...] = (
    "name",
    "item_type",
    "department",
    "level",
    "region",
    "category",
    "applicant_kinds",
    "life_events",
    "summary",
    "legal_basis",
    "conditions",
    "statutory_limit",
    "statutory_limit_unit",
    "promised_limit",
    "promised_limit_unit",
    "case_kind",
    "processing_mode",
    "extension_max_times",
    "extension_max_days",
    "extension_basis",
    "visits_required",
    "online_depth",
    "charges_fee",
    "fee_amount",
    "fee_description",
    "fee_basis",
    "place",
    "hours",
    "phone",
    "complaint_phone",
    "result_name",
    "keywords",
)
MATERIAL_FIELDS: tuple[str, ...] = (
    "position",
    "name",
    "form",
    "original_copies",
    "copy_copies",
    "required",
    "condition",
    "source",
    "source_note",
    "blank_form",
    "sample",
    "notes",
)
_ITEM_ALIASES = {"department_id": "department", "region_id": "region"}


# --- permissions -------------------------------------------------------------------------------------


def can_manage_catalogue(actor: User | None) -> bool:
    """Publish, retire, import: the catalogue administrators (and the system)."""
    if actor is None:
        return True
    return is_administrator(actor)


def can_edit_item(actor: User | None, department_id: int | None) -> bool:
    """Edit drafts: administrators, or approvers and heads of the item's department."""
    if can_manage_catalogue(actor):
        return True
    return department_id is not None and acts_for_department(actor, department_id)


def _require_manager(actor: User | None) -> None:
    if not can_manage_catalogue(actor):
        raise NotAllowed("只有事项清单管理员可以发布、废止或导入事项。")


def _require_editor(actor: User | None, *department_ids: int | None) -> None:
    for department_id in department_ids:
        if not can_edit_item(actor, department_id):
            raise NotAllowed("您无权编辑该部门的事项。", field="department")


# --- helpers ---------------------------------------------------------------------------------------------


def validation_failed_from(exc: ValidationError, model=ServiceItem) -> ValidationFailed:
    """A Django ValidationError as a ValidationFailed whose message names each field and its reason."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": list(exc.messages)}
    parts = []
    for field, messages in errors.items():
        label = field_label(model, field)
        text = "".join(messages)
        parts.append(f"{label}：{text}" if label else text)
    first = next((f for f in errors if f != "__all__"), None)
    return ValidationFailed("".join(parts) or "数据有误。", field=first, errors=errors)


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise validation_failed_from(exc, type(obj)) from exc


def _normalise_item_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Known fields only; department and region as ids (`department_id`), whether given as rows or ids."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        name = _ITEM_ALIASES.get(key, key)
        if name not in ITEM_FIELDS:
            raise ValidationFailed(f"未知或不可修改的事项字段：{key}。", field=key)
        if name in ("department", "region"):
            out[f"{name}_id"] = None if value in (None, "") else _pk(value)
            continue
        out[name] = value
    return out


def _apply(obj, fields: Mapping[str, Any]) -> list[str]:
    """Set attributes; return the (field) names of those that changed."""
    changed = []
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name.removesuffix("_id"))
    return changed


def _normalise_material_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in MATERIAL_FIELDS:
            raise ValidationFailed(f"未知或不可修改的材料字段：{key}。", field=key)
        if key in ("blank_form", "sample") and value in (False, None):
            value = ""  # a cleared file input
        out[key] = value
    return out


def _apply_material(material: MaterialRequirement, fields: Mapping[str, Any]) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name in ("blank_form", "sample"):
            if value == "" and getattr(material, name):
                setattr(material, name, "")
                changed.append(name)
            elif hasattr(value, "read") or (isinstance(value, str) and value != getattr(material, name).name):
                setattr(material, name, value)
                changed.append(name)
            continue
        if getattr(material, name) != value:
            setattr(material, name, value)
            changed.append(name)
    return changed


def item_log(*, actor: User | None, item: ServiceItem, kind: str, **detail: Any) -> ItemEvent:
    """The item-log entry of a change another app makes to a version's own configuration (the cases
    app's process): written by that app's service, in its transaction, after it took the item's lock
    through `item_update`. The catalogue keeps one log per item, whoever changed what."""
    if kind not in ItemEventKind.values:
        raise ValueError(f"unknown item event kind: {kind}")
    return _record(item, kind, actor, **detail)


def _record(item: ServiceItem, kind: str, actor: User | None, **detail: Any) -> ItemEvent:
    return ItemEvent.objects.create(
        item=item, code=item.code, version=item.version, kind=kind, actor=actor, detail=detail
    )


def _pk(obj_or_pk) -> int:
    return obj_or_pk.pk if hasattr(obj_or_pk, "pk") else int(obj_or_pk)


def _lock_item(item: ServiceItem | int) -> ServiceItem:
    try:
        return ServiceItem.objects.select_for_update().get(pk=_pk(item))
    except ServiceItem.DoesNotExist:
        raise NotFound("事项不存在。") from None


def _lock_code(code: str) -> list[ServiceItem]:
    """Every version of a code, locked in a fixed order (no deadlocks between two writers).

    Read again once the locks are held: under READ COMMITTED the locking SELECT does not see a version
    that the writer we waited for inserted, and a fresh statement does.
    """
    list(ServiceItem.objects.select_for_update().filter(code=code).order_by("version").values_list("pk"))
    return list(ServiceItem.objects.filter(code=code).order_by("version"))


def _lock_versions_of(item: ServiceItem | int) -> tuple[ServiceItem, list[ServiceItem]]:
    """The item and all versions of its code, locked. The code is read unlocked first so that every
    writer takes the locks of one code in the same order."""
    code = ServiceItem.objects.filter(pk=_pk(item)).values_list("code", flat=True).first()
    if code is None:
        raise NotFound("事项不存在。")
    versions = _lock_code(code)
    target = next((v for v in versions if v.pk == _pk(item)), None)
    if target is None:
        raise NotFound("事项不存在。")
    return target, versions


def _save_new(obj) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict("该事项刚被其他人修改，请刷新后重试。") from exc


def _copy_materials(source: ServiceItem, target: ServiceItem) -> int:
    copies = []
    for material in source.materials.order_by("position"):
        material.pk = None
        material.id = None
        material.item = target
        copies.append(material)
    MaterialRequirement.objects.bulk_create(copies)
    return len(copies)


def _draft_of(versions: Iterable[ServiceItem]) -> ServiceItem | None:
    return next((v for v in versions if v.status == ItemStatus.DRAFT), None)


# --- items -----------------------------------------------------------------------------------------------


@transaction.atomic
def item_create(*, actor: User | None, code: str, fields: Mapping[str, Any]) -> ServiceItem:
    """A new item: version 1, draft. The code must be new (edit an existing code instead)."""
    code = (code or "").strip()
    if not code:
        raise ValidationFailed("事项编码：不能为空。", field="code")
    values = _normalise_item_fields(fields)
    item = ServiceItem(code=code, version=1, status=ItemStatus.DRAFT)
    _apply(item, values)
    _require_editor(actor, item.department_id)
    if _lock_code(code):
        raise Conflict(f"事项编码 {code} 已存在，请编辑现有事项或新建版本。", field="code")
    _full_clean(item)
    _save_new(item)
    _record(item, ItemEventKind.CREATED, actor)
    return item


@transaction.atomic
def item_update(*, actor: User | None, item: ServiceItem | int, fields: Mapping[str, Any]) -> ServiceItem:
    """Edit an item. A draft changes in place; a published item gets a new draft version with the edits.

    Returns the row that now carries the edits (the same draft, or the new version).
    """
    values = _normalise_item_fields(fields)
    current, versions = _lock_versions_of(item)
    if current.status == ItemStatus.RETIRED:
        raise IllegalTransition("已废止的事项不能修改。")
    if current.status == ItemStatus.PUBLISHED:
        return _new_version(actor=actor, published=current, versions=versions, values=values)
    old_department = current.department_id
    changed = _apply(current, values)
    _require_editor(actor, old_department, current.department_id)
    if not changed:
        return current
    _full_clean(current)
    current.save()
    _record(current, ItemEventKind.UPDATED, actor, fields=sorted(changed))
    return current


@transaction.atomic
def item_new_version(*, actor: User | None, item: ServiceItem | int) -> ServiceItem:
    """A draft copy (with materials) of a published item, to edit and publish later."""
    current, versions = _lock_versions_of(item)
    if current.status != ItemStatus.PUBLISHED:
        raise IllegalTransition("只能为已发布的事项新建版本。")
    return _new_version(actor=actor, published=current, versions=versions, values={})


# Other apps keep per-version configuration (the cases app: process definition and form). They register a
# copier here from their AppConfig.ready(), so the catalogue never imports them: copier(source=, item=).
VERSION_COPIERS: list[Callable[..., None]] = []


def register_version_copier(copier: Callable[..., None]) -> None:
    """Called with (source=previous version, item=new version) inside the transaction that makes `item`."""
    if copier not in VERSION_COPIERS:
        VERSION_COPIERS.append(copier)


def _run_version_copiers(*, source: ServiceItem | None, item: ServiceItem) -> None:
    for copier in VERSION_COPIERS:
        copier(source=source, item=item)


def _new_version(
    *, actor: User | None, published: ServiceItem, versions: list[ServiceItem], values: Mapping[str, Any]
) -> ServiceItem:
    _require_editor(actor, published.department_id)
    draft = _draft_of(versions)
    if draft is not None:
        raise Conflict(
            f"事项 {published.code} 已有未发布的草稿（第 {draft.version} 版），请编辑该草稿。", field="code"
        )
    source_pk = published.pk
    new = ServiceItem.objects.get(pk=source_pk)
    new.pk = None
    new.id = None
    new._state.adding = True
    new.version = max(v.version for v in versions) + 1
    new.status = ItemStatus.DRAFT
    new.published_at = None  # created_at: auto_now_add stamps the new row on insert
    changed = _apply(new, values)
    _require_editor(actor, new.department_id)
    _full_clean(new)
    _save_new(new)
    source = ServiceItem.objects.get(pk=source_pk)
    copied = _copy_materials(source, new)
    _run_version_copiers(source=source, item=new)
    _record(
        new,
        ItemEventKind.NEW_VERSION,
        actor,
        from_version=published.version,
        fields=sorted(changed),
        materials_copied=copied,
    )
    return new


@transaction.atomic
def item_publish(*, actor: User | None, item: ServiceItem | int) -> ServiceItem:
    """Publish a draft; the version published before it (if any) is retired in the same transaction."""
    _require_manager(actor)
    target, versions = _lock_versions_of(item)
    return _publish(actor=actor, target=target, versions=versions)


def _publish(
    *, actor: User | None, target: ServiceItem, versions: list[ServiceItem], revalidate: bool = True
) -> ServiceItem:
    if target.status != ItemStatus.DRAFT:
        raise IllegalTransition(f"只能发布草稿，该版本的状态是“{target.get_status_display()}”。")
    previous = next((v for v in versions if v.status == ItemStatus.PUBLISHED), None)
    if previous is not None and previous.version > target.version:
        raise IllegalTransition(f"已发布的第 {previous.version} 版比该草稿更新，不能发布旧版本。")
    if not target.department.is_active:
        raise ValidationFailed("实施主体：该部门已停用，不能发布其事项。", field="department")
    if revalidate:  # rows may have been written around the services (fixtures, SQL): check again
        _full_clean(target)
        for material in target.materials.all():
            _full_clean(material, exclude=["item"])
    now = timezone.now()
    if previous is not None:
        previous.status = ItemStatus.RETIRED
        previous.save(update_fields=["status", "updated_at"])
        _record(previous, ItemEventKind.SUPERSEDED, actor, by_version=target.version)
    target.status = ItemStatus.PUBLISHED
    target.published_at = now
    target.save(update_fields=["status", "published_at", "updated_at"])
    _record(
        target,
        ItemEventKind.PUBLISHED,
        actor,
        supersedes_version=previous.version if previous is not None else None,
    )
    return target


@transaction.atomic
def item_retire(*, actor: User | None, item: ServiceItem | int, reason: str = "") -> ServiceItem:
    """Withdraw a published item from the catalogue, or abandon a draft. Cases filed under it keep it."""
    _require_manager(actor)
    target, _versions = _lock_versions_of(item)
    if target.status == ItemStatus.RETIRED:
        raise IllegalTransition("该事项版本已经废止。")
    was = target.status
    target.status = ItemStatus.RETIRED
    target.save(update_fields=["status", "updated_at"])
    _record(target, ItemEventKind.RETIRED, actor, reason=reason.strip(), was=was)
    return target


@transaction.atomic
def item_import_version(
    *,
    actor: User | None,
    code: str,
    fields: Mapping[str, Any],
    materials: Iterable[Mapping[str, Any]],
    source: str,
) -> ServiceItem:
    """One imported item: a new version (1 or next) with exactly these materials, published at once.

    Refused while the code has an unpublished draft, so that nobody's pending edits are overtaken.
    """
    _require_manager(actor)
    values = _normalise_item_fields(fields)
    versions = _lock_code(code)
    draft = _draft_of(versions)
    if draft is not None:
        raise Conflict(
            f"事项 {code} 有未发布的草稿（第 {draft.version} 版），请先发布或废止该草稿再导入。", field="code"
        )
    item = ServiceItem(
        code=code,
        version=max((v.version for v in versions), default=0) + 1,
        status=ItemStatus.DRAFT,
    )
    _apply(item, values)
    # Rules via clean(); code+version is unique by construction under the lock, and the database's own
    # constraints still guard the insert.
    _full_clean(item, validate_unique=False, validate_constraints=False)
    _save_new(item)
    rows: list[MaterialRequirement] = []
    for position, material_fields in enumerate(materials, start=1):
        material = MaterialRequirement(item=item)
        _apply_material(material, {"position": position, **_normalise_material_fields(material_fields)})
        if any(row.position == material.position for row in rows):
            raise ValidationFailed(f"序号：材料序号 {material.position} 重复。", field="position")
        # The item is new and positions are checked above: the per-row database checks add nothing.
        _full_clean(material, exclude=["item"], validate_unique=False, validate_constraints=False)
        rows.append(material)
    MaterialRequirement.objects.bulk_create(rows)
    _record(item, ItemEventKind.IMPORTED, actor, source=source, materials=len(rows))
    previous = max(versions, key=lambda v: v.version, default=None)
    _run_version_copiers(source=previous, item=item)
    versions.append(item)
    return _publish(actor=actor, target=item, versions=versions, revalidate=False)


# --- materials ----------------------------------------------------------------------------------------
# Materials are numbered 1..n in their order, always: a material added goes last (or where it is put), a
# removed one leaves no gap, and a new order renumbers them all. Nobody types a sequence number.


def _require_draft(item: ServiceItem) -> None:
    if item.status != ItemStatus.DRAFT:
        raise IllegalTransition("已发布或已废止的事项不能修改材料，请先新建版本。")


def _lock_material(material: MaterialRequirement | int) -> MaterialRequirement:
    try:
        return MaterialRequirement.objects.select_for_update().get(pk=_pk(material))
    except MaterialRequirement.DoesNotExist:
        raise NotFound("申请材料不存在。") from None


def _lock_draft_for_materials(actor: User | None, item_pk: int) -> ServiceItem:
    item = _lock_item(item_pk)
    _require_editor(actor, item.department_id)
    _require_draft(item)
    return item


def _ordered_ids(item: ServiceItem) -> list[int]:
    return list(item.materials.order_by("position", "pk").values_list("pk", flat=True))


def _renumber(item: ServiceItem, order: list[int]) -> bool:
    """Number the item's materials 1..n in `order` (ids); True if any number changed. Two passes: the
    numbers are unique per item, so each row first moves above every number in use."""
    current = dict(item.materials.values_list("pk", "position"))
    wanted = {pk: i for i, pk in enumerate(order, start=1)}
    if current == wanted:
        return False
    above = max(current.values(), default=0)
    for i, pk in enumerate(order, start=1):
        MaterialRequirement.objects.filter(pk=pk).update(position=above + i)
    for pk, position in wanted.items():
        MaterialRequirement.objects.filter(pk=pk).update(position=position)
    return True


def _place(order: list[int], pk: int, position: Any) -> list[int]:
    """`order` with `pk` moved to `position` (1-based, clamped to the list); last when position is empty."""
    rest = [p for p in order if p != pk]
    if position in (None, ""):
        return [*rest, pk]
    try:
        index = int(position) - 1
    except (TypeError, ValueError):
        raise ValidationFailed("序号：应为正整数。", field="position") from None
    if index < 0:
        raise ValidationFailed("序号：应为正整数。", field="position")
    index = min(index, len(rest))
    return [*rest[:index], pk, *rest[index:]]


@transaction.atomic
def material_add(
    *, actor: User | None, item: ServiceItem | int, fields: Mapping[str, Any]
) -> MaterialRequirement:
    """Add a material to a draft: last, or at `position` (the ones from there move down one)."""
    target = _lock_draft_for_materials(actor, _pk(item))
    values = _normalise_material_fields(fields)
    position = values.pop("position", None)
    order = _ordered_ids(target)
    material = MaterialRequirement(item=target, position=len(order) + 1)
    _apply_material(material, values)
    _renumber(target, order)  # close any gap left by rows written around the services
    _full_clean(material)
    _save_new(material)
    final = _place([*order, material.pk], material.pk, position)
    _renumber(target, final)
    material.position = final.index(material.pk) + 1
    _record(target, ItemEventKind.MATERIAL_ADDED, actor, material=material.name, position=material.position)
    return material


@transaction.atomic
def material_update(
    *, actor: User | None, material: MaterialRequirement | int, fields: Mapping[str, Any]
) -> MaterialRequirement:
    """Edit a material of a draft; a new `position` moves it there and renumbers the others."""
    current = _lock_material(material)
    item = _lock_draft_for_materials(actor, current.item_id)
    values = _normalise_material_fields(fields)
    moved = False
    if "position" in values:
        order = _ordered_ids(item)
        moved = _renumber(item, _place(order, current.pk, values.pop("position")))
        current.refresh_from_db(fields=["position"])
    changed = _apply_material(current, values)
    if not changed and not moved:
        return current
    if changed:
        _full_clean(current)
        current.save()
    _record(
        item,
        ItemEventKind.MATERIAL_UPDATED,
        actor,
        material=current.name,
        fields=sorted(changed + (["position"] if moved else [])),
    )
    return current


@transaction.atomic
def material_reorder(*, actor: User | None, item: ServiceItem | int, order: Iterable[int]) -> ServiceItem:
    """Put a draft's materials in `order` (every material's id, each once) and number them 1..n."""
    target = _lock_draft_for_materials(actor, _pk(item))
    ids = list(target.materials.select_for_update().order_by("position", "pk").values_list("pk", flat=True))
    try:
        wanted = [int(pk) for pk in order]
    except (TypeError, ValueError):
        raise ValidationFailed("材料顺序：应为材料 ID 的列表。", field="order") from None
    if len(wanted) != len(set(wanted)) or set(wanted) != set(ids):
        raise ValidationFailed(f"材料顺序：应当列出该事项的全部 {len(ids)} 项材料，每项一次。", field="order")
    if _renumber(target, wanted):
        names = dict(target.materials.values_list("pk", "name"))
        _record(target, ItemEventKind.MATERIALS_REORDERED, actor, order=[names[pk] for pk in wanted])
    return target


@transaction.atomic
def material_remove(*, actor: User | None, material: MaterialRequirement | int) -> None:
    """Remove a material from a draft; the ones after it move up (no gap in the numbers)."""
    current = _lock_material(material)
    item = _lock_draft_for_materials(actor, current.item_id)
    name, position = current.name, current.position
    current.delete()
    _renumber(item, _ordered_ids(item))
    _record(item, ItemEventKind.MATERIAL_REMOVED, actor, material=name, position=position)
