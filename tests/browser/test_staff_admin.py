"""Issue 12, point 9 in a real browser, as an administrator: the item form numbers materials by itself
(上移/下移 with the keyboard, dragging with the mouse) and fits the screen at 1366 px and 390 px; a
process is edited on one page whose flow chart redraws while typing, and saving a published version
makes a new draft; the admin carries the site's menu and icon."""

from __future__ import annotations

import re

import pytest

from tongban.accounts.tests.factories import PASSWORD, StaffFactory
from tongban.cases import services as case_services
from tongban.catalogue.choices import ItemStatus
from tongban.catalogue.models import ServiceItem
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, RegionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def catalogue():
    region = RegionFactory(code="440106", name="天河区")
    health = DepartmentFactory(region=region, name="天河区卫生健康局")
    fire = DepartmentFactory(region=region, name="天河区应急管理局")
    draft = ServiceItemFactory(
        code="WJ0001",
        name="公共场所卫生许可",
        department=health,
        draft=True,
        promised_limit=8,
        statutory_limit=20,
    )
    for position, name in enumerate(("卫生许可申请书", "营业执照", "卫生检测报告"), start=1):
        MaterialRequirementFactory(item=draft, position=position, name=name)
    published = ServiceItemFactory(
        code="WJ0002", name="放射诊疗许可", department=health, promised_limit=10, statutory_limit=20
    )
    case_services.process_define(
        item_id=published.pk,
        stages=[
            {
                "name": "审查",
                "kind": "single",
                "steps": [{"name": "材料审查", "department_id": health.pk, "limit_days": 6}],
            },
        ],
    )
    StaffFactory.with_role(StaffRole.ADMINISTRATOR, username="admin1", is_superuser=True, is_staff=True)
    return {"draft": draft, "published": published, "fire": fire}


