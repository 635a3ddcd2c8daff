"""schedule_tick: due jobs go onto the queue once, not-due jobs never, daily jobs at Beijing time."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks import task

from tongban.common.testing import run_together
from tongban.scheduling.jobs import DailyAt, Every, Job
from tongban.scheduling.models import ScheduledRun
from tongban.scheduling.schedule import SCHEDULE
from tongban.scheduling.services import schedule_tick

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLS: list[dict] = []
_CALLS_LOCK = threading.Lock()


@task()
def record_task(label: str = "") -> str:
    """The test task: the immediate backend runs it at enqueue, so CALLS counts real executions."""
    with _CALLS_LOCK:
        CALLS.append({"label": label})
    return label


EVERY_10 = Job(
    key="test.every10",
    task="tongban.scheduling.tests.test_tick.record_task",
    when=Every(minutes=10),
    doc="test",
    kwargs={"label": "ten"},
)
DAILY_1AM = Job(
    key="test.daily",
    task="tongban.scheduling.tests.test_tick.record_task",
    when=DailyAt(dt.time(1, 0)),
    doc="test",
    kwargs={"label": "daily"},
)


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return schedule_tick(**kwargs)

    return run


NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_new_interval_job_runs_at_once_then_not_until_due(tick):
    assert tick(now=NOW, jobs=[EVERY_10]) == ["test.every10"]
    assert CALLS == [{"label": "ten"}]
    run = ScheduledRun.objects.get(key="test.every10")
    assert run.last_enqueued_at == NOW
    assert run.next_due_at == NOW + dt.timedelta(minutes=10)
    assert run.enqueued_count == 1

    assert tick(now=NOW + dt.timedelta(minutes=9, seconds=59), jobs=[EVERY_10]) == []
    assert len(CALLS) == 1
    assert ScheduledRun.objects.get(key="test.every10").next_due_at == NOW + dt.timedelta(minutes=10)

    assert tick(now=NOW + dt.timedelta(minutes=10, seconds=20), jobs=[EVERY_10]) == ["test.every10"]
    assert len(CALLS) == 2
    # The cadence stays on the grid (09:20), not 10 minutes after the late tick.
    assert ScheduledRun.objects.get(key="test.every10").next_due_at == NOW + dt.timedelta(minutes=20)


@pytest.mark.django_db
def test_two_ticks_at_the_same_instant_enqueue_once(tick):
    assert tick(now=NOW, jobs=[EVERY_10]) == ["test.every10"]
    assert tick(now=NOW, jobs=[EVERY_10]) == []
    assert len(CALLS) == 1
    assert ScheduledRun.objects.get(key="test.every10").enqueued_count == 1


@pytest.mark.django_db
def test_missed_runs_collapse_into_one(tick):
    tick(now=NOW, jobs=[EVERY_10])
    later = NOW + dt.timedelta(hours=5, minutes=3)  # the scheduler was down for 30 slots
    assert tick(now=later, jobs=[EVERY_10]) == ["test.every10"]
    assert len(CALLS) == 2
    assert ScheduledRun.objects.get(key="test.every10").next_due_at == NOW + dt.timedelta(hours=5, minutes=10)


@pytest.mark.django_db
def test_rolled_back_tick_enqueues_nothing_and_keeps_the_due_time(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule_tick(now=NOW, jobs=[EVERY_10])
    # Callbacks captured but not executed stand for a transaction that never committed.
    assert len(callbacks) == 1
    assert CALLS == []


@pytest.mark.django_db
def test_daily_job_respects_beijing_time(tick):
    # 00:30 Beijing on 2 March is 16:30 UTC on 1 March; the job is due at 01:00 Beijing (17:00 UTC).
    with time_machine.travel(dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert tick(jobs=[DAILY_1AM]) == []
    run = ScheduledRun.objects.get(key="test.daily")
    assert run.next_due_at == dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)

    with time_machine.travel(dt.datetime(2026, 3, 2, 0, 59, 59, tzinfo=SHANGHAI), tick=False):
        assert tick(jobs=[DAILY_1AM]) == []
    with time_machine.travel(dt.datetime(2026, 3, 2, 1, 0, 10, tzinfo=SHANGHAI), tick=False):
        assert tick(jobs=[DAILY_1AM]) == ["test.daily"]
        assert tick(jobs=[DAILY_1AM]) == []
    assert CALLS == [{"label": "daily"}]
    assert ScheduledRun.objects.get(key="test.daily").next_due_at == dt.datetime(
        2026, 3, 3, 1, 0, tzinfo=SHANGHAI
    )
    # 01:00 by a UTC clock is not 01:00 here: 2 March 16:59 UTC is 00:59 Beijing on 3 March, not yet due.
    with time_machine.travel(dt.datetime(2026, 3, 2, 16, 59, tzinfo=dt.UTC), tick=False):
        assert tick(jobs=[DAILY_1AM]) == []
    assert len(CALLS) == 1


@pytest.mark.django_db
def test_daily_job_registered_after_its_time_waits_for_tomorrow(tick):
    with time_machine.travel(dt.datetime(2026, 3, 2, 14, 0, tzinfo=SHANGHAI), tick=False):
        assert tick(jobs=[DAILY_1AM]) == []
    assert ScheduledRun.objects.get(key="test.daily").next_due_at == dt.datetime(
        2026, 3, 3, 1, 0, tzinfo=SHANGHAI
    )


@pytest.mark.django_db
def test_a_failing_task_does_not_stop_the_others(tick):
    broken = Job(
        key="test.broken", task="tongban.scheduling.tests.test_tick.no_such_task", when=Every(5), doc=""
    )
    assert tick(now=NOW, jobs=[broken, EVERY_10]) == ["test.broken", "test.every10"]
    assert CALLS == [{"label": "ten"}]


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        schedule_tick(now=dt.datetime(2026, 3, 2, 9, 0), jobs=[EVERY_10])


def test_the_schedule_names_real_tasks_with_unique_keys():
    keys = [job.key for job in SCHEDULE]
    assert len(keys) == len(set(keys))
    for job in SCHEDULE:
        job.resolve().get_backend().validate_task(job.resolve())
        assert job.doc


@pytest.mark.django_db
def test_the_real_schedule_runs_its_tasks_on_an_empty_database(tick):
    """Every interval job is due at the first tick and its real task runs (immediate backend) cleanly."""
    keys = tick(now=NOW)
    assert keys == sorted(job.key for job in SCHEDULE if isinstance(job.when, Every))
    assert ScheduledRun.objects.count() == len(SCHEDULE)


@pytest.mark.django_db
def test_scheduler_once_command(django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("scheduler", "--once")
    assert len(callbacks) == len([job for job in SCHEDULE if isinstance(job.when, Every)])
    assert "已入队" in capsys.readouterr().out


@pytest.mark.django_db
def test_scheduler_loop_stops_on_sigterm(capsys):
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    ticks: list[int] = []

    def fake_tick():
        ticks.append(1)
        if len(ticks) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return []

    try:
        with mock.patch("tongban.scheduling.management.commands.scheduler.schedule_tick", fake_tick):
            call_command("scheduler", "--interval", "0.01")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert len(ticks) == 2
    assert "已停止" in capsys.readouterr().out


@pytest.mark.django_db
def test_admin_list_is_read_only(client, tick):
    tick(now=NOW, jobs=[EVERY_10])
    admin = get_user_model().objects.create_superuser(username="root", password="x-pass-123", email="r@x.cn")
    client.force_login(admin)
    response = client.get(reverse("admin:scheduling_scheduledrun_changelist"))
    assert response.status_code == 200
    assert "test.every10" in response.content.decode()
    assert client.get(reverse("admin:scheduling_scheduledrun_add")).status_code == 403
    run = ScheduledRun.objects.get(key="test.every10")
    before = run.next_due_at
    client.post(reverse("admin:scheduling_scheduledrun_delete", args=[run.pk]), {"post": "yes"})
    assert ScheduledRun.objects.get(pk=run.pk).next_due_at == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_enqueue_a_run_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    jobs = [EVERY_10, DAILY_1AM]
    ScheduledRun.objects.create(key="test.daily", task_path=DAILY_1AM.task, next_due_at=NOW)
    results: list[list[str]] = []

    run_together(4, lambda: results.append(schedule_tick(now=NOW, jobs=jobs)))
    flat = sorted(key for keys in results for key in keys)
    assert flat == ["test.daily", "test.every10"]
    assert sorted(c["label"] for c in CALLS) == ["daily", "ten"]
    assert ScheduledRun.objects.get(key="test.every10").enqueued_count == 1
