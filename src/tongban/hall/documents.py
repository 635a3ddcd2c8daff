"""The printed ticket slip as a `Notice` for tongban.common.pdf (plain data in, PDF bytes out)."""

from __future__ import annotations

from django.utils import timezone

from tongban.common.pdf import Notice, chinese_date, render_notice

from .models import Ticket


def ticket_notice(ticket: Ticket, *, ahead: int) -> Notice:
    issued = timezone.localtime(ticket.issued_at)
    paragraphs = [
        f"您的号码是 {ticket.number}（{ticket.category.name}）。"
        "请留意大厅显示屏和语音叫号，叫到后请到指定窗口办理。",
        f"取号时您前面还有 {ahead} 人等候。过号请到咨询导办台重新安排。",
    ]
    if ticket.appointment_due_at:
        paragraphs.insert(1, f"预约时段 {timezone.localtime(ticket.appointment_due_at):%H:%M} 起优先叫号。")
    return Notice(
        title="排队号票",
        number=ticket.number,
        issuer=ticket.hall.name,
        recipient="",
        paragraphs=paragraphs,
        date=ticket.service_date,
        fields=[
            ("号码", ticket.number),
            ("类别", ticket.category.name),
            ("取号时间", f"{chinese_date(issued.date())} {issued:%H:%M}"),  # issued is local time
        ],
        footer="本号票当日有效。",
        seal=False,
    )


def ticket_pdf(ticket: Ticket, *, ahead: int) -> bytes:
    return render_notice(ticket_notice(ticket, ahead=ahead))
