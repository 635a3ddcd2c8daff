"""Background tasks (DESIGN rule 6): idempotent, enqueued on commit or by a scheduler."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from . import services


def sweep_workers() -> int:
    """Connections the scheduled sweep uses (PostgreSQL; SKIP LOCKED shares the batches). Default two:
    the database does most of the work, so a second connection keeps a second server process busy
    while the first waits on its commit and Python computes the next batch (docs/benchmarks.md)."""
    return getattr(settings, "SUPERVISION_SWEEP_WORKERS", 2)


@task()
def warning_sweep_task() -> dict:
    """The periodic sweep (schedule it every few minutes, or at least once each morning)."""
    result = services.warning_sweep(workers=sweep_workers()).as_dict()
    result["messages"] = services.warning_events_dispatch()
    return result


@task()
def dispatch_warning_events_task() -> int:
    return services.warning_events_dispatch()


@task()
def recompute_deadlines_task(item_code: str | None = None) -> int:
    return services.deadlines_recompute(item_code=item_code)
