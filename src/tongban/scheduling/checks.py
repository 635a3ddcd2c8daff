"""System check: every scheduled job names a real django-tasks task, with unique keys.

A typo in schedule.py would otherwise surface only as a log line at the first due time.
"""

from __future__ import annotations

from django.core import checks

from .schedule import SCHEDULE


@checks.register()
def check_schedule(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    seen: set[str] = set()
    for job in SCHEDULE:
        if job.key in seen:
            errors.append(checks.Error(f"定时任务标识“{job.key}”重复。", id="scheduling.E001"))
        seen.add(job.key)
        try:
            job.resolve()
        except (ImportError, TypeError) as exc:
            errors.append(checks.Error(f"定时任务“{job.key}”无法加载：{exc}", id="scheduling.E002"))
    return errors
