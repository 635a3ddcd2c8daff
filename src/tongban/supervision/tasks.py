"""Background tasks (DESIGN rule 6): idempotent, enqueued on commit or by a scheduler."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def warning_sweep_task() -> dict:
    """The periodic sweep (schedule it every few minutes, or at least once each morning)."""
    result = services.warning_sweep().as_dict()
    result["messages"] = services.warning_events_dispatch()
    return result


@task()
def dispatch_warning_events_task() -> int:
    return services.warning_events_dispatch()


@task()
def recompute_deadlines_task(item_code: str | None = None) -> int:
    return services.deadlines_recompute(item_code=item_code)
