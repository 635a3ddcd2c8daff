"""The sweep's batch write (one statement per batch on PostgreSQL): a crash before or after the write
rolls the batch back whole and a rerun sends nothing twice; text survives the array encoding; two
workers (or two sweeps) share the rows through SKIP LOCKED and record each crossing once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from tongban.notifications.models import Message
from tongban.supervision.bulk import array_literal
from tongban.supervision.choices import CardColor, CardStatus, Level, WarningKind
from tongban.supervision.models import Card, CardEvent, Deadline, WarningEvent
from tongban.supervision.services import sweep as sweep_module
from tongban.supervision.services import warning_events_dispatch, warning_sweep

from .conftest import START
from .helpers import day, watch

pytestmark = pytest.mark.django_db

RED_DAY = day(2026, 3, 10)  # 5 working days from Monday 2 March: due Mon 9, red Tue 10


def _crossings(kind):
    return WarningEvent.objects.filter(kind=kind)


@pytest.mark.parametrize("where", ["before_write", "after_write"])
def test_crash_in_the_second_batch_then_rerun_sends_nothing_twice(world, overdue_rules, monkeypatch, where):
    steps = [watch(world, limit=5, subject_type="step", subject_id=500 + i) for i in range(4)]
    real = sweep_module._write_batch
    calls = {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2 and where == "before_write":
            raise RuntimeError("power cut")
        written = real(*args, **kwargs)
        if calls["n"] == 2:
            raise RuntimeError("power cut before commit")
        return written

    monkeypatch.setattr(sweep_module, "_write_batch", crashing)
    with pytest.raises(RuntimeError):
        warning_sweep(today=RED_DAY, batch_size=2)
    # the first batch committed whole, the second left nothing behind
    assert Deadline.objects.filter(level=Level.RED).count() == 2
    assert _crossings(WarningKind.RED).count() == 2
    assert Card.objects.count() == CardEvent.objects.count() == 2
    first = warning_events_dispatch()
    assert first > 0
    sent = set(Message.objects.values_list("idempotency_key", flat=True))

    monkeypatch.setattr(sweep_module, "_write_batch", real)
    r = warning_sweep(today=RED_DAY, batch_size=2)
    assert (r.examined, r.red, r.cards) == (2, 2, 2)
    assert warning_sweep(today=RED_DAY, batch_size=2).examined == 0
    for d in steps:
        assert _crossings(WarningKind.RED).filter(deadline=d).count() == 1
        assert Card.objects.filter(subject_type="step", subject_id=d.subject_id).count() == 1
    assert CardEvent.objects.count() == 4
    second = warning_events_dispatch()
    assert second == first  # the same messages for the two other watches, none again for the first two
    keys = list(Message.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 2 * len(sent)  # one message per recipient and channel
    assert sent < set(keys)
    assert warning_events_dispatch() == 0


def test_quotes_commas_and_backslashes_survive_the_batch_write(world, overdue_rules):
    title = '食品"经营"\\许可,{一} NULL'
    d = watch(world, limit=5, subject_type="step", title=title, reference="TB,007", assignee=world.approver)
    r = warning_sweep(today=RED_DAY)
    assert (r.red, r.cards) == (1, 1)
    card = Card.objects.get(subject_type="step", subject_id=d.subject_id)
    assert card.reason == f"办理环节“{title}”（TB,007）超过期限 2026-03-09 且未经批准延期。"
    assert (card.subject_label, card.color, card.status, card.issued_on) == (
        "TB,007",
        CardColor.YELLOW,
        CardStatus.ACTIVE,
        RED_DAY,
    )
    assert (card.staff_id, card.department_id, card.deadline_id) == (world.approver.pk, world.dept.pk, d.pk)
    assert (card.created_at, card.updated_at) == (START, START)
    (event,) = CardEvent.objects.filter(card=card)
    assert (event.kind, event.from_status, event.to_status, event.note, event.actor_id) == (
        "issued",
        "",
        CardStatus.ACTIVE,
        card.reason,
        None,
    )
    (red,) = _crossings(WarningKind.RED).filter(deadline=d)
    assert (red.level_before, red.level_after, red.step, red.overdue_days, red.due_date) == (
        Level.NORMAL,
        Level.RED,
        0,
        1,
        day(2026, 3, 9),
    )
    assert (red.notify_pending, red.notified_at, red.actor_id, red.note, red.at) == (
        True,
        None,
        None,
        "",
        START,
    )
    d.refresh_from_db()
    assert (d.level, d.escalation_level, d.red_on, d.next_escalation_on) == (
        Level.RED,
        0,
        RED_DAY,
        day(2026, 3, 12),
    )


@pytest.mark.postgres
def test_array_literals_read_back_as_sent(db):
    values = {
        "varchar(255)": ['a"b', "c\\d", "e,f", "{g}", "NULL", "", None, "中文 空格"],
        "bigint": [1, None, 2**40],
        "date": [dt.date(2026, 3, 2), None],
        "boolean": [True, False, None],
        "smallint": [],
    }
    with connection.cursor() as cursor:
        for db_type, items in values.items():
            cursor.execute(f"SELECT %s::{db_type}[]", [array_literal(items, db_type)])
            assert cursor.fetchone()[0] == items


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_rows_and_record_each_crossing_once(world):
    watches = [watch(world, limit=10, subject_id=700 + i) for i in range(30)]
    r = warning_sweep(today=day(2026, 3, 12), batch_size=4, workers=2)
    assert (r.examined, r.yellow, r.by_pass["yellow"]) == (30, 30, 30)
    assert r.batches >= 8
    assert Deadline.objects.filter(pk__in=[d.pk for d in watches], level=Level.YELLOW).count() == 30
    assert _crossings(WarningKind.YELLOW).count() == 30
    assert set(_crossings(WarningKind.YELLOW).values_list("deadline_id", flat=True)) == {
        d.pk for d in watches
    }
    assert warning_sweep(today=day(2026, 3, 12), workers=2).examined == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_locked_elsewhere_is_skipped_then_taken_by_the_next_run(world):
    busy = watch(world, limit=10, subject_id=801)
    free = watch(world, limit=10, subject_id=802)
    results = {}

    def other_sweep():
        try:
            results["r"] = warning_sweep(today=day(2026, 3, 12))
        finally:
            connection.close()

    with transaction.atomic():  # a case transition holding the watch's row
        Deadline.objects.select_for_update().get(pk=busy.pk)
        t = threading.Thread(target=other_sweep)
        t.start()
        t.join(30)
    assert results["r"].examined == 1
    assert list(_crossings(WarningKind.YELLOW).values_list("deadline_id", flat=True)) == [free.pk]
    r = warning_sweep(today=day(2026, 3, 12))
    assert (r.examined, r.yellow) == (1, 1)
    assert sorted(_crossings(WarningKind.YELLOW).values_list("deadline_id", flat=True)) == sorted(
        [busy.pk, free.pk]
    )
