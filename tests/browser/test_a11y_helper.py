"""check_a11y itself: it finds what it promises to find (so a passing journey means something), on pages
written here with known faults, and passes a page without them."""

from __future__ import annotations

import pytest

from .conftest import check_a11y

pytestmark = pytest.mark.browser

GOOD = """<!doctype html><html lang="zh-CN"><head><title>好页面</title></head><body><main>
<h1>办事指南</h1><h2>按主题</h2><p style="color:#000;background:#fff">正文</p>
<button type="button">搜索</button></main></body></html>"""


def failure_of(page, html: str) -> str:
    page.set_content(html)
    with pytest.raises(pytest.fail.Exception) as failed:
        check_a11y(page, "current")
    return str(failed.value)


def test_a_clean_page_passes(page):
    page.set_content(GOOD)
    check_a11y(page, "current")


def test_low_contrast_text_fails(page):
    # #999 on white is 2.85:1, below the 4.5:1 of WCAG 1.4.3
    message = failure_of(page, GOOD.replace("color:#000", "color:#999"))
    assert "color-contrast" in message and "[normal, phone]" in message and "[normal, desktop]" in message


def test_a_skipped_heading_level_fails(page):
    message = failure_of(page, GOOD.replace("<h2>按主题</h2>", "<h3>按主题</h3>"))
    assert "heading level skipped: h1 → h3" in message


def test_a_button_without_a_name_fails(page):
    message = failure_of(page, GOOD.replace("搜索</button>", "</button>"))
    assert "button-name" in message and "critical" in message


def test_an_invisible_menu_icon_fails(page):
    # the elder mode's fault: Bootstrap's dark toggler lines on a black bar (1.23:1 on the pixels)
    style = (
        "<style>.navbar-toggler-icon{display:inline-block;width:30px;height:30px;background-image:url("
        "\"data:image/svg+xml,%3csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 30 30'%3e"
        "%3cpath stroke='%23212529' stroke-width='2' d='M4 7h22M4 15h22M4 23h22'/%3e%3c/svg%3e\")}</style>"
    )
    bar = (
        '<nav style="background:#000" aria-label="主导航"><button class="navbar-toggler" type="button"'
        ' aria-label="展开导航" style="background:#000;border:0;width:48px;height:48px">'
        '<span class="navbar-toggler-icon"></span></button></nav>'
    )
    message = failure_of(page, GOOD.replace("<main>", style + bar + "<main>"))
    assert "menu icon has contrast" in message and "[normal, phone]" in message