def login(browser, base: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("账号").fill("admin1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return context, page, errors


def heads(page) -> list[str]:
    rows = page.locator(".tb-materials .inline-related:not(.empty-form) .inline_label")
    return [t.strip() for t in rows.all_inner_texts()]


def fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_item_form_numbers_materials_and_fits_the_screen(live_server, browser, catalogue):
    from playwright.sync_api import expect

    draft = catalogue["draft"]
    context, page, errors = login(browser, live_server.url, {"width": 1366, "height": 2400})
    page.goto(f"{live_server.url}/admin/catalogue/serviceitem/{draft.pk}/change/")
    assert fits(page, DESKTOP)
    # the site's menu and icon in the admin
    expect(page.locator(".tb-site-menu [aria-current=page]")).to_have_text("管理后台")
    assert page.locator('link[rel="icon"][type="image/svg+xml"]').count() == 1
    assert heads(page) == ["卫生许可申请书", "营业执照", "卫生检测报告"]
    assert page.locator('input[name$="-position"][type="number"]').count() == 0  # nothing to type

    # the keyboard: 卫生检测报告 up twice, the focus stays on its button and the move is announced
    up = page.get_by_role("button", name="上移“卫生检测报告”（现为第 3 项）")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".tb-order-status")).to_have_text("“卫生检测报告”现为第 2 项。")
    page.keyboard.press("Enter")
    assert heads(page) == ["卫生检测报告", "卫生许可申请书", "营业执照"]
    expect(page.locator(".tb-materials .inline-related:not(.empty-form) [data-no]").first).to_have_text(
        "第 1 项"
    )

    # a new material, dragged above 营业执照 with the mouse
    page.get_by_role("button", name="添加另一个 申请材料").click()
    rows = page.locator(".tb-materials .inline-related:not(.empty-form)")
    rows.nth(3).locator('input[name$="-name"]').fill("法定代表人身份证明")
    handle = rows.nth(3).locator(".tb-drag")
    handle.scroll_into_view_if_needed()
    source, target = handle.bounding_box(), rows.nth(2).locator("h3").bounding_box()
    page.mouse.move(source["x"] + 5, source["y"] + 5)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(source["x"] + 5, source["y"] + (target["y"] + 2 - source["y"]) * step / 10)
    page.mouse.up()
    expect(page.locator(".tb-materials .inline-related:not(.empty-form) [data-no]").nth(2)).to_have_text(
        "第 3 项"
    )
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("成功修改")
    saved = list(draft.materials.order_by("position").values_list("position", "name"))
    assert saved == [(1, "卫生检测报告"), (2, "卫生许可申请书"), (3, "法定代表人身份证明"), (4, "营业执照")]

    # an error names its field, at the field and in the list at the top, which takes the focus
    page.locator("#id_name").fill("")
    page.locator("input[name=_continue]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("请填写事项名称。")
    context.close()
    assert not errors, errors

    context, page, errors = login(browser, live_server.url, PHONE)
    page.goto(f"{live_server.url}/admin/catalogue/serviceitem/{draft.pk}/change/")
    assert fits(page, PHONE)
    page.goto(f"{live_server.url}/admin/catalogue/serviceitem/")
    assert fits(page, PHONE)
    context.close()
    assert not errors, errors


def test_process_edited_on_one_page_with_a_live_chart(live_server, browser, catalogue):
    from playwright.sync_api import expect

    published, fire = catalogue["published"], catalogue["fire"]
    context, page, errors = login(browser, live_server.url, DESKTOP)
    page.goto(f"{live_server.url}/admin/catalogue/serviceitem/{published.pk}/change/")
    page.locator("#content-main").get_by_role("link", name="办理流程").click()
    page.wait_for_url(re.compile(rf"/work/processes/{published.pk}/$"))
    assert fits(page, DESKTOP)
    chart = page.locator("#process-chart")
    expect(chart).to_contain_text("材料审查")

    # a second department in the same stage: the button puts the keyboard in the new step
    page.get_by_role("button", name="在第 1 阶段添加环节（并联部门）").click()
    expect(page.locator("#stages-0-steps-1-name")).to_be_focused()
    page.keyboard.type("消防审查")
    expect(chart).to_contain_text("消防审查")  # redrawn while typing
    expect(page.locator("#stages-0-kind")).to_have_value("parallel")
    page.locator("#stages-0-steps-1-department_id").select_option(label="天河区应急管理局")
    page.locator("#stages-0-steps-1-limit_days").fill("4")
    expect(page.locator("#process-problems")).to_contain_text("必须指定牵头部门")
    page.locator("#stages-0-lead_department_id").select_option(label="天河区卫生健康局")
    expect(page.locator("#process-ok")).to_be_visible()
    expect(chart).to_contain_text("天河区应急管理局")
    expect(chart.locator(".badge", has_text="牵头")).to_have_count(1)

    # a decision stage after it, moved with the keyboard
    page.get_by_role("button", name="添加阶段").click()
    expect(page.locator("#stages-1-name")).to_be_focused()
    page.keyboard.type("审批决定")
    page.locator("#stages-1-steps-0-name").fill("负责人决定")
    page.locator("#stages-1-steps-0-limit_days").fill("1")
    expect(chart.locator("[data-stage]")).to_have_count(2)
    page.get_by_role("button", name="第 2 阶段上移").click()
    expect(page.locator("#stage-0-up")).to_be_disabled()
    expect(page.locator("#stage-0-down")).to_be_focused()  # the end was reached: the other half
    page.get_by_role("button", name="第 1 阶段下移").click()
    expect(chart.locator("[data-stage]").last).to_contain_text("审批决定")

    # saving a published version makes a new draft; the published one keeps its process
    page.get_by_role("button", name="保存（新建草稿版本）").click()
    expect(page.locator(".tb-message")).to_contain_text("办理流程已保存到新建的第 2 版草稿")
    draft = ServiceItem.objects.get(code=published.code, status=ItemStatus.DRAFT)
    page.wait_for_url(re.compile(rf"/work/processes/{draft.pk}/$"))
    from tongban.cases.processes import process_for_item

    assert [s.name for s in process_for_item(draft).stages] == ["审查", "审批决定"]
    assert [s.name for s in process_for_item(published).stages] == ["审查"]
    assert fire.pk in [s.department_id for s in process_for_item(draft).stages[0].steps]
    context.close()
    assert not errors, errors

    context, page, errors = login(browser, live_server.url, PHONE)
    page.goto(f"{live_server.url}/work/processes/{draft.pk}/")
    assert fits(page, PHONE)
    page.locator("#stages-1-name").fill("决定")
    expect(page.locator("#process-chart")).to_contain_text("决定")
    assert fits(page, PHONE)
    context.close()
    assert not errors, errors
