from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.common.errors import ValidationFailed
from tongban.workdays import calendar as cal
from tongban.workdays.calendar import (
    CalendarMissing,
    add_working_days,
    covered_years,
    is_workday,
    next_workday,
    workday_on_or_after,
    working_days_between,
)
from tongban.workdays.models import CalendarVersion, WorkCalendar

from .conftest import assert_ordinals_consistent

pytestmark = pytest.mark.django_db

SEEDED = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31))
PROPERTY = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_seed_covers_2004_to_2026_completely():
    assert covered_years() == list(range(2004, 2027))
    assert WorkCalendar.objects.count() == sum(366 if y % 4 == 0 else 365 for y in range(2004, 2027))
    assert_ordinals_consistent()


def test_national_day_2025():
    # 10/1–10/8 off; Sunday 9/28 and Saturday 10/11 are make-up working days.
    assert not is_workday(date(2025, 10, 1))
    assert not is_workday(date(2025, 10, 8))
    assert is_workday(date(2025, 9, 28))
    assert is_workday(date(2025, 10, 11))
    assert add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 14)) == 5
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Friday -> make-up Sunday


def test_counts_from_the_day_after_start():
    # Accepted on a Friday: one working day later is Monday; the Friday itself never counts.
    assert add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)
    # Accepted on a Saturday (online): same.
    assert add_working_days(date(2025, 3, 8), 1) == date(2025, 3, 10)
    assert working_days_between(date(2025, 3, 7), date(2025, 3, 10)) == 1
    assert working_days_between(date(2025, 3, 7), date(2025, 3, 9)) == 0


def test_zero_and_negative_n():
    assert add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)  # start returned even on a holiday
    with pytest.raises(ValidationFailed) as exc:
        add_working_days(date(2025, 10, 1), -1)
    assert exc.value.field == "n"
    assert "负数" in exc.value.message
    with pytest.raises(ValidationFailed):
        add_working_days(date(2025, 10, 1), 1.5)


def test_between_is_antisymmetric():
    a, b = date(2025, 9, 30), date(2025, 10, 14)
    assert working_days_between(b, a) == -5
    assert working_days_between(a, a) == 0


def test_next_workday_and_on_or_after():
    assert next_workday(date(2025, 10, 1)) == date(2025, 10, 9)
    assert next_workday(date(2025, 10, 9)) == date(2025, 10, 10)
    assert workday_on_or_after(date(2025, 10, 9)) == date(2025, 10, 9)
    assert workday_on_or_after(date(2025, 10, 4)) == date(2025, 10, 9)


def test_year_without_data_raises_calendar_missing():
    # Before the seeded years nothing is guessed: the law was different then.
    with pytest.raises(CalendarMissing, match="2003 年") as exc:
        is_workday(date(2003, 12, 31))
    assert exc.value.year == 2003
    assert "2003 年的工作日历尚未录入" in exc.value.message
    assert exc.value.code == "calendar_missing"
    assert exc.value.status == 400
    with pytest.raises(CalendarMissing, match="2003 年"):
        working_days_between(date(2004, 6, 1), date(2003, 2, 1))
    # Far beyond any deadline nothing is generated either.
    with pytest.raises(CalendarMissing):
        add_working_days(date(2026, 12, 20), 20 * 250)


def test_counting_past_the_official_calendar_uses_provisional_years():
    """The clock never runs out: 2027 is generated from the holiday law on first need (test_provisional)."""
    assert add_working_days(date(2027, 1, 4), 1) == date(2027, 1, 5)
    assert add_working_days(date(2026, 12, 20), 30) == date(2027, 2, 1)  # 9 in Dec, 20 in Jan, 1 Feb
    assert working_days_between(date(2026, 6, 1), date(2027, 2, 1)) > 0
    assert 2027 in covered_years()


def test_last_official_working_day_is_reachable():
    last = WorkCalendar.objects.filter(is_workday=True).order_by("-date").first().date
    before = WorkCalendar.objects.filter(is_workday=True, date__lt=last).order_by("-date").first().date
    assert add_working_days(before, 1) == last
    assert add_working_days(last, 1) > last  # and beyond it, the provisional years


def test_stored_ordinals_answer_in_sql():
    """Other code can do the same arithmetic in SQL with the stored ordinal column."""
    start, n = date(2025, 9, 30), 5
    o = WorkCalendar.objects.get(date=start).ordinal
    assert WorkCalendar.objects.get(is_workday=True, ordinal=o + n).date == add_working_days(start, n)


