"""Benchmark: add_working_days calls per second, indexed vs a naive day-by-day loop.

Run after `tongban migrate` (uses the dev SQLite database in var/):

    .venv/bin/python bench/bench_workdays.py [--calls 200000] [--max-n 60]

Three figures, same random (start, n) pairs in the same run:
- indexed: tongban.workdays.calendar.add_working_days (in-memory arrays, token re-check once a second);
- naive (memory): a day-by-day loop over a dict {date: is_workday} loaded from the same table;
- naive (SQL): a day-by-day loop asking the database for each day (what code without the index does).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")

import django

django.setup()

from tongban.workdays.calendar import add_working_days  # noqa: E402
from tongban.workdays.models import WorkCalendar  # noqa: E402


def naive_add(work: dict[date, bool], start: date, n: int) -> date:
    d, count = start, 0
    while count < n:
        d += timedelta(days=1)
        if work[d]:
            count += 1
    return d


def naive_sql_add(start: date, n: int) -> date:
    d, count = start, 0
    while count < n:
        d += timedelta(days=1)
        if WorkCalendar.objects.filter(date=d).values_list("is_workday", flat=True).get():
            count += 1
    return d


def rate(fn, pairs) -> tuple[float, list[date]]:
    t0 = time.perf_counter()
    out = [fn(s, n) for s, n in pairs]
    return len(pairs) / (time.perf_counter() - t0), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--max-n", type=int, default=60, help="n drawn uniformly from 1..max-n")
    parser.add_argument("--sql-calls", type=int, default=300)
    args = parser.parse_args()

    rng = random.Random(20250930)
    lo, hi = date(2004, 1, 1).toordinal(), date(2026, 9, 30).toordinal()
    pairs = [(date.fromordinal(rng.randint(lo, hi)), rng.randint(1, args.max_n)) for _ in range(args.calls)]
    work = dict(WorkCalendar.objects.values_list("date", "is_workday"))
    if len(work) < 8000:
        sys.exit("The calendar is empty: run `tongban migrate` first.")

    add_working_days(date(2025, 1, 2), 1)  # load the index once, outside the timing
    indexed, out_indexed = rate(add_working_days, pairs)
    naive, out_naive = rate(lambda s, n: naive_add(work, s, n), pairs)
    assert out_indexed == out_naive, "indexed and naive results differ"
    sql_pairs = pairs[: args.sql_calls]
    naive_sql, out_sql = rate(naive_sql_add, sql_pairs)
    assert out_sql == out_indexed[: len(sql_pairs)]

    mean_n = sum(n for _, n in pairs) / len(pairs)
    print(
        f"add_working_days, {len(pairs):,} calls, n uniform in 1..{args.max_n} (mean {mean_n:.1f}), 2004–2026"
    )
    print(f"  indexed (arrays)        {indexed:>12,.0f} calls/s   {1e6 / indexed:8.2f} µs/call")
    print(f"  naive loop (dict)       {naive:>12,.0f} calls/s   {1e6 / naive:8.2f} µs/call")
    print(
        f"  naive loop (SQL a day)  {naive_sql:>12,.0f} calls/s   {1e6 / naive_sql:8.2f} µs/call"
        f"  ({len(sql_pairs)} calls)"
    )
    print(
        f"  ratio indexed / naive dict: {indexed / naive:,.1f}×"
        f"   indexed / naive SQL: {indexed / naive_sql:,.0f}×"
    )


if __name__ == "__main__":
    main()
