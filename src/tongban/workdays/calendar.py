"""Working-day arithmetic over the WorkCalendar table, fast enough to call in a loop.

The rule (as administrative law counts, e.g. 行政许可法 第八十二条: periods in working days, counted
from the day after the starting day):

* `add_working_days(start, n)` is the n-th working day AFTER `start`; `start` itself never counts.
* `working_days_between(a, b)` is the number of working days in the half-open interval (a, b].

so `working_days_between(a, add_working_days(a, n)) == n` for every n >= 0.

A date in a year that is not in the calendar raises `CalendarMissing` — never a guess from weekdays —
with one exception that keeps service running: a year from 2025 on, not yet imported, is generated
from the holiday law on first need (`services.calendar_provisional_extend`, workdays.provisional) and
stored as a PROVISIONAL year. `touches_provisional(a, b)` tells whether a computation between two dates
read such a year, so every date computed on it can say 暂定.

Speed: the table is loaded once per process into arrays (a cumulative working-day count for every
date, and the list of working days), so each call is a few array look-ups. The index is invalidated
across processes by `CalendarVersion.token`, which every calendar write changes: a process re-reads the
token at most once every `TONGBAN_WORKDAYS_RECHECK_SECONDS` (default 1 s) and reloads when it differs.
An index loaded inside a transaction may hold uncommitted rows, so it is re-validated on every call until
a check outside any transaction confirms its token (tests, which run inside a transaction, therefore
always see the current table). Services also drop the local index directly when they write.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection

from tongban.common.errors import ValidationFailed

__all__ = [
    "CalendarMissing",
    "add_working_days",
    "covered_years",
    "invalidate_index",
    "is_workday",
    "next_workday",
    "note_write",
    "pinned",
    "provisional_years",
    "touches_provisional",
    "workday_on_or_after",
    "working_days_between",
    "writes_committed",
]


class CalendarMissing(ValidationFailed):
    """The calendar has no data for a year the computation needs."""

    code = "calendar_missing"

    def __init__(self, year: int):
        super().__init__(
            f"{year} 年的工作日历尚未录入，无法计算工作日。请管理员在“工作日历”中导入 {year} 年的"
            f"节假日和调休安排后再试。"
        )
        self.year = year


@dataclass(eq=False)
class _Index:
    token: str
    first: int = 0  # proleptic ordinal (date.toordinal) of the first stored date
    cum: array = field(default_factory=lambda: array("l"))  # working days up to and incl. first + i
    flags: bytearray = field(default_factory=bytearray)  # 1 if first + i is a working day
    workdays: array = field(default_factory=lambda: array("l"))  # date ordinals of working days, sorted
    run_end: dict[int, int] = field(default_factory=dict)  # covered year -> last year of its run
    provisional: frozenset[int] = frozenset()  # covered years generated from the law (暂定)
    checked_at: float = 0.0
    tentative: bool = False
    recheck: float = 1.0  # seconds between token checks, read from settings at load time

    def position(self, d: date) -> int:
        """Index of `d` in the arrays; CalendarMissing when its year is not covered."""
        if d.year not in self.run_end:
            raise CalendarMissing(d.year)
        return d.toordinal() - self.first

    def require_span(self, a: date, b: date) -> None:
        """Every year from min(a, b) to max(a, b) must be covered."""
        lo, hi = (a, b) if a <= b else (b, a)
        end = self.run_end.get(lo.year)
        if end is None:
            raise CalendarMissing(lo.year)
        if hi.year > end:
            raise CalendarMissing(end + 1)


logger = logging.getLogger(__name__)

_INDEX: _Index | None = None
_LOCK = threading.Lock()


def _recheck_seconds() -> float:
    return float(getattr(settings, "TONGBAN_WORKDAYS_RECHECK_SECONDS", 1.0))


def _in_transaction() -> bool:
    return connection.in_atomic_block


_WRITES = threading.local()  # .pending: this thread changed calendar rows in a transaction not yet ended


def note_write() -> None:
    """Called by the calendar services on every write: until that transaction ends, an index loaded
    inside it may hold uncommitted rows, so it is re-checked on every call (see `_index`)."""
    _WRITES.pending = True


def writes_committed() -> None:
    """On commit of a calendar write: the rows are everyone's now; reload the index on next use."""
    _WRITES.pending = False
    invalidate_index()


