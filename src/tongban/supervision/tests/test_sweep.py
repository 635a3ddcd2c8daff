"""The sweep: levels move on their dates, crossings are logged and notified once, crashes and reruns
add nothing twice, and the work done follows the rows that change — not the rows open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.notifications.models import Message
from tongban.supervision import engine
from tongban.supervision.choices import CardColor, Level, WarningKind
from tongban.supervision.models import Card, Deadline, WarningEvent
from tongban.supervision.policies import PolicyBook
from tongban.supervision.services import (
    deadline_close,
    deadline_pause,
    deadline_resume,
    deadline_update,
    warning_events_dispatch,
    warning_sweep,
)
from tongban.supervision.thresholds import dates_for
from tongban.workdays.calendar import add_working_days

from .conftest import MONDAY
from .helpers import day, watch

pytestmark = pytest.mark.django_db


def crossings(d, kind=None):
    qs = WarningEvent.objects.filter(deadline=d, kind__in=WarningKind.crossings())
    return qs.filter(kind=kind) if kind else qs


def test_open_evaluates_at_once(world):
    d = watch(world, limit=10)
    assert (d.level, d.yellow_on, d.red_on) == (Level.NORMAL, day(2026, 3, 12), day(2026, 3, 17))
    late = watch(world, limit=3, start=day(2026, 2, 20), today=MONDAY)  # due 25 Feb: already late
    late.refresh_from_db()
    assert late.level == Level.RED and crossings(late, WarningKind.RED).count() == 1


def test_sweep_moves_levels_on_their_dates_and_only_then(world):
    d = watch(world, limit=10)  # yellow Thu 12 March, red Tue 17 March
    assert warning_sweep(today=day(2026, 3, 11)).examined == 0
    r = warning_sweep(today=day(2026, 3, 12))
    d.refresh_from_db()
    assert (r.yellow, d.level) == (1, Level.YELLOW)
    warning_sweep(today=day(2026, 3, 16))
    d.refresh_from_db()
    assert d.level == Level.YELLOW
    r = warning_sweep(today=day(2026, 3, 17))
    d.refresh_from_db()
    assert (r.red, d.level, d.escalation_level) == (1, Level.RED, 0)
    r = warning_sweep(today=day(2026, 3, 19))  # 3 working days overdue
    d.refresh_from_db()
    assert (r.escalated, d.escalation_level, d.next_escalation_on) == (1, 1, day(2026, 3, 24))
    warning_sweep(today=day(2026, 3, 24))
    d.refresh_from_db()
    assert d.escalation_level == 2
    assert list(crossings(d).order_by("id").values_list("kind", "step")) == [
        ("yellow", 0),
        ("red", 0),
        ("escalated", 1),
        ("escalated", 2),
    ]


def test_a_missed_week_jumps_straight_to_red_and_the_right_step(world):
    d = watch(world, limit=5)  # due Mon 9 March
    warning_sweep(today=day(2026, 3, 13))  # 4 working days overdue, nothing ran before
    d.refresh_from_db()
    assert (d.level, d.escalation_level) == (Level.RED, 1)
    assert sorted(crossings(d).values_list("kind", "step")) == [("escalated", 1), ("red", 0)]


def test_sweep_twice_one_event_one_message_each(world, django_capture_on_commit_callbacks):
    d = watch(world, limit=10)
    with django_capture_on_commit_callbacks(execute=True):
        warning_sweep(today=day(2026, 3, 12))
    with django_capture_on_commit_callbacks(execute=True):
        again = warning_sweep(today=day(2026, 3, 12))
    assert again.examined == 0
    assert crossings(d).count() == 1
    reminders = Message.objects.filter(template="supervision.reminder")
    assert set(reminders.values_list("recipient", flat=True)) == {world.approver.pk}
    first = reminders.count()
    assert first >= 1
    assert warning_events_dispatch() == 0
    assert reminders.count() == first


def test_red_alerts_heads_and_supervisors_escalations_go_up(world, django_capture_on_commit_callbacks):
    d = watch(world, limit=10)
    with django_capture_on_commit_callbacks(execute=True):
        warning_sweep(today=day(2026, 3, 17))
    alerts = Message.objects.filter(template="supervision.alert", ref=d.subject_ref)
    assert set(alerts.values_list("recipient", flat=True)) == {world.head.pk, world.supervisor.pk}
    with django_capture_on_commit_callbacks(execute=True):
        warning_sweep(today=day(2026, 3, 19))
    e1 = crossings(d, WarningKind.ESCALATED).get(step=1)
    assert set(
        Message.objects.filter(idempotency_key__startswith=f"supervision:event:{e1.pk}:").values_list(
            "recipient", flat=True
        )
    ) == {world.head.pk}
    with django_capture_on_commit_callbacks(execute=True):
        warning_sweep(today=day(2026, 3, 24))
    e2 = crossings(d, WarningKind.ESCALATED).get(step=2)
    assert set(
        Message.objects.filter(idempotency_key__startswith=f"supervision:event:{e2.pk}:").values_list(
            "recipient", flat=True
        )
    ) == {world.supervisor.pk, world.admin.pk}


def test_crash_half_way_rerun_completes_without_duplicates(world, monkeypatch):
    watches = [watch(world, limit=10, subject_id=100 + i) for i in range(5)]
    real = engine.plan_change
    calls = {"n": 0}

    def exploding(d, state, **kw):
        calls["n"] += 1
        if calls["n"] == 4:  # inside the second batch of 2
            raise RuntimeError("power cut")
        return real(d, state, **kw)

    from tongban.supervision.services import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "plan_change", exploding)
    with pytest.raises(RuntimeError):
        warning_sweep(today=day(2026, 3, 12), batch_size=2)
    done = Deadline.objects.filter(level=Level.YELLOW).count()
    assert done == 2  # the first batch committed, the second rolled back whole
    assert WarningEvent.objects.filter(kind=WarningKind.YELLOW).count() == 2
    monkeypatch.setattr(sweep_module, "plan_change", real)
    r = warning_sweep(today=day(2026, 3, 12), batch_size=2)
    assert r.yellow == 3
    for d in watches:
        assert crossings(d, WarningKind.YELLOW).count() == 1
    assert warning_events_dispatch() > 0
    assert WarningEvent.objects.filter(notify_pending=True).count() == 0


def test_dispatch_crash_then_rerun_sends_nothing_twice(world, monkeypatch):
    watch(world, limit=10)
    watch(world, limit=10)
    warning_sweep(today=day(2026, 3, 12))
    from tongban.supervision.services import sweep as sweep_module

    real = sweep_module._notify_event
    calls = {"n": 0}

    def flaky(event, recipients):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("SMS gateway died")
        return real(event, recipients)

    monkeypatch.setattr(sweep_module, "_notify_event", flaky)
    with pytest.raises(RuntimeError):
        warning_events_dispatch()
    assert Message.objects.count() == 0  # the batch rolled back: its first message too
    monkeypatch.setattr(sweep_module, "_notify_event", real)
    warning_events_dispatch()
    keys = list(Message.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) > 0


def _bulk(world, n, *, changing, today):
    """n open watches of which `changing` turn yellow on `today` (dates computed as the services do)."""
    book = PolicyBook()
    rows = []
    for i in range(n):
        limit = 10
        start = MONDAY if i < changing else today  # the others started today: far from yellow
        due = add_working_days(start, limit)
        dates = dates_for(started_on=start, due=due, limit_days=limit, thresholds=book.for_item(""))
        rows.append(
            Deadline(
                subject_type="step",
                subject_id=10_000 + i,
                title="环节",
                department=world.dept,
                started_on=start,
                due_date=due,
                limit_days=limit,
                yellow_on=dates.yellow_on,
                red_on=dates.red_on,
                next_escalation_on=add_working_days(due, 3),
            )
        )
    Deadline.objects.bulk_create(rows)


@pytest.mark.parametrize("total", [10, 200])
def test_sweep_cost_follows_the_changing_rows_not_the_open_ones(world, total, request):
    today = day(2026, 3, 12)
    _bulk(world, total, changing=5, today=today)
    with CaptureQueriesContext(connection) as ctx:
        r = warning_sweep(today=today)
    assert r.yellow == 5
    counts = request.config.cache_counts = getattr(request.config, "cache_counts", {})
    # Inside a test transaction the calendar re-reads its version token on every call (outside one it
    # does so at most once a second); those look-ups are not the sweep's own work.
    own = [q for q in ctx.captured_queries if "workdays_calendarversion" not in q["sql"]]
    counts[total] = len(own)
    # 15 for the passes; the card rules: read once, and the time-driven ones (directives ignored,
    # repeated faults) evaluated in one transaction with one query each; the card outbox probe.
    assert len(own) <= 21
    if len(counts) == 2:
        assert counts[10] == counts[200]


def test_paused_watches_do_not_move_and_resume_recomputes(world):
    d = watch(world, limit=5)  # due Mon 9 March, yellow Fri 6
    deadline_pause(subject_type=d.subject_type, subject_id=d.subject_id, paused_on=day(2026, 3, 4))
    assert warning_sweep(today=day(2026, 3, 20)).examined == 0
    d.refresh_from_db()
    assert (d.level, d.paused) == (Level.NORMAL, True)
    # resumed on Fri 20 March with 3 working days left: due Wed 25, yellow Tue 24
    d = deadline_resume(
        subject_type=d.subject_type,
        subject_id=d.subject_id,
        due_date=day(2026, 3, 25),
        resumed_on=day(2026, 3, 20),
    )
    assert (d.level, d.yellow_on, d.red_on) == (Level.NORMAL, day(2026, 3, 24), day(2026, 3, 26))
    warning_sweep(today=day(2026, 3, 24))
    d.refresh_from_db()
    assert d.level == Level.YELLOW


def test_extension_lowers_the_level_and_a_new_crossing_is_a_new_event(world):
    d = watch(world, limit=5, subject_type="step")
    warning_sweep(today=day(2026, 3, 10))
    d.refresh_from_db()
    assert d.level == Level.RED
    d = deadline_update(
        subject_type="step",
        subject_id=d.subject_id,
        due_date=day(2026, 3, 20),
        extension_days=10,
        today=day(2026, 3, 10),
    )
    assert (d.level, d.escalation_level) == (Level.NORMAL, 0)
    assert WarningEvent.objects.filter(deadline=d, kind=WarningKind.LOWERED).count() == 1
    warning_sweep(today=day(2026, 3, 19))
    d.refresh_from_db()
    assert d.level == Level.YELLOW
    assert crossings(d, WarningKind.YELLOW).count() == 1  # the first yellow was skipped (straight to red)
    assert crossings(d, WarningKind.RED).count() == 1


def test_close_records_on_time_and_stops_watching(world):
    d = watch(world, limit=5)
    closed = deadline_close(subject_type=d.subject_type, subject_id=d.subject_id, closed_on=day(2026, 3, 9))
    assert (closed.status, closed.closed_on_time) == ("closed", True)
    assert deadline_close(subject_type=d.subject_type, subject_id=d.subject_id) is None
    assert warning_sweep(today=day(2026, 3, 30)).examined == 0
    late = watch(world, limit=5, subject_id=d.subject_id)  # the same subject may be watched again
    late = deadline_close(
        subject_type=late.subject_type, subject_id=late.subject_id, closed_on=day(2026, 3, 10)
    )
    assert late.closed_on_time is False


def test_opt_in_overdue_rules_card_once_per_subject(world, overdue_rules):
    step = watch(world, limit=5, subject_type="step", assignee=world.approver)
    excused = watch(world, limit=5, subject_type="step", extension_days=3)
    case = watch(world, limit=5, subject_type="case")
    warning_sweep(today=day(2026, 3, 10))
    warning_sweep(today=day(2026, 3, 20))
    yellow = Card.objects.get(subject_type="step", subject_id=step.subject_id)
    assert (yellow.color, yellow.rule_key, yellow.staff, yellow.department) == (
        CardColor.YELLOW,
        "step_overdue_no_extension",
        world.approver,
        world.dept,
    )
    assert not Card.objects.filter(subject_type="step", subject_id=excused.subject_id).exists()
    red = Card.objects.get(subject_type="case", subject_id=case.subject_id)
    assert red.color == CardColor.RED and red.events.count() == 1
    # lowered by an extension, late again: still one card for the subject
    deadline_update(
        subject_type="case", subject_id=case.subject_id, due_date=day(2026, 3, 23), today=day(2026, 3, 20)
    )
    warning_sweep(today=day(2026, 3, 24))
    assert Card.objects.filter(subject_type="case", subject_id=case.subject_id).count() == 1


def test_calendar_gap_is_retried_not_fatal(world, monkeypatch):
    # 2027 is not generated here (workdays.provisional fills it on demand elsewhere): a gap the law
    # cannot fill must still not stop the sweep.
    from tongban.workdays import services as calendar_services

    monkeypatch.setattr(calendar_services, "PROVISIONAL_MAX_YEARS_AHEAD", 0)
    monkeypatch.setattr(calendar_services, "PROVISIONAL_YEARS_AHEAD", 0)
    d = watch(world, limit=5, start=day(2026, 12, 24), today=day(2026, 12, 24))  # due 31 December
    assert d.red_on == dt.date(2027, 1, 1)
    r = warning_sweep(today=day(2027, 1, 1))
    d.refresh_from_db()
    assert r.skipped == 2  # its red and its yellow date both came; neither can be decided yet
    assert (d.level, d.red_on, d.yellow_on) == (Level.NORMAL, day(2027, 1, 2), day(2027, 1, 2))


def test_command_runs_sweep_and_dispatch(world):
    import io
    import json

    from django.core.management import CommandError, call_command

    watch(world, limit=10)
    out = io.StringIO()
    call_command("supervision_sweep", "--date", "2026-03-12", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["yellow"], result["today"]) == (1, "2026-03-12")
    assert result["messages"] >= 1
    with pytest.raises(CommandError):
        call_command("supervision_sweep", "--date", "12/03/2026")
