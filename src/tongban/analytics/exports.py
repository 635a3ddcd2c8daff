"""The performance table as an XLSX workbook (openpyxl), with the same columns as the page."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .choices import Dimension
from .selectors import COLUMNS, DEFINITIONS, RATE_COLUMNS, RATE_NOTE, Performance


def headers(perf: Performance) -> list[str]:
    return [Dimension(perf.dimension).label, *[title for _, title in COLUMNS]]


def performance_xlsx(perf: Performance) -> bytes:
    """Rates are written as numbers with a percent format, so spreadsheets can sort and sum them."""
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效"
    ws.append(headers(perf))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in [*perf.rows, perf.total]:
        values = [row.label]
        for attr, _ in COLUMNS:
            value = getattr(row, attr)
            values.append(round(value, 4) if isinstance(value, float) else value)
        ws.append(values)
    for idx, (attr, _) in enumerate(COLUMNS, start=2):
        fmt = "0.0%" if attr in RATE_COLUMNS else ("0.00" if attr.startswith("avg_") else "0")
        for col in ws.iter_cols(min_col=idx, max_col=idx, min_row=2):
            for cell in col:
                cell.number_format = fmt
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 36
    meta = wb.create_sheet("说明")
    meta.append(["统计区间", f"{perf.date_from:%Y-%m-%d} 至 {perf.date_to:%Y-%m-%d}"])
    for attr, title in COLUMNS:
        meta.append([title, DEFINITIONS[attr]])
    meta.append(["比率", RATE_NOTE])
    for note in perf.notes:
        meta.append(["说明", note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
