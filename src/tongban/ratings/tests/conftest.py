"""A small world for the rating tests: a hall with a queue, a comprehensive window and a clerk; two
departments (A and B) each with an approver, a head and an item; a supervisor; applicants with logins.

Time is frozen on Friday 3 April 2026, 10:00 Beijing time: the next day is Saturday and Monday 6 April
is the 清明 holiday, so one working day later is Tuesday 7 April."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory
from tongban.cases.choices import CaseChannel, CaseStatus
from tongban.cases.models import Case
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.hall.choices import TicketSource, TicketStatus
from tongban.hall.models import QueueCategory, Ticket, TicketCase
from tongban.hall.services import hall_queues_setup
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory, RegionFactory, WindowFactory
from tongban.ratings.services.registry import register_case, register_ticket

BJ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 4, 3, 10, 0, tzinfo=BJ)
_numbers = itertools.count(1)


@pytest.fixture
def clock_start():
    """Friday 3 April 2026, 10:00 (see the module's docstring)."""
    return START


@dataclass
class World:
    hall: object
    window: object
    category: object
    clerk: object
    dept_a: object
    dept_b: object
    item_a: object
    item_b: object
    approver_a: object
    head_a: object
    approver_b: object
    supervisor: object
    admin: object
    person: object  # Applicant with a login
    person2: object


@pytest.fixture
def world(db, clock) -> World:
    region = RegionFactory(code="440106", name="天河区")
    hall = HallFactory(region=region, code="TH01", name="天河区政务服务中心")
    hall_queues_setup(hall_id=hall.pk)
    category = QueueCategory.objects.filter(hall=hall).order_by("code").first()
    window = WindowFactory(hall=hall, number=5, name="综合受理")
    dept_a = DepartmentFactory(region=region, name="天河区市场监督管理局", short_name="市场监管")
    dept_b = DepartmentFactory(region=region, name="天河区卫生健康局", short_name="卫健")
    return World(
        hall=hall,
        window=window,
        category=category,
        clerk=StaffFactory.with_role(StaffRole.CLERK, hall=hall, window=window, display_name="窗口员甲"),
        dept_a=dept_a,
        dept_b=dept_b,
        item_a=ServiceItemFactory(department=dept_a, name="食品经营许可（新办）", code="ITEM-A"),
        item_b=ServiceItemFactory(department=dept_b, name="医师执业注册", code="ITEM-B"),
        approver_a=StaffFactory.with_role(StaffRole.APPROVER, department=dept_a),
        head_a=StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=dept_a),
        approver_b=StaffFactory.with_role(StaffRole.APPROVER, department=dept_b),
        supervisor=StaffFactory.with_role(StaffRole.SUPERVISOR),
        admin=StaffFactory.with_role(StaffRole.ADMINISTRATOR),
        person=ApplicantFactory(registered=True, mobile="13900000001"),
        person2=ApplicantFactory(registered=True),
    )


def concluded_case(
    world, item=None, *, applicant=None, at: dt.datetime | None = None, channel: str = CaseChannel.ONLINE
) -> Case:
    """A concluded online case, written directly (the cases app's own tests drive its services)."""
    n = next(_numbers)
    return Case.objects.create(
        number=f"TB2026040300{n:02d}",
        item=item or world.item_a,
        applicant=applicant or world.person,
        submitted_by=(applicant or world.person).user,
        channel=channel,
        status=CaseStatus.CONCLUDED,
        concluded_at=at or timezone.now(),
    )


def served_ticket(world, *, case: Case | None = None, at: dt.datetime | None = None) -> Ticket:
    """A finished window visit (status done) served by the clerk at window 5, optionally with a case."""
    n = next(_numbers)
    now = at or timezone.now()
    ticket = Ticket.objects.create(
        hall=world.hall,
        category=world.category,
        number=f"{world.category.code}{n:03d}",
        seq=n,
        service_date=timezone.localdate(now),
        source=TicketSource.WALK_IN,
        status=TicketStatus.DONE,
        window=world.window,
        served_by=world.clerk,
        waiting_since=now,
        queued_at=now,
        started_at=now,
        ended_at=now,
    )
    if case is not None:
        TicketCase.objects.create(
            ticket=ticket, case_id=case.pk, case_number=case.number, linked_by=world.clerk
        )
    return ticket


@pytest.fixture
def online_service(world):
    return register_case(concluded_case(world))


@pytest.fixture
def window_service(world):
    return register_ticket(
        served_ticket(world, case=concluded_case(world, world.item_b, channel=CaseChannel.WINDOW))
    )
