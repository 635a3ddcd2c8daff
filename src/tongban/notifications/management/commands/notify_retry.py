"""`tongban notify_retry`: resend failed messages whose retry time has come (run it from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tongban.notifications.services import messages_retry_due


class Command(BaseCommand):
    help = "重发到期的失败消息（短信、邮件），并回收发送中断的消息。"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="一次最多处理的消息数（默认 500）")
        parser.add_argument(
            "--sync",
            action="store_true",
            help="在本进程中直接发送，而不是交给后台任务（无 db_worker 时使用）",
        )

    def handle(self, *args, limit: int, sync: bool, **options):
        ids = messages_retry_due(limit=limit, sync=sync)
        verb = "已重发" if sync else "已加入发送队列"
        self.stdout.write(f"{verb} {len(ids)} 条消息。")
