"""The ONE place that says when a watch turns yellow, red, and escalates (pure functions over dates).

Definitions, on the working-day calendar (tongban.workdays.calendar):

* remaining(d) = working days in (d, due] = `working_days_between(d, due)`: 0 on the due date itself,
  1 on the working day before it (and on the rest days between them).
* T = the yellow threshold = max(yellow_days, floor(limit × yellow_percent / 100)). "≤ 1 working day OR
  ≤ 20 % of the limit left, whichever comes first" is "remaining ≤ T": the larger threshold is reached
  first. floor, not ceil: with a 7-day limit 20 % is 1.4 days, and 2 days left is 29 % — not ≤ 20 %.
* yellow_on = the first date d ≥ started_on with remaining(d) ≤ T. remaining only falls on working
  days, so this is the working day on which exactly T working days are left (or started_on, if the
  watch starts inside the yellow band).
* red_on = the first working day after the due date (`next_workday(due)`): the due date itself is on
  time, and on the working-day clock the next working day is the first one overdue.
* overdue(d) = working days in (due, d]; it is 1 on red_on.
* escalation k (k ≥ 1) happens on the date where overdue = k × escalate_every, i.e.
  `add_working_days(due, k × escalate_every)`, for k up to max_escalation (escalate_every 0: never).

While a watch is paused nothing changes (the sweep skips it); on resume the owner gives the new due date
and every date here is recomputed.

When the calendar lacks a year a date needs (CalendarMissing), the date is replaced by 1 January of that
year: no crossing can happen earlier, and on that day the sweep recomputes (see `dates_for`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tongban.workdays.calendar import CalendarMissing, add_working_days, next_workday, working_days_between

from .choices import Level
from .models import (
    DEFAULT_ESCALATE_EVERY,
    DEFAULT_MAX_ESCALATION,
    DEFAULT_YELLOW_DAYS,
    DEFAULT_YELLOW_PERCENT,
)


@dataclass(frozen=True)
class Thresholds:
    yellow_days: int = DEFAULT_YELLOW_DAYS
    yellow_percent: int = DEFAULT_YELLOW_PERCENT
    escalate_every: int = DEFAULT_ESCALATE_EVERY
    max_escalation: int = DEFAULT_MAX_ESCALATION

    def yellow_threshold(self, limit_days: int) -> int:
        return max(self.yellow_days, limit_days * self.yellow_percent // 100)


@dataclass(frozen=True)
class Dates:
    yellow_on: dt.date
    red_on: dt.date


@dataclass(frozen=True)
class State:
    """Where a watch stands on a date: level, escalation step and the next transition dates."""

    level: str
    escalation_level: int
    overdue_days: int
    yellow_on: dt.date
    red_on: dt.date
    next_escalation_on: dt.date | None


def _missing(exc: CalendarMissing) -> dt.date:
    return dt.date(exc.year, 1, 1)


def remaining_days(*, due: dt.date, today: dt.date) -> int:
    """Working days left in (today, due]; negative when overdue."""
    return working_days_between(today, due)


def dates_for(*, started_on: dt.date, due: dt.date, limit_days: int, thresholds: Thresholds) -> Dates:
    """yellow_on and red_on as defined in the module docstring."""
    try:
        red_on = next_workday(due)
    except CalendarMissing as exc:
        red_on = _missing(exc)
    t = thresholds.yellow_threshold(limit_days)
    try:
        n = working_days_between(started_on, due) - t
        yellow_on = add_working_days(started_on, n) if n > 0 else started_on
    except CalendarMissing as exc:
        yellow_on = max(started_on, min(_missing(exc), due))
    return Dates(yellow_on=yellow_on, red_on=red_on)


def escalation_date(*, due: dt.date, step: int, thresholds: Thresholds) -> dt.date | None:
    """The date of escalation `step` (None when escalation is off or the step is beyond the maximum)."""
    if thresholds.escalate_every <= 0 or step < 1 or step > thresholds.max_escalation:
        return None
    try:
        return add_working_days(due, step * thresholds.escalate_every)
    except CalendarMissing as exc:
        return _missing(exc)


def state_on(
    *, started_on: dt.date, due: dt.date, limit_days: int, thresholds: Thresholds, today: dt.date
) -> State:
    """The level of a running (not paused) watch on `today`. Raises CalendarMissing only when today's
    own year is missing from the calendar (then nothing can be decided)."""
    dates = dates_for(started_on=started_on, due=due, limit_days=limit_days, thresholds=thresholds)
    if today >= dates.red_on:
        overdue = working_days_between(due, today)
        step = 0
        if thresholds.escalate_every > 0:
            step = min(thresholds.max_escalation, overdue // thresholds.escalate_every)
        return State(
            level=Level.RED,
            escalation_level=step,
            overdue_days=overdue,
            yellow_on=dates.yellow_on,
            red_on=dates.red_on,
            next_escalation_on=escalation_date(due=due, step=step + 1, thresholds=thresholds),
        )
    level = Level.YELLOW if today >= dates.yellow_on else Level.NORMAL
    return State(
        level=level,
        escalation_level=0,
        overdue_days=0,
        yellow_on=dates.yellow_on,
        red_on=dates.red_on,
        next_escalation_on=escalation_date(due=due, step=1, thresholds=thresholds),
    )
