"""Written notices (受理通知书, 不予受理通知书, 补正告知书, 决定书 …) as A4 PDFs laid out after GB/T 9704.

Plain data in, bytes out: the case apps build a Notice from their models, so this module knows nothing
about cases and can be tested and benchmarked on its own.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .fonts import get_fontset
from .layout import (
    BODY_LEADING,
    NOTICE_MARGINS,
    RULE,
    SIZE_2,
    SIZE_3,
    SIZE_4,
    SIZE_5,
    SIZE_SMALL_4,
    TA_CENTER,
    TA_JUSTIFY,
    TA_LEFT,
    AtBottom,
    BoldTitle,
    QRCode,
    chinese_date,
    grid_table,
    numbered_canvas,
    para,
    style,
)

QR_SIZE = 28 * mm


@dataclass(kw_only=True)
class Notice:
    """Everything printed on a notice. Strings are shown as given (mask names before, e.g. "张*明")."""

    title: str  # "受理通知书"
    number: str  # document number, "天河政务受字〔2026〕第000123号"
    issuer: str  # issuing body, "天河区政务服务中心"
    recipient: str  # salutation line, printed as "张*明："
    paragraphs: list[str]  # body text, one entry a paragraph (indented two characters)
    date: datetime.date  # 成文日期, printed as 2026年11月23日 under the issuer
    table: list[list[str]] | None = None  # header row first, e.g. missing materials with reasons
    fields: list[tuple[str, str]] = field(default_factory=list)  # ("办件编号", "…"), ("查询码", "…")
    qr_url: str | None = None  # printed as a QR code with `qr_caption` under it
    qr_caption: str = "扫码查询办理进度"
    footer: str | None = None  # 版记 at the foot of the last page, e.g. "本通知书一式两份……"
    seal: bool = True  # print the seal's place "（印章）" under the issuer (a queue ticket has none)

    def to_data(self) -> dict:
        """JSON-safe form, so that the notice fixed in one transaction can be rendered later, the same."""
        data = dataclasses.asdict(self)
        data["date"] = self.date.isoformat()
        return data

    @classmethod
    def from_data(cls, data: dict) -> Notice:
        values = dict(data)
        values["date"] = datetime.date.fromisoformat(values["date"])
        values["fields"] = [tuple(pair) for pair in values.get("fields") or []]
        return cls(**values)


@dataclass(frozen=True)
class _Spacing:
    """Vertical rhythm of a notice: GB/T 9704's 28 pt line first, then tighter ones (see render_notice)."""

    leading: float = BODY_LEADING
    qr_size: float = QR_SIZE
    gap: float = 1.0  # blank space around the number, fields and signature, in lines


# The standard layout, then two tighter ones that save about one and two lines on a full page.
SPACINGS = (_Spacing(), _Spacing(leading=26.0, gap=0.6), _Spacing(leading=24.0, qr_size=24 * mm, gap=0.4))


def render_notice(notice: Notice) -> bytes:
    """The notice as PDF bytes: A4, GB/T 9704 margins, fonts embedded as subsets, "第 i 页 共 n 页".

    A notice that runs a little over one page (its 版记 alone on page 2, say) is set again with tighter
    line spacing, and the tighter setting is kept when it needs fewer pages; a notice that needs several
    pages anyway keeps the standard spacing.
    """
    fonts = get_fontset()
    pdf, pages = _render(notice, fonts, SPACINGS[0])
    for spacing in SPACINGS[1:]:
        if pages == 1:
            break
        tighter, tighter_pages = _render(notice, fonts, spacing)
        if tighter_pages < pages:
            return tighter
    return pdf


def _render(notice: Notice, fonts, spacing: _Spacing) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=notice.title,
        author=notice.issuer,
        subject=notice.number,
        creator="通办 Tongban",
        **NOTICE_MARGINS,
    )
    canvas_class = numbered_canvas(
        label_font=fonts.body, label_size=SIZE_SMALL_4, bottom=NOTICE_MARGINS["bottomMargin"] - 14 * mm
    )
    doc.build(_story(notice, fonts, doc.width, spacing), canvasmaker=canvas_class)
    return buffer.getvalue(), doc.page


