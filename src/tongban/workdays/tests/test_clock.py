from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.common.errors import ValidationFailed
from tongban.workdays.calendar import CalendarMissing, workday_on_or_after
from tongban.workdays.clock import (
    Due,
    Pause,
    deadline,
    due_date,
    is_overdue,
    is_paused,
    remaining_working_days,
    used_working_days,
)

pytestmark = pytest.mark.django_db

D = date


class TestWorkingDays:
    def test_counted_from_the_day_after_acceptance(self):
        # Monday 2025-03-03 + 5 working days: Tue..Fri, Mon.
        assert due_date(start=D(2025, 3, 3), limit=5) == D(2025, 3, 10)

    def test_zero_limit_is_due_on_acceptance_day(self):
        assert due_date(start=D(2025, 3, 3), limit=0) == D(2025, 3, 3)

    def test_national_day_2025_and_makeup_saturday(self):
        assert due_date(start=D(2025, 9, 30), limit=5) == D(2025, 10, 14)
        # 10/9 Thu, 10/10 Fri, 10/11 Saturday is a make-up working day.
        assert due_date(start=D(2025, 9, 30), limit=3) == D(2025, 10, 11)
        # Accepted online on a holiday: counting starts after it.
        assert due_date(start=D(2025, 10, 3), limit=1) == D(2025, 10, 9)
        # Friday 9/26: Sunday 9/28 is a make-up working day.
        assert due_date(start=D(2025, 9, 26), limit=1) == D(2025, 9, 28)

    def test_spring_festival_2025(self):
        # 1/28–2/4 off; 1/26 (Sun) and 2/8 (Sat) make-up working days.
        assert due_date(start=D(2025, 1, 27), limit=1) == D(2025, 2, 5)
        assert due_date(start=D(2025, 1, 24), limit=2) == D(2025, 1, 27)  # Sun 1/26, Mon 1/27

    def test_extension_adds_working_days(self):
        assert due_date(start=D(2025, 3, 3), limit=5, extension_days=3) == D(2025, 3, 13)
        assert due_date(start=D(2025, 9, 30), limit=2, extension_days=1) == D(2025, 10, 11)

    def test_runs_into_a_provisional_year(self):
        # 2027 has no official schedule yet: the law's holidays are used and the deadline is 暂定.
        assert due_date(start=D(2026, 12, 20), limit=30) == D(2027, 2, 1)  # 9 + 20 + 1
        due = deadline(start=D(2026, 12, 20), limit=30)
        assert due == Due(date=D(2027, 2, 1), provisional=True)
        assert deadline(start=D(2026, 11, 2), limit=30) == Due(date=D(2026, 12, 14), provisional=False)

    def test_before_the_seeded_years_nothing_is_guessed(self):
        with pytest.raises(CalendarMissing, match="2003 年"):
            due_date(start=D(2003, 12, 1), limit=30)


