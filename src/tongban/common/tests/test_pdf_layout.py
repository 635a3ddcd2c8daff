"""Notice layout (issue 12, point 7): titles that fit one line or break gracefully, a notice kept on one
page when tighter spacing allows it, one face for everything but the title."""

from __future__ import annotations

import datetime
import io

import pytest
from pypdf import PdfReader

from tongban.common.pdf import Notice, get_fontset, render_notice, reset_fontset
from tongban.common.pdf.layout import SIZE_2, BoldTitle

TEXT_WIDTH = 156 * 72 / 25.4  # GB/T 9704 text block, in points


@pytest.fixture(autouse=True)
def fresh_fonts():
    reset_fontset()
    yield
    reset_fontset()


def title(text: str) -> BoldTitle:
    flowable = BoldTitle(text, get_fontset())
    flowable.wrap(TEXT_WIDTH, 800)
    return flowable


def test_a_short_title_keeps_its_size():
    t = title("受理通知书")
    assert (t.lines, t.size) == (["受理通知书"], SIZE_2)


def test_a_slightly_long_title_is_set_smaller_on_one_line():
    t = title("建设工程规划许可证（建筑工程类）准予决定书")  # 21 characters: 462 pt at 二号, 442 available
    assert t.lines == ["建设工程规划许可证（建筑工程类）准予决定书"]
    assert 18 <= t.size < SIZE_2


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        (
            "建设工程规划许可证（建筑工程类、市政工程类、交通工程类）准予决定书",
            ["建设工程规划许可证（建筑工程类、", "市政工程类、交通工程类）准予决定书"],
        ),
        (
            "食品经营许可证（含网络经营、集体用餐配送、中央厨房、单位食堂）新办、延续、变更不予决定书",
            [
                "食品经营许可证（含网络经营、",
                "集体用餐配送、中央厨房、单位食堂）",
                "新办、延续、变更不予决定书",
            ],
        ),
    ],
)
def test_a_long_title_breaks_into_balanced_lines_at_natural_places(text, lines):
    t = title(text)
    assert t.lines == lines and t.size == SIZE_2
    assert "".join(t.lines) == text
    assert all(len(line) >= 3 for line in t.lines)


def notice(paragraphs: int, footer: str | None = "本通知书一式两份，一份交申请人，一份存档。") -> Notice:
    return Notice(
        title="受理通知书",
        number="受字〔2026〕440106-20260302-000001号",
        issuer="广州市天河区政务服务中心",
        recipient="广州天河云帆科技有限公司",
        paragraphs=["申请材料齐全、符合法定形式，经审查，决定予以受理。" * 2] * paragraphs,
        fields=[
            ("办件编号", "440106-20260302-000001"),
            ("查询码", "CXX8K9EW"),
            ("承诺办结日期", "2026年3月12日"),
        ],
        qr_url="https://zwfw.example.gov.cn/track/?no=440106-20260302-000001&code=CXX8K9EW",
        date=datetime.date(2026, 3, 2),
        footer=footer,
    )


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def spacings_used(monkeypatch) -> list:
    """The spacing of each layout render_notice tries, in order."""
    from tongban.common.pdf import notice as notice_module

    used: list = []
    real = notice_module._render

    def spy(n, fonts, spacing):
        used.append(notice_module.SPACINGS.index(spacing))
        return real(n, fonts, spacing)

    monkeypatch.setattr(notice_module, "_render", spy)
    return used


@pytest.mark.parametrize(("paragraphs", "tried"), [(5, [0, 1]), (7, [0, 1, 2])])
def test_a_notice_just_over_one_page_is_set_tighter_to_fit(spacings_used, paragraphs, tried):
    """At the standard 28 pt line these overflow (the 版记 or the signature alone on page 2)."""
    assert page_count(render_notice(notice(paragraphs))) == 1
    assert spacings_used == tried


def test_a_short_notice_keeps_the_standard_spacing(spacings_used):
    assert page_count(render_notice(notice(1))) == 1
    assert spacings_used == [0]


def test_a_long_notice_flows_on_in_the_standard_spacing(spacings_used):
    pdf = render_notice(notice(14))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 2 and "本通知书一式两份" in pages[-1] and "第 2 页 共 2 页" in pages[-1]
    assert spacings_used == [0, 1, 2]  # tried, but neither tighter layout saves a page
