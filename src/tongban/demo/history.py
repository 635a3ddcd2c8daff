"""The demo's past: a few things that happened in November 2026, so that a newcomer finds red warnings in
supervision (cases and steps past their deadlines) and a bad rating whose follow-up has run its course.

Why a moved clock and not back-dated rows: every event is driven through the services at its own
moment — ``at("2026-11-16 14:05")`` moves the process's clock (time-machine) while the service runs —
so the case log, deadlines, notices, messages and supervision watches are exactly what real use at
those moments produced, and no service needs an "as of" parameter that production could misuse.

The dates are fixed in 2026, a year whose official working-day calendar is loaded, so the history never
depends on a later year's schedule. It is skipped while today is not yet past it (a test pinned to an
earlier date): a future cannot be the demo's past.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone

__all__ = ["HISTORY_END", "at", "history_possible"]

BEIJING = ZoneInfo("Asia/Shanghai")
HISTORY_END = dt.date(2026, 11, 30)  # every moment of the history is before this day ends


@contextmanager
def at(moment: str) -> Iterator[dt.datetime]:
    """Run the block as if it were ``moment`` (Beijing time, "YYYY-MM-DD HH:MM"); the clock ticks on
    from there, so events in the block keep their order."""
    import time_machine

    when = dt.datetime.strptime(moment, "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    if when.date() > HISTORY_END:
        raise ValueError(f"演示历史的时间 {moment} 晚于 {HISTORY_END}。")
    with time_machine.travel(when, tick=True):
        yield when


def history_possible() -> bool:
    """True once today (Beijing) is past the whole history."""
    return timezone.localdate() > HISTORY_END
