"""Cards are sanctions, not routine — in a real browser (issue 12 points 5 and 9): a supervisor issues a
督办单 naming the case by its number (typed without dashes); the department does not answer; the sweep
shows the red card of the rule `directive_ignored`, and the card page says which rule and links the
directive; the supervisor shows a card by hand from the watch page, naming a person; the rules page and
the big screen (no site header) read well at desk and phone size.

Screenshots go to /tmp/shots-cards/ (not the repository), at 1366 px and at 390 px.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from tongban.accounts.tests.factories import PASSWORD, StaffFactory
from tongban.cases import services as cases
from tongban.cases.tests.conftest import world  # noqa: F401  (the cases test world)
from tongban.cases.tests.helpers import define_serial, submit_online
from tongban.organisations.choices import StaffRole
from tongban.supervision.models import Card, Deadline
from tongban.supervision.services import warning_sweep
from tongban.workdays.calendar import add_working_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BJ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=BJ)  # Monday, no holiday in March 2026
SHOTS = Path("/tmp/shots-cards")
DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def clock():
    """The cases world's clock, ticking (the live server answers in real time from NOW on)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def login(browser, base, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return context, page, errors


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_ignored_directive_ends_in_a_card_and_a_supervisor_cards_by_hand(
    live_server,
    browser,
    world,  # noqa: F811
):
    define_serial(world)
    case = cases.case_accept(actor=world.clerk, case_id=submit_online(world).pk)
    supervisor = StaffFactory.with_role(StaffRole.SUPERVISOR, display_name="周监察")
    approver = world.approvers["住建"]
    base = live_server.url

    context, page, errors = login(browser, base, supervisor.username, DESK)
    page.goto(f"{base}/supervision/directives/new/")
    page.get_by_label("督办对象类型").select_option("case")
    page.get_by_label("办件编号").fill(case.number.replace("-", ""))
    page.get_by_label("督办事项").fill("加快审查进度")
    page.get_by_label("督办要求").fill("说明进度，三个工作日内书面反馈。")
    page.get_by_label("反馈时限（工作日）").fill("3")
    shot(page, "directive-new-1366")
    page.get_by_role("button", name="发出").click()
    page.wait_for_load_state()
    assert case.number in page.content() and "督办单" in page.title()
    shot(page, "directive-detail-1366")

    # nobody answers: 4 working days after the deadline the sweep (the scheduler's) finds it ignored
    due = add_working_days(NOW.date(), 3)
    warning_sweep(today=add_working_days(due, 4))
    card = Card.objects.get()
    page.goto(f"{base}/supervision/cards/")
    page.get_by_role("link", name=card.issued_on.strftime("%Y-%m-%d")).click()
    page.wait_for_load_state()
    body = page.content()
    assert "督办单逾期未反馈" in body and card.directive.number in body
    shot(page, "card-rule-detail-1366")

    # a card by hand, from the case's watch page, naming the approver
    page.goto(f"{base}/supervision/?subject_type=case")
    page.get_by_role("link", name=f"办件 {case.number}").click()
    page.get_by_role("link", name="出示黄牌/红牌").click()
    page.get_by_label("牌色").select_option("yellow")
    page.get_by_label("责任人").select_option(str(approver.pk))
    page.get_by_label("出示理由").fill("经督办仍未按期办理")
    shot(page, "card-new-1366")
    page.get_by_role("button", name="出示", exact=True).click()
    page.wait_for_load_state()
    assert "人工出示" in page.content() and "经督办仍未按期办理" in page.content()
    manual = Card.objects.exclude(pk=card.pk).get()
    assert (manual.issued_by, manual.staff, manual.rule) == (supervisor, approver, None)

    page.goto(f"{base}/supervision/card-rules/")
    assert "督办单逾期未反馈" in page.content()
    shot(page, "card-rules-1366")
    page.goto(f"{base}/analytics/screen/")
    assert page.locator("nav.navbar").count() == 0 and page.locator("footer").count() == 0
    shot(page, "screen-1366")
    context.close()
    assert not errors, errors

    watch = Deadline.objects.get(subject_type="case", subject_id=case.pk)
    context, page, errors = login(browser, base, supervisor.username, PHONE)
    for path, name in (
        ("/supervision/card-rules/", "card-rules-390"),
        (f"/supervision/cards/{card.pk}/", "card-rule-detail-390"),
        (f"/supervision/cards/new/?deadline={watch.pk}&department={world.housing.pk}", "card-new-390"),
        ("/supervision/directives/", "directives-390"),
        ("/analytics/screen/", "screen-390"),
    ):
        page.goto(f"{base}{path}")
        shot(page, name)
        assert fits_the_screen(page), name
    context.close()
    assert not errors, errors