class TestPauses:
    """Accepted Monday 2025-03-03, limit 5 (due 3/10 without pauses)."""

    start = D(2025, 3, 3)

    def due(self, *pauses, **kw):
        return due_date(start=self.start, limit=5, pauses=pauses, **kw)

    def test_pause_removes_days_in_half_open_interval(self):
        # Counted 3/4, 3/5 (P counts); 3/6, 3/7 removed (R does not count); then 3/10, 3/11, 3/12.
        assert self.due(Pause(D(2025, 3, 5), D(2025, 3, 7))) == D(2025, 3, 12)

    def test_pause_on_acceptance_day(self):
        assert self.due(Pause(self.start, D(2025, 3, 4))) == D(2025, 3, 11)

    def test_empty_pause_removes_nothing(self):
        assert self.due(Pause(D(2025, 3, 5), D(2025, 3, 5))) == D(2025, 3, 10)

    def test_pause_starting_on_the_due_date_does_not_move_it(self):
        assert self.due(Pause(D(2025, 3, 10), D(2025, 3, 20))) == D(2025, 3, 10)
        assert self.due(Pause(D(2025, 3, 12), D(2025, 3, 20))) == D(2025, 3, 10)

    def test_pause_starting_the_day_before_due(self):
        # 3/4..3/7 counted (4); (3/7, 3/11] removed; 3/12 is the 5th.
        assert self.due(Pause(D(2025, 3, 7), D(2025, 3, 11))) == D(2025, 3, 12)

    def test_pause_ending_on_a_weekend(self):
        # (3/5, 3/8] removes 3/6, 3/7; 3/8 is Saturday: counting resumes Monday 3/10.
        assert self.due(Pause(D(2025, 3, 5), D(2025, 3, 8))) == D(2025, 3, 12)

    def test_overlapping_pauses_are_merged(self):
        pauses = (Pause(D(2025, 3, 5), D(2025, 3, 7)), Pause(D(2025, 3, 6), D(2025, 3, 10)))
        # (3/5, 3/10] removed: counted 3/4, 3/5, then 3/11, 3/12, 3/13.
        assert self.due(*pauses) == D(2025, 3, 13)

    def test_two_separate_pauses(self):
        pauses = (Pause(D(2025, 3, 4), D(2025, 3, 5)), Pause(D(2025, 3, 7), D(2025, 3, 10)))
        # Counted 3/4, 3/6, 3/7, then 3/11, 3/12.
        assert self.due(*reversed(pauses)) == D(2025, 3, 12)

    def test_pause_with_extension(self):
        assert self.due(Pause(D(2025, 3, 5), D(2025, 3, 7)), extension_days=2) == D(2025, 3, 14)

    def test_pause_across_national_day(self):
        # Accepted Mon 9/29, limit 3; paused 9/30, resumed 10/9: 9/30 counts, then 10/10 and Sat 10/11.
        assert due_date(start=D(2025, 9, 29), limit=3, pauses=[Pause(D(2025, 9, 30), D(2025, 10, 9))]) == D(
            2025, 10, 11
        )

    def test_open_pause_needs_today_and_assumes_resume_today(self):
        pauses = [Pause(D(2025, 3, 5))]
        assert is_paused(pauses)
        assert not is_paused([Pause(D(2025, 3, 5), D(2025, 3, 7))])
        with pytest.raises(ValidationFailed) as exc:
            self.due(*pauses)
        assert exc.value.field == "today"
        assert self.due(*pauses, today=D(2025, 3, 7)) == D(2025, 3, 12)
        assert self.due(*pauses, today=D(2025, 3, 14)) == D(2025, 3, 19)

    def test_invalid_pauses_are_refused(self):
        with pytest.raises(ValidationFailed, match="早于受理日"):
            self.due(Pause(D(2025, 3, 1), D(2025, 3, 4)))
        with pytest.raises(ValidationFailed, match="早于暂停日"):
            self.due(Pause(D(2025, 3, 5), D(2025, 3, 4)))
        with pytest.raises(ValidationFailed, match="未结束"):
            self.due(Pause(D(2025, 3, 4)), Pause(D(2025, 3, 6)), today=D(2025, 3, 7))

    def test_invalid_limits_are_refused(self):
        with pytest.raises(ValidationFailed) as exc:
            due_date(start=self.start, limit=5, unit="weeks")
        assert exc.value.field == "unit"
        with pytest.raises(ValidationFailed) as exc:
            due_date(start=self.start, limit=-1)
        assert exc.value.field == "limit"
        with pytest.raises(ValidationFailed) as exc:
            due_date(start=self.start, limit=1, extension_days=-2)
        assert exc.value.field == "extension_days"


