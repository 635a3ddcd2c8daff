"""The whole case journey in a real browser, every person logging in through the login page:
apply online → clerk requests correction → applicant resubmits → clerk accepts → three parallel
approvers → lead decides → clerk issues → public tracking shows the closed case and its visit count.

Nothing is frozen: today's date is used (the root conftest re-seeds the working-day calendar after the
transactional flush)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tongban.accounts.tests.factories import PASSWORD, ApplicantFactory, StaffFactory
from tongban.cases import services
from tongban.catalogue.choices import ItemCategory, OnlineDepth
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory, RegionFactory

from .conftest import PHONE, check_a11y

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Hall:
    item: object
    clerk: object
    approvers: dict
    applicant: object


@pytest.fixture
def hall(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    region = RegionFactory(code="440106", name="天河区")
    centre = HallFactory(region=region, name="天河区政务服务中心")
    housing = DepartmentFactory(region=region, name="天河区住房和城乡建设局", short_name="住建")
    planning = DepartmentFactory(region=region, name="天河区规划和自然资源局", short_name="规划")
    fire = DepartmentFactory(region=region, name="天河区应急管理局", short_name="应急")
    item = ServiceItemFactory(
        code="JS0001",
        name="建筑工程施工许可",
        department=housing,
        category=ItemCategory.CONSTRUCTION,
        promised_limit=10,
        statutory_limit=20,
        online_depth=OnlineDepth.ACCEPT,
    )
    MaterialRequirementFactory(item=item, position=1, name="施工许可申请表")
    MaterialRequirementFactory(item=item, position=2, name="施工合同")
    services.process_define(
        item_id=item.pk,
        stages=[
            {
                "name": "并联审查",
                "kind": "parallel",
                "lead_department_id": housing.pk,
                "joint_limit_days": 2,
                "steps": [
                    {"name": "住建审查", "department_id": housing.pk, "limit_days": 5},
                    {"name": "规划审查", "department_id": planning.pk, "limit_days": 8},
                    {"name": "消防审查", "department_id": fire.pk, "limit_days": 4},
                ],
            }
        ],
    )
    clerk = StaffFactory.with_role(StaffRole.CLERK, hall=centre, username="clerk", display_name="窗口甲")
    approvers = {
        d.short_name: StaffFactory.with_role(
            StaffRole.APPROVER, department=d, username=f"approver-{i}", display_name=f"{d.short_name}审批员"
        )
        for i, d in enumerate((housing, planning, fire))
    }
    applicant = ApplicantFactory(registered=True, name="张小明", mobile="13800138000")
    return Hall(item, clerk, approvers, applicant)


class Session:
    """One person's browser (own cookies), logged in through the login page; fails on JS errors."""

    def __init__(self, browser, base: str, username: str, *, a11y: bool = False):
        self.context = browser.new_context(viewport=PHONE, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.base = base
        self.page.goto(f"{base}/accounts/login/")
        if a11y:
            check_a11y(self.page)
        self.page.get_by_label("账号").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, self.page.content()[:2000]

    def goto(self, path: str):
        self.page.goto(f"{self.base}{path}")
        return self.page

    def fits_phone(self) -> bool:
        return self.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    def close(self):
        self.context.close()
        assert not self.errors, self.errors


def upload(page, row, name: str) -> None:
    row.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF}
    )
    row.get_by_role("button", name=re.compile("上传")).click()


