"""Issue 12, points 2 and 3 in a real browser: a case accepted late in 2026 shows its promised and
statutory deadlines as 暂定; the department head sees the law's extension allowance, a too-long extension
is named at its field, the one allowed extension is granted and no second one is offered; the
administrator sees the honest calendar banner and imports 2027 in the admin, after which the dates are
official. Screenshots at 1366 px and 390 px go to /tmp/shots-clock/ for a person to look at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory
from tongban.cases import services
from tongban.cases.models import Case
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory, RegionFactory

from . import test_identity_numbers as journey
from .conftest import check_a11y

# The viewports, the error-checking browser context and the login of the identity journey.
context, viewport, fits, login = journey.context, journey.viewport, journey.fits, journey.login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-clock")
MONDAY = dt.datetime(2026, 12, 28, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def world():
    region = RegionFactory(code="440106", name="天河区")
    hall = HallFactory(region=region, name="天河区政务服务中心")
    dept = DepartmentFactory(region=region, name="天河区住房和城乡建设局", short_name="住建")
    clerk = StaffFactory.with_role(StaffRole.CLERK, hall=hall)
    head = StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=dept, display_name="王局长")
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR, is_superuser=True, display_name="管理员")
    item = ServiceItemFactory(name="公共场所卫生许可", department=dept, promised_limit=8, statutory_limit=20)
    MaterialRequirementFactory(item=item, position=1, name="申请书")
    applicant = ApplicantFactory(registered=True, name="张小明")
    return {"clerk": clerk, "head": head, "admin": admin, "item": item, "applicant": applicant}


def accepted_case(world) -> Case:
    from tongban.cases.tests.conftest import PDF
    from tongban.cases.tests.conftest import form_for as form

    case = services.case_intake_register(
        actor=world["clerk"],
        item_id=world["item"].pk,
        applicant_id=world["applicant"].pk,
        form_data=form(world["applicant"]),
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    for m in case.materials.all():
        services.case_material_upload(
            actor=world["clerk"],
            case_id=case.pk,
            material_id=m.pk,
            file=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        )
    return services.case_accept(actor=world["clerk"], case_id=case.pk)


def test_provisional_deadlines_and_the_one_extension(live_server, context, viewport, world):
    from playwright.sync_api import expect

    with time_machine.travel(MONDAY, tick=True):
        case = accepted_case(world)
        assert case.due_provisional and case.statutory_due_provisional
        page = login(context, live_server.url, world["head"].username)
        page.goto(f"{live_server.url}/work/cases/{case.pk}/")
        promised, statutory = page.locator("#due-promised"), page.locator("#due-statutory")
        expect(promised).to_contain_text("2027-01-08")
        expect(promised).to_contain_text("暂定")
        expect(statutory).to_contain_text("2027-01-26")
        expect(statutory).to_contain_text("暂定")
        expect(page.locator("#extend-rule")).to_contain_text("第四十二条")
        expect(page.locator("#extend-rule")).to_contain_text("可延期 1 次，每次最多 10 个工作日")
        assert fits(page)
        shoot(page, f"case-provisional-{viewport['width']}")
        if viewport["width"] == 1366:  # check_a11y looks at both sizes and both display modes itself
            check_a11y(page)

        page.get_by_label("延长工作日数").fill("11")
        page.get_by_label("延期理由（将告知申请人）").fill("需组织专家评审")
        page.get_by_role("button", name="批准延期").click()
        expect(page.locator("#extend")).to_contain_text("每次最多延长 10 个工作日")
        shoot(page, f"extend-refused-{viewport['width']}")

        page.get_by_label("延长工作日数").fill("10")
        page.get_by_label("延期理由（将告知申请人）").fill("需组织专家评审")
        page.get_by_role("button", name="批准延期").click()
        expect(page.locator("#extend-used")).to_contain_text("只能延长一次")
        expect(page.locator("#extend")).to_have_count(0)
        expect(page.locator("#due-promised")).to_contain_text("2027-01-22")
        assert fits(page)
        shoot(page, f"extended-once-{viewport['width']}")


def test_the_banner_and_the_import_of_2027(live_server, context, viewport, world, tmp_path):
    from playwright.sync_api import expect

    with time_machine.travel(MONDAY, tick=True):
        case = accepted_case(world)
        page = login(context, live_server.url, world["admin"].username)
        page.goto(f"{live_server.url}/workdays/?year=2027")
        banner = page.locator("#calendar-horizon")
        expect(banner).to_contain_text("2027 年官方节假日安排尚未导入，涉及 2027 年的期限为暂定")
        expect(banner).to_contain_text("办件照常受理")
        expect(page.locator("#calendar-provisional")).to_contain_text("不含国务院办公厅每年公布的调休安排")
        assert fits(page)
        shoot(page, f"calendar-2027-provisional-{viewport['width']}")
        if viewport["width"] == 1366:
            check_a11y(page)

        schedule = tmp_path / "2027.csv"
        schedule.write_text("date,type,name\n2027-01-01,法定节假日,元旦\n2027-02-05,法定节假日,春节\n")
        page.goto(f"{live_server.url}/admin/workdays/workcalendar/import/")
        page.get_by_label("年份").fill("2027")
        page.get_by_label("日历文件").set_input_files(str(schedule))
        page.get_by_role("button", name="导入").click()
        expect(page.locator("body")).to_contain_text("2027 年的工作日历已导入")
        expect(page.locator("body")).to_contain_text("已重新计算 1 个按暂定日期计算的办件期限")
        shoot(page, f"imported-{viewport['width']}")

        page.goto(f"{live_server.url}/work/cases/{case.pk}/")
        expect(page.locator("#due-promised")).to_contain_text("2027-01-08")
        expect(page.locator("#due-promised")).not_to_contain_text("暂定")
        expect(page.locator("#events, body").first).to_contain_text("期限重新计算")
