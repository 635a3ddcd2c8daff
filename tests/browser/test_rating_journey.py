"""A 差评 from booking to the department's follow-up list, in a real browser (issue 5, point 8):
the applicant books online → checks in at the kiosk with the booking code → a clerk calls the ticket and
the display board shows the call → the clerk serves, links the (already accepted) case and finishes →
the background sweep makes the visit ratable → the applicant rates it 2 with a dimension and a comment →
an approver of the case's department sees the follow-up with its verify deadline (1 working day).

Time is pinned to Tuesday 24 November 2026, 10:05 Beijing time (a working day, during opening hours),
ticking, so the slot 10:30–11:00 is still bookable and check-in (from 60 minutes before) is open. The live
server runs in a thread of this process, so it sees the same clock; the browser's JS clock does not, which
only matters for client-side timers (kiosk idle timeout, board polling), none of which needs the date.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from tongban.accounts.tests.factories import PASSWORD, ApplicantFactory, StaffFactory
from tongban.cases import services as case_services
from tongban.cases.tests.helpers import form_for, upload_all
from tongban.catalogue.choices import ItemCategory
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory
from tongban.hall.services import hall_queues_setup
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory, RegionFactory, WindowFactory
from tongban.ratings.models import FollowUp
from tongban.ratings.services import ratables_register_sweep
from tongban.workdays.calendar import add_working_days, invalidate_index

from .conftest import PHONE, check_a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BJ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 24, 10, 5, tzinfo=BJ)  # a Tuesday, during opening hours


class Session:
    """One person's browser (own cookies), logged in through the login page; fails on JS errors."""

    def __init__(self, browser, base: str, username: str | None, viewport: dict | None = None):
        self.context = browser.new_context(viewport=viewport or PHONE, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.base = base
        if username is not None:
            self.page.goto(f"{base}/accounts/login/")
            self.page.get_by_label("账号").fill(username)
            self.page.get_by_label("密码").fill(PASSWORD)
            self.page.get_by_role("button", name="登录").click()
            self.page.wait_for_load_state()
            assert "/accounts/login/" not in self.page.url, self.page.content()[:2000]

    def goto(self, path: str):
        self.page.goto(f"{self.base}{path}")
        return self.page

    def close(self):
        self.context.close()
        assert not self.errors, self.errors


@pytest.fixture
def calendar():
    """The working-day calendar, even after an earlier transactional test's flush emptied it (the root
    conftest puts it back before pytest-django's flush runs, so a second live-server test finds it empty)."""
    from django.apps import apps

    from tongban.workdays.models import WorkCalendar
    from tongban.workdays.seed import seed_calendar

    if not WorkCalendar.objects.exists():
        seed_calendar(apps)
    invalidate_index()


@pytest.fixture
def clock(calendar):
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller
    invalidate_index()


@pytest.fixture
def hall_world(clock, settings, tmp_path):
    """A hall with the standard queues and slots, a comprehensive window with its clerk, one department
    with an approver, and the applicant's case already accepted at the window (to be linked later)."""
    settings.MEDIA_ROOT = tmp_path
    region = RegionFactory(code="440106", name="天河区")
    hall = HallFactory(region=region, code="PW02", name="天河区政务服务中心")
    hall_queues_setup(hall_id=hall.pk)
    window = WindowFactory(hall=hall, number=7, name="综合受理")
    clerk = StaffFactory.with_role(
        StaffRole.CLERK, hall=hall, window=window, username="rjclerk", display_name="窗口员丙"
    )
    department = DepartmentFactory(region=region, name="天河区卫生健康局", short_name="卫健")
    approver = StaffFactory.with_role(
        StaffRole.APPROVER, department=department, username="rjapprover", display_name="卫健审批员"
    )
    item = ServiceItemFactory(
        code="WJ0001", name="公共场所卫生许可", department=department, category=ItemCategory.CITIZEN
    )
    MaterialRequirementFactory(item=item, position=1, name="申请书")
    case_services.process_define(
        item_id=item.pk,
        stages=[
            {
                "name": "审查",
                "kind": "single",
                "steps": [{"name": "材料审查", "department_id": department.pk, "limit_days": 5}],
            }
        ],
    )
    applicant = ApplicantFactory(registered=True, name="李小红", mobile="13800138001")
    case = case_services.case_intake_register(
        actor=clerk,
        item_id=item.pk,
        applicant_id=applicant.pk,
        form_data=form_for(applicant),
        hall_id=hall.pk,
    )
    upload_all(case, clerk)
    case = case_services.case_accept(actor=clerk, case_id=case.pk, hall_id=hall.pk)
    return {
        "hall": hall,
        "window": window,
        "clerk": clerk,
        "approver": approver,
        "item": item,
        "applicant": applicant,
        "case_number": case.number,
    }


def test_booked_visit_rated_2_opens_a_followup_in_the_department_list(live_server, browser, hall_world):
    from playwright.sync_api import expect

    w = hall_world
    base = live_server.url
    hall_code = w["hall"].code
    people: list[Session] = []

    def open_session(username: str | None, viewport: dict | None = None) -> Session:
        session = Session(browser, base, username, viewport)
        people.append(session)
        return session

    # 1. the applicant books today's 10:30 slot on the booking page
    applicant = open_session(w["applicant"].user.username)
    page = applicant.goto("/hall/book/")
    check_a11y(page)
    page.get_by_label("事项编码").fill("WJ0001")
    page.get_by_label("办理大厅").select_option(hall_code)
    page.get_by_role("button", name="查看时段").click()
    expect(page.locator("#b-item-help")).to_contain_text("公共场所卫生许可")
    expect(page.locator("#booking-days [aria-current=date]")).to_contain_text("11月24日")
    check_a11y(page, "current")
    page.locator('#booking-slots button[value="10:30"]').click()
    page.locator("#booking-confirm").get_by_role("button", name="确认预约").click()  # nothing taken before
    page.wait_for_url(re.compile(r"/hall/appointments/$"))
    flash = page.locator(".alert-success")
    expect(flash).to_contain_text("预约成功")
    code = re.search(r"预约码 (\d{8})", flash.inner_text()).group(1)
    expect(page.locator("#appointments")).to_contain_text("2026-11-24 10:30–11:00")
    check_a11y(page)

    # the board is open on the hall's screen before anyone checks in
    board = open_session(None, {"width": 1280, "height": 720}).page
    board.goto(f"{base}/hall/{hall_code}/board/")
    expect(board.locator("#board-windows")).to_contain_text("暂无叫号")

    # 2. at the kiosk, the person checks in with the booking code and gets a ticket
    kiosk = open_session(None).page
    kiosk.goto(f"{base}/kiosk/{hall_code}/")
    kiosk.locator("#tile-checkin").click()
    check_a11y(kiosk, "current")
    kiosk.get_by_label("预约码（8 位数字）").fill(code)
    kiosk.locator("#checkin-submit").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("C001")
    expect(kiosk.locator("body")).to_contain_text("预约号：10:30 起优先叫号")
    check_a11y(kiosk, "current")
    expect(board.locator("#board-waiting")).to_contain_text("公民：1", timeout=8000)

    # 3. the clerk calls it from the console; the board shows the call without a reload
    clerk = open_session("rjclerk", {"width": 1280, "height": 800})
    page = clerk.goto("/hall/window/")
    check_a11y(page)
    page.locator("#call-next").click()
    expect(page.locator("#current-number")).to_have_text("C001")
    expect(page.locator("#current-status")).to_have_text("已叫号")
    expect(board.locator("#board-latest")).to_have_text("请 C001 号到 7 号窗口", timeout=8000)
    expect(board.locator("#board-windows")).to_contain_text("C001")
    expect(board.locator("#board-windows")).to_contain_text("7 号窗口")

    # 4. the clerk serves: starts, links the case by number, finishes
    page.get_by_role("button", name=re.compile("开始办理")).click()
    expect(page.locator("#current-status")).to_have_text("办理中")
    check_a11y(page, "current")
    page.get_by_label("关联办件（办件编号）").fill(w["case_number"])
    page.get_by_role("button", name="关联", exact=True).click()
    expect(page.locator("#console-notice")).to_contain_text(f"已关联办件 {w['case_number']}")
    expect(page.locator("#linked-cases")).to_contain_text(w["case_number"])
    page.get_by_role("button", name=re.compile("完成")).click()
    expect(page.locator("#console-notice")).to_contain_text("办理完成：C001")
    expect(page.locator("#current-number")).to_contain_text("当前没有正在办理的号")
    page = applicant.goto("/hall/appointments/")
    expect(page.locator("#appointments")).to_contain_text("已签到（C001）")

    # 5. the background task registers the finished visit as ratable
    assert ratables_register_sweep() >= 1

    # 6. the applicant rates it 2 (不满意) with a dimension and a comment
    page = applicant.goto("/ratings/mine/")
    check_a11y(page)
    row = page.locator("#unrated li", has_text="公共场所卫生许可（窗口办理）")
    expect(row).to_contain_text("C001 2026-11-24")
    row.get_by_role("link", name="去评价").click()
    check_a11y(page)
    page.get_by_text("不满意", exact=True).click()
    page.get_by_text("服务效率", exact=True).click()
    page.get_by_label("评价内容（选填）").fill("等候时间太长，窗口办理很慢")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#thanks")).to_have_text("感谢您的评价！")
    check_a11y(page, "current")
    expect(page.locator("body")).to_contain_text("1 个工作日内联系您核实情况")
    page = applicant.goto("/ratings/mine/")
    expect(page.locator("#unrated")).to_contain_text("没有待评价的服务")
    expect(page.locator("table")).to_contain_text("不满意")
    check_a11y(page)

    # 7. an approver of the case's department sees the follow-up with its verify deadline
    followup = FollowUp.objects.get()
    verify_due = add_working_days(dt.date(2026, 11, 24), 1)
    assert verify_due == dt.date(2026, 11, 25)
    assert followup.verify_due == verify_due
    approver = open_session("rjapprover")
    page = approver.goto("/ratings/followups/")
    check_a11y(page)
    row = page.locator(f"#fu-{followup.pk}")
    expect(row).to_contain_text("公共场所卫生许可（窗口办理）")
    expect(row).to_contain_text("C001 2026-11-24")
    expect(row).to_contain_text("天河区卫生健康局")
    expect(row).to_contain_text("不满意：等候时间太长，窗口办理很慢")
    expect(row.locator(".stage")).to_contain_text("核实")
    expect(row.locator(".due")).to_contain_text("2026-11-25")
    expect(row.locator(".due")).to_contain_text("剩余 1 个工作日")
    expect(row.get_by_role("button", name="完成核实")).to_be_visible()

    for session in people:
        session.close()
