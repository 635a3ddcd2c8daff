from __future__ import annotations

from datetime import date, timedelta

import pytest

from tongban.workdays.calendar import CalendarMissing
from tongban.workdays.models import WorkCalendar


class Naive:
    """Day-by-day reference implementation over the table, for property tests."""

    def __init__(self):
        self.work = dict(WorkCalendar.objects.values_list("date", "is_workday"))

    def is_workday(self, d: date) -> bool:
        if d not in self.work:
            raise CalendarMissing(d.year)
        return self.work[d]

    def add(self, start: date, n: int) -> date:
        self.is_workday(start)
        d, count = start, 0
        while count < n:
            d += timedelta(days=1)
            if self.is_workday(d):
                count += 1
        return d

    def between(self, a: date, b: date) -> int:
        lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
        self.is_workday(lo)
        count, d = 0, lo
        while d < hi:
            d += timedelta(days=1)
            count += self.is_workday(d)
        return sign * count


@pytest.fixture
def naive(db) -> Naive:
    """Over the table with the provisional years the properties can reach (generated first, so the
    reference and the index see the same rows)."""
    from tongban.workdays.services import calendar_provisional_extend

    calendar_provisional_extend(through=2030, today=date(2026, 12, 7))
    return Naive()


def assert_ordinals_consistent():
    running = 0
    for d, working, ordinal in WorkCalendar.objects.order_by("date").values_list(
        "date", "is_workday", "ordinal"
    ):
        running += working
        assert ordinal == running, d