class TestNaturalDays:
    def test_last_day_on_working_day_stays(self):
        assert due_date(start=D(2025, 3, 1), limit=10, unit="natural") == D(2025, 3, 11)

    def test_last_day_on_holiday_moves_to_next_working_day(self):
        assert due_date(start=D(2025, 9, 24), limit=7, unit="natural") == D(2025, 10, 9)
        assert due_date(start=D(2025, 3, 1), limit=7, unit="natural") == D(2025, 3, 10)  # Sat 3/8 -> Mon

    def test_last_day_on_makeup_saturday_stays(self):
        assert due_date(start=D(2025, 10, 4), limit=7, unit="natural") == D(2025, 10, 11)
        assert due_date(start=D(2025, 9, 21), limit=7, unit="natural") == D(2025, 9, 28)

    def test_pauses_and_extension_in_natural_days(self):
        start = D(2025, 3, 1)
        assert due_date(
            start=start, limit=10, unit="natural", pauses=[Pause(D(2025, 3, 5), D(2025, 3, 8))]
        ) == D(2025, 3, 14)
        # A pause starting on the last day does not move it.
        assert due_date(
            start=start, limit=10, unit="natural", pauses=[Pause(D(2025, 3, 11), D(2025, 3, 20))]
        ) == D(2025, 3, 11)
        assert due_date(start=start, limit=10, unit="natural", extension_days=3) == D(2025, 3, 14)


class TestRemainingAndUsed:
    def test_remaining(self):
        due = D(2025, 3, 12)
        assert remaining_working_days(due=due, today=D(2025, 3, 12)) == 0
        assert remaining_working_days(due=due, today=D(2025, 3, 11)) == 1
        assert remaining_working_days(due=due, today=D(2025, 3, 7)) == 3
        assert remaining_working_days(due=due, today=D(2025, 3, 13)) == -1
        assert not is_overdue(due=due, today=due)
        assert is_overdue(due=due, today=D(2025, 3, 13))

    def test_rest_day_after_due_is_zero_but_overdue(self):
        due = D(2025, 3, 7)  # Friday
        assert remaining_working_days(due=due, today=D(2025, 3, 8)) == 0
        assert is_overdue(due=due, today=D(2025, 3, 8))
        assert remaining_working_days(due=due, today=D(2025, 3, 10)) == -1

    def test_remaining_over_national_day(self):
        assert remaining_working_days(due=D(2025, 10, 14), today=D(2025, 9, 30)) == 5

    def test_used(self):
        start = D(2025, 3, 3)
        assert used_working_days(start=start, end=start) == 0
        assert used_working_days(start=start, end=D(2025, 3, 2)) == 0
        assert used_working_days(start=start, end=D(2025, 3, 10)) == 5
        pause = Pause(D(2025, 3, 5), D(2025, 3, 7))
        assert used_working_days(start=start, end=D(2025, 3, 12), pauses=[pause]) == 5
        assert used_working_days(start=start, end=D(2025, 3, 6), pauses=[pause]) == 2
        # A running pause counts as lasting until `end`.
        assert used_working_days(start=start, end=D(2025, 3, 12), pauses=[Pause(D(2025, 3, 5))]) == 2
        assert used_working_days(start=start, end=D(2025, 3, 4), pauses=[Pause(D(2025, 3, 5))]) == 1


# --- property test: the clock against a day-by-day count ------------------------------------------


def naive_due(naive, start, total, unit, spans):
    def paused(d):
        return any(p < d <= r for p, r in spans)

    d, count = start, 0
    if unit == "natural":
        while count < total:
            d += timedelta(days=1)
            count += not paused(d)
        return workday_on_or_after(d)
    while count < total:
        d += timedelta(days=1)
        if naive.is_workday(d) and not paused(d):
            count += 1
    return d


@st.composite
def cases(draw):
    start = draw(st.dates(min_value=D(2005, 1, 1), max_value=D(2025, 6, 30)))
    spans = []
    for _ in range(draw(st.integers(0, 3))):
        p = start + timedelta(days=draw(st.integers(0, 60)))
        r = p + timedelta(days=draw(st.integers(0, 30)))
        spans.append((p, r))
    return start, spans


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    case=cases(),
    limit=st.integers(0, 60),
    ext=st.integers(0, 15),
    unit=st.sampled_from(["working", "natural"]),
)
def test_due_date_agrees_with_day_by_day_count(naive, case, limit, ext, unit):
    start, spans = case
    pauses = [Pause(p, r) for p, r in spans]
    due = due_date(start=start, limit=limit, unit=unit, pauses=pauses, extension_days=ext)
    assert due == naive_due(naive, start, limit + ext, unit, spans)
    if unit == "working" and limit + ext:
        assert used_working_days(start=start, end=due, pauses=pauses) == limit + ext
