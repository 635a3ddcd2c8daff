"""`tongban catalogue_export --format json|xlsx -o FILE`: the published catalogue as a file.

The format is documented in docs/catalogue-format.md; `catalogue_import` reads it back.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.catalogue.importexport import export_json, export_xlsx


class Command(BaseCommand):
    help = "导出已发布的事项清单（JSON 或 XLSX）。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "xlsx"], default="json", help="文件格式。")
        parser.add_argument("-o", "--output", help="输出文件；JSON 可省略（写到标准输出）。")
        parser.add_argument("--template", action="store_true", help="XLSX：只导出空白模板（表头和说明）。")

    def handle(self, *args, **options):
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx":
            if not output:
                raise CommandError("XLSX 必须用 -o 指定输出文件。")
            content = export_xlsx(records=[] if options["template"] else None)
            Path(output).write_bytes(content)
            self.stderr.write(f"已写入 {output}（{len(content)} 字节）。")
            return
        text = json.dumps(export_json(), ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"已写入 {output}。")
        else:
            sys.stdout.write(text)
