"""The scheduler's memory: for each job key, when it was last enqueued and when it is next due.

One row per key; the row lock is what keeps several scheduler processes from enqueueing the same run.
"""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    key = models.CharField("任务标识", max_length=100, unique=True)
    task_path = models.CharField("任务", max_length=255, blank=True)
    next_due_at = models.DateTimeField("下次执行", db_index=True)
    last_enqueued_at = models.DateTimeField("上次入队", null=True, blank=True)
    enqueued_count = models.PositiveIntegerField("入队次数", default=0)

    class Meta:
        ordering = ["key"]
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"

    def __str__(self) -> str:
        return self.key