def _story(notice: Notice, fonts, width: float, spacing: _Spacing) -> list:
    """Title in the heading face (made bold); every other line in the body face, one size: labels, values,
    table and signature alike."""
    lead = spacing.leading
    body = style(fonts, size=SIZE_3, leading=lead, alignment=TA_JUSTIFY, firstLineIndent=2 * SIZE_3)
    plain = style(fonts, size=SIZE_3, leading=lead, alignment=TA_LEFT)
    centred = style(fonts, size=SIZE_3, leading=lead, alignment=TA_CENTER)

    story: list = [BoldTitle(notice.title, fonts, size=SIZE_2), Spacer(0, 6)]
    if notice.number:
        story.append(para(fonts, notice.number, centred))
    story.append(Spacer(0, lead * 0.6 * spacing.gap))
    if notice.recipient:
        story.append(para(fonts, f"{notice.recipient}：", plain))
    story.extend(para(fonts, text, body) for text in notice.paragraphs if text.strip())
    if notice.table:
        table = grid_table(fonts, notice.table, width=width, size=SIZE_SMALL_4, heading_row_face=False)
        story += [Spacer(0, 8), table, Spacer(0, 8)]
    # GB/T 9704: the signature never stands alone on a page, so it keeps the last block of text with it.
    closing: list = []
    while story and isinstance(story[-1], Spacer):
        closing.insert(0, story.pop())
    if story and isinstance(story[-1], Paragraph) and len(story) > 3:
        closing.insert(0, story.pop())
    if notice.fields:
        closing += [Spacer(0, 6 * spacing.gap), _fields(notice.fields, fonts, width, lead)]
    closing += [Spacer(0, lead * spacing.gap), _signature(notice, fonts, width, spacing)]
    story.append(KeepTogether(closing))
    if notice.footer:
        story.append(AtBottom(_footer(notice.footer, fonts, width)))
    return story


def _fields(fields: list[tuple[str, str]], fonts, width: float, leading: float) -> Table:
    """Key/value lines, indented two characters, values aligned after the longest label; labels in the
    body face like the values (one type scheme), told apart by their position and colon."""
    value = style(fonts, size=SIZE_3, leading=leading * 0.9)
    label = value
    longest = max(len(k) for k, _ in fields) + 1
    label_width = longest * SIZE_3 + SIZE_3 / 2  # half a character between the colon and the value
    rows = [[para(fonts, f"{k}：", label), para(fonts, v, value)] for k, v in fields]
    table = Table(rows, colWidths=[label_width, width - 2 * SIZE_3 - label_width], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.body, SIZE_3),  # empty cells: no Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _signature(notice: Notice, fonts, width: float, spacing: _Spacing) -> Table:
    """Issuer, seal place and date, right-hand; the QR code (if any) bottom-left on the same band."""
    centred = style(fonts, size=SIZE_3, leading=spacing.leading, alignment=TA_CENTER)
    date_text = chinese_date(notice.date)
    sig_width = max(len(notice.issuer), len(date_text) * 0.75, 6) * SIZE_3 + 2 * SIZE_3
    signature = [para(fonts, notice.issuer, centred)]
    if notice.seal:
        signature.append(para(fonts, "（印章）", centred))
    signature.append(para(fonts, date_text, centred))
    if notice.qr_url:
        caption = style(fonts, size=SIZE_5, leading=SIZE_5 * 1.3, alignment=TA_CENTER)
        qr_width = max(spacing.qr_size, len(notice.qr_caption) * SIZE_5 + 4)
        qr = [QRCode(notice.qr_url, spacing.qr_size), para(fonts, notice.qr_caption, caption)]
    else:
        qr_width, qr = 0.0, ""
    right_gap = 2 * SIZE_3
    widths = [qr_width, max(width - qr_width - sig_width - right_gap, 0), sig_width, right_gap]
    band = Table([[qr, "", signature, ""]], colWidths=widths, hAlign="LEFT")
    band.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.body, SIZE_3),  # empty cells: no Helvetica
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return band


def _footer(text: str, fonts, width: float) -> Table:
    """The 版记: small type between two rules at the foot of the last page."""
    st = style(fonts, size=SIZE_4, leading=SIZE_4 * 1.5, alignment=TA_LEFT)
    table = Table([[para(fonts, text, st)]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.body, SIZE_3),  # empty cells: no Helvetica
                ("LINEABOVE", (0, 0), (-1, 0), 1.0, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 1.0, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), SIZE_4),
                ("RIGHTPADDING", (0, 0), (-1, -1), SIZE_4),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table
