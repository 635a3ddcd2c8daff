"""PDF documents for Tongban: notices (A4, GB/T 9704 layout) and tabular reports.

Public interface (plain data in, PDF bytes out; see docs/documents.md):
    Notice, render_notice(notice) -> bytes
    render_table_report(*, title, subtitle, columns, rows, notes) -> bytes
    chinese_date(d) -> "2026年11月23日"
    PdfFontMissing (raised when no CJK TrueType font can be found; Chinese message names the package)
"""

from .fonts import PdfFontMissing, get_fontset, reset_fontset
from .layout import chinese_date
from .notice import Notice, render_notice
from .report import render_table_report

__all__ = [
    "Notice",
    "PdfFontMissing",
    "chinese_date",
    "get_fontset",
    "render_notice",
    "render_table_report",
    "reset_fontset",
]
