"""Scenario: render time of PDF documents, in ms a page (median of several runs, wall and CPU).

Measures a one-page 受理通知书 (fields, QR code) and a 20-page landscape table report, after one warm-up
render (the first render also parses the CJK fonts, reported separately). The reference is a one-page
ReportLab document in Helvetica (no embedded font) rendered in the same run, so ratios compare machines.
Run: .venv/bin/python bench/bench_pdf.py [--runs 7]
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics
import time


def timed(fn, runs: int) -> tuple[float, float, object]:
    """Median wall and CPU milliseconds of `fn()` over `runs` calls, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), result


def reference_page() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setFont("Helvetica", 12)
    for i in range(40):
        c.drawString(72, 780 - i * 18, f"Reference line {i}: the quick brown fox jumps over the lazy dog.")
    c.showPage()
    c.save()
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.dev")
    import django

    django.setup()
    from pypdf import PdfReader

    from tongban.common.pdf import Notice, get_fontset, render_notice, render_table_report

    notice = Notice(
        title="受理通知书",
        number="天河政务受字〔2026〕第000123号",
        issuer="天河区政务服务中心",
        recipient="张*明",
        paragraphs=[
            "您于2026年11月20日提交的《食品经营许可证核发》申请，经审查，申请材料齐全、符合法定形式，"
            "根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，决定予以受理。",
            "本机关将在承诺期限内作出决定。您可凭办件编号和查询码通过“通办”网上办事大厅或扫描下方二维码查询办理进度。",
        ],
        fields=[("办件编号", "TB20261120000123"), ("查询码", "7KQ4-9XPM"), ("承诺办结日期", "2026年12月3日")],
        qr_url="https://tongban.example.gov.cn/q/TB20261120000123?c=7KQ4-9XPM",
        date=datetime.date(2026, 11, 23),
    )
    columns = ["序号", "部门", "事项", "办件量", "按时办结率"]
    rows = [[i, f"天河区第{i % 7}局", f"事项{i}", i * 3, f"{i % 100}.5%"] for i in range(1, 401)]

    def report() -> bytes:
        return render_table_report(
            title="2026年11月办件统计月报", subtitle="统计范围：天河区", columns=columns, rows=rows
        )

    start = time.perf_counter()
    get_fontset()
    render_notice(notice)
    first = (time.perf_counter() - start) * 1000
    print(f"fonts: {', '.join(get_fontset().files)}")
    print(f"first render incl. font parsing: {first:.0f} ms (once per process)")

    ref_wall, ref_cpu, _ = timed(reference_page, args.runs)
    print(f"reference  Helvetica page      {ref_wall:7.1f} ms/page wall  {ref_cpu:7.1f} ms/page CPU")
    for label, fn in (
        ("notice     受理通知书 + QR", lambda: render_notice(notice)),
        ("report     20-page table", report),
    ):
        wall, cpu, pdf = timed(fn, args.runs)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        print(
            f"{label:<22} {wall / pages:7.1f} ms/page wall  {cpu / pages:7.1f} ms/page CPU  "
            f"({pages} pages, {len(pdf) / 1024:.0f} KiB, {cpu / pages / ref_cpu:.1f}× reference)"
        )


if __name__ == "__main__":
    main()
