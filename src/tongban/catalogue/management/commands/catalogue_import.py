"""`tongban catalogue_import FILE [--dry-run] [--user NAME]`: import a catalogue file, all or nothing.

JSON or XLSX by the file's extension (or --format). On any invalid row nothing is written and every
error is printed with its sheet, row and field; the exit status is then non-zero.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tongban.catalogue.importexport import import_json, import_xlsx
from tongban.common.errors import ServiceError


class Command(BaseCommand):
    help = "导入事项清单（JSON 或 XLSX）；有任何错误则不导入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .json 或 .xlsx 文件。")
        parser.add_argument("--format", choices=["json", "xlsx"], help="文件格式（默认按扩展名）。")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入。")
        parser.add_argument("--user", help="记为操作人的用户名（默认：系统）。")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        fmt = options["format"] or ("xlsx" if path.suffix.lower() == ".xlsx" else "json")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户不存在：{options['user']}")
        try:
            if fmt == "xlsx":
                with path.open("rb") as handle:
                    result = import_xlsx(handle, actor=actor, dry_run=options["dry_run"])
            else:
                result = import_json(path.read_bytes(), actor=actor, dry_run=options["dry_run"])
        except ServiceError as exc:
            for error in exc.errors or []:
                self.stderr.write(
                    f"{error['sheet']} 第 {error['row']} 行 [{error['field']}]：{error['message']}"
                )
            raise CommandError(exc.message) from exc
        self.stdout.write(result.summary())