def _writes_pending() -> bool:
    return getattr(_WRITES, "pending", False)


def _read_token() -> str:
    from .models import CalendarVersion

    return CalendarVersion.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def _load(token: str) -> _Index:
    from .models import CalendarYear, WorkCalendar

    year_rows = list(CalendarYear.objects.values_list("year", "provisional"))
    years = sorted(y for y, _ in year_rows)
    idx = _Index(token=token, provisional=frozenset(y for y, p in year_rows if p))
    if not years:
        return idx
    idx.first = date(years[0], 1, 1).toordinal()
    size = date(years[-1], 12, 31).toordinal() - idx.first + 1
    flags = bytearray(size)
    present = bytearray(size)
    rows = WorkCalendar.objects.filter(date__gte=date(years[0], 1, 1), date__lte=date(years[-1], 12, 31))
    for d, working in rows.values_list("date", "is_workday").iterator(chunk_size=5000):
        i = d.toordinal() - idx.first
        present[i] = 1
        flags[i] = 1 if working else 0
    # A year with a hole (rows deleted behind the services' back) is treated as not covered: counting
    # across it would be silently wrong.
    complete = []
    for y in years:
        lo = date(y, 1, 1).toordinal() - idx.first
        hi = date(y, 12, 31).toordinal() - idx.first
        if present[lo : hi + 1].count(0):
            logger.error("工作日历 %s 年数据不完整，按未录入处理。", y)
        else:
            complete.append(y)
    run: list[int] = []
    for y in [*complete, None]:
        if run and (y is None or y != run[-1] + 1):
            for member in run:
                idx.run_end[member] = run[-1]
            run = []
        if y is not None:
            run.append(y)
    cum = array("l")
    running = 0
    workdays = array("l")
    for i in range(size):
        if flags[i]:
            running += 1
            workdays.append(idx.first + i)
        cum.append(running)
    idx.cum, idx.flags, idx.workdays = cum, flags, workdays
    return idx


_PIN = threading.local()  # .index: an index pinned by `pinned()` for a bulk computation


@contextmanager
def pinned() -> Iterator[None]:
    """Use the index as it is now for every call in the block, without re-checking the version token.

    For bulk work inside one transaction (recomputing thousands of deadlines after an import): there the
    index is re-validated on every call, one query each, though nothing else can change it meanwhile.
    """
    _PIN.index = _index()
    try:
        yield
    finally:
        _PIN.index = None


def _index() -> _Index:
    """The current index; re-reads the version token at most once per recheck interval."""
    global _INDEX
    pin = getattr(_PIN, "index", None)
    if pin is not None:
        return pin
    idx = _INDEX
    now = time.monotonic()
    if idx is not None and not idx.tentative and now - idx.checked_at < idx.recheck:
        return idx
    with _LOCK:
        in_transaction = _in_transaction()
        if not in_transaction:
            _WRITES.pending = False  # whatever this thread wrote has been committed or rolled back
        # Only a transaction that wrote calendar rows itself can see rows others cannot (which a
        # rollback would take back): an index loaded there is tentative and re-checked on every call.
        dirty = in_transaction and _writes_pending()
        token = _read_token()
        idx = _INDEX
        if idx is None or idx.token != token:
            # Token read before the rows: a write committed in between leaves a stale token, so the
            # next check reloads again (never the other way round).
            idx = _load(token)
            idx.tentative = dirty
            idx.recheck = _recheck_seconds()
        elif not dirty:
            idx.tentative = False
        idx.checked_at = now
        _INDEX = idx
        return idx


