"""A small world for supervision tests: two departments (approver + head each), a hall with a clerk, a
supervisor, an administrator and an applicant. Time is frozen on Monday 2 March 2026, 09:00 Beijing
time (a working day; March 2026 has no holidays)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory, RegionFactory

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
MONDAY = START.date()


@pytest.fixture
def clock_start():
    """Monday 2 March 2026, 09:00."""
    return START


@dataclass
class World:
    hall: object
    dept: object
    other_dept: object
    approver: object
    head: object
    other_approver: object
    other_head: object
    supervisor: object
    admin: object
    clerk: object
    applicant_user: object


@pytest.fixture
def world(db, clock) -> World:
    region = RegionFactory(code="440106", name="天河区")
    hall = HallFactory(region=region, name="天河区政务服务中心")
    dept = DepartmentFactory(region=region, name="天河区市场监督管理局", short_name="市场监管")
    other = DepartmentFactory(region=region, name="天河区卫生健康局", short_name="卫健")
    return World(
        hall=hall,
        dept=dept,
        other_dept=other,
        approver=StaffFactory.with_role(StaffRole.APPROVER, department=dept, mobile="13800000001"),
        head=StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=dept, mobile="13800000002"),
        other_approver=StaffFactory.with_role(StaffRole.APPROVER, department=other),
        other_head=StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=other),
        supervisor=StaffFactory.with_role(StaffRole.SUPERVISOR, email="jc@example.cn"),
        admin=StaffFactory.with_role(StaffRole.ADMINISTRATOR),
        clerk=StaffFactory.with_role(StaffRole.CLERK, hall=hall),
        applicant_user=ApplicantFactory(registered=True).user,
    )


@pytest.fixture
def overdue_rules(world):
    """Switch on the two opt-in rules that card every overdue case (red) and every overdue step
    without an approved extension (yellow, to the department and the assignee) — the former default."""
    from tongban.supervision.models import CardRule
    from tongban.supervision.services import card_rule_update

    rules = CardRule.objects.filter(key__in=["case_overdue", "step_overdue_no_extension"])
    assert rules.count() == 2
    for rule in rules:
        card_rule_update(actor=world.admin, rule_id=rule.pk, active=True)
    return rules
