"""`tongban supervision_sweep [--date YYYY-MM-DD] [--no-dispatch]`: run the warning sweep now."""

from __future__ import annotations

import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError

from tongban.supervision.services import warning_events_dispatch, warning_sweep


class Command(BaseCommand):
    help = "电子监察：扫描到达预警/超期/升级日期的时限监控，并发送催办与告警。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天扫描（默认今天），格式 YYYY-MM-DD")
        parser.add_argument("--no-dispatch", action="store_true", help="只更新级别，不发送通知")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期“{options['date']}”格式不正确，应为 YYYY-MM-DD。") from exc
        started = time.perf_counter()
        result = warning_sweep(today=today).as_dict()
        result["seconds"] = round(time.perf_counter() - started, 3)
        if not options["no_dispatch"]:
            result["messages"] = warning_events_dispatch()
        self.stdout.write(json.dumps(result, ensure_ascii=False))
