"""A citizen on a phone types what they want in their own words and finds the item (demo catalogue):
suggestions while typing, live results on the search page, a corrected typo, a life event to browse."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tongban.demo.loader import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(os.environ.get("TONGBAN_SHOTS", "/tmp/shots-search"))


@pytest.fixture
def demo():
    load_demo(verbosity=0)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(30_000)
    yield page
    context.close()
    assert not errors, errors


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_colloquial_phrase_on_a_phone_finds_the_item(live_server, phone, demo):
    from playwright.sync_api import expect

    page = phone
    page.goto(f"{live_server.url}/guide/")
    box = page.get_by_label("搜索办事事项")
    box.click()
    page.keyboard.type("身份证丢了")
    suggestions = page.locator("#guide-suggest")
    first = suggestions.get_by_role("link").first
    expect(first).to_have_text("居民身份证申领、换领、补领")
    expect(first.locator("mark").first).to_have_text("身份证")
    _shot(page, "phone-suggest")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The search page: results follow the typing (htmx), the address follows too.
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    search = page.get_by_label("搜索办事事项")
    search.fill("")
    search.press_sequentially("我想开一家奶茶店需要办什么证", delay=20)
    results = page.locator("#search-results .list-group-item a.fw-semibold")
    expect(results.nth(0)).to_be_visible()
    expect(page.locator("#search-status")).to_contain_text("我想开一家奶茶店需要办什么证")
    top3 = [results.nth(i).inner_text() for i in range(3)]
    assert "食品经营许可（新办）" in top3, top3
    assert "%E5%A5%B6%E8%8C%B6" in page.url or "奶茶" in page.url  # hx-replace-url: shareable
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "phone-results-milk-tea")

    # A homophone typo is read as the catalogue's word, and says so.
    search.fill("营业只照")
    expect(page.locator("#search-read-as")).to_have_text("已按“营业执照”查找。")
    expect(results.nth(0)).to_have_text(re.compile("营业执照"))

    # Open the item with the keyboard.
    results.nth(0).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/items/440106-SCJG-001/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("企业设立登记（营业执照核发）")


def test_browse_by_life_event_on_a_phone_and_a_desktop(live_server, phone, browser, demo):
    from playwright.sync_api import expect

    page = phone
    page.goto(f"{live_server.url}/guide/")
    tile = page.locator("#by-event").locator("..").get_by_role("link", name=re.compile("开餐馆"))
    tile.scroll_into_view_if_needed()
    tile.click()
    page.wait_for_url(re.compile(r"/guide/events/open_restaurant/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("开餐馆")
    steps = page.locator("ol.list-group-numbered > li a")
    expect(steps.nth(0)).to_have_text("个体工商户设立登记")
    expect(steps.nth(1)).to_have_text("食品经营许可（新办）")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "phone-life-event")

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    desktop = context.new_page()
    desktop.goto(f"{live_server.url}/guide/events/open_restaurant/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("开餐馆")
    _shot(desktop, "desktop-life-event")
    desktop.goto(f"{live_server.url}/search/?q=孩子上小学")
    expect(desktop.locator("#search-results .list-group-item a.fw-semibold").first).to_be_visible()
    _shot(desktop, "desktop-results")
    context.close()
