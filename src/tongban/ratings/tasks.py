"""Background work of 好差评 (django-tasks): idempotent sweeps, run by a scheduler every few minutes."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def ratables_register_task() -> int:
    """Register served tickets, concluded online cases and used kiosk sessions as ratable services."""
    return services.ratables_register_sweep()


@task()
def ratings_default_task() -> int:
    """Rate 基本满意 every service left unrated past its rating period."""
    return services.ratings_default_sweep()
