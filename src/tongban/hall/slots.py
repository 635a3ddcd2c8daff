"""Appointment slots: computed from a hall's settings on working days, never stored.

Pure functions over (settings, date) so the rules have their own tests; capacity is checked by the
booking service under a lock of the settings row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise

from django.utils import timezone

from tongban.workdays.calendar import is_workday


@dataclass(frozen=True)
class Slot:
    date: dt.date
    start: dt.time
    end: dt.time
    capacity: int
    booked: int = 0

    @property
    def available(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.start))

    @property
    def ends_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.end))

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def _parse_time(text: str) -> dt.time:
    try:
        return dt.datetime.strptime(str(text).strip(), "%H:%M").time()  # noqa: DTZ007 (a clock time, no date)
    except ValueError as exc:
        raise ValueError(f"时间“{text}”格式应为 HH:MM。") from exc


def parse_periods(periods) -> list[tuple[dt.time, dt.time]]:
    """[["09:00","12:00"], ["13:30","17:00"]] → time pairs, checked: start < end, sorted, not overlapping."""
    if not isinstance(periods, list) or not periods:
        raise ValueError('办公时段至少要有一段，如 [["09:00", "12:00"]]。')
    parsed = []
    for pair in periods:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError("每个办公时段应为 [开始, 结束]。")
        start, end = _parse_time(pair[0]), _parse_time(pair[1])
        if start >= end:
            raise ValueError(f"办公时段 {pair[0]}–{pair[1]} 的开始时间应早于结束时间。")
        parsed.append((start, end))
    parsed.sort()
    for (_, end), (start, _) in pairwise(parsed):
        if start < end:
            raise ValueError("办公时段不能重叠。")
    return parsed


def day_slots(*, periods, slot_minutes: int, capacity: int, on: dt.date) -> list[Slot]:
    """The slots of one day: none on a non-working day; each period cut into whole slots of `slot_minutes`
    (a remainder shorter than one slot at the end of a period is not offered)."""
    if slot_minutes <= 0 or not is_workday(on):
        return []
    slots: list[Slot] = []
    step = dt.timedelta(minutes=slot_minutes)
    for start, end in parse_periods(periods):
        cursor = dt.datetime.combine(on, start)
        limit = dt.datetime.combine(on, end)
        while cursor + step <= limit:
            slots.append(Slot(date=on, start=cursor.time(), end=(cursor + step).time(), capacity=capacity))
            cursor += step
    return slots
