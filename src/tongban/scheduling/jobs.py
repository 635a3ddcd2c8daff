"""The vocabulary of the schedule: a job, how often it runs, and when it is next due.

Kept apart from schedule.py so that the schedule itself reads as a plain list and tests can build
their own jobs. Times of day are wall-clock times in settings.TIME_ZONE (Asia/Shanghai): an operator
says "01:00" and means Beijing time, whatever the server's clock zone is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks.base import Task


@dataclass(frozen=True)
class Every:
    """A fixed interval; the cadence is kept from the first run (no drift by the tick's delay)."""

    minutes: int

    def __post_init__(self) -> None:
        if self.minutes < 1:
            raise ValueError("间隔至少为 1 分钟。")

    @property
    def delta(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)

    def first_due(self, now: dt.datetime) -> dt.datetime:
        return now

    def next_due(self, *, previous_due: dt.datetime, now: dt.datetime) -> dt.datetime:
        """The first slot after `now` on the grid previous_due + k·interval: missed runs collapse into one."""
        if previous_due > now:
            return previous_due
        missed = (now - previous_due) // self.delta
        return previous_due + (missed + 1) * self.delta

    def __str__(self) -> str:
        if self.minutes % 60 == 0:
            return f"每 {self.minutes // 60} 小时"
        return f"每 {self.minutes} 分钟"


@dataclass(frozen=True)
class DailyAt:
    """Once a day at a wall-clock time in settings.TIME_ZONE."""

    at: dt.time

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(settings.TIME_ZONE)

    def _after(self, moment: dt.datetime, *, inclusive: bool) -> dt.datetime:
        zone = self._zone()
        local = moment.astimezone(zone)
        candidate = dt.datetime.combine(local.date(), self.at, tzinfo=zone)
        if candidate < moment or (candidate == moment and not inclusive):
            candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), self.at, tzinfo=zone)
        return candidate

    def first_due(self, now: dt.datetime) -> dt.datetime:
        """Today's time if it is still ahead (or now), else tomorrow's: a new job never runs "late"."""
        return self._after(now, inclusive=True)

    def next_due(self, *, previous_due: dt.datetime, now: dt.datetime) -> dt.datetime:
        return self._after(max(previous_due, now), inclusive=False)

    def __str__(self) -> str:
        return f"每天 {self.at:%H:%M}（{settings.TIME_ZONE}）"


@dataclass(frozen=True)
class Job:
    """One periodic job: a django-tasks task (dotted path), its cadence, its keyword arguments and why."""

    key: str
    task: str
    when: Every | DailyAt
    doc: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def resolve(self) -> Task:
        obj = import_string(self.task)
        if not isinstance(obj, Task):
            raise TypeError(f"定时任务“{self.key}”的 task “{self.task}”不是 django-tasks 任务。")
        return obj
