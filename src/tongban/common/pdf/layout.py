"""Page geometry, type sizes and the shared flowables of Tongban's PDF documents.

Geometry and sizes follow GB/T 9704-2012 (党政机关公文格式): A4, text block 156 × 225 mm, body 三号 (16 pt),
title 二号 (22 pt), 22 lines a page. Tables and reports use smaller sizes so they stay readable in a grid.
"""

from __future__ import annotations

import datetime
import re

from reportlab import rl_config
from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus import paragraph as paragraph_module

from .fonts import FontSet

# Chinese punctuation that may not begin a line (GB/T 15834). ReportLab's list is Japanese-centred and
# lacks ，；：？！》”’…, so a closing quote could start a line; with these it hangs in the margin instead.
_CANNOT_START = "，。、；：？！）》〉」』】〕”’…％‰"
for _module in (textsplit, paragraph_module):
    _module.ALL_CANNOT_START += "".join(c for c in _CANNOT_START if c not in _module.ALL_CANNOT_START)

# ASCII85 only makes streams 25 % larger; PDFs are binary-safe everywhere we send them.
rl_config.useA85 = 0

# Chinese type sizes (号) in points.
SIZE_2 = 22.0  # 二号: document title
SIZE_3 = 16.0  # 三号: body text
SIZE_4 = 14.0  # 四号
SIZE_SMALL_4 = 12.0  # 小四: tables inside notices
SIZE_5 = 10.5  # 五号: report tables, captions, page numbers

# GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm → 156 × 225 mm text block.
NOTICE_MARGINS = {
    "topMargin": 37 * mm,
    "bottomMargin": 35 * mm,
    "leftMargin": 28 * mm,
    "rightMargin": 26 * mm,
}
BODY_LEADING = 28.0  # 22 lines in 225 mm would be 29 pt; 28 pt leaves room for rounding.

INK = colors.black
RULE = colors.HexColor("#333333")
HEADER_FILL = colors.HexColor("#e8e8e8")
ZEBRA_FILL = colors.HexColor("#f6f6f6")
GREY_TEXT = colors.HexColor("#555555")

_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*%?$")


def chinese_date(d: datetime.date) -> str:
    """2026年11月23日 — Arabic numerals without leading zeros, as GB/T 9704-2012 prescribes."""
    return f"{d.year}年{d.month}月{d.day}日"


def style(
    fonts: FontSet, *, size: float, leading: float | None = None, heading: bool = False, **kw
) -> ParagraphStyle:
    """A ParagraphStyle that wraps CJK text anywhere between characters (wordWrap='CJK')."""
    return ParagraphStyle(
        name=f"tb-{size}-{heading}-{sorted(kw.items())}",
        fontName=fonts.heading if heading else fonts.body,
        fontSize=size,
        leading=leading or round(size * 1.45, 1),
        wordWrap="CJK",
        **{"textColor": INK, **kw},
    )


