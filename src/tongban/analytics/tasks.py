"""Background work of analytics (django-tasks): idempotent, run by a scheduler."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def case_facts_refresh_task() -> int:
    """Every few minutes: recompute the performance facts of cases changed since the last run."""
    return services.case_facts_refresh()


@task()
def anomalies_detect_task() -> int:
    """Every hour (or after the facts refresh): record new anomalies."""
    return services.anomalies_detect()


@task()
def monthly_report_task() -> int | None:
    """Daily: on the first working day of a month, the previous month's report (once)."""
    report = services.monthly_report_scheduled()
    return report.pk if report else None
