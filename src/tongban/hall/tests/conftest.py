"""A hall with the standard queues A–E, three windows, clerks, a second hall, an item and applicants.

Time is frozen on Monday 2 March 2026, 10:00 Beijing time (a working day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.hall.models import QueueCategory
from tongban.hall.services import hall_queues_setup
from tongban.organisations.choices import StaffRole, WindowKind
from tongban.organisations.tests.factories import HallFactory, WindowFactory

BJ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BJ)  # the shared `clock`'s moment


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=BJ)


@dataclass
class World:
    hall: object
    other_hall: object
    cats: dict
    w1: object
    w2: object
    w3: object
    desk: object
    clerk: object
    clerk2: object
    other_clerk: object
    other_window: object
    item: object
    person: object
    person2: object


@pytest.fixture
def world(db) -> World:
    hall = HallFactory(code="TH01", name="测试区政务服务中心")
    other = HallFactory(code="TH02", name="测试街道便民服务中心")
    hall_queues_setup(hall_id=hall.pk)
    hall_queues_setup(hall_id=other.pk)
    cats = {c.code: c for c in QueueCategory.objects.filter(hall=hall)}
    w1 = WindowFactory(hall=hall, number=1, name="综合受理", categories=["business", "citizen"])
    w2 = WindowFactory(hall=hall, number=2, name="综合受理", categories=["business", "citizen"])
    w3 = WindowFactory(hall=hall, number=3, name="工程建设", categories=["construction"])
    desk = WindowFactory(hall=hall, number=9, name="咨询导办台", kind=WindowKind.CONSULTATION, categories=[])
    other_window = WindowFactory(hall=other, number=1, categories=["business", "citizen"])
    return World(
        hall=hall,
        other_hall=other,
        cats=cats,
        w1=w1,
        w2=w2,
        w3=w3,
        desk=desk,
        clerk=StaffFactory.with_role(StaffRole.CLERK, window=w1, username="clerk1"),
        clerk2=StaffFactory.with_role(StaffRole.CLERK, window=w2, username="clerk2"),
        other_clerk=StaffFactory.with_role(StaffRole.CLERK, window=other_window, username="clerkB"),
        other_window=other_window,
        item=ServiceItemFactory(name="个体工商户登记", category="business"),
        person=ApplicantFactory(registered=True, name="张三"),
        person2=ApplicantFactory(registered=True, name="李四"),
    )