def para(fonts: FontSet, text: str, st: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text: escaped, line breaks kept, rare characters drawn by the fallback font."""
    lines = str(text).split("\n")
    return Paragraph("<br/>".join(fonts.markup(line) for line in lines), st)


# A title may start a new line after these (GB/T 9704 7.3.3: "回行时要做到词意完整"): after closing brackets
# and enumeration commas, and before the document's kind at its end.
_TITLE_BREAK_AFTER = "）》」』】〕、，"
_TITLE_KINDS = ("准予决定书", "不予决定书", "决定书", "通知书", "告知书")


class BoldTitle(Flowable):
    """A centred title in the heading font, made bold by stroking the outline.

    WHY: free CJK fonts ship no bold face, and ReportLab's Paragraph cannot set the text render mode.
    A title that is too wide for one line is first set smaller, down to `min_size` (小二 by default); one
    still too wide is broken into balanced lines (GB/T 9704: 排列对称, 词意完整), preferring a break after a
    closing bracket or before the document's kind ("……决定书"), never leaving a word of one or two
    characters alone on a line.
    """

    def __init__(
        self,
        text: str,
        fonts: FontSet,
        *,
        size: float = SIZE_2,
        leading: float = 32.0,
        min_size: float = 18.0,
    ):
        super().__init__()
        self.text = text
        self.font = fonts.heading
        self.base_size = self.size = size
        self.min_size = min(min_size, size)
        self.leading = leading
        self.lines: list[str] = []

    def _width(self, text: str, size: float) -> float:
        return stringWidth(text, self.font, size)

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        full = self._width(self.text, self.base_size)
        if full <= availWidth:
            self.size, self.lines = self.base_size, [self.text]
        elif full * self.min_size / self.base_size <= availWidth:
            # shrink to fit, in half points so that similar titles get the same size
            self.size = int(self.base_size * availWidth / full * 2) / 2
            self.lines = [self.text]
        else:
            self.size = self.base_size
            self.lines = self._balanced_lines(availWidth)
        self.height = self.leading * len(self.lines)
        return self.width, self.height

    def _balanced_lines(self, avail: float) -> list[str]:
        text = self.text
        n = 2
        while n < len(text) and self._width(text[: -(-len(text) // n)], self.size) > avail:
            n += 1
        lines: list[str] = []
        while text:
            remaining = n - len(lines)
            if remaining == 1 or self._width(text, self.size) <= avail:
                lines.append(text)
                break
            cut = self._best_cut(text, remaining, avail)
            lines.append(text[:cut])
            text = text[cut:]
        return lines

    def _best_cut(self, text: str, parts: int, avail: float) -> int:
        ideal = len(text) / parts
        best, best_cost = None, float("inf")
        for cut in range(3, len(text) - 2):
            head, tail = text[:cut], text[cut:]
            if self._width(head, self.size) > avail:
                break
            cost = abs(cut - ideal)
            if head[-1] in _TITLE_BREAK_AFTER or any(tail == kind for kind in _TITLE_KINDS):
                cost -= 3  # a natural break is worth a slightly less even split
            if tail[0] in "，。、；：？！）》」』】〕”’":  # never start a line with closing punctuation
                cost += 100
            if cost < best_cost:
                best, best_cost = cut, cost
        if best is None:  # nothing fits with three characters on each side: cut where the width ends
            best = max(
                1, next(i for i in range(len(text), 0, -1) if self._width(text[:i], self.size) <= avail)
            )
        return best

    def draw(self):
        c = self.canv
        c.saveState()
        c.setFillColor(INK)
        c.setStrokeColor(INK)
        c.setLineWidth(self.size * 0.035)
        for i, line in enumerate(self.lines):
            y = self.height - (i + 1) * self.leading + (self.leading - self.size) / 2 + self.size * 0.12
            text = c.beginText()
            text.setTextRenderMode(2)  # fill + stroke
            text.setFont(self.font, self.size)
            text.setTextOrigin((self.width - self._width(line, self.size)) / 2, y)
            text.textOut(line)
            c.drawText(text)
        c.restoreState()


class AtBottom(Flowable):
    """Draws its content at the bottom of the current frame (the 版记 sits at the foot of the last page)."""

    def __init__(self, content: Flowable):
        super().__init__()
        self.content = content
        self._content_height = 0.0

    def wrap(self, availWidth, availHeight):
        _, self._content_height = self.content.wrap(availWidth, availHeight)
        self.width = availWidth
        # Fill what is left of the frame when the content fits; otherwise ask for its height (next page).
        fits = self._content_height <= availHeight
        self.height = max(availHeight - 0.5, self._content_height) if fits else self._content_height
        return self.width, self.height

    def draw(self):
        self.content.drawOn(self.canv, 0, 0)


def numbered_canvas(*, label_font: str, label_size: float, bottom: float) -> type[rl_canvas.Canvas]:
    """A Canvas class that writes "第 i 页 共 n 页" centred at `bottom` once the page count is known."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            # Without this every page would reference Helvetica (ReportLab's default), a font not embedded.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or label_font
            kwargs["initialFontSize"] = kwargs.get("initialFontSize") or label_size
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self.setFont(label_font, label_size)
                self.setFillColor(INK)
                width = self._pagesize[0]
                self.drawCentredString(width / 2, bottom, f"第 {self._pageNumber} 页 共 {total} 页")
                super().showPage()
            super().save()

    return NumberedCanvas


def column_widths(
    natural_rows: list[list[float]],
    total: float,
    size: float,
    padding: float,
    floors: list[float] | None = None,
) -> list[float]:
    """Share `total` between columns by content: short columns get their natural width, long ones the rest.

    `natural_rows` holds each cell's one-line text width. A column never gets less than two characters
    plus padding, so a header like "序号" stays on one line, nor less than its `floors` entry (the
    grid gives numeric columns their widest figure: "100.0%" must not break after "100.0"); the
    columns without a floor — text, long headers — wrap instead.
    """
    ncols = len(natural_rows[0])
    base = 2 * size + 2 * padding + 1
    mins = [max(base, floors[i] if floors else 0.0) for i in range(ncols)]
    natural = [max(mins[i], max(r[i] for r in natural_rows) + 2 * padding + 1) for i in range(ncols)]
    if sum(natural) <= total:
        extra = (total - sum(natural)) / ncols
        return [n + extra for n in natural]
    if sum(mins) >= total:  # not even the floors fit: shrink them all alike
        return [m * total / sum(mins) for m in mins]
    widths = [0.0] * ncols
    remaining = list(range(ncols))
    budget = total
    while remaining:
        fair = budget / len(remaining)
        fits = [i for i in remaining if natural[i] <= fair]
        if fits:
            for i in fits:
                widths[i] = natural[i]
                budget -= natural[i]
            remaining = [i for i in remaining if i not in fits]
            continue
        # Share the rest by natural width, but a column whose share is below its floor gets the floor
        # and leaves the others a little less.
        weight = sum(natural[i] for i in remaining)
        low = [i for i in remaining if budget * natural[i] / weight < mins[i]]
        if not low:
            for i in remaining:
                widths[i] = budget * natural[i] / weight
            break
        for i in low:
            widths[i] = mins[i]
            budget -= mins[i]
        remaining = [i for i in remaining if i not in low]
    return widths


def is_numeric(values: list[str]) -> bool:
    present = [v.strip() for v in values if v.strip() not in ("", "-", "—")]
    return bool(present) and all(_NUMBER.match(v) for v in present)


def grid_table(
    fonts: FontSet,
    rows: list[list[str]],
    *,
    width: float,
    size: float,
    zebra: bool = False,
    sans: bool = False,
    heading_row_face: bool = True,
) -> Table:
    """A ruled table, header row first and repeated on every page, long cells wrapped as CJK text.

    WHY plain strings where possible: a cell that fits on one line in the body font is drawn as a string,
    which is ~10× cheaper than a Paragraph (ReportLab re-wraps every Paragraph at each page split).
    Only cells that wrap, hold line breaks or need the fallback font become Paragraphs.
    `sans` sets the cells in the heading face (黑体), which reads better in dense statistical tables;
    `heading_row_face=False` keeps the header row in the body face too (notices: one face for all text).
    """
    if sans:
        fonts = fonts.sans()
    padding = 4.0
    ncols = max(len(r) for r in rows)
    rows = [[("" if c is None else str(c)) for c in r] + [""] * (ncols - len(r)) for r in rows]
    measured = [
        [max((stringWidth(part, fonts.body, size) for part in cell.split("\n")), default=0.0) for cell in r]
        for r in rows
    ]
    numeric = [is_numeric([r[i] for r in rows[1:]]) for i in range(ncols)]
    # A figure never breaks across lines: a numeric column is at least as wide as its widest value.
    floors = [
        max((m[i] for m in measured[1:]), default=0.0) + 2 * padding + 1 if numeric[i] else 0.0
        for i in range(ncols)
    ]
    # ... and its header, if longer than three characters, may take two lines, so the text columns
    # (names) keep the room they need.
    wanted = [list(measured[0]), *measured[1:]]
    for i in range(ncols):
        if numeric[i] and len(rows[0][i]) > 3:
            wanted[0][i] = measured[0][i] / 2 + size
    widths = column_widths(wanted, width, size, padding, floors)
    # Short numbers (序号, counts of a few digits) read best centred; longer figures align right.
    short = [numeric[i] and max(len(r[i]) for r in rows[1:]) <= 3 for i in range(ncols)]
    aligns = ["CENTER" if short[i] else "RIGHT" if numeric[i] else "LEFT" for i in range(ncols)]
    para_styles = {
        a: style(fonts, size=size, alignment={"LEFT": TA_LEFT, "RIGHT": TA_RIGHT, "CENTER": TA_CENTER}[a])
        for a in set(aligns)
    }
    head = style(fonts, size=size, heading=heading_row_face, alignment=TA_CENTER)
    data: list[list] = [[para(fonts, c, head) for c in rows[0]]]
    for r, widths_r in zip(rows[1:], measured[1:], strict=True):
        line = []
        for i, cell in enumerate(r):
            if "\n" in cell or widths_r[i] > widths[i] - 2 * padding or not fonts.covers(cell):
                line.append(para(fonts, cell, para_styles[aligns[i]]))
            else:
                line.append(cell)
        data.append(line)
    leading = round(size * 1.45, 1)
    commands = [
        ("FONT", (0, 0), (-1, -1), fonts.body, size, leading),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BOX", (0, 0), (-1, -1), 1.0, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    commands += [("ALIGN", (i, 1), (i, -1), a) for i, a in enumerate(aligns)]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA_FILL]))
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle(commands))
    return table


class QRCode(Flowable):
    """A QR code drawn as one image XObject of `size` × `size` points."""

    def __init__(self, url: str, size: float):
        super().__init__()
        self.url = url
        self.width = self.height = size

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def draw(self):
        from reportlab.lib.utils import ImageReader

        self.canv.drawImage(ImageReader(qr_image(self.url)), 0, 0, self.width, self.height)


def qr_image(url: str, *, scale: int = 4, border: int = 2):
    """The URL as a QR code (segno, error correction M) in a black-and-white Pillow image.

    Built straight from the module matrix (no PNG round trip) and enlarged with nearest-neighbour, so the
    modules stay sharp in viewers that smooth small images.
    """
    import segno
    from PIL import Image as PILImage

    matrix = segno.make(url, error="m", micro=False).matrix
    size = len(matrix) + 2 * border
    quiet = b"\xff" * size
    rows = [quiet] * border
    rows += [
        b"\xff" * border + bytes(0 if dark else 255 for dark in row) + b"\xff" * border for row in matrix
    ]
    rows += [quiet] * border
    image = PILImage.frombytes("L", (size, size), b"".join(rows))
    return image.resize((size * scale, size * scale), PILImage.Resampling.NEAREST)


__all__ = [
    "SIZE_2",
    "SIZE_3",
    "SIZE_4",
    "SIZE_5",
    "SIZE_SMALL_4",
    "TA_CENTER",
    "TA_JUSTIFY",
    "TA_LEFT",
    "TA_RIGHT",
    "AtBottom",
    "BoldTitle",
    "QRCode",
    "chinese_date",
    "column_widths",
    "grid_table",
    "numbered_canvas",
    "para",
    "qr_image",
    "style",
]
