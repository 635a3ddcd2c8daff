"""A small world for the case tests: a district hall with a clerk, three departments with approvers
and heads, a serial item, a 3-department parallel item, an immediate item, and applicants.

Time is frozen on Monday 2 March 2026, 10:00 Beijing time (a working day, away from holidays)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import pytest

from tongban.catalogue.choices import CaseKind, ItemCategory
from tongban.organisations.choices import StaffRole
from tongban.testing.factories import (  # noqa: F401  (PDF, form_for: the cases tests import them from here)
    PDF,
    ApplicantFactory,
    DepartmentFactory,
    HallFactory,
    MaterialRequirementFactory,
    RegionFactory,
    ServiceItemFactory,
    StaffFactory,
    form_for,
)
from tongban.testing.plugin import START  # noqa: F401  (the shared clock's moment; tests import it)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def ooxml(kind: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        main = "spreadsheetml.sheet.main+xml" if kind == "xlsx" else "wordprocessingml.document.main+xml"
        z.writestr(
            "[Content_Types].xml",
            f'<Types><Override ContentType="application/vnd.openxmlformats-officedocument.{main}"/></Types>',
        )
        z.writestr("xl/workbook.xml" if kind == "xlsx" else "word/document.xml", "<x/>")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _media(media_root):
    """Uploads and documents in the test's own folder (the shared `media_root`)."""


@dataclass
class World:
    region: object
    hall: object
    other_hall: object
    housing: object  # 住建 (lead)
    planning: object  # 规划
    fire: object  # 应急/消防
    clerk: object
    other_clerk: object
    approvers: dict
    heads: dict
    serial_item: object
    parallel_item: object
    immediate_item: object
    applicant: object
    other_applicant: object


@pytest.fixture
def world(db, clock) -> World:
    region = RegionFactory(code="440106", name="天河区")
    hall = HallFactory(region=region, name="天河区政务服务中心")
    other_hall = HallFactory(region=region, name="猎德街便民服务中心")
    housing = DepartmentFactory(region=region, name="天河区住房和城乡建设局", short_name="住建")
    planning = DepartmentFactory(region=region, name="天河区规划和自然资源局", short_name="规划")
    fire = DepartmentFactory(region=region, name="天河区应急管理局", short_name="应急")
    clerk = StaffFactory.with_role(StaffRole.CLERK, hall=hall, display_name="窗口甲")
    other_clerk = StaffFactory.with_role(StaffRole.CLERK, hall=other_hall, display_name="窗口乙")
    approvers = {
        d.short_name: StaffFactory.with_role(StaffRole.APPROVER, department=d, mobile="13800000000")
        for d in (housing, planning, fire)
    }
    heads = {
        d.short_name: StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=d)
        for d in (housing, planning, fire)
    }
    serial_item = ServiceItemFactory(
        name="公共场所卫生许可", department=housing, promised_limit=8, statutory_limit=20
    )
    MaterialRequirementFactory(item=serial_item, position=1, name="申请书")
    MaterialRequirementFactory(item=serial_item, position=2, name="营业执照")
    parallel_item = ServiceItemFactory(
        name="建筑工程施工许可",
        department=housing,
        category=ItemCategory.CONSTRUCTION,
        promised_limit=10,
        statutory_limit=20,
    )
    MaterialRequirementFactory(item=parallel_item, position=1, name="施工许可申请表")
    immediate_item = ServiceItemFactory(
        name="居住证签注",
        department=housing,
        case_kind=CaseKind.IMMEDIATE,
        promised_limit=0,
        statutory_limit=0,
    )
    MaterialRequirementFactory(item=immediate_item, position=1, name="居住证")
    applicant = ApplicantFactory(registered=True, name="张小明", email="zhang@example.cn")
    other_applicant = ApplicantFactory(registered=True, name="李四")
    return World(
        region,
        hall,
        other_hall,
        housing,
        planning,
        fire,
        clerk,
        other_clerk,
        approvers,
        heads,
        serial_item,
        parallel_item,
        immediate_item,
        applicant,
        other_applicant,
    )