def invalidate_index() -> None:
    """Forget this process's index; the next call reloads it. Services call this after every write."""
    global _INDEX
    with _LOCK:
        _INDEX = None


def covered_years() -> list[int]:
    """The years the calendar has complete data for, ascending."""
    return sorted(_index().run_end)


def provisional_years() -> list[int]:
    """The covered years generated from the holiday law (暂定), ascending."""
    idx = _index()
    return sorted(y for y in idx.provisional if y in idx.run_end)


def touches_provisional(a: date, b: date) -> bool:
    """Did a computation between `a` and `b` (either order) read a provisional day? True when any year
    from the earlier to the later date is provisional: what is computed there is 暂定."""
    provisional = _index().provisional
    if not provisional:
        return False
    lo, hi = (a, b) if a <= b else (b, a)
    return any(y in provisional for y in range(lo.year, hi.year + 1))


def _provide(year: int) -> bool:
    """Generate the provisional years up to `year` if the law can give them (see the module docstring);
    True when `year` is covered now. Refused beyond a bound ahead of today and before 2025."""
    from .services import calendar_provisional_extend

    if year in _index().run_end:
        return False  # covered but the computation still failed: nothing to generate
    return year in calendar_provisional_extend(through=year, on_demand=True).covered


def _extending(fn):
    """Run `fn`; when it needs a year not yet covered that the law can give, generate it and retry."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        tried: set[int] = set()
        while True:
            try:
                return fn(*args, **kwargs)
            except CalendarMissing as exc:
                if exc.year in tried or not _provide(exc.year):
                    raise
                tried.add(exc.year)

    return wrapper


@_extending
def is_workday(d: date) -> bool:
    """True if `d` is a working day (a weekday that is not a holiday, or a 调休 make-up working day)."""
    idx = _index()
    return bool(idx.flags[idx.position(d)])


@_extending
def working_days_between(a: date, b: date) -> int:
    """The number of working days in (a, b]: `a` excluded, `b` included.

    When b < a the result is negative: minus the working days in (b, a]. Always
    `working_days_between(a, b) == -working_days_between(b, a)` and
    `working_days_between(a, add_working_days(a, n)) == n`.
    Raises CalendarMissing unless every year from a to b is covered.
    """
    idx = _index()
    idx.require_span(a, b)
    return idx.cum[b.toordinal() - idx.first] - idx.cum[a.toordinal() - idx.first]


@_extending
def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start`, counting from the day after `start` as the law counts.

    `start` itself is never counted, whether or not it is a working day: accepted on Friday, 1 working
    day later is Monday (or the first working day after a holiday). n == 0 returns `start` unchanged.
    The result for n >= 1 is always a working day. Negative n is refused (ValidationFailed): counting
    backwards has no statutory meaning; use `working_days_between` to compare dates instead.
    Raises CalendarMissing when `start`'s year, or a year the count runs into, is not covered.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValidationFailed("工作日数 n 必须是整数。", field="n")
    if n < 0:
        raise ValidationFailed("工作日数 n 不能为负数：只能从起始日向后计算。", field="n")
    idx = _index()
    i = idx.position(start)
    if n == 0:
        return start
    k = idx.cum[i] + n - 1
    end_year = idx.run_end[start.year]
    if k >= len(idx.workdays):
        raise CalendarMissing(end_year + 1)
    result = date.fromordinal(idx.workdays[k])
    if result.year > end_year:
        raise CalendarMissing(end_year + 1)
    return result


def next_workday(d: date) -> date:
    """The first working day strictly after `d` (same as add_working_days(d, 1))."""
    return add_working_days(d, 1)


def workday_on_or_after(d: date) -> date:
    """`d` itself if it is a working day, else the first working day after it.

    This is the rule for a period whose last day falls on a rest day: it ends on the next working day.
    """
    return d if is_workday(d) else add_working_days(d, 1)
