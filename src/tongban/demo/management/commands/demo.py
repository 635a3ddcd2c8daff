"""`tongban demo`: migrate, load the demo district, collect static files and serve with granian.

Running it twice keeps the data: every loader is idempotent. `--prepare-only` stops before serving
(for scripts and CI). `DATABASE_URL` chooses another database.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "准备演示数据并启动平台（生产级 WSGI 服务器 granian）。"

    def add_arguments(self, parser):
        parser.add_argument("--prepare-only", action="store_true", help="只迁移并加载演示数据，不启动服务。")
        parser.add_argument("--host", default=os.environ.get("TONGBAN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("TONGBAN_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程。")
        parser.add_argument("--no-scheduler", action="store_true", help="不启动定时任务调度进程。")
        parser.add_argument(
            "--debug", action="store_true", help="以调试模式服务（出错时显示技术细节；默认与生产一致）。"
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        self.stdout.write("→ 迁移数据库 …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("→ 加载演示数据 …")
        from tongban.demo.prepare import prepare_demo_data  # here: `supervise` imports without Django set up

        counts = prepare_demo_data(verbosity=verbosity)
        for key, value in counts.items():
            self.stdout.write(f"   {key}: {value}")
        self.stdout.write("→ 收集静态文件 …")
        call_command("collectstatic", interactive=False, verbosity=0)
        if options["prepare_only"]:
            self.stdout.write(self.style.SUCCESS("演示数据已就绪（--prepare-only）。"))
            return
        self.serve(options)

    def serve(self, options) -> None:
        host, port = options["host"], options["port"]
        base = f"http://{host}:{port}"
        self.print_banner(base)
        env = child_env(debug=options["debug"])
        # Without TONGBAN_PUBLIC_URL, links sent by the worker and scheduler use the address served here.
        env.update(TONGBAN_HOST=host, PORT=str(port))
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "tongban.manage", "db_worker"], env=env)
        scheduler = None
        if not options["no_scheduler"]:
            scheduler = subprocess.Popen([sys.executable, "-m", "tongban.manage", "scheduler"], env=env)
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or "granian"
        cmd = [
            granian,
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(options["workers"]),
            "tongban.wsgi:application",
        ]
        server = subprocess.Popen(cmd, env=env)
        supervise(server, [p for p in (scheduler, worker) if p is not None])

    def print_banner(self, base: str) -> None:
        from tongban.demo.loader import DEMO_PASSWORD, demo_logins

        w = self.stdout.write
        w("")
        w(self.style.SUCCESS(f"通办已启动：{base}/"))
        w(f"  办事指南      {base}/")
        w(f"  管理后台      {base}/admin/")
        w(f"  接口文档      {base}/api/docs/")
        w(f"  工作台        {base}/work/")
        from tongban.organisations.models import ServiceHall

        hall = ServiceHall.objects.filter(is_active=True, parent__isnull=True).order_by("code").first()
        if hall is not None:
            w(f"  大厅叫号屏    {base}/hall/{hall.code}/board/")
            w(f"  自助终端      {base}/kiosk/{hall.code}/")
        w(f"  数据库        {settings.DATABASES['default']['NAME']}")
        w(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for label, username in demo_logins():
            w(f"  {label:<12} {username}")
        w("按 Ctrl+C 停止。")


def child_env(*, debug: bool) -> dict[str, str]:
    """The environment of the server, worker and scheduler. The demo serves as production would —
    Chinese error pages, no tracebacks shown to visitors, cached guide pages — unless --debug."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")
    env["DEBUG"] = "true" if debug else "false"
    return env


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # run the same clean-up as Ctrl+C


def supervise(
    server: subprocess.Popen, helpers: list[subprocess.Popen], *, ready: Callable[[], None] | None = None
) -> None:
    """Wait for the web server; on Ctrl+C or SIGTERM (systemd, `kill`, a closed terminal's job control)
    stop it gracefully, and always stop the task worker and the scheduler with it, so no orphan keeps
    running jobs against the database after the demo has gone. `ready` is called once a signal would
    be handled (a caller that reports readiness, such as the tests, does it there)."""
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        if ready is not None:
            ready()
        server.wait()
    except KeyboardInterrupt:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    finally:
        signal.signal(signal.SIGTERM, previous)
        for helper in helpers:
            helper.terminate()
            try:
                helper.wait(timeout=5)
            except subprocess.TimeoutExpired:
                helper.kill()
