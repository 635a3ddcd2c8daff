"""Reads of the working-day calendar.

The calendar is public information (published by the State Council every year), so these selectors
take no user and apply no scoping: everybody, signed in or not, sees the same calendar.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from .calendar import CalendarMissing
from .choices import DayKind
from .models import CalendarYear, WorkCalendar


def calendar_years() -> list[int]:
    """Covered years, ascending."""
    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))


def calendar_special_days(*, year: int) -> QuerySet[WorkCalendar]:
    """The days of `year` that depart from the plain weekday rule or carry a holiday: rest days of a
    holiday period (法定节假日, including weekends inside it) and make-up working days (调休上班).
    Raises CalendarMissing for an uncovered year."""
    if not CalendarYear.objects.filter(year=year).exists():
        raise CalendarMissing(year)
    return WorkCalendar.objects.filter(date__year=year, kind__in=[DayKind.HOLIDAY, DayKind.MAKEUP]).order_by(
        "date"
    )


@dataclass(frozen=True)
class MonthGrid:
    month: int
    weeks: list[list[WorkCalendar | None]]  # Monday first; None outside the month


def calendar_year_grid(*, year: int) -> list[MonthGrid]:
    """Twelve month grids (weeks Monday–Sunday) of the stored days of `year`, for the public page."""
    if not CalendarYear.objects.filter(year=year).exists():
        raise CalendarMissing(year)
    days = {d.date: d for d in WorkCalendar.objects.filter(date__year=year)}
    grids = []
    cal = pycalendar.Calendar(firstweekday=0)
    for month in range(1, 13):
        weeks = [
            [days.get(d) if d.month == month else None for d in week]
            for week in cal.monthdatescalendar(year, month)
        ]
        grids.append(MonthGrid(month=month, weeks=weeks))
    return grids


def default_year(today: date) -> int | None:
    """The year to show first: today's if covered, else the latest covered year."""
    years = calendar_years()
    if not years:
        return None
    return today.year if today.year in years else years[-1]
