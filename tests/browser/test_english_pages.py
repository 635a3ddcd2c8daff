"""The English interface at desktop size (1366 px): the guide, an item page, sign-in reached from the
menu (which brings the visitor back to the item: `next`), the staff workbench and the calendar page.
Screenshots go to /tmp/shots-english/ to be looked at; the test fails on Chinese left in the interface
(everything but the data: item, department and people's names)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tongban.accounts.tests.factories import PASSWORD, StaffFactory
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, RegionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path("/tmp/shots-english")
HAN = re.compile(r"[\u4e00-\u9fff]+")


@pytest.fixture
def data():
    region = RegionFactory(code="440106", name="天河区")
    health = DepartmentFactory(region=region, name="天河区卫生健康局")
    item = ServiceItemFactory(
        code="WJ0002", name="放射诊疗许可", department=health, promised_limit=10, statutory_limit=20
    )
    MaterialRequirementFactory(item=item, position=1, name="放射诊疗许可申请表")
    StaffFactory.with_role(StaffRole.APPROVER, username="approver1", department=health)
    return {"item": item, "names": {"天河区", "天河区卫生健康局", "放射诊疗许可", "放射诊疗许可申请表"}}


INTERFACE = "nav, main h2, main th, main label, main button, main .badge, main .alert"


def chinese_left(page, allowed: set[str]) -> list[str]:
    """Han text in the interface (menu, section headings, table headers, labels, buttons, badges,
    notices) that is not data; the data itself (summaries, places, legal bases) stays Chinese."""
    text = "\n".join(page.locator(INTERFACE).all_inner_texts())
    found = set(HAN.findall(text))
    return sorted(w for w in found if not any(w in name for name in allowed) and w not in {"中文", "通办"})


def test_pages_in_english(live_server, browser, data):
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    allowed = data["names"]

    page.goto(f"{live_server.url}/guide/")
    page.screenshot(path=str(SHOTS / "1-guide.png"), full_page=True)
    assert not chinese_left(page, allowed), chinese_left(page, allowed)

    page.goto(f"{live_server.url}/items/WJ0002/")
    page.screenshot(path=str(SHOTS / "2-item.png"), full_page=True)
    assert not chinese_left(page, allowed), chinese_left(page, allowed)
    assert "This item is for individuals (natural persons) only." in page.locator("main").inner_text()

    page.get_by_role("link", name="Log in", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/items/WJ0002/$"))
    page.screenshot(path=str(SHOTS / "3-login.png"), full_page=True)
    assert not chinese_left(page, allowed), chinese_left(page, allowed)
    page.get_by_label("Account").fill("approver1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/items/WJ0002/$"))  # back where the visitor was

    page.goto(f"{live_server.url}/work/")
    page.screenshot(path=str(SHOTS / "4-workbench.png"), full_page=True)
    assert not chinese_left(page, allowed | {"审批人员", "测试用户"}), chinese_left(page, allowed)

    page.goto(f"{live_server.url}/workdays/")
    page.screenshot(path=str(SHOTS / "5-calendar.png"), full_page=True)
    context.close()
    assert not errors, errors
