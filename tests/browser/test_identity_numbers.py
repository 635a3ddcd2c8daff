"""Issue 12, point 1 in a real browser: the GB 11643 worked example registers; a wrong check digit is
named at its field — at registration, at the window's pickup (出件, the case stays open) and at the
kiosk's check-in. Screenshots at 1366 px and 390 px go to /tmp/shots-identity/ for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tongban.accounts.tests.factories import PASSWORD, ApplicantFactory, StaffFactory
from tongban.cases import services
from tongban.cases.models import Step
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory
from tongban.common.tests.standards import wrong_check
from tongban.hall.services import hall_queues_setup
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory, RegionFactory, WindowFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GB11643_EXAMPLE = "11010519491231002X"
SHOTS = Path("/tmp/shots-identity")
WIDE, PHONE_390 = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture(params=[WIDE, PHONE_390], ids=["1366", "390"])
def viewport(request):
    return request.param


@pytest.fixture
def context(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    errors: list[str] = []
    context.on("page", lambda p: p.on("pageerror", lambda exc: errors.append(str(exc))))
    yield context
    context.close()
    assert not errors, errors


def login(context, base: str, username: str):
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def test_the_standard_example_registers_and_a_wrong_digit_is_named(live_server, context, viewport):
    from playwright.sync_api import expect

    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/register/?type=natural")
    page.get_by_label("姓名").fill("张三")
    page.get_by_label("身份证号码").fill(wrong_check(GB11643_EXAMPLE))
    page.get_by_label("手机号码").fill("13800138000")
    page.locator("#id_password1").fill("Qiang-Mima-2024")
    page.locator("#id_password2").fill("Qiang-Mima-2024")
    page.get_by_role("button", name="注册").click()
    field = page.get_by_label("身份证号码")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("body")).to_contain_text("身份证号码校验位不正确")
    assert fits(page)
    shoot(page, f"register-wrong-digit-{viewport['width']}")

    field.fill(GB11643_EXAMPLE.lower())
    page.locator("#id_password1").fill("Qiang-Mima-2024")
    page.locator("#id_password2").fill("Qiang-Mima-2024")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(re.compile(r"/accounts/(profile|me)/"))
    expect(page.locator("body")).to_contain_text("1101**********002X")


@pytest.fixture
def concluded(settings, tmp_path):
    """A concluded case waiting at the issuance window, and the clerk who hands it over."""
    settings.MEDIA_ROOT = tmp_path
    region = RegionFactory(code="440106", name="天河区")
    centre = HallFactory(region=region, name="天河区政务服务中心")
    housing = DepartmentFactory(region=region, name="天河区住房和城乡建设局", short_name="住建")
    item = ServiceItemFactory(code="GG0001", name="公共场所卫生许可", department=housing, promised_limit=8)
    MaterialRequirementFactory(item=item, position=1, name="申请书")
    services.process_define(
        item_id=item.pk,
        stages=[
            {
                "name": "审查",
                "kind": "single",
                "steps": [
                    {"name": "材料审查", "department_id": housing.pk, "limit_days": 6, "role": "approver"}
                ],
            },
            {
                "name": "审批决定",
                "kind": "single",
                "steps": [
                    {"name": "负责人决定", "department_id": housing.pk, "limit_days": 2, "role": "dept_head"}
                ],
            },
        ],
    )
    clerk = StaffFactory.with_role(StaffRole.CLERK, hall=centre, username="clerk", display_name="窗口甲")
    approver = StaffFactory.with_role(StaffRole.APPROVER, department=housing)
    head = StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=housing)
    applicant = ApplicantFactory(registered=True, name="张小明")
    case = services.case_intake_register(
        actor=clerk,
        item_id=item.pk,
        applicant_id=applicant.pk,
        form_data={
            "name": "张小明",
            "identity_number": applicant.id_number,
            "mobile": applicant.mobile,
            "reason": "新开业",
        },
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    for m in case.materials.all():
        services.case_material_upload(
            actor=clerk,
            case_id=case.pk,
            material_id=m.pk,
            file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"),
        )
    services.case_accept(actor=clerk, case_id=case.pk)
    step = Step.objects.get(case=case, status="open")
    services.step_complete(actor=approver, step_id=step.pk, outcome="pass", opinion="符合")
    services.case_decide(actor=head, case_id=case.pk, decision="approved", reason="符合", legal_basis="条例")
    case.refresh_from_db()
    return case, clerk, applicant


def test_pickup_with_a_mistyped_receiver_number_keeps_the_case_open(
    live_server, context, viewport, concluded
):
    from playwright.sync_api import expect

    case, clerk, applicant = concluded
    page = login(context, live_server.url, clerk.username)
    page.goto(f"{live_server.url}/work/cases/{case.pk}/")
    issue = page.locator("#issue")
    issue.get_by_label("窗口领取").check()
    issue.get_by_label("已核验领取人身份证件").check()
    issue.get_by_label("领取人姓名").fill("张小明")
    issue.get_by_label("领取人身份证号码").fill(wrong_check(applicant.id_number))
    issue.get_by_role("button", name="出件并关闭办件").click()
    expect(page.locator("#case-status")).to_have_text("已办结（待出件）")
    number = page.locator("#issue").get_by_label("领取人身份证号码")
    expect(number).to_be_focused()
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#issue")).to_contain_text("领取人身份证号码校验位不正确")
    assert fits(page)
    number.scroll_into_view_if_needed()
    shoot(page, f"pickup-wrong-digit-{viewport['width']}")

    issue = page.locator("#issue")
    issue.get_by_label("窗口领取").check()
    issue.get_by_label("已核验领取人身份证件").check()
    issue.get_by_label("领取人姓名").fill("张小明")
    issue.get_by_label("领取人身份证号码").fill(applicant.id_number)
    issue.get_by_role("button", name="出件并关闭办件").click()
    expect(page.locator("#case-status")).to_have_text("已办结（已出件）")


def test_kiosk_check_in_names_a_mistyped_number(live_server, context, viewport):
    from playwright.sync_api import expect

    hall = HallFactory(code="PW01", name="测试区政务服务中心")
    hall_queues_setup(hall_id=hall.pk)
    WindowFactory(hall=hall, number=1)
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/{hall.code}/check-in/")
    page.get_by_label("或 证件号码").fill(wrong_check(GB11643_EXAMPLE))
    page.get_by_role("button", name="签到取号").click()
    expect(page.locator("#checkin-error")).to_contain_text("证件号码：身份证号码校验位不正确")
    field = page.get_by_label("或 证件号码")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(field).to_have_value(wrong_check(GB11643_EXAMPLE))
    assert fits(page)
    shoot(page, f"kiosk-wrong-digit-{viewport['width']}")
