"""deadlines_sync: the batch path behaves like the single-row services, in a few statements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.common.errors import ValidationFailed
from tongban.supervision.choices import Level, WarningKind
from tongban.supervision.models import Card, Deadline, WarningEvent
from tongban.supervision.services.watch_sync import WatchSpec, deadlines_sync, due_for_evaluation

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def spec(world, subject_id: int, *, started: dt.date, due: dt.date, limit: int = 5, **extra) -> WatchSpec:
    values = {
        "subject_type": "step",
        "subject_id": subject_id,
        "watched": True,
        "title": f"环节 {subject_id}",
        "reference": f"REF-{subject_id}",
        "department": world.dept.pk,
        "started_on": started,
        "due_date": due,
        "limit_days": limit,
    }
    values.update(extra)
    return WatchSpec(**values)


def kinds(d: Deadline) -> list[str]:
    return list(WarningEvent.objects.filter(deadline=d).order_by("id").values_list("kind", flat=True))


def test_opens_on_time_and_late_watches_in_one_go(world, overdue_rules):
    on_time = spec(world, 1, started=MONDAY, due=dt.date(2026, 3, 9))
    late = spec(world, 2, started=dt.date(2026, 2, 16), due=dt.date(2026, 2, 23))
    with CaptureQueriesContext(connection) as queries:
        deadlines_sync([on_time, late], today=MONDAY)
    a = Deadline.objects.get(subject_id=1)
    b = Deadline.objects.get(subject_id=2)
    assert (a.level, a.yellow_on, a.red_on) == (Level.NORMAL, dt.date(2026, 3, 6), dt.date(2026, 3, 10))
    assert (b.level, b.red_on) == (Level.RED, dt.date(2026, 2, 24))
    assert kinds(a) == [WarningKind.OPENED]
    assert kinds(b)[:2] == [WarningKind.OPENED, WarningKind.RED]
    assert (
        Card.objects.filter(subject_type="step", subject_id=2, rule_key="step_overdue_no_extension").count()
        == 1
    )
    assert WarningEvent.objects.get(deadline=b, kind=WarningKind.RED).notify_pending
    ours = [
        q["sql"]
        for q in queries
        if "SAVEPOINT" not in q["sql"] and "workdays_" not in q["sql"] and not q["sql"].startswith("PREPARE")
    ]  # PREPARE: once per database session (common.prepared), not per call
    assert (
        len(ours) <= 8
    )  # lock, policies, watches, card rules (at a red crossing), log rows, card check, card, card log


def test_an_unchanged_watch_before_its_dates_is_not_touched(world):
    s = spec(world, 1, started=MONDAY, due=dt.date(2026, 3, 9))
    deadlines_sync([s], today=MONDAY)
    with CaptureQueriesContext(connection) as queries:
        deadlines_sync([s], today=dt.date(2026, 3, 5))  # yellow from 6 March
    assert len(queries) == 1  # only the locking read
    d = Deadline.objects.get(subject_id=1)
    assert d.level == Level.NORMAL and kinds(d) == [WarningKind.OPENED]
    assert not due_for_evaluation(d, today=dt.date(2026, 3, 5))
    assert due_for_evaluation(d, today=dt.date(2026, 3, 6))


def test_a_reached_date_is_evaluated_on_the_next_transition(world):
    s = spec(world, 1, started=MONDAY, due=dt.date(2026, 3, 9))
    deadlines_sync([s], today=MONDAY)
    deadlines_sync([s], today=dt.date(2026, 3, 6))  # no sweep ran: the transition itself turns it yellow
    d = Deadline.objects.get(subject_id=1)
    assert d.level == Level.YELLOW and kinds(d) == [WarningKind.OPENED, WarningKind.YELLOW]
    deadlines_sync([s], today=dt.date(2026, 3, 6))  # the same crossing is not logged twice
    assert kinds(d) == [WarningKind.OPENED, WarningKind.YELLOW]


def test_close_pause_resume_and_move(world):
    s = spec(world, 1, started=MONDAY, due=dt.date(2026, 3, 9))
    deadlines_sync([s], today=MONDAY)
    s.paused = True
    deadlines_sync([s], today=dt.date(2026, 3, 3))
    s.paused, s.due_date = False, dt.date(2026, 3, 11)
    deadlines_sync([s], today=dt.date(2026, 3, 4))
    s.due_date, s.extension_days = dt.date(2026, 3, 13), 2
    deadlines_sync([s], today=dt.date(2026, 3, 4))
    s.watched, s.closed_on = False, dt.date(2026, 3, 12)
    deadlines_sync([s], today=dt.date(2026, 3, 12))
    d = Deadline.objects.get(subject_id=1)
    assert (d.status, d.closed_on_time, d.due_date, d.extension_days) == (
        "closed",
        True,
        dt.date(2026, 3, 13),
        2,
    )
    assert kinds(d) == [
        WarningKind.OPENED,
        WarningKind.PAUSED,
        WarningKind.RESUMED,
        WarningKind.UPDATED,
        WarningKind.CLOSED,
    ]
    deadlines_sync([s], today=dt.date(2026, 3, 13))  # closing twice is harmless
    assert kinds(d)[-1] == WarningKind.CLOSED and len(kinds(d)) == 5


def test_bad_spec_is_refused_and_nothing_is_written(world):
    good = spec(world, 1, started=MONDAY, due=dt.date(2026, 3, 9))
    bad = spec(world, 2, started=MONDAY, due=dt.date(2026, 2, 27))
    with pytest.raises(ValidationFailed) as exc:
        deadlines_sync([good, bad], today=MONDAY)
    assert exc.value.field == "due_date"
    assert not Deadline.objects.exists() and not WarningEvent.objects.exists()
