"""Read-only list: what runs when, and when it last went onto the queue. The schedule is code."""

from __future__ import annotations

from django.contrib import admin

from .models import ScheduledRun
from .schedule import SCHEDULE

_JOBS = {job.key: job for job in SCHEDULE}


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ["key", "description", "cadence", "next_due_at", "last_enqueued_at", "enqueued_count"]
    search_fields = ["key", "task_path"]
    fields = [
        "key",
        "task_path",
        "description",
        "cadence",
        "next_due_at",
        "last_enqueued_at",
        "enqueued_count",
    ]
    readonly_fields = fields
    ordering = ["key"]

    @admin.display(description="说明")
    def description(self, obj: ScheduledRun) -> str:
        job = _JOBS.get(obj.key)
        return job.doc if job else "（已不在 schedule.py 中，不再执行）"

    @admin.display(description="频率")
    def cadence(self, obj: ScheduledRun) -> str:
        job = _JOBS.get(obj.key)
        return str(job.when) if job else "—"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
