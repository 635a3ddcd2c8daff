"""Import and export of the synonyms and life events as XLSX (both, one sheet each) or CSV (one kind a file).

Why it looks like the catalogue's import/export (docs/catalogue-format.md): the same people use both, so
the same conventions hold — row 1 the Chinese column names (required ones marked *), row 2 the machine
keys, data from row 3; lists separated by 、 , ， ; or spaces; 是/否; all or nothing, with every problem
listed by sheet, row and column. The parsing is the catalogue's own (`importexport`), the checks are
the services' (`search_services.clean_*`), so a file is held to exactly the rules of the admin and API.

An import adds new phrases / codes and updates existing ones (matched by 说法 / 编码); rows absent from
the file are left as they are (delete through the admin or the API). CSV files are written as UTF-8
with a byte-order mark (Excel opens them correctly) and read as UTF-8 or, failing that, GB18030 (what
Excel on a Chinese Windows saves).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from tongban.common.errors import NotAllowed, ServiceError, ValidationFailed

from . import search_services as svc
from .choices import LifeEvent
from .importexport import (
    HELP_SHEET,
    Column,
    _Batch,
    _cell_value,
    _fail,
    _parse_row,
    _read_rows,
    _write_help,
    _write_sheet,
)
from .models import LifeEventIntent, SearchSynonym
from .services import can_manage_catalogue

if TYPE_CHECKING:
    from tongban.accounts.models import User

__all__ = [
    "KINDS",
    "LIFE_EVENT_COLUMNS",
    "SYNONYM_COLUMNS",
    "SearchImportResult",
    "export_csv",
    "export_xlsx",
    "import_file",
]

SYNONYM_SHEET = "同义词"
LIFE_EVENT_SHEET = "人生事件"
SYNONYM_COLUMNS: tuple[Column, ...] = (
    Column("phrase", "说法", required=True, example="丢了", note="群众的说法；保存时去掉空格、统一大小写"),
    Column("terms", "对应检索词", "list", example="补领、补办、遗失", note="事项清单里的说法"),
    Column("item_codes", "直达事项编码", "list", example="440106-GA-005", note="按优先顺序"),
    Column("note", "备注"),
    Column("is_active", "启用", "bool", example="是", note="空 = 是"),
)
LIFE_EVENT_COLUMNS: tuple[Column, ...] = (
    Column("code", "编码", required=True, example="open_restaurant", note="英文小写、数字、- 或 _"),
    Column("name", "名称", required=True, example="开餐馆"),
    Column("description", "说明"),
    Column("phrases", "常见说法", "list", example="开饭店、开奶茶店"),
    Column("theme", "主题分类", "choice", False, LifeEvent, "", note="该主题的事项也列入本事件"),
    Column("item_codes", "事项编码（按办理顺序）", "list", example="440106-SCJG-006、440106-SCJG-009"),
    Column("sort_order", "排序", "int", example=10),
    Column("is_active", "启用", "bool", example="是", note="空 = 是"),
)
# kind → (sheet, columns, model, the column that identifies a row)
KINDS = {
    "synonyms": (SYNONYM_SHEET, SYNONYM_COLUMNS, SearchSynonym, "phrase"),
    "life_events": (LIFE_EVENT_SHEET, LIFE_EVENT_COLUMNS, LifeEventIntent, "code"),
}
# kind → (clean, create, update, the update's keyword for the row)
_WRITERS = {
    "synonyms": (svc.clean_synonym, svc.synonym_create, svc.synonym_update, "synonym"),
    "life_events": (svc.clean_life_event, svc.life_event_create, svc.life_event_update, "event"),
}


# --- export ----------------------------------------------------------------------------------------------


def export_records(kind: str) -> list[dict[str, Any]]:
    """Every row of one kind as a record keyed by machine key (the order of the admin's list)."""
    _sheet, columns, model, _key = KINDS[kind]
    return [{c.key: getattr(row, c.key) for c in columns} for row in model.objects.all()]


def export_xlsx() -> bytes:
    """Synonyms and life events in one workbook, with a 说明 sheet; `[]`-empty tables give a template."""
    from openpyxl import Workbook

    wb = Workbook()
    first = True
    for kind, (sheet, columns, _model, _key) in KINDS.items():
        ws = wb.active if first else wb.create_sheet(sheet)
        ws.title = sheet
        first = False
        _write_sheet(ws, columns, export_records(kind))
    _write_help(wb.create_sheet(HELP_SHEET), [(sheet, columns) for sheet, columns, _m, _k in KINDS.values()])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_csv(kind: str) -> bytes:
    """One kind as CSV: Chinese names, machine keys, then the rows (UTF-8 with a byte-order mark)."""
    if kind not in KINDS:
        raise ValidationFailed("导出类型应为 synonyms（同义词）或 life_events（人生事件）。", field="kind")
    _sheet, columns, _model, _key = KINDS[kind]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label + (" *" if c.required else "") for c in columns])
    writer.writerow([c.key for c in columns])
    for record in export_records(kind):
        writer.writerow(["" if record[c.key] is None else _cell_value(c, record[c.key]) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- import ----------------------------------------------------------------------------------------------


@dataclass
class SearchImportResult:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "检查通过，可导入" if self.dry_run else "导入完成"
        parts = []
        for kind, (sheet, _columns, _model, _key) in KINDS.items():
            n = self.counts.get(kind)
            if n:
                parts.append(
                    f"{sheet}：新增 {n['created']} 条，更新 {n['updated']} 条，未变化 {n['unchanged']} 条"
                )
        return f"{verb}：" + "；".join(parts) + "。"


def import_file(file, *, name: str, actor: User | None = None, dry_run: bool = False) -> SearchImportResult:
    """Import an .xlsx (sheets 同义词 and/or 人生事件) or a .csv (its kind told by its columns)."""
    if not can_manage_catalogue(actor):
        raise NotAllowed("只有事项清单管理员可以导入同义词和人生事件。")
    batch = _Batch()
    rows_by_kind = _read_xlsx(batch, file) if name.lower().endswith(".xlsx") else _read_csv(batch, file)
    if batch.errors:
        _fail(batch)
    plan = _validate(batch, rows_by_kind)
    if batch.errors:
        _fail(batch)
    result = SearchImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            for kind, rows in plan.items():
                tally = result.counts.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})
                for existing, values in rows:
                    tally[_write(kind, existing, values, actor)] += 1
            if dry_run:
                transaction.set_rollback(True)
    except ServiceError as exc:
        # Someone changed the same rows between the check and the write: nothing was written.
        batch.error(None, exc.field or "", exc.message, sheet="", line=0)
        _fail(batch)
    return result


