"""CJK fonts for PDF documents: found on the system at run time, registered once, embedded as subsets.

WHY run-time lookup instead of a vendored font: a CJK font with full GB 18030 coverage is 10–20 MB, and
Debian packages them (`make` installs fonts-wqy-zenhei). Government offices that licensed 仿宋_GB2312 /
方正小标宋 point TONGBAN_PDF_FONT / TONGBAN_PDF_HEADING_FONT at them.

Three roles:
- body: the text face. A 楷体 (AR PL UKai) is preferred because it reads like the 仿宋 of GB/T 9704
  documents; 黑体 (WenQuanYi) is used when no 楷体 is installed.
- heading: titles and field labels, a 黑体.
- fallback: a font with wide coverage used, character by character, for what the body font lacks
  (rare characters in people's names, e.g. 堃 喆 镕), so no character ever prints as an empty box.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

# (path, subfont index in a .ttc). Order matters: first usable wins.
KAI_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),  # fonts-arphic-ukai, "AR PL UKai CN"
    ("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", 0),  # fonts-arphic-gkai00mp (GB 2312 only)
)
HEI_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/noto-cjk/NotoSansCJKsc-Regular.ttf", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
)


MISSING_MESSAGE = (
    "生成 PDF 文书需要一种中文 TrueType 字体，但本机未找到。"
    "请安装 Debian 软件包 fonts-wqy-zenhei（sudo apt-get install fonts-wqy-zenhei，"
    "正文楷体可另装 fonts-arphic-ukai），或在设置 TONGBAN_PDF_FONT 中填写字体文件路径"
    "（.ttf，或 .ttc 后加 #序号）。已查找：{searched}"
)


class PdfFontMissing(ImproperlyConfigured):
    """No usable CJK font: a deployment problem, not a user error, so it is not a ServiceError."""


@dataclass(frozen=True)
class FontSet:
    """The registered ReportLab font names for each role, and what the body font cannot draw."""

    body: str
    heading: str
    fallback: str | None
    body_chars: frozenset[int]
    fallback_chars: frozenset[int]
    heading_chars: frozenset[int]
    files: tuple[str, ...]

    def markup(self, text: str) -> str:
        """Escape `text` for a Paragraph and switch to the fallback font for characters the body lacks."""
        if self.fallback is None:
            return escape(text)
        out: list[str] = []
        run: list[str] = []
        in_fallback = False
        for ch in text:
            need = ord(ch) > 0x7F and ord(ch) not in self.body_chars and ord(ch) in self.fallback_chars
            if need != in_fallback and run:
                out.append(self._wrap("".join(run), in_fallback))
                run = []
            in_fallback = need
            run.append(ch)
        if run:
            out.append(self._wrap("".join(run), in_fallback))
        return "".join(out)

    def covers(self, text: str) -> bool:
        """True when the body font alone can draw `text` (then a plain string cell is enough)."""
        return self.fallback is None or all(ord(c) <= 0x7F or ord(c) in self.body_chars for c in text)

    def sans(self) -> FontSet:
        """The same fonts with the heading face (黑体) as body: for dense tables and reports."""
        if self.body == self.heading:
            return self
        extra = self.body_chars - self.heading_chars
        return FontSet(
            body=self.heading,
            heading=self.heading,
            fallback=self.body if extra else None,
            body_chars=self.heading_chars,
            fallback_chars=extra,
            heading_chars=self.heading_chars,
            files=self.files,
        )

    def _wrap(self, text: str, fallback: bool) -> str:
        text = escape(text)
        return f'<font face="{self.fallback}">{text}</font>' if fallback else text


def parse_spec(spec: str) -> tuple[str, int]:
    """'path' or 'path#index' (index of the face inside a .ttc collection)."""
    path, sep, index = spec.strip().rpartition("#")
    if sep and index.isdigit():
        return path, int(index)
    return spec.strip(), 0


def _setting(name: str) -> str:
    from django.conf import settings

    value = getattr(settings, name, "") if settings.configured else ""
    return (value or os.environ.get(name, "")).strip()


def _load(spec: tuple[str, int]) -> TTFont:
    """Parse one font file; the ReportLab name is derived from the file so re-registering is harmless."""
    path, index = spec
    digest = hashlib.sha1(f"{Path(path).resolve()}#{index}".encode()).hexdigest()[:8]
    name = f"Tongban-{Path(path).stem}-{index}-{digest}"
    if name in pdfmetrics.getRegisteredFontNames():
        return pdfmetrics.getFont(name)
    if not Path(path).is_file():
        raise PdfFontMissing(f"字体文件不存在：{path}")
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError, ValueError) as exc:
        # e.g. OpenType/CFF outlines (Noto Sans CJK .otf/.ttc), which ReportLab cannot embed.
        raise PdfFontMissing(f"字体文件无法作为 TrueType 字体使用：{path}#{index}（{exc}）") from exc
    _share_tables(font.face)
    if ord("中") not in font.face.charToGlyph:
        raise PdfFontMissing(f"字体文件不含中文字形：{path}#{index}")
    font.tongban_source = f"{path}#{index}"
    return font


class _TableView:
    """Read-only slices of a font table without copying the table first (slices come back as bytes)."""

    __slots__ = ("_view",)

    def __init__(self, view: memoryview):
        self._view = view

    def __getitem__(self, key):
        item = self._view[key]
        return item.tobytes() if isinstance(item, memoryview) else item

    def __len__(self) -> int:
        return len(self._view)


def _share_tables(face) -> None:
    """Make ReportLab's per-document subsetting stop copying whole font tables.

    WHY: TTFontFile.get_table slices the file's bytes, so every subset of every document copied the
    complete `glyf` table (10–17 MB for a CJK font), which was most of a notice's render time. Tables are
    now read once (small ones as bytes, `glyf` as a zero-copy view), and the font file stays unmodified.
    """
    cache: dict[str, object] = {}
    original = face.get_table
    data = memoryview(face._ttf_data)

    def get_table(tag: str):
        if tag not in cache:
            if tag == "glyf":
                pos, length = face.get_table_pos(tag)
                cache[tag] = _TableView(data[pos : pos + length])
            else:
                cache[tag] = original(tag)
        return cache[tag]

    face.get_table = get_table


def _first(candidates: tuple[tuple[str, int], ...]) -> TTFont | None:
    for spec in candidates:
        if Path(spec[0]).is_file():
            try:
                return _load(spec)
            except PdfFontMissing:
                continue
    return None


def _configured(setting: str) -> TTFont | None:
    spec = _setting(setting)
    if not spec:
        return None
    try:
        return _load(parse_spec(spec))
    except PdfFontMissing as exc:
        raise PdfFontMissing(f"设置 {setting} 有误：{exc}。请改为有效的中文 TrueType 字体文件路径。") from exc


def build_fontset(*, body_spec: str = "", heading_spec: str = "") -> FontSet:
    """Locate and register the fonts (explicit specs > settings/env > known system paths).

    With only one font available it plays every role; the fallback role is the heading font, which is
    chosen for coverage (WenQuanYi Zen Hei has 42,000 characters).
    """
    if body_spec:
        body = _load(parse_spec(body_spec))
    else:
        body = _configured("TONGBAN_PDF_FONT") or _first(KAI_CANDIDATES)
    if heading_spec:
        heading = _load(parse_spec(heading_spec))
    else:
        heading = _configured("TONGBAN_PDF_HEADING_FONT") or _first(HEI_CANDIDATES)
    if body is None and heading is None:
        searched = "、".join(p for p, _ in KAI_CANDIDATES + HEI_CANDIDATES)
        raise PdfFontMissing(MISSING_MESSAGE.format(searched=searched))
    body = body or heading
    heading = heading or body
    for font in {id(f): f for f in (body, heading)}.values():
        pdfmetrics.registerFont(font)
    body_chars = frozenset(body.face.charToGlyph)
    heading_chars = frozenset(heading.face.charToGlyph)
    fallback_chars = heading_chars - body_chars
    return FontSet(
        body=body.fontName,
        heading=heading.fontName,
        fallback=heading.fontName if fallback_chars else None,
        body_chars=body_chars,
        fallback_chars=fallback_chars,
        heading_chars=heading_chars,
        files=tuple(dict.fromkeys((body.tongban_source, heading.tongban_source))),
    )


_lock = threading.Lock()
_fontset: FontSet | None = None


def get_fontset() -> FontSet:
    """The process-wide font set, built on first use (parsing a CJK font takes ~100 ms)."""
    global _fontset
    if _fontset is None:
        with _lock:
            if _fontset is None:
                _fontset = build_fontset()
    return _fontset


def reset_fontset() -> None:
    """Forget the cached fonts so changed settings take effect (tests, settings reload)."""
    global _fontset
    with _lock:
        _fontset = None
