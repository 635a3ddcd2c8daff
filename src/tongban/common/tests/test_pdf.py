"""PDF documents: embedded fonts, extractable CJK text, a correct QR code, pagination, clear font errors."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
import segno
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st
from pypdf import PdfReader

from tongban.common.pdf import Notice, PdfFontMissing, chinese_date, render_notice, render_table_report
from tongban.common.pdf import fonts as pdf_fonts
from tongban.common.pdf.fonts import build_fontset, get_fontset, parse_spec, reset_fontset

ZENHEI = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
A4 = (595, 842)


@pytest.fixture(autouse=True)
def fresh_fonts():
    """Each test starts from the fonts its settings name, and leaves no override behind."""
    reset_fontset()
    yield
    reset_fontset()


def make_notice(**overrides) -> Notice:
    data = dict(
        title="受理通知书",
        number="天河政务受字〔2026〕第000123号",
        issuer="天河区政务服务中心",
        recipient="张*明",
        paragraphs=[
            "您于2026年11月20日提交的《食品经营许可证核发》申请，经审查，申请材料齐全、符合法定形式，"
            "根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，决定予以受理。",
            "请凭办件编号和查询码查询办理进度。",
        ],
        fields=[("办件编号", "TB20261120000123"), ("查询码", "7KQ4-9XPM"), ("承诺办结日期", "2026年12月3日")],
        qr_url="https://tongban.example.gov.cn/q/TB20261120000123",
        date=datetime.date(2026, 11, 23),
    )
    data.update(overrides)
    return Notice(**data)


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in reader(pdf).pages)


def test_chinese_date_has_no_leading_zeros():
    assert chinese_date(datetime.date(2026, 11, 23)) == "2026年11月23日"
    assert chinese_date(datetime.date(2027, 1, 5)) == "2027年1月5日"


def test_notice_is_a4_pdf_with_embedded_subset_font_and_extractable_chinese():
    pdf = render_notice(make_notice())
    assert pdf.startswith(b"%PDF-")
    assert b"/FontFile2" in pdf  # TrueType program embedded, not merely referenced
    doc = reader(pdf)
    assert len(doc.pages) == 1
    assert tuple(round(float(v)) for v in doc.pages[0].mediabox[2:]) == A4
    text = text_of(pdf)
    assert "受理通知书" in text
    assert "天河政务受字〔2026〕第000123号" in text
    assert "张*明：" in text
    assert "TB20261120000123" in text
    assert "承诺办结日期" in text and "2026年12月3日" in text
    assert "2026年11月23日" in text  # 成文日期 under the issuer
    assert "第 1 页 共 1 页" in text
    assert doc.metadata.title == "受理通知书"
    for font in _fonts_of(doc):
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]


def _fonts_of(doc: PdfReader) -> list:
    found = {}
    for page in doc.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                found[descendant["/BaseFont"]] = descendant
    return list(found.values())


def test_qr_code_is_an_image_that_encodes_the_url():
    url = "https://tongban.example.gov.cn/q/TB20261120000123?c=7KQ4-9XPM"
    doc = reader(render_notice(make_notice(qr_url=url)))
    xobjects = [x.get_object() for x in doc.pages[-1]["/Resources"]["/XObject"].values()]
    assert [x["/Subtype"] for x in xobjects] == ["/Image"]
    image = doc.pages[-1].images[0].image.convert("L")
    expected = segno.make(url, error="m", micro=False).matrix
    scale, border = 4, 2
    assert image.size == ((len(expected) + 2 * border) * scale,) * 2
    decoded = [
        [
            image.getpixel(((x + border) * scale + 1, (y + border) * scale + 1)) < 128
            for x in range(len(expected))
        ]
        for y in range(len(expected))
    ]
    assert decoded == [[bool(v) for v in row] for row in expected]
    assert "扫码查询办理进度" in text_of(render_notice(make_notice(qr_url=url)))


def test_notice_without_qr_has_no_image():
    doc = reader(render_notice(make_notice(qr_url=None)))
    assert "/XObject" not in doc.pages[0]["/Resources"]


def test_user_text_is_printed_literally_not_interpreted_as_markup():
    pdf = render_notice(make_notice(recipient="<b>王&五</b>", paragraphs=["a < b & c > d <br/> 结束"]))
    text = text_of(pdf)
    assert "<b>王&五</b>：" in text
    assert "a < b & c > d <br/> 结束" in text


def test_long_notice_with_table_flows_over_pages_with_page_numbers_and_footer():
    rows = [["序号", "材料名称", "需补正原因"]] + [
        [
            str(i),
            f"材料{i}：营业执照副本复印件",
            "复印件不清晰，无法辨认统一社会信用代码，请重新提供加盖公章的复印件" * 2,
        ]
        for i in range(1, 31)
    ]
    notice = make_notice(
        title="补正告知书",
        table=rows,
        paragraphs=["申请材料不齐全，请一次性补正下列材料。" * 12],
        footer="本告知书一式两份。",
    )
    doc = reader(render_notice(notice))
    pages = [page.extract_text() for page in doc.pages]
    total = len(pages)
    assert total >= 3
    for i, page in enumerate(pages, start=1):
        assert f"第 {i} 页 共 {total} 页" in page
    assert all("需补正原因" in page for page in pages[1:-1])  # table header repeats
    assert "材料30" in "".join(pages)
    assert "本告知书一式两份。" in pages[-1]
    assert "天河区政务服务中心" in pages[-1]


def test_table_report_paginates_with_repeated_header():
    columns = ["序号", "部门", "事项", "办件量", "按时办结率"]
    rows = [[i, f"天河区第{i % 7}局", f"事项{i}", i * 3, f"{i % 100}.5%"] for i in range(1, 401)]
    pdf = render_table_report(
        title="2026年11月办件统计月报",
        subtitle="统计范围：天河区",
        columns=columns,
        rows=rows,
        notes=["数据来源：通办。"],
    )
    assert pdf.startswith(b"%PDF-")
    doc = reader(pdf)
    total = len(doc.pages)
    # 400 one-line rows at 五号 with the repeated header: 20 landscape pages (a layout change shows here).
    assert total == 20
    all_text = "\n".join(page.extract_text() for page in doc.pages)
    assert [i for i in range(1, 401) if all_text.count(f"事项{i}\n") != 1] == []  # no row lost or doubled
    assert tuple(round(float(v)) for v in doc.pages[0].mediabox[2:]) == (A4[1], A4[0])
    for i, page in enumerate(doc.pages, start=1):
        text = page.extract_text()
        assert "按时办结率" in text
        assert f"第 {i} 页 共 {total} 页" in text
    last = doc.pages[-1].extract_text()
    assert "事项400" in last and "注：数据来源：通办。" in last
    assert "2026年11月办件统计月报" in doc.pages[1].extract_text()  # running head


def test_table_report_wraps_long_cells_and_accepts_empty_rows():
    long_name = "关于食品经营许可证核发（含仅销售预包装食品备案）的一件事集成办理" * 3
    pdf = render_table_report(
        title="事项清单", subtitle="", columns=["事项", "备注"], rows=[[long_name, None]], notes=None
    )
    assert long_name in text_of(pdf).replace("\n", "")
    empty = render_table_report(title="空报表", subtitle="", columns=["事项"], rows=[], notes="本月无数据。")
    assert "（无数据）" in text_of(empty)


def test_rare_characters_outside_the_body_font_use_the_fallback_font():
    fonts = get_fontset()
    if fonts.fallback is None:
        pytest.skip("one font plays every role here, nothing falls back")
    rare = next(chr(c) for c in sorted(fonts.fallback_chars) if 0x4E00 <= c <= 0x9FFF)
    assert fonts.fallback in fonts.markup(f"李{rare}")
    assert rare in text_of(render_notice(make_notice(recipient=f"李{rare}")))


def test_font_setting_pointing_nowhere_gives_a_chinese_error(settings):
    settings.TONGBAN_PDF_FONT = "/nonexistent/fangsong.ttf"
    with pytest.raises(PdfFontMissing) as caught:
        render_notice(make_notice())
    assert "TONGBAN_PDF_FONT" in str(caught.value)
    assert "/nonexistent/fangsong.ttf" in str(caught.value)
    assert "字体文件不存在" in str(caught.value)


def test_font_setting_that_is_not_a_truetype_font_is_refused(settings, tmp_path: Path):
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_bytes(b"this is not a font")
    settings.TONGBAN_PDF_FONT = str(bogus)
    with pytest.raises(PdfFontMissing, match="无法作为 TrueType 字体使用"):
        render_notice(make_notice())


def test_no_cjk_font_on_the_system_names_the_debian_package(settings, monkeypatch):
    settings.TONGBAN_PDF_FONT = ""
    settings.TONGBAN_PDF_HEADING_FONT = ""
    monkeypatch.delenv("TONGBAN_PDF_FONT", raising=False)
    monkeypatch.delenv("TONGBAN_PDF_HEADING_FONT", raising=False)
    monkeypatch.setattr(pdf_fonts, "KAI_CANDIDATES", (("/nonexistent/ukai.ttc", 0),))
    monkeypatch.setattr(
        pdf_fonts, "HEI_CANDIDATES", (("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),)
    )
    with pytest.raises(PdfFontMissing) as caught:
        build_fontset()
    message = str(caught.value)
    assert "fonts-wqy-zenhei" in message
    assert "TONGBAN_PDF_FONT" in message
    assert "/nonexistent/ukai.ttc" in message


def test_single_configured_font_plays_every_role(settings):
    """What a fresh machine with only fonts-wqy-zenhei gets (and what TONGBAN_PDF_FONT alone gives)."""
    settings.TONGBAN_PDF_FONT = f"{ZENHEI}#0"
    settings.TONGBAN_PDF_HEADING_FONT = f"{ZENHEI}#0"
    fonts = get_fontset()
    assert fonts.body == fonts.heading
    assert fonts.fallback is None
    pdf = render_notice(make_notice())
    assert "受理通知书" in text_of(pdf)
    assert len(_fonts_of(reader(pdf))) == 1


def test_parse_spec_reads_collection_index():
    assert parse_spec("/a/b.ttc#2") == ("/a/b.ttc", 2)
    assert parse_spec("/a/b.ttf") == ("/a/b.ttf", 0)


CJK_SAMPLE = (
    "通办政务服务中心受理补正告知决定书申请人材料齐全法定形式堃喆镕昇"
    + "，。、；：？！（）《》“”0123456789ABCxyz-/"
)


@settings_hypothesis(max_examples=12, deadline=None)
@given(st.lists(st.text(alphabet=CJK_SAMPLE, min_size=1, max_size=300), min_size=1, max_size=3))
def test_any_paragraph_text_survives_wrapping(paragraphs):
    """Wrapping never drops, doubles or reorders a character, whatever mix of CJK, Latin and punctuation."""
    text = text_of(render_notice(make_notice(paragraphs=paragraphs, qr_url=None)))
    squeezed = re.sub(r"第\d+页共\d+页", "", "".join(text.split()))  # a paragraph may cross a page
    for paragraph in paragraphs:
        assert "".join(paragraph.split()) in squeezed
