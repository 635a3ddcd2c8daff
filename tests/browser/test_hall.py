"""The hall in a real browser: take a ticket at the kiosk, a clerk calls it, the board shows it live."""

from __future__ import annotations

import re

import pytest

from tongban.accounts.tests.factories import PASSWORD, StaffFactory
from tongban.hall.services import hall_queues_setup
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import HallFactory, WindowFactory

from .conftest import check_a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hall_world():
    hall = HallFactory(code="PW01", name="测试区政务服务中心")
    hall_queues_setup(hall_id=hall.pk)
    window = WindowFactory(hall=hall, number=5, name="综合受理")
    clerk = StaffFactory.with_role(StaffRole.CLERK, window=window, username="pwclerk")
    return hall, window, clerk


def test_kiosk_ticket_called_by_clerk_shows_on_board(live_server, browser, page, hall_world):
    from playwright.sync_api import expect

    hall, _window, _clerk = hall_world
    # the board is open on the hall's screen before anything happens
    board_ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    board = board_ctx.new_page()
    board.goto(f"{live_server.url}/hall/{hall.code}/board/")
    expect(board.locator("#board-windows")).to_contain_text("暂无叫号")
    check_a11y(board)

    # a person takes a ticket at the kiosk (touch-first: big tiles)
    page.goto(f"{live_server.url}/kiosk/{hall.code}/")
    expect(page.locator("#kiosk-idle")).to_have_attribute("data-idle-seconds", "60")
    check_a11y(page)
    page.locator("#tile-ticket").click()
    page.locator("#take-A").click()
    expect(page.locator("#ticket-number")).to_have_text("A001")
    check_a11y(page, "current")  # the ticket, shown after the POST
    expect(board.locator("#board-waiting")).to_contain_text("工程建设：1", timeout=8000)

    # the clerk calls it from the console with the keyboard shortcut
    clerk_ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    clerk = clerk_ctx.new_page()
    clerk.goto(f"{live_server.url}/accounts/login/")
    clerk.get_by_label(re.compile("用户名|账号|证件号码")).first.fill("pwclerk")
    clerk.get_by_label("密码").fill(PASSWORD)
    clerk.get_by_label("密码").press("Enter")
    clerk.wait_for_load_state()
    clerk.goto(f"{live_server.url}/hall/window/")
    check_a11y(clerk)
    clerk.locator("body").press("n")
    expect(clerk.locator("#current-number")).to_have_text("A001")
    check_a11y(clerk, "current")

    # the board shows the call without a reload
    expect(board.locator("#board-latest")).to_have_text("请 A001 号到 5 号窗口", timeout=8000)
    expect(board.locator("#board-windows")).to_contain_text("A001")
    expect(board.locator("#board-windows")).to_contain_text("5 号窗口")
    check_a11y(board, "current")
    board_ctx.close()
    clerk_ctx.close()