def test_parallel_case_from_online_application_to_issuance(live_server, browser, hall):
    from playwright.sync_api import expect

    base = live_server.url
    people: list[Session] = []

    def login(user) -> Session:
        session = Session(browser, base, user.username, a11y=not people)
        people.append(session)
        return session

    # 1. the applicant applies online: the form is pre-filled from the profile, materials uploaded
    applicant = login(hall.applicant.user)
    page = applicant.goto("/items/JS0001/apply/")
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("建筑工程施工许可")
    expect(page.locator("#f_identity_number")).to_have_value(hall.applicant.id_number)
    page.locator("#f_reason").fill("新建厂房，申请施工许可")
    page.get_by_role("button", name=re.compile("保存草稿")).click()
    page.wait_for_url(re.compile(r"/drafts/\d+/$"))
    check_a11y(page)
    for name in ("施工许可申请表", "施工合同"):
        row = page.locator("li[data-material]", has_text=name)
        upload(page, row, f"{name}.pdf")
        expect(page.locator("li[data-material]", has_text=name)).to_contain_text("已上传，待提交")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/my/.+/\?submitted=1"))
    number = page.locator("[data-case-number]").inner_text().strip()
    code = page.locator("[data-query-code]").inner_text().strip()
    assert re.fullmatch(r"440106-\d{8}-\d{6}", number) and len(code) == 8
    check_a11y(page)

    # 2. a clerk takes the online submission from the intake queue and asks, once, for a correction
    clerk = login(hall.clerk)
    page = clerk.goto("/work/intake/")
    check_a11y(page)
    row = page.locator("#intake-table tr", has_text=number)
    expect(row).to_contain_text("网上预审")
    # on a phone the list reads as cards: every cell labelled with its column and as wide as the screen
    for cell in row.locator("td").all():
        assert cell.get_attribute("data-label") and cell.bounding_box()["width"] > PHONE["width"] / 2
    row.get_by_role("link", name=number).click()
    expect(page.locator("#case-status")).to_have_text("待受理")
    check_a11y(page)
    # the keyboard starts at the intake decision's heading, never on 受理: Enter there accepts nothing
    expect(page.get_by_role("heading", name="网上预审：受理决定")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#case-status")).to_have_text("待受理")
    correction = page.locator("#correction")
    correction.get_by_role("checkbox", name=re.compile("^施工合同")).check()
    correction.get_by_label("“施工合同”需补正的原因").fill("缺少双方盖章")
    correction.get_by_role("button", name=re.compile("一次性告知补正")).click()
    expect(page.locator("#case-status")).to_have_text("待补正（未受理）")
    check_a11y(page, "current")  # the page after the request, with its message
    with page.expect_download() as notice:
        page.locator("#new-document").get_by_role("link", name=re.compile("补正告知书")).click()
    assert notice.value.suggested_filename.startswith("补正告知书")

    # 3. the applicant uploads the corrected contract online and resubmits
    page = applicant.goto(f"/my/{number}/resubmit/")
    check_a11y(page)
    expect(page.locator("body")).to_contain_text("缺少双方盖章")
    upload(page, page.locator("li[data-material]", has_text="施工合同"), "施工合同-盖章.pdf")
    expect(page.locator("li[data-material]", has_text="施工合同")).to_contain_text("已上传，待提交")
    page.get_by_role("button", name="提交补正").click()
    page.wait_for_url(re.compile(rf"/my/{number}/$"))

    # 4. the clerk accepts: the 受理通知书 is offered at once
    page = clerk.goto("/work/intake/")
    page.locator("#intake-table").get_by_role("link", name=number).click()
    page.get_by_role("button", name=re.compile("受理（生成受理通知书）")).click()
    expect(page.locator("#case-status")).to_have_text("审查中")
    expect(page.locator("#flow [aria-current=step]")).to_contain_text("并联审查")
    check_a11y(page, "current")
    with page.expect_download() as acceptance:
        page.locator("#new-document").get_by_role("link", name=re.compile("受理通知书")).click()
    assert acceptance.value.suggested_filename.endswith(".pdf")

    # 5. three departments review in parallel, each from its 待办 list, with the keyboard
    for short in ("规划", "应急", "住建"):
        approver = login(hall.approvers[short])
        page = approver.goto("/work/tasks/")
        expect(page.locator("#task-table")).to_contain_text(number)
        if short == "规划":
            check_a11y(page)
        expect(page.locator("#task-table .clock-badge")).to_have_attribute(
            "data-clock", re.compile("running|warning")
        )
        assert approver.fits_phone()
        # the card's labels are the columns' visible names, without sort arrows or hidden hints
        labels = page.locator("#task-table tbody td").evaluate_all("cells => cells.map(c => c.dataset.label)")
        assert "环节期限" in labels and not any("↑" in x or "点击" in x for x in labels if x)
        page.locator("body").press("j")
        expect(page.locator("#task-table .task-link").first).to_be_focused()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/work/cases/\d+/"))
        opinion = page.get_by_label(re.compile("办理意见"))
        if short == "规划":
            check_a11y(page)
        expect(opinion).to_be_focused()
        page.keyboard.type(f"{short}意见：同意")
        page.get_by_role("radio", name="通过", exact=True).check()  # never preselected
        page.get_by_role("button", name="提交办理意见").press("Enter")
        expect(page.locator(".alert-success")).to_contain_text("环节已办理")
        if short == "规划":
            check_a11y(page, "current")
        if short != "住建":  # nothing left to do here: the keyboard starts from the message
            expect(page.locator(".tb-message")).to_be_focused()
        assert approver.fits_phone()

    # 6. the lead department sees every sibling's opinion and decides
    page = people[-1].page
    page.reload()
    steps = page.locator("#steps")
    for short in ("规划", "应急", "住建"):
        expect(steps).to_contain_text(f"{short}意见：同意")
    check_a11y(page)
    reason = page.get_by_label("决定理由")
    expect(reason).to_be_focused()
    reason.fill("三部门审查意见均为同意，符合施工许可条件")
    page.get_by_role("button", name=re.compile("作出决定")).click()  # forgot to choose: refused
    expect(page.locator("#decide")).to_contain_text("请选择审批决定（准予、不予）。")
    expect(page.locator("#case-status")).to_have_text("审查中")
    page.locator("#decide").get_by_label("准予").check()
    page.get_by_role("button", name=re.compile("作出决定")).click()
    expect(page.locator("#case-status")).to_have_text("已办结（待出件）")
    expect(page.locator("#new-document")).to_contain_text("决定书")
    check_a11y(page, "current")

    # 7. the clerk issues at the window after checking the receiver's identity
    page = clerk.goto("/work/issuance/")
    check_a11y(page)
    page.locator("#issuance-table").get_by_role("link", name=number).click()
    check_a11y(page)
    issue = page.locator("#issue")
    issue.get_by_label("窗口领取").check()
    issue.get_by_role("button", name="出件并关闭办件").click()  # forgot the identity check: refused
    expect(page.locator("#case-status")).to_have_text("已办结（待出件）")
    assert page.locator("[role=alert]").count() == 1  # announced once
    identity = page.locator("#issue").get_by_label("已核验领取人身份证件")
    expect(identity).to_be_focused()
    expect(identity).to_have_attribute("aria-invalid", "true")
    check_a11y(page, "current")  # the refused form, its error announced
    issue = page.locator("#issue")
    issue.get_by_label("窗口领取").check()
    identity.check()
    issue.get_by_label("领取人姓名").fill("张小明")
    issue.get_by_label("领取人身份证号码").fill(hall.applicant.id_number)
    issue.get_by_role("button", name="出件并关闭办件").click()
    expect(page.locator("#case-status")).to_have_text("已办结（已出件）")  # 办结, and the result is out
    expect(page.locator("#visit-count")).to_contain_text("跑动 1 次")
    check_a11y(page)

    # 8. public tracking, no login: concluded (准予) and issued, one visit, personal data masked
    public = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    public.goto(f"{base}/track/?no={number}&code={code}")
    expect(public.locator("[data-status]")).to_have_attribute("data-status", "closed")
    expect(public.locator("body")).to_contain_text("准予")
    expect(public.locator("body")).to_contain_text("办结")
    expect(public.locator("[data-visits]")).to_have_text("1")
    expect(public.locator("[data-masked-name]")).to_have_text("张*明")
    check_a11y(public)
    public.context.close()

    for session in people:
        session.close()
