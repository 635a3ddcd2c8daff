"""Reads of the working-day calendar.

The calendar is public information (published by the State Council every year), so these selectors
take no user and apply no scoping: everybody, signed in or not, sees the same calendar.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from .calendar import (
    CalendarMissing,
    covered_years,
    is_workday,
    provisional_years,
    working_days_between,
)
from .choices import DayKind, HorizonLevel
from .models import CalendarYear, WorkCalendar


def calendar_years() -> list[int]:
    """Covered years, ascending."""
    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))


def calendar_year_info(*, year: int) -> CalendarYear | None:
    """The covered year's row (source, provisional), or None."""
    return CalendarYear.objects.filter(year=year).first()


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


# --- how far the OFFICIAL calendar reaches (calendar_horizon) ----------------------------------------

#: Warn from this day (month, day) of the last official year on: the State Council publishes next year's
#: schedule between October and December, so from then on somebody should be watching for it.
WARNING_FROM_MONTH_DAY = (10, 1)
#: Working days of margin above the longest limit before the warning starts: about six weeks to notice,
#: fetch the published schedule, prepare the file and import it.
WARNING_MARGIN_WORKING_DAYS = 30
#: The longest limit assumed while no published item has one (the longest promised limits in a usual
#: catalogue are 60 working days); with the margin this gives the ~90 working days of the rule.
DEFAULT_LONGEST_LIMIT = 60


@dataclass(frozen=True)
class Horizon:
    """How far the OFFICIAL (imported) calendar reaches from `today`, and how many dates are only 暂定.

    Service never stops when it runs out: later years come from the holiday law (provisional), so a
    deadline that runs past `last_official` is computed and shown as 暂定 until the schedule is imported.
    """

    today: date
    level: str  # HorizonLevel
    last_official: date | None  # 31 December of the last official year of the run holding today
    missing_year: int  # the first year whose official schedule is not imported
    working_days_left: int  # working days in (today, last_official]; 0 when today's year is not official
    longest_limit: int  # longest limit of a published item, in working days (DEFAULT_LONGEST_LIMIT if none)
    warning_threshold: int  # longest_limit + WARNING_MARGIN_WORKING_DAYS
    warning_from: date  # 1 October of the year before missing_year
    provisional_until: date | None  # the last day of the provisional (law-generated) years, if any
    provisional_items: int  # published items whose NEW cases already get a provisional promised date
    provisional_open: int  # open deadlines of cases etc. that are provisional now (hooks counters)

    @property
    def is_ok(self) -> bool:
        return self.level == HorizonLevel.OK

    @property
    def is_urgent(self) -> bool:
        return self.level == HorizonLevel.URGENT

    @property
    def level_label(self) -> str:
        return HorizonLevel(self.level).label

    @property
    def last_covered(self) -> date | None:
        """Former name of `last_official` (API and templates of earlier versions)."""
        return self.last_official


def _natural_in_working_days(n: int) -> int:
    """A natural-day limit as working days, rounded up (5 working days a week; holidays ignored)."""
    return -(-n * 5 // 7)


def _in_working_days(n: int, unit: str) -> int:
    return _natural_in_working_days(n) if unit == "natural" else n


def calendar_horizon(today: date) -> Horizon:
    """How far the official calendar reaches and the alert level, so next year's schedule is imported
    in time and nobody mistakes a provisional date for a promise.

    Why: past the official calendar deadlines are computed from the holiday law (provisional years) and
    cases are accepted as usual, but those dates may move when the official schedule — with its 调休 —
    is imported, and the applicants are then told of the new date. Rule (docs/workdays-import.md):
    * longest limit L = the longest promised or statutory limit of a published item in working days
      (a natural-day limit n counts as ⌈5n/7⌉; statutory included because an extension may run up to it),
      DEFAULT_LONGEST_LIMIT when the catalogue has none;
    * **urgent** when fewer than L working days of the official calendar are left (some new cases get
      provisional dates already), or today's own year is not official;
    * **warning** from 1 October of the last official year, or when fewer than L + 30 are left;
    * **ok** otherwise.
    """
    from .hooks import limit_profile, provisional_open_count

    covered = set(covered_years())
    provisional = set(provisional_years())
    official = covered - provisional
    profile = limit_profile()
    longest = (
        max(
            (max(_in_working_days(p, pu), _in_working_days(s, su)) for p, pu, s, su, _ in profile),
            default=0,
        )
        or DEFAULT_LONGEST_LIMIT
    )
    threshold = longest + WARNING_MARGIN_WORKING_DAYS

    if today.year not in official:
        below = [y for y in official if y < today.year]
        last_official = date(max(below), 12, 31) if below else None
        left, last_workday = 0, None
        missing = today.year
    else:
        end = today.year
        while end + 1 in official:
            end += 1
        last_official = date(end, 12, 31)
        missing = end + 1
        left = working_days_between(today, last_official)
        last_workday = last_official
        while last_workday > today and not is_workday(last_workday):
            last_workday -= timedelta(days=1)

    affected = 0
    for promised, unit, _, _, count in profile:
        if last_workday is None:
            affected += count
        elif unit == "natural":
            # due = the working day on or after today + n: official only up to the last working day.
            affected += count if today + timedelta(days=promised) > last_workday else 0
        else:
            affected += count if promised > left else 0

    warning_from = date(missing - 1, *WARNING_FROM_MONTH_DAY)
    if last_workday is None or left < longest:
        level = HorizonLevel.URGENT
    elif left < threshold or today >= warning_from:
        level = HorizonLevel.WARNING
    else:
        level = HorizonLevel.OK
    later = [y for y in provisional if y >= missing]
    return Horizon(
        today=today,
        level=level,
        last_official=last_official,
        missing_year=missing,
        working_days_left=left,
        longest_limit=longest,
        warning_threshold=threshold,
        warning_from=warning_from,
        provisional_until=date(max(later), 12, 31) if later else None,
        provisional_items=affected,
        provisional_open=provisional_open_count() if level != HorizonLevel.OK else 0,
    )
