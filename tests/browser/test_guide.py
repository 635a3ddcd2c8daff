"""The public guide in a real browser: search by pinyin initials with the keyboard, open the item."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile

from tongban.catalogue.models import MaterialRequirement
from tongban.catalogue.tests.test_search import make_item
from tongban.organisations.tests.factories import DepartmentFactory

from .conftest import check_a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def items(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    market = DepartmentFactory(name="测试区市场监督管理局", short_name="市场监管局")
    civil = DepartmentFactory(name="测试区民政局", short_name="民政局")
    licence = make_item(
        "B001", "企业设立登记（营业执照）", market, keywords="开办企业", visits_required=0, online_depth=7
    )
    MaterialRequirement.objects.create(
        item=licence,
        position=1,
        name="公司登记（备案）申请书",
        original_copies=1,
        copy_copies=0,
        blank_form=ContentFile(b"%PDF-1.4 blank", name="form.pdf"),
    )
    MaterialRequirement.objects.create(item=licence, position=2, name="法定代表人身份证明", source="shared")
    make_item("C001", "结婚登记", civil, category="citizen", applicant_kinds=["natural"])
    return licence


def test_search_yyzz_with_the_keyboard_and_open_the_licence(live_server, page, items):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/guide/")
    expect(page.get_by_role("heading", level=1)).to_have_text("办事指南")
    check_a11y(page)
    box = page.get_by_label("搜索办事事项")
    expect(box).to_be_focused()  # autofocus: typing starts at once

    page.keyboard.type("yyzz")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=yyzz"))
    expect(page.locator("#search-status")).to_contain_text("找到 1 个")
    check_a11y(page)
    link = page.get_by_role("link", name="企业设立登记（营业执照）")
    expect(link.locator("mark")).to_have_text("营业执照")
    expect(page.get_by_role("link", name="结婚登记")).to_have_count(0)

    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/items/B001/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("企业设立登记（营业执照）")
    check_a11y(page)
    expect(page.locator("#badge-once")).to_have_text("最多跑一次")
    materials = page.locator("#materials")
    expect(materials).to_contain_text("公司登记（备案）申请书")
    expect(materials).to_contain_text("免提交")
    expect(materials.get_by_role("link", name=re.compile("空白表格"))).to_have_count(1)
    expect(page.locator(".guide-flow > li")).to_have_count(5)

    # Readable on a phone: Bootstrap loaded and nothing wider than the screen.
    assert page.evaluate("getComputedStyle(document.querySelector('.btn')).display") == "inline-block"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_no_match_and_english(live_server, page, items):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/search/?q=xqzw")
    expect(page.locator("#search-status")).to_contain_text("未找到与“xqzw”相关的事项")
    check_a11y(page)

    page.get_by_role("button", name="展开导航").click()  # the phone-sized navbar is collapsed
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#search-status")).to_contain_text("No service found for “xqzw”")
    check_a11y(page)
