"""The seeded table against the `holidays` package (an independent source) for 2004–2026."""

from __future__ import annotations

from datetime import date

import holidays
import pytest
from chinese_calendar import is_workday as cc_is_workday

from tongban.workdays.models import WorkCalendar
from tongban.workdays.seed import CORRECTIONS

pytestmark = pytest.mark.django_db


def test_seeded_table_agrees_with_holidays_package():
    table = dict(WorkCalendar.objects.values_list("date", "is_workday"))
    differences = []
    by_year = {year: holidays.China(years=year) for year in range(2004, 2027)}
    for year, china in by_year.items():
        for day, name in china.items():
            # A statutory holiday or a substituted day off on a weekday is a rest day in our table.
            if day.weekday() < 5 and table[day]:
                differences.append((day, "holidays: 放假", name))
        for day in china.weekend_workdays:
            if day.year == year and not table[day]:
                differences.append((day, "holidays: 调休上班", ""))
    for day, working in table.items():
        if working != by_year[day.year].is_working_day(day):
            differences.append((day, f"table is_workday={working}", ""))
    assert differences == []


def test_corrections_are_exactly_where_chinese_calendar_disagrees():
    """chinese_calendar and holidays truly disagree only on the dates in CORRECTIONS (each with its
    official source in seed.py); if chinese_calendar fixes one, this test says the correction can go."""
    disagree = set()
    for year in range(2004, 2027):
        china = holidays.China(years=year)
        day = date(year, 1, 1)
        while day.year == year:
            if cc_is_workday(day) != china.is_working_day(day):
                disagree.add(day)
            day = date.fromordinal(day.toordinal() + 1)
    assert disagree == set(CORRECTIONS)
    row = WorkCalendar.objects.get(date=date(2005, 12, 31))
    assert row.is_workday and row.kind == "makeup" and row.holiday_name == "元旦"


def test_holiday_names_are_chinese():
    assert WorkCalendar.objects.get(date=date(2025, 10, 1)).holiday_name == "国庆节"
    assert WorkCalendar.objects.get(date=date(2025, 1, 29)).holiday_name == "春节"
    assert WorkCalendar.objects.get(date=date(2025, 10, 11)).kind == "makeup"
    assert WorkCalendar.objects.get(date=date(2025, 10, 12)).kind == "weekend"
