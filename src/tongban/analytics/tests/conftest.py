"""A hand-made March 2026 (no holidays in March): two departments, a hall with a clerk at window 1,
six cases whose every figure is computed by hand in test_figures.py.

| case | dept | channel | received | accepted | due | concluded | used/promised | visits | notes |
|------|------|---------|----------|----------|-----|-----------|---------------|--------|-------|
| c1 | A | window (clerk, W1) | 3-02 | 3-02 | 3-09 | 3-05 | 3/5 | 1 | plan step never done |
| c2 | A | online (clerk2) | 3-03 | 3-03 | 3-12 | 3-12 | 5/5 | 0 | 1 correction, pause (3-04, 3-06] |
| c3 | A | window (clerk, W1) | 3-02 | 3-02 | 3-11 | 3-13 | 9/7 | 3 | 2 corrections, +2 extension |
| c4 | B | window | 3-04 | — | — | — | — | 1 | refused 3-05 |
| c5 | A | online | 3-10 | 3-11 | 3-18 | — | — | 0 | returned 3 times |
| c6 | A | window (clerk2) | 2-27 | 3-02 | 3-09 | 3-09 | 5/5 | 1 | |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory
from tongban.cases.choices import CaseChannel, CaseEventKind, CaseStatus, PauseKind, StepKind, StepStatus
from tongban.cases.models import Case, CaseEvent, ClockPause, Extension, Step
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import (
    DepartmentFactory,
    HallFactory,
    RegionFactory,
    WindowFactory,
)
from tongban.supervision.models import Directive

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 4, 1, 10, 0, tzinfo=TZ)  # Wednesday 1 April 2026: the first working day of April


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(media_root):
    """Uploads and documents in the test's own folder (the shared `media_root`)."""


@pytest.fixture
def clock_start():
    """Wednesday 1 April 2026, 10:00: the first working day of April."""
    return NOW


@dataclass
class Data:
    dept_a: object
    dept_b: object
    hall: object
    window: object
    clerk: object
    clerk2: object
    supervisor: object
    approver_a: object
    approver_b: object
    applicant_user: object
    item_a: object
    item_b: object
    cases: dict


def _plan(dept) -> list[dict]:
    return [
        {
            "position": 1,
            "name": "审查决定",
            "kind": "single",
            "steps": [
                {
                    "name": "审查决定",
                    "department_id": dept.pk,
                    "department": dept.name,
                    "limit_days": 5,
                    "role": "",
                }
            ],
        }
    ]


def _case(data_item, applicant, **kw) -> Case:
    return Case.objects.create(item=data_item, applicant=applicant, **kw)


