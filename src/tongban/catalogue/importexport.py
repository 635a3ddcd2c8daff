"""Import and export of the whole catalogue as JSON or XLSX (format documented in docs/catalogue-format.md).

Why it works this way:
- One column table (`ITEM_COLUMNS`, `MATERIAL_COLUMNS`) drives both formats, the XLSX headers, the docs and
  the parser, so the two formats cannot drift apart.
- Import is all or nothing: every row is parsed and validated first and every problem is collected into
  a row-by-row report (`ValidationFailed.errors`, each `{"sheet", "row", "field", "message"}`); only a
  clean file is written, in one transaction, through `services.item_import_version`.
- An imported item becomes a new published version of its code (version 1 for a new code); an item whose
  elements and materials equal the published version is left alone, so importing the same file twice
  changes nothing.
- Only published versions are exported: the file is the current catalogue, not its history.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from tongban.common.errors import NotAllowed, ServiceError, ValidationFailed
from tongban.common.models import field_label
from tongban.common.validators import validate_credit_code
from tongban.organisations.models import Department, Region

from . import services
from .choices import (
    ApplicantKind,
    CaseKind,
    ItemCategory,
    ItemStatus,
    ItemType,
    LifeEvent,
    LimitUnit,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
    ProcessingMode,
    ServiceLevel,
)
from .models import MaterialRequirement, ServiceItem

if TYPE_CHECKING:
    from tongban.accounts.models import User

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ITEM_COLUMNS",
    "MATERIAL_COLUMNS",
    "ImportResult",
    "catalogue_records",
    "export_json",
    "export_xlsx",
    "import_json",
    "import_xlsx",
]

FORMAT_NAME = "tongban-catalogue"
FORMAT_VERSION = 1
ITEM_SHEET = "事项"
MATERIAL_SHEET = "材料"
HELP_SHEET = "说明"
MAX_ERRORS = 500
_ILLEGAL_XLSX_CHARS = re.compile(r"[\000-\010\013\014\016-\037]")
_LIST_SPLIT = re.compile(r"[,，、;；\s]+")
_TRUE = {"是", "true", "1", "yes", "y", "t", "必需", "必须"}
_FALSE = {"否", "false", "0", "no", "n", "f", "非必需", ""}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | decimal | bool | choice | choices | list | file
    required: bool = False
    choices: type[models.Choices] | None = None
    example: Any = ""
    note: str = ""


ITEM_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "事项编码",
        required=True,
        example="440106-XK-001",
        note="已存在的编码导入后成为该事项的新版本",
    ),
    Column("name", "事项名称", required=True, example="食品经营许可"),
    Column("item_type", "事项类型", "choice", True, ItemType, "01"),
    Column("department_credit_code", "实施主体统一社会信用代码", example="11440106MB2C12345E"),
    Column("department_name", "实施主体名称", example="某区市场监督管理局", note="信用代码与名称至少填一项"),
    Column("level", "行使层级", "choice", False, ServiceLevel, "district"),
    Column("region_code", "实施区划代码", example="440106", note="6 位或 12 位区划代码，可空"),
    Column("category", "事项分类", "choice", True, ItemCategory, "business"),
    Column("applicant_kinds", "服务对象", "choices", True, ApplicantKind, "natural,legal"),
    Column("life_events", "主题分类", "choices", False, LifeEvent, "start_business"),
    Column("summary", "事项简介"),
    Column("legal_basis", "设定依据", required=True, example="《中华人民共和国食品安全法》第三十五条"),
    Column("conditions", "受理条件", required=True),
    Column("statutory_limit", "法定办结时限", "int", True, example=20),
    Column("statutory_limit_unit", "法定时限单位", "choice", False, LimitUnit, "working"),
    Column("promised_limit", "承诺办结时限", "int", True, example=10, note="不得超过法定办结时限"),
    Column("promised_limit_unit", "承诺时限单位", "choice", False, LimitUnit, "working"),
    Column("case_kind", "办件类型", "choice", False, CaseKind, "promised"),
    Column(
        "processing_mode",
        "办理方式",
        "choice",
        False,
        ProcessingMode,
        "single",
        note="joint：统一办理、联合办理或集中办理（法定时限不超过 45 个工作日，延长 15 个工作日）",
    ),
    Column("extension_max_times", "最多延期次数", "int", example=1, note="0 到 5；0 表示不得延期；空为 1"),
    Column(
        "extension_max_days",
        "每次最多延长（日）",
        "int",
        example="",
        note="1 到 365，单位同法定时限；空按法定：单独办理 10，联合办理 15",
    ),
    Column("extension_basis", "延期依据", note="空为行政许可法第四十二条；其他法律另有规定的写明条款"),
    Column("visits_required", "到现场次数", "int", example=1, note="0 到 3"),
    Column("online_depth", "网办深度", "choice", False, OnlineDepth, 4),
    Column("charges_fee", "是否收费", "bool", example="否"),
    Column("fee_amount", "收费金额（元）", "decimal", example="0.00"),
    Column("fee_description", "收费标准", note="收费事项必填"),
    Column("fee_basis", "收费依据"),
    Column("place", "办理地点"),
    Column("hours", "办理时间"),
    Column("phone", "咨询电话"),
    Column("complaint_phone", "监督投诉电话", example="12345"),
    Column("result_name", "办理结果名称"),
    Column("keywords", "检索关键词"),
)
MATERIAL_COLUMNS: tuple[Column, ...] = (
    Column("item_code", "事项编码", required=True, example="440106-XK-001", note="材料所属事项的编码"),
    Column("position", "序号", "int", example=1, note="同一事项内不重复；空则按行序"),
    Column("name", "材料名称", required=True, example="营业执照"),
    Column("form", "材料形式", "choice", False, MaterialForm, "both"),
    Column("original_copies", "原件份数", "int", example=1),
    Column("copy_copies", "复印件份数", "int", example=1),
    Column("required", "是否必需", "bool", example="是"),
    Column("condition", "适用情形", note="非必需材料必填"),
    Column("source", "来源渠道", "choice", False, MaterialSource, "applicant"),
    Column("source_note", "来源说明"),
    Column("blank_form", "空白表格", "file", note="媒体存储中的文件路径"),
    Column("sample", "示例样表", "file", note="媒体存储中的文件路径"),
    Column("notes", "填报须知"),
)
_ITEM_KEYS = {c.key: c for c in ITEM_COLUMNS}
_MATERIAL_KEYS = {c.key: c for c in MATERIAL_COLUMNS}
# Model field → column reported in errors.
_ITEM_FIELD_COLUMN = {"department": "department_credit_code", "region": "region_code"}
_REFERENCE_COLUMNS = {"department_credit_code", "department_name", "region_code"}
_ITEM_MODEL_FIELDS = [c.key for c in ITEM_COLUMNS if c.key not in _REFERENCE_COLUMNS]


# --- export ----------------------------------------------------------------------------------------------


def _material_record(material: MaterialRequirement) -> dict[str, Any]:
    return {
        "position": material.position,
        "name": material.name,
        "form": material.form,
        "original_copies": material.original_copies,
        "copy_copies": material.copy_copies,
        "required": material.required,
        "condition": material.condition,
        "source": material.source,
        "source_note": material.source_note,
        "blank_form": material.blank_form.name or "",
        "sample": material.sample.name or "",
        "notes": material.notes,
    }


def _item_record(item: ServiceItem, materials: Iterable[MaterialRequirement]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column in ITEM_COLUMNS:
        if column.key == "department_credit_code":
            record[column.key] = item.department.credit_code
        elif column.key == "department_name":
            record[column.key] = item.department.name
        elif column.key == "region_code":
            record[column.key] = item.region.code if item.region_id else ""
        elif column.key == "fee_amount":
            record[column.key] = f"{Decimal(item.fee_amount):.2f}"
        elif column.key in ("applicant_kinds", "life_events"):
            record[column.key] = list(getattr(item, column.key) or [])
        else:
            record[column.key] = getattr(item, column.key)
    record["materials"] = [_material_record(m) for m in sorted(materials, key=lambda m: m.position)]
    return record


def catalogue_records(*, user: User | None = None) -> list[dict[str, Any]]:
    """The published catalogue as plain records (the `items` of the JSON format), by code."""
    qs = (
        ServiceItem.objects.visible_to(user)
        .published()
        .select_related("department", "region")
        .prefetch_related("materials")
        .order_by("code")
    )
    return [_item_record(item, item.materials.all()) for item in qs]


def export_json(*, user: User | None = None) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "items": catalogue_records(user=user),
    }


def _cell_value(column: Column, value: Any) -> Any:
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "choices":
        return ",".join(value)
    if column.kind == "list":
        return "、".join(value)
    if column.kind == "decimal":
        return Decimal(value)
    if isinstance(value, str):
        return _ILLEGAL_XLSX_CHARS.sub("", value)
    return value


def _write_sheet(ws, columns: tuple[Column, ...], rows: Iterable[Mapping[str, Any]]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, grey = Font(bold=True), Font(color="808080")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, column in enumerate(columns, start=1):
        head = ws.cell(row=1, column=col, value=column.label + (" *" if column.required else ""))
        head.font, head.fill = bold, fill
        ws.cell(row=2, column=col, value=column.key).font = grey
        ws.column_dimensions[get_column_letter(col)].width = max(10, min(40, len(column.label) * 2 + 4))
    ws.freeze_panes = "B3"
    for r, row in enumerate(rows, start=3):
        for col, column in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=col, value=_cell_value(column, row[column.key]))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, even when the text starts with "="


def _write_help(ws, sheets: Iterable[tuple[str, tuple[Column, ...]]] | None = None) -> None:
    from openpyxl.styles import Font

    ws.append(["工作表", "列名", "机器键", "必填", "允许的值", "示例", "说明"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for sheet, columns in sheets or ((ITEM_SHEET, ITEM_COLUMNS), (MATERIAL_SHEET, MATERIAL_COLUMNS)):
        for c in columns:
            allowed = "；".join(f"{v}={label}" for v, label in c.choices.choices) if c.choices else ""
            if c.kind == "bool":
                allowed = "是；否"
            example = str(c.example)
            row = [sheet, c.label, c.key, "是" if c.required else "", allowed, example, c.note]
            ws.append(row)
            ws.cell(row=ws.max_row, column=6).data_type = "s"
    ws.append([])
    ws.append(["第 1 行是中文列名，第 2 行是机器键（导入按机器键识别列），数据从第 3 行开始。"])
    for letter, width in zip("ABCDEFG", (8, 24, 24, 6, 60, 24, 30), strict=True):
        ws.column_dimensions[letter].width = width


def export_xlsx(*, user: User | None = None, records: list[dict[str, Any]] | None = None) -> bytes:
    """The catalogue as a workbook: 事项, 材料 (one row per material, linked by 事项编码) and 说明.

    `records=[]` gives an empty template with the headers and the help sheet.
    """
    from openpyxl import Workbook

    items = catalogue_records(user=user) if records is None else records
    wb = Workbook()
    ws_items = wb.active
    ws_items.title = ITEM_SHEET
    _write_sheet(ws_items, ITEM_COLUMNS, items)
    material_rows = [{"item_code": item["code"], **m} for item in items for m in item["materials"]]
    _write_sheet(wb.create_sheet(MATERIAL_SHEET), MATERIAL_COLUMNS, material_rows)
    _write_help(wb.create_sheet(HELP_SHEET))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- parsing ---------------------------------------------------------------------------------------------


class _CellError(Exception):
    pass


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        raise _CellError("应为文字")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (list, dict)):
        raise _CellError("应为文字")
    return str(value).strip()


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _CellError("应为整数")
    if isinstance(value, float):
        if not value.is_integer():
            raise _CellError("应为整数")
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"-?\d+", text):
        raise _CellError(f"应为整数，实际为“{text}”")
    return int(text)


def _as_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _CellError("应为金额")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _CellError(f"应为金额（如 12.50），实际为“{value}”") from None
    if not amount.is_finite():
        raise _CellError("应为金额")
    return amount.quantize(Decimal("0.01"))


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _CellError(f"应为“是”或“否”，实际为“{value}”")


def _as_choice(value: Any, choices: type[models.Choices]) -> Any:
    text = _as_text(value)
    if choices is ItemType and text.isdigit() and len(text) == 1:
        text = text.zfill(2)  # a spreadsheet turned "01" into 1
    for code, label in choices.choices:
        if text == str(code) or text == label or text.lower() == str(code).lower():
            return code
    allowed = "、".join(f"{code}（{label}）" for code, label in choices.choices)
    raise _CellError(f"“{text}”不是允许的值；允许：{allowed}")


def _as_choices(value: Any, choices: type[models.Choices]) -> list:
    parts = value if isinstance(value, list) else [p for p in _LIST_SPLIT.split(_as_text(value)) if p]
    out: list = []
    for part in parts:
        code = _as_choice(part, choices)
        if code not in out:
            out.append(code)
    return out


def _as_file(value: Any) -> str:
    path = _as_text(value)
    if ".." in path.split("/") or path.startswith("/"):
        raise _CellError("文件路径必须是媒体存储中的相对路径")
    if not default_storage.exists(path):
        raise _CellError(f"文件“{path}”在媒体存储中不存在")
    return path


def _parse_value(column: Column, value: Any) -> Any:
    if column.kind == "int":
        return _as_int(value)
    if column.kind == "decimal":
        return _as_decimal(value)
    if column.kind == "bool":
        return _as_bool(value)
    if column.kind == "choice":
        return _as_choice(value, column.choices)
    if column.kind == "choices":
        return _as_choices(value, column.choices)
    if column.kind == "list":
        return value if isinstance(value, list) else [p for p in _LIST_SPLIT.split(_as_text(value)) if p]
    if column.kind == "file":
        return _as_file(value)
    return _as_text(value)


@dataclass
class _Row:
    """One item or material as read from a file, with where it came from (for the error report)."""

    sheet: str
    row: int
    values: dict[str, Any]
    material: int | None = None  # JSON: the material's number within its item


@dataclass
class _Batch:
    items: list[_Row] = field(default_factory=list)
    materials: list[_Row] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: _Row | None, field_key: str, message: str, *, sheet: str = "", line: int = 0):
        entry: dict[str, Any] = {
            "sheet": row.sheet if row else sheet,
            "row": row.row if row else line,
            "field": field_key,
            "message": message,
        }
        if row is not None and row.material is not None:
            entry["material"] = row.material
        code = row.values.get("code") or row.values.get("item_code") if row else None
        if code not in (None, ""):
            entry["code"] = str(code)
        self.errors.append(entry)


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        verb = "检查通过，可导入" if self.dry_run else "导入完成"
        return (
            f"{verb}：共 {self.total} 个事项，新增 {len(self.created)} 个，"
            f"更新（新版本）{len(self.updated)} 个，未变化 {len(self.unchanged)} 个。"
        )


def _parse_row(batch: _Batch, row: _Row, columns: Mapping[str, Column]) -> dict[str, Any] | None:
    """Typed values of one row, or None (with its errors recorded) when any cell is wrong."""
    parsed: dict[str, Any] = {}
    failed: set[str] = set()
    for key, value in row.values.items():
        column = columns.get(key)
        if column is None:
            batch.error(row, key, f"未知的列“{key}”")
            failed.add(key)
            continue
        if _blank(value) or (column.kind in ("choices", "list") and value == []):
            continue
        try:
            parsed[key] = _parse_value(column, value)
        except _CellError as exc:
            batch.error(row, key, f"{column.label}：{exc}")
            failed.add(key)
    for column in columns.values():
        if column.required and column.key not in parsed and column.key not in failed:
            batch.error(row, column.key, f"{column.label}：必填")
            failed.add(column.key)
    return None if failed else parsed


def _model_errors(batch: _Batch, row: _Row, exc: ValidationError, model, mapping: Mapping[str, str]):
    for model_field, messages in exc.message_dict.items():
        key = mapping.get(model_field, model_field if model_field != "__all__" else "")
        label = field_label(model, model_field)
        for message in messages:
            batch.error(row, key, f"{label}：{message}" if label else message)


class _Lookup:
    """Departments by credit code and by name, regions by code: loaded once per import."""

    def __init__(self) -> None:
        departments = list(Department.objects.all())
        self.by_credit = {d.credit_code.upper(): d for d in departments}
        self.by_name = {d.name: d for d in departments}
        self.regions = {r.code: r for r in Region.objects.all()}

    def department(self, credit_code: str, name: str) -> Department:
        if credit_code:
            try:  # a mistyped code says so, rather than "no such department"
                credit_code = validate_credit_code(credit_code)
            except ValidationError as exc:
                raise _CellError(exc.messages[0].rstrip("。")) from None
        by_code = self.by_credit.get(credit_code) if credit_code else None
        by_name = self.by_name.get(name) if name else None
        if credit_code and by_code is None:
            raise _CellError(f"找不到统一社会信用代码为 {credit_code} 的部门")
        if name and by_name is None and by_code is None:
            raise _CellError(f"找不到名为“{name}”的部门")
        if by_code and name and by_code.name != name:
            raise _CellError(f"信用代码 {credit_code} 对应的部门是“{by_code.name}”，与名称“{name}”不符")
        department = by_code or by_name
        if department is None:
            raise _CellError("请填写实施主体的统一社会信用代码或名称")
        return department


def _prepare_items(batch: _Batch, lookup: _Lookup) -> tuple[list[tuple[_Row, str, dict]], set[str]]:
    """Parse item rows and resolve department and region; also return every code the file names."""
    named = {str(r.values["code"]).strip() for r in batch.items if not _blank(r.values.get("code"))}
    seen: dict[str, _Row] = {}
    prepared: list[tuple[_Row, str, dict[str, Any]]] = []
    for row in batch.items:
        parsed = _parse_row(batch, row, _ITEM_KEYS)
        if parsed is None:
            continue
        code = parsed["code"]
        if code in seen:
            batch.error(row, "code", f"事项编码 {code} 与第 {seen[code].row} 行重复")
            continue
        seen[code] = row
        fields = {k: parsed[k] for k in _ITEM_MODEL_FIELDS if k in parsed and k != "code"}
        unresolved = []
        try:
            fields["department"] = lookup.department(
                parsed.get("department_credit_code", ""), parsed.get("department_name", "")
            )
        except _CellError as exc:
            batch.error(row, "department_credit_code", f"实施主体：{exc}")
            unresolved.append("department")
        region_code = parsed.get("region_code", "")
        fields["region"] = lookup.regions.get(region_code) if region_code else None
        if region_code and fields["region"] is None:
            batch.error(row, "region_code", f"实施区划：找不到区划代码 {region_code}")
            unresolved.append("region")
        item = ServiceItem(code=code, status=ItemStatus.DRAFT, **fields)
        try:
            item.full_clean(exclude=unresolved, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            _model_errors(batch, row, exc, ServiceItem, _ITEM_FIELD_COLUMN)
            continue
        if not unresolved:
            prepared.append((row, code, fields))
    return prepared, named


def _prepare_materials(batch: _Batch, named: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Parse and check every material row, grouped by item code, sorted by position."""
    grouped: dict[str, list[tuple[_Row, dict[str, Any]]]] = {}
    for row in batch.materials:
        parsed = _parse_row(batch, row, _MATERIAL_KEYS)
        if parsed is None:
            continue
        code = parsed.pop("item_code")
        if code not in named:
            batch.error(row, "item_code", f"事项编码 {code} 不在事项表中")
            continue
        grouped.setdefault(code, []).append((row, parsed))
    out: dict[str, list[dict[str, Any]]] = {}
    for code, rows in grouped.items():
        positions: dict[int, _Row] = {}
        for number, (row, fields) in enumerate(rows, start=1):
            fields.setdefault("position", number)
            if fields["position"] in positions:
                other = positions[fields["position"]]
                batch.error(row, "position", f"序号：{fields['position']} 与第 {other.row} 行的材料重复")
            positions[fields["position"]] = row
            try:
                MaterialRequirement(**fields).full_clean(
                    exclude=["item"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                _model_errors(batch, row, exc, MaterialRequirement, {})
        out[code] = sorted((fields for _row, fields in rows), key=lambda m: m["position"])
    return out


def _validate(batch: _Batch, *, actor: User | None) -> list[tuple[str, dict, list[dict], str]]:
    """Check everything; return the plan [(code, fields, materials, action)] (used only without errors)."""
    prepared, named = _prepare_items(batch, _Lookup())
    materials_by_code = _prepare_materials(batch, named)
    codes = [code for _row, code, _fields in prepared]
    current = {
        item.code: item
        for item in ServiceItem.objects.filter(code__in=codes, status=ItemStatus.PUBLISHED)
        .select_related("department", "region")
        .prefetch_related("materials")
    }
    pending = ServiceItem.objects.filter(code__in=codes, status=ItemStatus.DRAFT)
    drafts = dict(pending.values_list("code", "version"))
    plan = []
    for row, code, fields in prepared:
        if code in drafts:
            batch.error(row, "code", f"事项 {code} 有未发布的草稿（第 {drafts[code]} 版），请先发布或废止")
            continue
        if not services.can_edit_item(actor, fields["department"].pk):
            batch.error(row, "department_credit_code", "您无权导入该部门的事项")
            continue
        materials = materials_by_code.get(code, [])
        action = "created"
        if code in current:
            old = current[code]
            new_record = _item_record(
                ServiceItem(code=code, **fields), [MaterialRequirement(**m) for m in materials]
            )
            action = "unchanged" if new_record == _item_record(old, old.materials.all()) else "updated"
        plan.append((code, fields, materials, action))
    return plan


def _run(batch: _Batch, *, actor: User | None, source: str, dry_run: bool) -> ImportResult:
    if not services.can_manage_catalogue(actor):
        raise NotAllowed("只有事项清单管理员可以导入事项清单。")
    if not batch.items and not batch.errors:
        batch.error(None, "", "文件中没有任何事项", sheet=ITEM_SHEET, line=0)
    plan = _validate(batch, actor=actor)
    if batch.errors:
        _fail(batch)
    result = ImportResult(dry_run=dry_run)
    if dry_run:
        for code, _fields, _materials, action in plan:
            getattr(result, action).append(code)
        return result
    try:
        with transaction.atomic():
            for code, fields, materials, action in plan:
                if action != "unchanged":
                    services.item_import_version(
                        actor=actor, code=code, fields=fields, materials=materials, source=source
                    )
                getattr(result, action).append(code)
    except ServiceError as exc:
        # Someone changed the catalogue between the check and the write: nothing was written.
        batch.error(None, exc.field or "", exc.message, sheet=ITEM_SHEET, line=0)
        _fail(batch)
    return result


def _fail(batch: _Batch) -> None:
    total = len(batch.errors)
    errors = batch.errors[:MAX_ERRORS]
    more = f"（仅列出前 {MAX_ERRORS} 处）" if total > MAX_ERRORS else ""
    raise ValidationFailed(f"导入失败：发现 {total} 处错误{more}，未导入任何数据。", errors=errors)


# --- import: JSON ----------------------------------------------------------------------------------------


def import_json(data: Any, *, actor: User | None = None, dry_run: bool = False) -> ImportResult:
    """Import `{"format": "tongban-catalogue", "items": [...]}` (or the bare list, or JSON text/bytes).

    Error rows: sheet "事项", row = the item's number in `items` (from 1); for a material, sheet "材料",
    the same row and `material` = its number within the item's `materials`.
    """
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationFailed(f"文件不是有效的 JSON：{exc}", code="invalid_file") from exc
    if isinstance(data, dict):
        if data.get("format", FORMAT_NAME) != FORMAT_NAME:
            raise ValidationFailed(f"文件格式应为 {FORMAT_NAME}。", code="invalid_file", field="format")
        if str(data.get("format_version", FORMAT_VERSION)) != str(FORMAT_VERSION):
            raise ValidationFailed(
                f"不支持的格式版本 {data.get('format_version')}（本系统为 {FORMAT_VERSION}）。",
                code="invalid_file",
                field="format_version",
            )
        data = data.get("items")
    if not isinstance(data, list):
        raise ValidationFailed("JSON 中缺少事项列表 items。", code="invalid_file", field="items")
    batch = _Batch()
    for number, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            batch.error(None, "", "每个事项应为一个对象", sheet=ITEM_SHEET, line=number)
            continue
        values = dict(raw)
        raw_materials = values.pop("materials", [])
        batch.items.append(_Row(ITEM_SHEET, number, values))
        if not isinstance(raw_materials, list):
            batch.error(batch.items[-1], "materials", "materials 应为列表")
            continue
        for m_number, m_raw in enumerate(raw_materials, start=1):
            if not isinstance(m_raw, dict):
                batch.error(None, "", "每项材料应为一个对象", sheet=MATERIAL_SHEET, line=number)
                continue
            m_values = {k: v for k, v in m_raw.items() if k != "item_code"}
            m_values["item_code"] = values.get("code")
            batch.materials.append(_Row(MATERIAL_SHEET, number, m_values, material=m_number))
    return _run(batch, actor=actor, source="json", dry_run=dry_run)


# --- import: XLSX ----------------------------------------------------------------------------------------


def _read_sheet(batch: _Batch, wb, sheet: str, columns: Mapping[str, Column]) -> list[_Row]:
    if sheet not in wb.sheetnames:
        batch.error(None, "", f"缺少工作表“{sheet}”", sheet=sheet, line=0)
        return []
    return _read_rows(batch, wb[sheet].iter_rows(values_only=True), sheet, columns)


def _read_rows(batch: _Batch, rows: Iterator[Sequence[Any]], sheet: str, columns: Mapping[str, Column]):
    """Rows of a sheet (or a CSV file) as records keyed by machine key: row 1 the Chinese names, row 2
    the machine keys and data from row 3 — or, without the key row, the names on row 1 and data from 2."""
    header1 = list(next(rows, ()) or ())
    header2 = list(next(rows, ()) or ())
    by_label = {c.label: c.key for c in columns.values()}
    if any(isinstance(v, str) and v.strip() in columns for v in header2):
        header, first_data_row, pending = header2, 3, []
    else:  # no machine-key row: read the Chinese headers, data from row 2
        header, first_data_row, pending = header1, 2, [header2]
    keys: list[str | None] = []
    for col, value in enumerate(header, start=1):
        text = str(value).strip().removesuffix("*").strip() if value is not None else ""
        key = text if text in columns else by_label.get(text)
        if text and key is None:
            batch.error(
                None, text, f"第 {col} 列的列名“{text}”无法识别", sheet=sheet, line=first_data_row - 1
            )
        keys.append(key)
    out: list[_Row] = []
    for number, values in enumerate([*pending, *rows], start=first_data_row):
        if values is None or all(_blank(v) for v in values):
            continue
        record = {k: v for k, v in zip(keys, values, strict=False) if k is not None}
        out.append(_Row(sheet, number, record))
    return out


def import_xlsx(file, *, actor: User | None = None, dry_run: bool = False) -> ImportResult:
    """Import a workbook laid out like `export_xlsx` (sheets 事项 and 材料). Error rows are Excel rows."""
    from openpyxl import load_workbook

    if isinstance(file, (bytes, bytearray)):
        file = io.BytesIO(file)
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed("无法读取该文件，请上传 .xlsx 格式的工作簿。", code="invalid_file") from exc
    try:
        batch = _Batch()
        batch.items = _read_sheet(batch, wb, ITEM_SHEET, _ITEM_KEYS)
        batch.materials = _read_sheet(batch, wb, MATERIAL_SHEET, _MATERIAL_KEYS)
    finally:
        wb.close()
    if batch.errors:
        _fail(batch)
    return _run(batch, actor=actor, source="xlsx", dry_run=dry_run)
