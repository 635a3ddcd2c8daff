"""The statutory deadline clock (DESIGN rule 4): the ONE module with the rules for time limits.

Pure functions over dates (they read the working-day calendar, never the current time). The rules:

1. **Counted from the day after acceptance.** The day of acceptance (`start`) never counts
   (行政许可法 第八十二条; 民法典 第二百零一条 for natural days).
2. **Working-day limits** (`unit="working"`): the deadline is the day on which the `limit`-th counted
   working day falls. A limit of 0 (即办件) is due on the day of acceptance.
3. **Natural-day limits** (`unit="natural"`): the deadline is `start + limit` calendar days; if that
   day is not a working day, the deadline moves to the next working day (民法典 第二百零三条,
   行政诉讼法 第八十三条: a period ending on a statutory holiday ends on the first day after it).
4. **Pauses** (补正 correction, 特别程序 special procedures): `Pause(start=P, end=R)` means the clock
   stopped on P and resumed on R. The days in the half-open interval (P, R] do not count: P itself
   still counts (the clock runs through the day the notice is issued), R does not (like acceptance,
   counting resumes on the day after the resubmission). A pause with P == R removes nothing.
   Overlapping pauses are merged. A pause that starts on or after the deadline does not move it (the
   time limit had already run out). `end=None` is a pause still running.
5. **Extensions** (延期): `extension_days` more days in the limit's own unit (working days for a
   working-day limit — the usual case, e.g. 行政许可法 第四十二条 "延长十日"; natural days for a
   natural-day limit), added to the limit before counting, so pauses still apply to the whole period.

6. **Provisional** (暂定): a deadline whose computation read a day of a provisional year (one generated
   from the holiday law because its official schedule is not imported yet) is provisional. `deadline()`
   returns the date with that flag; the stores of due dates keep it beside the date.

While a pause is running the deadline is not yet known. `due_date` then needs `today`: it answers the
deadline *if the clock resumed today* (the open pause treated as ending on `today`); `is_paused` tells
the caller that this is a provisional figure. Without `today` an open pause is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tongban.common.errors import ValidationFailed

from .calendar import add_working_days, touches_provisional, workday_on_or_after, working_days_between

__all__ = [
    "UNITS",
    "Due",
    "Pause",
    "deadline",
    "due_date",
    "is_overdue",
    "is_paused",
    "marked",
    "remaining_working_days",
    "used_working_days",
]

UNITS = ("working", "natural")


@dataclass(frozen=True)
class Pause:
    """The clock stopped on `start` and resumed on `end` (None: still stopped). Days in (start, end]
    do not count."""

    start: date
    end: date | None = None


def is_paused(pauses: Sequence[Pause]) -> bool:
    """True while a pause is running (its `end` is None)."""
    return any(p.end is None for p in pauses)


def _closed_pauses(pauses: Sequence[Pause], *, start: date, today: date | None) -> list[tuple[date, date]]:
    """Check the pauses and return them closed (open one ended on `today`), sorted and merged."""
    spans: list[tuple[date, date]] = []
    open_count = 0
    for p in pauses:
        if p.start < start:
            raise ValidationFailed(
                f"暂停计时的开始日 {p.start:%Y-%m-%d} 早于受理日 {start:%Y-%m-%d}。", field="pauses"
            )
        end = p.end
        if end is None:
            open_count += 1
            if today is None:
                raise ValidationFailed("计时仍处于暂停状态，需给出 today 才能推算办结期限。", field="today")
            end = max(today, p.start)
        if end < p.start:
            raise ValidationFailed(
                f"暂停计时的恢复日 {end:%Y-%m-%d} 早于暂停日 {p.start:%Y-%m-%d}。", field="pauses"
            )
        spans.append((p.start, end))
    if open_count > 1:
        raise ValidationFailed("同一时间只能有一个未结束的暂停计时。", field="pauses")
    spans.sort()
    merged: list[tuple[date, date]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _check_limit(limit: int, unit: str, extension_days: int) -> None:
    if unit not in UNITS:
        raise ValidationFailed(
            f"时限单位“{unit}”无效，应为 working（工作日）或 natural（自然日）。", field="unit"
        )
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValidationFailed("办理时限必须是不小于 0 的整数。", field="limit")
    if isinstance(extension_days, bool) or not isinstance(extension_days, int) or extension_days < 0:
        raise ValidationFailed("延期天数必须是不小于 0 的整数。", field="extension_days")


@dataclass(frozen=True)
class Due:
    """A computed date and whether it is provisional (暂定: computed on a provisional year)."""

    date: date
    provisional: bool = False


def marked(start: date, result: date) -> Due:
    """`result`, computed from `start`, with its provisional flag (see rule 6)."""
    return Due(date=result, provisional=touches_provisional(start, result))


def deadline(
    *,
    start: date,
    limit: int,
    unit: str = "working",
    pauses: Sequence[Pause] = (),
    extension_days: int = 0,
    today: date | None = None,
) -> Due:
    """`due_date` with its provisional flag: every day the computation reads lies between `start` and
    the result (the natural-day count reads only its last days), so it is provisional exactly when a
    year in that span is."""
    result = due_date(
        start=start, limit=limit, unit=unit, pauses=pauses, extension_days=extension_days, today=today
    )
    return marked(start, result)


def due_date(
    *,
    start: date,
    limit: int,
    unit: str = "working",
    pauses: Sequence[Pause] = (),
    extension_days: int = 0,
    today: date | None = None,
) -> date:
    """The last day of the time limit (the case is on time if concluded on or before it).

    `start` is the day of acceptance; counting begins the day after. See the module docstring for the
    rules on units, pauses (days in (P, R] do not count) and extensions. `today` is needed only while
    a pause is running: the result is then the deadline if the clock resumed today.
    Raises CalendarMissing when the count runs into a year the calendar does not cover.
    """
    _check_limit(limit, unit, extension_days)
    spans = _closed_pauses(pauses, start=start, today=today)
    total = limit + extension_days
    if unit == "natural":
        end = start + timedelta(days=total)
        for p_start, p_end in spans:
            if p_start >= end:
                break
            end += p_end - p_start
        return workday_on_or_after(end)
    if total == 0:
        return start
    remaining = total
    cursor = start  # counting resumes on the day after `cursor`
    for p_start, p_end in spans:
        if p_start > cursor:
            available = working_days_between(cursor, p_start)  # counted days in (cursor, P]
            if available >= remaining:
                break
            remaining -= available
        cursor = max(cursor, p_end)
    return add_working_days(cursor, remaining)


def used_working_days(*, start: date, end: date, pauses: Sequence[Pause] = ()) -> int:
    """Working days counted against the limit in (start, end], leaving out those inside pauses.

    A running pause (end None) counts as lasting until `end`. 0 when end <= start.
    """
    if end <= start:
        return 0
    spans = _closed_pauses(pauses, start=start, today=end)
    used = working_days_between(start, end)
    for p_start, p_end in spans:
        if p_start >= end:
            break
        used -= working_days_between(p_start, min(p_end, end))
    return used


def remaining_working_days(*, due: date, today: date) -> int:
    """Working days left in (today, due]: 0 on the due date, negative when overdue.

    When today > due the result is minus the working days in (due, today]. A rest day just after the
    due date therefore still gives 0, though the case is late: decide lateness with `is_overdue`.
    """
    return working_days_between(today, due)


def is_overdue(*, due: date, today: date) -> bool:
    """True once the due date has passed (the due date itself is still on time)."""
    return today > due
