"""Every boundary of thresholds.py, on the real calendar (March and April 2026)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.supervision.choices import Level
from tongban.supervision.thresholds import Thresholds, dates_for, escalation_date, state_on
from tongban.workdays.calendar import add_working_days, is_workday, working_days_between

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 3, 2)
D = Thresholds()


def level(due, today, limit, t=D, start=MON):
    return state_on(started_on=start, due=due, limit_days=limit, thresholds=t, today=today)


def test_yellow_by_one_day_for_short_limits():
    # limit 3: 20 % is 0.6 → floor 0, so the 1-day rule decides. Due Thu 5 March.
    due = add_working_days(MON, 3)
    assert due == dt.date(2026, 3, 5)
    assert dates_for(started_on=MON, due=due, limit_days=3, thresholds=D).yellow_on == dt.date(2026, 3, 4)
    assert level(due, dt.date(2026, 3, 3), 3).level == Level.NORMAL  # 2 days left
    assert level(due, dt.date(2026, 3, 4), 3).level == Level.YELLOW  # 1 day left
    assert level(due, due, 3).level == Level.YELLOW  # due date itself: still on time


def test_yellow_by_twenty_percent_for_long_limits():
    # limit 20: T = 4. Due = 20 working days after Mon 2 March = Mon 30 March.
    due = add_working_days(MON, 20)
    assert due == dt.date(2026, 3, 30)
    yellow_on = dates_for(started_on=MON, due=due, limit_days=20, thresholds=D).yellow_on
    assert yellow_on == dt.date(2026, 3, 24)  # Tue: Wed, Thu, Fri, Mon left = 4
    assert working_days_between(yellow_on, due) == 4
    assert level(due, dt.date(2026, 3, 23), 20).level == Level.NORMAL  # 5 left = 25 %
    assert level(due, yellow_on, 20).level == Level.YELLOW


def test_twenty_percent_is_floored_not_rounded_up():
    # limit 7: 20 % = 1.4 days; 2 days left is 29 % → still normal.
    assert Thresholds().yellow_threshold(7) == 1
    assert Thresholds().yellow_threshold(10) == 2
    assert Thresholds().yellow_threshold(0) == 1
    assert Thresholds(yellow_days=0, yellow_percent=50).yellow_threshold(5) == 2


def test_red_is_the_first_working_day_after_the_due_date():
    due = dt.date(2026, 3, 6)  # Friday
    assert dates_for(started_on=MON, due=due, limit_days=4, thresholds=D).red_on == dt.date(2026, 3, 9)
    assert level(due, dt.date(2026, 3, 7), 4).level == Level.YELLOW  # Saturday: no working day lost
    s = level(due, dt.date(2026, 3, 9), 4)
    assert (s.level, s.overdue_days, s.escalation_level) == (Level.RED, 1, 0)


def test_red_after_a_holiday():
    due = dt.date(2026, 4, 3)  # Friday before 清明 (4–6 April 2026)
    assert not is_workday(dt.date(2026, 4, 6))
    red_on = dates_for(started_on=dt.date(2026, 3, 27), due=due, limit_days=5, thresholds=D).red_on
    assert red_on == dt.date(2026, 4, 7)
    assert level(due, dt.date(2026, 4, 6), 5, start=dt.date(2026, 3, 27)).level == Level.YELLOW


def test_escalation_at_n_and_2n_working_days_overdue():
    due = dt.date(2026, 3, 16)  # Monday
    assert escalation_date(due=due, step=1, thresholds=D) == dt.date(2026, 3, 19)
    assert escalation_date(due=due, step=2, thresholds=D) == dt.date(2026, 3, 24)
    assert level(due, dt.date(2026, 3, 18), 10).escalation_level == 0  # 2 days overdue
    s = level(due, dt.date(2026, 3, 19), 10)
    assert (s.escalation_level, s.overdue_days, s.next_escalation_on) == (1, 3, dt.date(2026, 3, 24))
    assert level(due, dt.date(2026, 3, 23), 10).escalation_level == 1
    assert level(due, dt.date(2026, 3, 24), 10).escalation_level == 2


def test_escalation_stops_at_the_maximum_and_can_be_switched_off():
    due = dt.date(2026, 3, 2)
    capped = Thresholds(escalate_every=1, max_escalation=2)
    s = level(due, dt.date(2026, 3, 13), 0, t=capped)
    assert (s.escalation_level, s.next_escalation_on) == (2, None)
    off = Thresholds(escalate_every=0)
    s = level(due, dt.date(2026, 3, 31), 0, t=off)
    assert (s.level, s.escalation_level, s.next_escalation_on) == (Level.RED, 0, None)


def test_started_inside_the_yellow_band_is_yellow_from_the_start():
    due = add_working_days(MON, 1)
    assert dates_for(started_on=MON, due=due, limit_days=1, thresholds=D).yellow_on == MON
    assert level(due, MON, 1).level == Level.YELLOW


def test_missing_calendar_year_gives_a_recheck_date(monkeypatch):
    # A year the law cannot fill (here: generation switched off) still gives a date to recheck on.
    from tongban.workdays import services as calendar_services

    monkeypatch.setattr(calendar_services, "PROVISIONAL_MAX_YEARS_AHEAD", 0)
    monkeypatch.setattr(calendar_services, "PROVISIONAL_YEARS_AHEAD", 0)
    due = dt.date(2026, 12, 31)  # the calendar stops at 2026
    dates = dates_for(started_on=dt.date(2026, 12, 1), due=due, limit_days=22, thresholds=D)
    assert dates.red_on == dt.date(2027, 1, 1)
    assert escalation_date(due=due, step=1, thresholds=D) == dt.date(2027, 1, 1)


@settings(max_examples=150, deadline=None)
@given(
    offset=st.integers(min_value=0, max_value=200),
    limit=st.integers(min_value=0, max_value=40),
    days=st.integers(min_value=0, max_value=1),
    pct=st.integers(min_value=0, max_value=60),
)
def test_yellow_on_is_the_first_date_with_at_most_t_days_left(offset, limit, days, pct):
    start = dt.date(2026, 1, 5) + dt.timedelta(days=offset)
    t = Thresholds(yellow_days=days, yellow_percent=pct)
    due = add_working_days(start, limit)
    dates = dates_for(started_on=start, due=due, limit_days=limit, thresholds=t)
    threshold = t.yellow_threshold(limit)
    assert working_days_between(dates.yellow_on, due) <= threshold
    if dates.yellow_on > start:
        assert working_days_between(dates.yellow_on - dt.timedelta(days=1), due) > threshold
    assert dates.yellow_on <= due < dates.red_on
    assert working_days_between(due, dates.red_on) == 1
