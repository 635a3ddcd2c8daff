"""The printed queue ticket (issue 12, point 7): Beijing date and time, read back from the PDF; no seal."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from pypdf import PdfReader

from tongban.hall import services
from tongban.hall.documents import ticket_pdf

BJ = dt.timezone(dt.timedelta(hours=8))


def test_a_ticket_taken_after_midnight_prints_the_beijing_day(world):
    with time_machine.travel(dt.datetime(2026, 3, 3, 0, 30, tzinfo=BJ), tick=False):  # 16:30 UTC, 2 March
        ticket = services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["B"].pk)
        pdf = ticket_pdf(ticket, ahead=3)
    [page] = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    lines = [line.strip() for line in page.splitlines()]
    assert lines[lines.index("取号时间：") + 1] == "2026年3月3日 00:30"
    assert lines[lines.index("测试区政务服务中心") + 1] == "2026年3月3日"  # dated the day of issue, no seal
    assert "3月2日" not in page and "（印章）" not in page
