"""Tabular reports (monthly statistics, rankings, registers) as landscape A4 PDFs.

Long tables flow over as many pages as they need; the header row repeats on every page and the title
runs in the page head from the second page on, so a loose page still says what it belongs to.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from .fonts import get_fontset
from .layout import (
    GREY_TEXT,
    SIZE_5,
    SIZE_SMALL_4,
    TA_CENTER,
    TA_LEFT,
    BoldTitle,
    grid_table,
    numbered_canvas,
    para,
    style,
)

MARGIN = 15 * mm


def render_table_report(
    *,
    title: str,
    subtitle: str = "",
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    notes: Sequence[str] | str | None = None,
    landscape_page: bool = True,
) -> bytes:
    """The report as PDF bytes. Cells may be any value (None prints empty); numeric columns align right."""
    fonts = get_fontset()
    pagesize = landscape(A4) if landscape_page else A4
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN + 4 * mm,
        title=title,
        subject=subtitle,
        creator="通办 Tongban",
    )
    if isinstance(notes, str):
        notes = [notes]
    centred = style(fonts, size=SIZE_SMALL_4, alignment=TA_CENTER, textColor=GREY_TEXT)
    note_style = style(fonts, size=SIZE_5, alignment=TA_LEFT)
    table_rows = [list(map(_text, columns))] + [list(map(_text, row)) for row in rows]
    story: list = [BoldTitle(title, fonts, size=18, leading=26)]
    if subtitle:
        story += [Spacer(0, 2), para(fonts, subtitle, centred)]
    story.append(Spacer(0, 8))
    if rows:
        story.append(grid_table(fonts, table_rows, width=doc.width, size=SIZE_5, zebra=True, sans=True))
    else:
        story += [
            grid_table(fonts, table_rows, width=doc.width, size=SIZE_5, sans=True),
            para(fonts, "（无数据）", centred),
        ]
    if notes:
        story.append(Spacer(0, 8))
        story.extend(para(fonts, f"{'注：' if i == 0 else ''}{n}", note_style) for i, n in enumerate(notes))

    def running_head(canvas, _doc):
        canvas.saveState()
        canvas.setFont(fonts.body, 9)
        canvas.setFillColor(GREY_TEXT)
        canvas.drawString(MARGIN, pagesize[1] - MARGIN, f"{title}{'　' + subtitle if subtitle else ''}")
        canvas.restoreState()

    canvas_class = numbered_canvas(label_font=fonts.body, label_size=9, bottom=MARGIN)
    doc.build(story, onLaterPages=running_head, canvasmaker=canvas_class)
    return buffer.getvalue()


def _text(value: object) -> str:
    return "" if value is None else str(value)