@PROPERTY
@given(start=SEEDED, n=st.integers(min_value=0, max_value=400))
def test_add_agrees_with_naive(naive, start, n):
    try:
        expected = naive.add(start, n)
    except CalendarMissing as exc:
        with pytest.raises(CalendarMissing) as got:
            add_working_days(start, n)
        assert got.value.year == exc.year
        return
    result = add_working_days(start, n)
    assert result == expected
    assert working_days_between(start, result) == n
    if n:
        assert is_workday(result)


@PROPERTY
@given(a=SEEDED, days=st.integers(min_value=-800, max_value=800))
def test_between_agrees_with_naive(naive, a, days):
    b = a + timedelta(days=days)
    try:
        expected = naive.between(a, b)
    except CalendarMissing:
        with pytest.raises(CalendarMissing):
            working_days_between(a, b)
        return
    assert working_days_between(a, b) == expected


@PROPERTY
@given(d=SEEDED)
def test_is_workday_agrees_with_table(naive, d):
    assert is_workday(d) == naive.is_workday(d)


def test_index_sees_a_change_made_by_another_process(settings):
    """Another process changes a day and the token; this process picks it up at its next check."""
    settings.TONGBAN_WORKDAYS_RECHECK_SECONDS = 0
    cal.invalidate_index()
    assert is_workday(date(2025, 3, 5))
    WorkCalendar.objects.filter(date=date(2025, 3, 5)).update(is_workday=False, kind="holiday")
    assert is_workday(date(2025, 3, 5))  # same token: index kept
    CalendarVersion.objects.filter(pk=1).update(token="other-process")
    assert not is_workday(date(2025, 3, 5))


def test_index_inside_a_transaction_without_calendar_writes_is_not_rechecked_per_call(monkeypatch, settings):
    """Case services call the calendar dozens of times per transaction: one token read serves them."""
    settings.TONGBAN_WORKDAYS_RECHECK_SECONDS = 60
    cal.invalidate_index()
    queries = []
    real_read = cal._read_token
    monkeypatch.setattr(cal, "_read_token", lambda: queries.append(1) or real_read())
    assert cal._in_transaction()  # the test runs inside a transaction
    for n in range(1, 30):
        add_working_days(date(2025, 3, 5), n)
    assert len(queries) == 1


def test_a_calendar_write_rolled_back_is_not_kept_in_the_index(settings):
    """A transaction that changes a day sees its own change; after its rollback nobody does."""
    from django.db import transaction

    from tongban.workdays.services import calendar_day_set

    settings.TONGBAN_WORKDAYS_RECHECK_SECONDS = 60
    day = date(2025, 3, 5)
    assert is_workday(day)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        calendar_day_set(day=day, kind="holiday", name="临时假日")
        assert not is_workday(day)  # its own uncommitted write: tentative index
        raise Rollback
    assert is_workday(day)  # re-checked despite the 60 s interval: the write is gone


def test_index_rechecks_at_most_once_per_interval_outside_transactions(monkeypatch, settings):
    settings.TONGBAN_WORKDAYS_RECHECK_SECONDS = 1.0
    clock = [1000.0]
    monkeypatch.setattr(cal, "_in_transaction", lambda: False)
    monkeypatch.setattr(cal.time, "monotonic", lambda: clock[0])
    queries = []
    real_read = cal._read_token
    monkeypatch.setattr(cal, "_read_token", lambda: queries.append(1) or real_read())
    assert is_workday(date(2025, 3, 5))
    assert is_workday(date(2025, 3, 6))
    assert len(queries) == 1  # one token read for both calls
    WorkCalendar.objects.filter(date=date(2025, 3, 5)).update(is_workday=False, kind="holiday")
    CalendarVersion.objects.filter(pk=1).update(token="changed-elsewhere")
    clock[0] += 0.5
    assert is_workday(date(2025, 3, 5))  # within the interval: not re-checked yet
    clock[0] += 0.6
    assert not is_workday(date(2025, 3, 5))
    assert len(queries) == 2


def test_year_with_a_hole_counts_as_missing():
    WorkCalendar.objects.filter(date=date(2025, 7, 1)).delete()
    CalendarVersion.objects.filter(pk=1).update(token="hole")
    with pytest.raises(CalendarMissing, match="2025 年"):
        add_working_days(date(2024, 12, 20), 30)
    with pytest.raises(CalendarMissing, match="2025 年"):
        is_workday(date(2025, 3, 3))
    assert add_working_days(date(2024, 1, 2), 1) == date(2024, 1, 3)
    assert add_working_days(date(2026, 1, 5), 1) == date(2026, 1, 6)
    assert 2025 not in covered_years()
