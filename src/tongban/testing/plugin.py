"""The suite's shared fixtures, one pytest plugin (registered in the root conftest.py).

App conftests keep only what is theirs (their small world, their frozen moment); what several apps
wrote alike lives here:

- every test starts with no working-day index and no pending calendar write (a test's transaction is
  rolled back, so an index another test built may describe rows that are gone);
- `clock`: time frozen at `clock_start` (Monday 2 March 2026, 10:00 Beijing time — a working day far
  from holidays); an app overrides `clock_start` for another moment;
- `media_root`: uploads and rendered documents in the test's own temporary folder;
- `office`: the people, places and item one case needs (`tongban.testing.factories.Office`).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

BEIJING = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def _fresh_calendar_index():
    """No test sees the working-day index or a pending-write flag another test left behind."""
    from tongban.workdays import calendar

    calendar.invalidate_index()
    calendar._WRITES.pending = False
    yield
    calendar.invalidate_index()
    calendar._WRITES.pending = False


@pytest.fixture
def clock_start() -> dt.datetime:
    return START


@pytest.fixture
def clock(clock_start):
    with time_machine.travel(clock_start, tick=False) as traveller:
        yield traveller


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def office(db, clock):
    from tongban.testing.factories import office_make

    return office_make()
