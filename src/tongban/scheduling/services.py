"""The scheduler's one write: `schedule_tick` — enqueue every due job once, then advance its due time.

Why a row lock and not a leader election: any number of `tongban scheduler` processes may run (two
hosts, a restart overlapping the old process). Each tick locks the due rows (SKIP LOCKED on PostgreSQL,
the database write lock on SQLite), advances next_due_at and enqueues on commit. A second process either
skips the locked rows or, once the first commits, no longer finds them due — so a run is enqueued once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from .jobs import Job
from .models import ScheduledRun
from .schedule import SCHEDULE

logger = logging.getLogger(__name__)


def scheduled_runs_register(*, jobs: Iterable[Job], now: dt.datetime) -> None:
    """Create the row of each new job (first due per its cadence); existing rows keep their due time."""
    jobs = list(jobs)
    known = set(ScheduledRun.objects.filter(key__in=[j.key for j in jobs]).values_list("key", flat=True))
    rows = [
        ScheduledRun(key=j.key, task_path=j.task, next_due_at=j.when.first_due(now))
        for j in jobs
        if j.key not in known
    ]
    if rows:  # no write (no SQLite write lock) on the ordinary tick
        # ignore_conflicts: another scheduler may be registering the same keys at the same moment.
        ScheduledRun.objects.bulk_create(rows, ignore_conflicts=True)


def _enqueue(job: Job) -> None:
    """Runs after commit; a broken task must not stop the other jobs of the tick (nor the loop)."""
    try:
        job.resolve().enqueue(**job.kwargs)
    except Exception:
        logger.exception("定时任务 %s（%s）入队失败", job.key, job.task)


def schedule_tick(*, now: dt.datetime | None = None, jobs: Iterable[Job] | None = None) -> list[str]:
    """Enqueue the jobs due at `now` (default: the current time); return their keys, sorted.

    `jobs` defaults to schedule.SCHEDULE (tests pass their own). The tasks are enqueued on commit, so
    a rolled-back tick enqueues nothing; the due time is advanced in the same transaction.
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now 必须是带时区的时间。")
    by_key = {job.key: job for job in (SCHEDULE if jobs is None else jobs)}
    if not by_key:
        return []
    scheduled_runs_register(jobs=by_key.values(), now=now)
    enqueued: list[str] = []
    with transaction.atomic():
        qs = ScheduledRun.objects.filter(key__in=by_key, next_due_at__lte=now).order_by("key")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        else:
            qs = qs.select_for_update()
        for run in qs:
            job = by_key[run.key]
            run.next_due_at = job.when.next_due(previous_due=run.next_due_at, now=now)
            run.last_enqueued_at = now
            run.enqueued_count += 1
            run.task_path = job.task
            run.save(update_fields=["next_due_at", "last_enqueued_at", "enqueued_count", "task_path"])
            transaction.on_commit(partial(_enqueue, job))
            enqueued.append(run.key)
    return enqueued
