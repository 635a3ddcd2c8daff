"""Issue 12, point 2 on the demo catalogue: on 7 December 2026 a fresh demo could not accept 24 of its
published items ("2027 年的工作日历尚未录入"). Now every published item gets its promised and statutory
deadlines — official where the 2026 calendar reaches, 暂定 beyond it — today and years ahead."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tongban.catalogue.choices import ItemStatus
from tongban.catalogue.models import ServiceItem
from tongban.workdays.clock import deadline

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def demo(demo_module) -> dict:
    return demo_module


@pytest.mark.parametrize("day", [dt.date(2026, 12, 7), dt.date(2030, 12, 2)])
def test_every_published_item_gets_its_deadlines(demo, day):
    items = list(ServiceItem.objects.filter(status=ItemStatus.PUBLISHED))
    assert len(items) > 100
    provisional = 0
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=CST), tick=False):
        for item in items:
            promised = deadline(start=day, limit=item.promised_limit, unit=item.promised_limit_unit)
            statutory = deadline(start=day, limit=item.statutory_limit, unit=item.statutory_limit_unit)
            assert promised.date >= day and statutory.date >= day
            provisional += promised.provisional
    if day.year == 2026:
        # The items whose promise runs past 31 December 2026: the ones a fresh demo refused before.
        assert provisional == 24
    else:
        assert provisional == len(items)  # nothing official that far ahead
