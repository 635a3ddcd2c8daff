"""Background work of the hall (django-tasks): idempotent sweeps, run by a scheduler every few minutes."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def appointment_no_show_sweep_task() -> int:
    """Mark bookings whose slot ended without a check-in as no-shows (feeds the no-show booking limit)."""
    return services.appointment_no_show_sweep()


@task()
def ticket_close_day_sweep_task() -> int:
    """Close yesterday's tickets still waiting or called (they count as left without being served)."""
    return services.ticket_close_day_sweep()
