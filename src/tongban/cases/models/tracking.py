"""Failed public tracking look-ups (办件查询), counted to rate-limit the guessing of query codes.

WHY a table and not the cache: the site runs several worker processes (granian with 2 workers, more
behind a load balancer) and Django's default cache (LocMemCache) is per process, so a per-process
counter would let a guesser multiply the limit by the number of workers. One narrow row per failed
look-up in the shared database holds across processes and restarts; old rows are pruned as new ones
are written, so the table stays the size of the last window. See cases.tracking.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class TrackingFailure(models.Model):
    scope = models.CharField("计数维度", max_length=8)  # "ip" or "number"
    key = models.CharField("键", max_length=64)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "办件查询失败记录"
        verbose_name_plural = "办件查询失败记录"
        indexes = [models.Index(fields=["scope", "key", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} {self.at:%Y-%m-%d %H:%M}"
