"""`tongban scheduler [--once] [--interval 30]`: enqueue due periodic jobs (schedule.py) until SIGTERM.

Run it next to `tongban db_worker`, which executes what this enqueues. Several may run at once.
"""

from __future__ import annotations

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from tongban.scheduling.services import schedule_tick

logger = logging.getLogger("tongban.scheduling")


class Command(BaseCommand):
    help = "定时任务调度：按 schedule.py 把到期的周期任务放入任务队列（由 db_worker 执行）。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一次后退出。")
        parser.add_argument("--interval", type=float, default=30.0, help="两次检查间隔的秒数（默认 30）。")

    def handle(self, *args, **options):
        if options["once"]:
            self.tick()
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"定时任务调度已启动，每 {options['interval']:g} 秒检查一次。")
        self.stdout.flush()
        while not stop.is_set():
            close_old_connections()
            try:
                self.tick()
            except Exception:
                # The database may be away for a moment (restart, failover): keep going, try next tick.
                logger.exception("定时任务调度检查失败，稍后重试")
            stop.wait(options["interval"])
        close_old_connections()
        self.stdout.write("定时任务调度已停止。")

    def tick(self) -> None:
        keys = schedule_tick()
        if keys:
            self.stdout.write("已入队：" + "，".join(keys))
            self.stdout.flush()  # a journal or a log file sees each tick as it happens
