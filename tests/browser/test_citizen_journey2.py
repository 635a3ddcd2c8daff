"""Issue 12, point 8 in a real browser at phone size: the citizen's journey as a new user meets it.

1. A personal account opens a 法人-only item: told who it is for before the form, refused cleanly when it
   tries anyway, switches to registering an enterprise — every sign-up error at once, and back at the
   application it came from (`next`) with the credit code filled in; uploads say 已上传，待提交 (no file
   hash); after submitting, what happens next and by when, a printable receipt, and tracking by a number
   typed without dashes that shows the citizen-facing events only.
2. Counts where people look (menu badges, 我的信息), the guide's 预约 button and a booking that takes a
   slot only once confirmed, and a closed case without a "current stage".

Screenshots go to /tmp/shots-citizen/ for a person to look at (not part of the repository)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tongban.accounts.tests.factories import PASSWORD, ApplicantFactory, StaffFactory
from tongban.cases import services
from tongban.cases.models import Step
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory
from tongban.common.tests.standards import credit_code, wrong_check
from tongban.hall.services import hall_queues_setup
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory, RegionFactory
from tongban.ratings.services.registry import register_case

from .conftest import PHONE, check_a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-citizen")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_PASSWORD = "Qiang-Mima-2024"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"journey2-{name}.png"), full_page=True)


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


@pytest.fixture
def guide(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    region = RegionFactory(code="440106", name="天河区")
    hall = HallFactory(region=region, code="TH-ZWFW", name="天河区政务服务中心")
    hall_queues_setup(hall_id=hall.pk)
    market = DepartmentFactory(region=region, name="天河区市场监督管理局", short_name="市场监管")
    civil = DepartmentFactory(region=region, name="天河区民政局", short_name="民政")
    company_item = ServiceItemFactory(
        code="QY001",
        name="企业设立登记",
        department=market,
        category="business",
        applicant_kinds=["legal"],
        promised_limit=3,
        statutory_limit=15,
    )
    MaterialRequirementFactory(item=company_item, position=1, name="公司章程")
    person_item = ServiceItemFactory(
        code="GR001",
        name="老年人优待证办理",
        department=civil,
        category="citizen",
        applicant_kinds=["natural"],
        promised_limit=5,
    )
    MaterialRequirementFactory(item=person_item, position=1, name="户口簿")
    clerk = StaffFactory.with_role(StaffRole.CLERK, hall=hall, username="clerk", display_name="窗口甲")
    approver = StaffFactory.with_role(StaffRole.APPROVER, department=civil, username="approver")
    head = StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=civil, username="head")
    person = ApplicantFactory(registered=True, name="张小明", mobile="13800138000")
    return {
        "hall": hall,
        "company_item": company_item,
        "person_item": person_item,
        "clerk": clerk,
        "approver": approver,
        "head": head,
        "person": person,
    }


def test_a_personal_account_finds_its_way_to_an_enterprise_application(live_server, page, guide):
    from playwright.sync_api import expect

    base = live_server.url
    log_in(page, base, guide["person"].user.username)

    # the item page says who the item is for, before its buttons, and what to do instead
    page.goto(f"{base}/items/QY001/")
    audience = page.locator("#audience")
    expect(audience).to_contain_text("本事项仅限法人")
    expect(audience).to_contain_text("您当前登录的是个人账户")
    assert page.evaluate(
        "document.querySelector('#audience').compareDocumentPosition("
        "document.querySelector('[data-capability=apply_online]')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert fits_phone(page)
    check_a11y(page)
    shoot(page, "item-legal-as-person")

    # trying anyway: the same notice above the form, no ID number in the credit-code field, a clean refusal
    page.locator("#item-actions").get_by_role("link", name="在线办理").click()
    page.wait_for_url(re.compile(r"/items/QY001/apply/$"))
    expect(page.locator("#audience")).to_have_attribute("data-fits", "0")
    expect(page.locator("#f_identity_number")).to_have_value("")
    page.locator("#f_reason").fill("设立分公司")
    page.get_by_role("button", name=re.compile("保存草稿")).click()
    expect(page.locator("#form-error")).to_contain_text("不能作为申请人")
    expect(page.locator("#form-error")).to_be_focused()
    assert fits_phone(page)
    check_a11y(page, "current")  # the refused form, its error announced

    # switch: log out, then register the enterprise from the login page — next is kept all the way
    page.get_by_role("button", name="退出并使用法人账户登录").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/items/QY001/apply/"))
    page.get_by_role("link", name="法人注册").click()
    page.wait_for_url(re.compile(r"/accounts/register/\?type=legal&next="))
    page.locator("#id_name").fill("广州天河云帆科技有限公司")
    page.locator("#id_credit_code").fill(wrong_check(credit_code(77, prefix="91")))
    page.locator("#id_contact_name").fill("王芳")
    page.locator("#id_mobile").fill("1380013")
    page.locator("#id_password1").fill("12345678")
    page.locator("#id_password2").fill("12345678")
    page.get_by_role("button", name="注册").click()
    # every problem in one round: the missing representative, the code, the mobile and the password
    for field in ("legal_representative", "credit_code", "mobile", "password1"):
        expect(page.locator(f"#id_{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors")).to_be_focused()
    assert page.locator("#form-error-list li").count() >= 4
    assert fits_phone(page)
    check_a11y(page, "current")
    shoot(page, "register-all-errors")
    code = credit_code(77, prefix="91")
    page.locator("#id_credit_code").fill(code)
    page.locator("#id_legal_representative").fill("张三")
    page.locator("#id_mobile").fill("13800138011")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(re.compile(r"/items/QY001/apply/$"))
    expect(page.locator("#audience")).to_have_attribute("data-fits", "1")
    expect(page.locator("#f_identity_number")).to_have_value(code)

    # apply: an upload is 已上传，待提交 until the application is submitted, and shows no hash
    page.locator("#f_reason").fill("设立公司")
    page.get_by_role("button", name=re.compile("保存草稿")).click()
    page.wait_for_url(re.compile(r"/drafts/\d+/$"))
    row = page.locator("li[data-material]", has_text="公司章程")
    row.locator('input[type="file"]').set_input_files(
        {"name": "章程.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    row.get_by_role("button", name=re.compile("上传")).click()
    expect(row.locator("[data-material-state]")).to_have_text("已上传，待提交")
    expect(row).not_to_contain_text("SHA-256")
    check_a11y(page, "current")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/my/.+/\?submitted=1"))

    # after submitting: what happens next, by when, and a receipt made for printing
    number = page.locator("[data-case-number]").inner_text().strip()
    query_code = page.locator("[data-query-code]").inner_text().strip()
    next_step = page.locator("#next-step")
    expect(next_step).to_contain_text("决定是否受理")
    expect(next_step.locator("time")).to_have_attribute("datetime", re.compile(r"\d{4}-\d{2}-\d{2}"))
    assert fits_phone(page)
    check_a11y(page)
    shoot(page, "submitted")
    page.locator("#receipt-link").click()
    page.wait_for_url(re.compile(r"/receipt/$"))
    expect(page.locator("#receipt")).to_contain_text(number)
    expect(page.locator("#receipt svg")).to_have_count(1)
    expect(page.locator("#receipt-next")).to_contain_text("决定是否受理")
    check_a11y(page)
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("#print-receipt")).to_be_hidden()
    shoot(page, "receipt-print")
    page.emulate_media(media="screen")
    assert fits_phone(page)

    # tracking without logging in, the number typed without dashes and the code in lower case
    page.context.clear_cookies()
    page.goto(f"{base}/track/")
    page.get_by_label("办件编号").fill(number.replace("-", ""))
    page.get_by_label("查询码").fill(query_code.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#next-step")).to_contain_text("决定是否受理")
    kinds = page.locator("#track-events [data-event]").evaluate_all("xs => xs.map(x => x.dataset.event)")
    assert kinds == ["submitted"], kinds  # not the draft, nor the upload
    assert fits_phone(page)
    check_a11y(page)
    shoot(page, "track")


def test_counts_booking_and_a_closed_case(live_server, page, guide):
    from playwright.sync_api import expect

    base = live_server.url
    person, item = guide["person"], guide["person_item"]
    services.process_define(
        item_id=item.pk,
        stages=[
            {
                "name": "审查",
                "kind": "single",
                "steps": [{"name": "审查", "department_id": item.department_id, "limit_days": 3}],
            }
        ],
    )

    def filed(key: str):
        draft = services.case_draft_save(
            actor=person.user,
            item_id=item.pk,
            form_data={
                "name": person.name,
                "identity_number": person.id_number,
                "mobile": person.mobile,
                "reason": "办理",
            },
        )
        m = draft.materials.get()
        from django.core.files.uploadedfile import SimpleUploadedFile

        services.case_material_upload(
            actor=person.user, case_id=draft.pk, material_id=m.pk, file=SimpleUploadedFile("a.pdf", PDF)
        )
        return services.case_submit(actor=person.user, case_id=draft.pk, idempotency_key=key)

    closed = filed("k1")
    services.case_accept(actor=guide["clerk"], case_id=closed.pk)
    assert Step.objects.get(case=closed, status="open").kind == "decision"  # one stage: the decision
    services.case_decide(
        actor=guide["head"], case_id=closed.pk, decision="approved", reason="符合条件", legal_basis="第八条"
    )
    closed = services.case_issue(
        actor=guide["clerk"],
        case_id=closed.pk,
        method="pickup",
        identity_checked=True,
        receiver_name=person.name,
        receiver_id_number=person.id_number,
    )
    register_case(closed)
    to_correct = filed("k2")
    material = to_correct.materials.get()
    services.case_request_correction(
        actor=guide["clerk"],
        case_id=to_correct.pk,
        items=[{"material_id": material.pk, "reason": "页面不清"}],
    )

    # counts in the menu (the phone menu opened) and on 我的信息
    log_in(page, base, person.user.username)
    page.goto(f"{base}/guide/")
    page.get_by_role("button", name="展开导航").click()
    menu = page.locator("#mainnav")
    expect(menu.get_by_role("link", name=re.compile("我的办件"))).to_contain_text("1")
    expect(menu.get_by_role("link", name=re.compile("待评价"))).to_contain_text("1")
    expect(menu.get_by_role("link", name=re.compile("消息")).locator("[data-badge]")).to_be_visible()
    shoot(page, "menu-badges")
    check_a11y(page)
    page.goto(f"{base}/accounts/me/")
    expect(page.locator("#todo")).to_contain_text("1 件待补正")
    expect(page.locator("#todo")).to_contain_text("1 项服务待评价")
    check_a11y(page)

    # the closed case shows no current stage
    page.goto(f"{base}/my/{closed.number}/")
    expect(page.locator("[aria-current=step]")).to_have_count(0)
    expect(page.locator("#next-step")).to_contain_text("办件已办结")
    assert fits_phone(page)
    check_a11y(page)

    # the guide's 预约 button, and a slot taken only once confirmed
    page.goto(f"{base}/items/GR001/")
    page.locator("#item-actions").get_by_role("link", name="预约").click()
    page.wait_for_url(re.compile(r"/hall/book/\?item=GR001&hall=TH-ZWFW"))
    expect(page.locator("#b-hall")).to_have_value("TH-ZWFW")
    first = page.locator("#booking-slots button:not([disabled])").first
    label = first.inner_text().split("\n")[0].strip()
    first.click()
    confirm = page.locator("#booking-confirm")
    expect(confirm).to_contain_text("请确认预约")
    expect(confirm.locator("#confirm-when")).to_contain_text(label)
    expect(page.locator("#confirm-h")).to_be_focused()
    assert not person.user.appointments.exists()  # nothing taken yet
    assert fits_phone(page)
    check_a11y(page, "current")
    shoot(page, "booking-confirm")
    confirm.get_by_role("button", name="确认预约").click()
    page.wait_for_url(re.compile(r"/hall/appointments/$"))
    expect(page.locator(".tb-message")).to_contain_text("预约成功")
    assert person.user.appointments.count() == 1
    check_a11y(page, "current")