@pytest.fixture
def data(db, clock) -> Data:
    region = RegionFactory(code="440106", name="天河区")
    hall = HallFactory(region=region, name="天河区政务服务中心")
    window = WindowFactory(hall=hall, number=1, name="综合受理1号")
    dept_a = DepartmentFactory(region=region, name="甲局", short_name="甲")
    dept_b = DepartmentFactory(region=region, name="乙局", short_name="乙")
    clerk = StaffFactory.with_role(StaffRole.CLERK, hall=hall, window=window, display_name="窗口甲")
    clerk2 = StaffFactory.with_role(StaffRole.CLERK, hall=HallFactory(region=region), display_name="窗口乙")
    supervisor = StaffFactory.with_role(StaffRole.SUPERVISOR)
    approver_a = StaffFactory.with_role(StaffRole.APPROVER, department=dept_a)
    approver_b = StaffFactory.with_role(StaffRole.APPROVER, department=dept_b)
    item_a = ServiceItemFactory(department=dept_a, promised_limit=5, visits_required=1, name="甲事项")
    item_b = ServiceItemFactory(department=dept_b, promised_limit=5, visits_required=1, name="乙事项")
    applicant = ApplicantFactory(registered=True)
    plan = _plan(dept_a)
    c = {}
    c["c1"] = _case(
        item_a,
        applicant,
        channel=CaseChannel.WINDOW,
        intake_hall=hall,
        status=CaseStatus.CLOSED,
        submitted_at=at(3, 2),
        accepted_on=dt.date(2026, 3, 2),
        accepted_by=clerk,
        due_date=dt.date(2026, 3, 9),
        concluded_at=at(3, 5),
        visit_count=1,
        plan=plan,
        decision="approved",
    )
    c["c2"] = _case(
        item_a,
        applicant,
        channel=CaseChannel.ONLINE,
        intake_hall=hall,
        status=CaseStatus.CONCLUDED,
        submitted_at=at(3, 3),
        accepted_on=dt.date(2026, 3, 3),
        accepted_by=clerk2,
        due_date=dt.date(2026, 3, 12),
        concluded_at=at(3, 12, 16),
        visit_count=0,
        plan=plan,
        decision="approved",
    )
    c["c3"] = _case(
        item_a,
        applicant,
        channel=CaseChannel.WINDOW,
        intake_hall=hall,
        status=CaseStatus.CLOSED,
        submitted_at=at(3, 2),
        accepted_on=dt.date(2026, 3, 2),
        accepted_by=clerk,
        due_date=dt.date(2026, 3, 11),
        extension_days=2,
        concluded_at=at(3, 13),
        visit_count=3,
        decision="denied",
    )
    c["c4"] = _case(
        item_b,
        applicant,
        channel=CaseChannel.WINDOW,
        intake_hall=hall,
        status=CaseStatus.REFUSED,
        submitted_at=at(3, 4),
        visit_count=1,
    )
    c["c5"] = _case(
        item_a,
        applicant,
        channel=CaseChannel.ONLINE,
        status=CaseStatus.IN_REVIEW,
        submitted_at=at(3, 10),
        accepted_on=dt.date(2026, 3, 11),
        due_date=dt.date(2026, 3, 18),
        intake_hall=hall,
        accepted_by=clerk,
    )
    c["c6"] = _case(
        item_a,
        applicant,
        channel=CaseChannel.WINDOW,
        status=CaseStatus.CLOSED,
        submitted_at=at(2, 27),
        accepted_on=dt.date(2026, 3, 2),
        accepted_by=clerk2,
        due_date=dt.date(2026, 3, 9),
        concluded_at=at(3, 9),
        visit_count=1,
        decision="approved",
    )
    _case(item_a, applicant, channel=CaseChannel.ONLINE, status=CaseStatus.DRAFT)
    ev = CaseEvent.objects.create
    ev(case=c["c2"], kind=CaseEventKind.CORRECTION_REQUESTED, at=at(3, 4))
    ClockPause.objects.create(
        case=c["c2"],
        kind=PauseKind.CORRECTION,
        reason="补正",
        started_on=dt.date(2026, 3, 4),
        ended_on=dt.date(2026, 3, 6),
    )
    Step.objects.create(
        case=c["c2"],
        stage_position=1,
        stage_name="审查决定",
        kind=StepKind.DECISION,
        name="审查决定",
        department=dept_a,
        limit_days=5,
        status=StepStatus.DONE,
        opened_on=dt.date(2026, 3, 3),
        opened_at=at(3, 3),
        due_date=dt.date(2026, 3, 12),
        outcome="pass",
    )
    ev(case=c["c3"], kind=CaseEventKind.CORRECTION_REQUESTED, at=at(3, 3))
    ev(case=c["c3"], kind=CaseEventKind.CORRECTION_REQUESTED, at=at(3, 4))
    Extension.objects.create(
        case=c["c3"], days=2, reason="复杂", due_before=dt.date(2026, 3, 9), due_after=dt.date(2026, 3, 11)
    )
    ev(case=c["c4"], kind=CaseEventKind.REFUSED, at=at(3, 5))
    for day in (12, 13, 16):
        ev(case=c["c5"], kind=CaseEventKind.RETURNED, at=at(3, day))
    common = {
        "subject_type": "department",
        "required_action": "整改",
        "response_days": 3,
        "issued_by": supervisor,
    }
    Directive.objects.create(
        **common,
        subject_id=dept_a.pk,
        department=dept_a,
        title="一",
        issued_on=dt.date(2026, 3, 5),
        due_date=dt.date(2026, 3, 10),
        responded_on=dt.date(2026, 3, 9),
        responded_on_time=True,
        status="responded",
    )
    Directive.objects.create(
        **common,
        subject_id=dept_a.pk,
        department=dept_a,
        title="二",
        issued_on=dt.date(2026, 3, 6),
        due_date=dt.date(2026, 3, 11),
    )
    return Data(
        dept_a,
        dept_b,
        hall,
        window,
        clerk,
        clerk2,
        supervisor,
        approver_a,
        approver_b,
        applicant.user,
        item_a,
        item_b,
        c,
    )
