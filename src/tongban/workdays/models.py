"""The working-day calendar (工作日历).

One `WorkCalendar` row per date of every covered year. A year is covered only when its `CalendarYear`
row exists, and services write a year's dates and its `CalendarYear` row in one transaction, so a
covered year always has all of its dates.

`ordinal` is the cumulative working-day count: the number of working days among all stored dates up to
and including this one. It makes working-day arithmetic a subtraction, in Python or in SQL:

    working days in (a, b]  =  ordinal(b) - ordinal(a)
    n-th working day after a  =  the row with is_workday AND ordinal = ordinal(a) + n

(valid while a and b lie in one run of consecutive covered years). Services rebuild the ordinals from
the first changed date on and bump `CalendarVersion`, which tells every process to reload its
in-memory index (see calendar.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from tongban.common.models import TimeStampedModel
from tongban.common.workflow import actor_field

from .choices import WORKING_KINDS, CalendarChangeAction, DayKind


class WorkCalendar(models.Model):
    #: Not stored: what a service that changed this day recomputed in other apps ({app: counts}).
    recomputed: dict[str, dict] | None = None

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    holiday_name = models.CharField("节日名称", max_length=50, blank=True)
    ordinal = models.PositiveIntegerField(
        "累计工作日序号", db_index=True, help_text="截至当日（含）的累计工作日数，用于工作日计算。"
    )

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                name="workcalendar_kind_matches_is_workday",
                condition=(
                    Q(is_workday=True, kind__in=sorted(WORKING_KINDS))
                    | (Q(is_workday=False) & ~Q(kind__in=sorted(WORKING_KINDS)))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class CalendarYear(TimeStampedModel):
    """A covered year: all its dates are in WorkCalendar.

    `provisional`: the year was generated from the holiday law (workdays.provisional) because its
    official schedule is not imported yet; every date computed on it is 暂定, and importing the
    official schedule replaces it and recomputes those dates (services.calendar_year_import).
    """

    #: Not stored: what a service that changed this year recomputed in other apps ({app: counts}).
    recomputed: dict[str, dict] | None = None

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField("数据来源", max_length=100)
    provisional = models.BooleanField(
        "暂定",
        default=False,
        help_text="按《全国年节及纪念日放假办法》推算，尚未导入国务院办公厅公布的安排。",
    )

    class Meta:
        verbose_name = "已录入年份"
        verbose_name_plural = "已录入年份"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年（暂定）" if self.provisional else f"{self.year} 年"


class CalendarVersion(models.Model):
    """Single row (id=1). `token` changes on every calendar write; processes compare it to reload.

    A random token rather than a counter, so that a rolled-back change can never be mistaken for a
    later committed one that happens to reach the same number.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField("版本标记", max_length=32)
    changed_at = models.DateTimeField("修改时间")

    class Meta:
        verbose_name = "工作日历版本"
        verbose_name_plural = "工作日历版本"

    def __str__(self) -> str:
        return self.token


class CalendarChange(models.Model):
    """Append-only log of calendar writes: changing the calendar moves every open deadline."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = actor_field()
    action = models.CharField("操作", max_length=16, choices=CalendarChangeAction.choices)
    year = models.PositiveSmallIntegerField("年份")
    day = models.DateField("日期", null=True, blank=True)
    old_kind = models.CharField("原类型", max_length=16, choices=DayKind.choices, blank=True)
    new_kind = models.CharField("新类型", max_length=16, choices=DayKind.choices, blank=True)
    detail = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "工作日历变更记录"
        verbose_name_plural = "工作日历变更记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.year}"