def _read_xlsx(batch: _Batch, file) -> dict[str, list]:
    from openpyxl import load_workbook

    if isinstance(file, (bytes, bytearray)):
        file = io.BytesIO(file)
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed("无法读取该文件，请上传 .xlsx 或 .csv 文件。", code="invalid_file") from exc
    try:
        out = {}
        for kind, (sheet, columns, _model, _key) in KINDS.items():
            if sheet in wb.sheetnames:
                keyed = {c.key: c for c in columns}
                out[kind] = _read_rows(batch, wb[sheet].iter_rows(values_only=True), sheet, keyed)
    finally:
        wb.close()
    if not out:
        raise ValidationFailed(
            f"工作簿中没有“{SYNONYM_SHEET}”或“{LIFE_EVENT_SHEET}”工作表。", code="invalid_file"
        )
    return out


def _read_csv(batch: _Batch, file) -> dict[str, list]:
    raw = file if isinstance(file, (bytes, bytearray)) else file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise ValidationFailed("无法识别文件编码，请保存为 UTF-8 的 CSV。", code="invalid_file") from None
    rows = list(csv.reader(io.StringIO(text)))
    header = {cell.strip().removesuffix("*").strip() for row in rows[:2] for cell in row}
    for kind, (sheet, columns, _model, _key) in KINDS.items():
        required = {c for col in columns if col.required for c in (col.key, col.label)}
        if len(header & required) >= sum(1 for c in columns if c.required):
            keyed = {c.key: c for c in columns}
            return {kind: _read_rows(batch, iter(rows), sheet, keyed)}
    raise ValidationFailed(
        "无法识别 CSV 的内容：同义词应有“说法”列，人生事件应有“编码”和“名称”列。", code="invalid_file"
    )


def _validate(batch: _Batch, rows_by_kind: dict[str, list]) -> dict[str, list[tuple[Any, dict]]]:
    """Every row parsed and checked by the services' rules; the plan [(existing row or None, values)]."""
    plan: dict[str, list[tuple[Any, dict]]] = {}
    for kind, rows in rows_by_kind.items():
        _sheet, columns, model, key = KINDS[kind]
        clean = _WRITERS[kind][0]
        keyed = {c.key: c for c in columns}
        seen: dict[str, int] = {}
        prepared = []
        for row in rows:
            parsed = _parse_row(batch, row, keyed)
            if parsed is None:
                continue
            parsed.setdefault("is_active", True)
            try:
                values = clean(parsed)
            except ServiceError as exc:
                batch.error(row, exc.field or "", exc.message)
                continue
            if values[key] in seen:
                batch.error(row, key, f"{keyed[key].label}：“{values[key]}”与第 {seen[values[key]]} 行重复")
                continue
            seen[values[key]] = row.row
            prepared.append(values)
        existing = model.objects.in_bulk([v[key] for v in prepared], field_name=key)
        plan[kind] = [(existing.get(v[key]), v) for v in prepared]
    return plan


def _write(kind: str, existing, values: dict, actor: User | None) -> str:
    _clean, create, update, keyword = _WRITERS[kind]
    if existing is None:
        create(actor=actor, fields=values, kind="imported")
        return "created"
    before = existing.updated_at
    row = update(actor=actor, **{keyword: existing.pk}, fields=values, kind="imported")
    return "unchanged" if row.updated_at == before else "updated"
