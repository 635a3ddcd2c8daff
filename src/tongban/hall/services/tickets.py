"""Tickets: take, priority, call next, recall, start, finish, no-show, transfer, leave, link cases.

Every change locks the ticket (or, for a call, the window and then the chosen ticket), checks the move in
`transitions.TICKET`, writes the new state and a TicketEvent in one transaction (common.workflow).

Race-free numbering: the per-category, per-day TicketCounter row is locked while a number is drawn.
Race-free calling: the candidate ticket is chosen with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so
two windows calling at the same instant each lock a different ticket; on SQLite every write transaction
is IMMEDIATE (settings), which serialises callers at BEGIN.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from tongban.common.errors import Conflict, NotFound, ValidationFailed
from tongban.common.workflow import lock, record, save_with_version
from tongban.organisations.models import ServiceHall, Window

from ..choices import TicketEventKind, TicketSource, TicketStatus
from ..models import KioskSession, QueueCategory, Ticket, TicketCase, TicketCounter, TicketEvent
from ..permissions import require_hall_clerk
from ..transitions import TICKET

if TYPE_CHECKING:
    from tongban.common.types import AnyUser, User

S = TicketStatus

TRANSITIONS = TICKET.moves
TAKE_SOURCES = (TicketSource.WALK_IN, TicketSource.KIOSK, TicketSource.STAFF)


def _lock(ticket_id: int, expected_version: int | None = None) -> Ticket:
    return lock(
        Ticket.objects,
        ticket_id,
        expected_version,
        missing="号票不存在。",
        stale="该号票已被他人处理，请刷新后重试。",
    )


def _category(hall: ServiceHall, category_id: int) -> QueueCategory:
    category = QueueCategory.objects.filter(pk=category_id, hall=hall, is_active=True).first()
    if category is None:
        raise ValidationFailed("排队类别无效：该大厅没有这个类别或已停用。", field="category")
    return category


def _hall(hall_id: int) -> ServiceHall:
    hall = ServiceHall.objects.filter(pk=hall_id, is_active=True).first()
    if hall is None:
        raise NotFound("大厅不存在或已停用。")
    return hall


def _draw_number(category: QueueCategory, day: dt.date) -> int:
    """The next number of a category today, drawn under the counter row's lock (never repeated)."""
    TicketCounter.objects.get_or_create(category=category, service_date=day)
    counter = TicketCounter.objects.select_for_update().get(category=category, service_date=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def issue(
    *,
    category: QueueCategory,
    source: str,
    actor: AnyUser | None = None,
    applicant_id: int | None = None,
    kiosk_session: KioskSession | None = None,
    is_priority: bool = False,
    priority_note: str = "",
    appointment_due_at: dt.datetime | None = None,
    note: str = "",
) -> Ticket:
    """Draw a number and create the waiting ticket with its ISSUED event (callers hold the transaction)."""
    now = timezone.now()
    day = timezone.localdate(now)
    seq = _draw_number(category, day)
    ticket = Ticket.objects.create(
        hall_id=category.hall_id,
        category=category,
        number=f"{category.code}{seq:03d}",
        seq=seq,
        service_date=day,
        source=source,
        is_priority=is_priority,
        priority_note=priority_note[:255],
        issued_by=actor if actor is not None and actor.is_authenticated else None,
        applicant_id=applicant_id,
        kiosk_session=kiosk_session,
        appointment_due_at=appointment_due_at,
        issued_at=now,
        waiting_since=now,
        queued_at=now,
    )
    record(TicketEvent, ticket, TicketEventKind.ISSUED, before="", actor=actor, note=note, source=source)
    return ticket


def ticket_take(
    *,
    hall_id: int,
    category_id: int,
    source: str = TicketSource.WALK_IN,
    actor: User | None = None,
    applicant_id: int | None = None,
    kiosk_session: KioskSession | None = None,
) -> Ticket:
    """取号: a person takes a number at a kiosk, on their phone, or a clerk takes one for them."""
    if source not in TAKE_SOURCES:
        raise ValidationFailed("取号来源无效。", field="source")
    with transaction.atomic():
        hall = _hall(hall_id)
        if source == TicketSource.STAFF:
            require_hall_clerk(actor, hall.pk)
        if source == TicketSource.KIOSK and (kiosk_session is None or kiosk_session.hall_id != hall.pk):
            raise ValidationFailed("自助终端会话无效，请返回首页重新操作。", field="kiosk_session")
        category = _category(hall, category_id)
        return issue(
            category=category,
            source=source,
            actor=actor,
            applicant_id=applicant_id,
            kiosk_session=kiosk_session,
        )


def ticket_issue_priority(
    *, actor: User, hall_id: int, category_id: int, note: str, applicant_id: int | None = None
) -> Ticket:
    """特呼号: the guide desk pre-checked the materials and sends the person ahead of the queue."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请填写预审说明：特呼号须在材料预审后发放。", field="note")
    with transaction.atomic():
        hall = _hall(hall_id)
        require_hall_clerk(actor, hall.pk)
        category = _category(hall, category_id)
        return issue(
            category=category,
            source=TicketSource.PRIORITY,
            actor=actor,
            applicant_id=applicant_id,
            is_priority=True,
            priority_note=note,
            note=note,
        )


def window_categories(window: Window) -> list[int]:
    """Ids of the active queue categories a window serves."""
    return [
        c.pk
        for c in QueueCategory.objects.filter(hall_id=window.hall_id, is_active=True)
        if c.serves_window(window)
    ]


def next_candidates(window: Window, *, now: dt.datetime) -> QuerySet[Ticket]:
    """Waiting tickets a window may call, best first: 特呼号, then checked-in appointments whose slot has
    started, then first come first served (by `queued_at`)."""
    return (
        Ticket.objects.filter(hall_id=window.hall_id, service_date=timezone.localdate(now), status=S.WAITING)
        .filter(
            Q(target_window=window) | Q(target_window__isnull=True, category_id__in=window_categories(window))
        )
        .annotate(
            rank=Case(
                When(is_priority=True, then=Value(0)),
                When(appointment_due_at__lte=now, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "queued_at", "id")
    )


def _lock_window(window_id: int) -> Window:
    window = Window.objects.select_for_update().filter(pk=window_id, is_active=True).first()
    if window is None:
        raise NotFound("窗口不存在或已停用。")
    return window


def ticket_call_next(*, actor: User, window_id: int) -> Ticket:
    """叫号: the window takes the best waiting ticket among the categories it serves.

    The window row is locked first (one call at a time per window, and the window must be free); the
    ticket row is locked with SKIP LOCKED so a parallel caller at another window takes the next one.
    """
    with transaction.atomic():
        window = _lock_window(window_id)
        require_hall_clerk(actor, window.hall_id)
        now = timezone.now()
        busy = Ticket.objects.filter(window=window, status__in=S.at_window()).first()
        if busy is not None:
            raise Conflict(
                f"本窗口的 {busy.number} 号还在“{busy.get_status_display()}”，请先完成、转移或标记未到。",
                code="window_busy",
            )
        qs = next_candidates(window, now=now)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ticket = qs.first()
        if ticket is None:
            raise NotFound("当前没有等候的号。", code="queue_empty")
        before = ticket.status
        ticket.status = TICKET.target("call", ticket.status, subject=ticket)
        ticket.window = window
        ticket.served_by = actor
        ticket.called_at = now
        ticket.last_called_at = now
        ticket.call_count = 1
        save_with_version(
            ticket, ["status", "window", "served_by", "called_at", "last_called_at", "call_count"]
        )
        record(TicketEvent, ticket, TicketEventKind.CALLED, before=before, actor=actor, window=window)
        return ticket


def _at_window(
    actor: User, ticket_id: int, action: str, expected_version: int | None
) -> tuple[Ticket, str, str]:
    ticket = _lock(ticket_id, expected_version)
    require_hall_clerk(actor, ticket.hall_id)
    before = ticket.status
    return ticket, before, TICKET.target(action, before, subject=ticket)


def ticket_recall(*, actor: User, ticket_id: int, expected_version: int | None = None) -> Ticket:
    """重呼: announce the called number again (the board and the voice repeat it)."""
    with transaction.atomic():
        ticket, before, after = _at_window(actor, ticket_id, "recall", expected_version)
        now = timezone.now()
        ticket.status = after
        ticket.last_called_at = now
        ticket.call_count += 1
        save_with_version(ticket, ["status", "last_called_at", "call_count"])
        record(
            TicketEvent,
            ticket,
            TicketEventKind.RECALLED,
            before=before,
            actor=actor,
            call_count=ticket.call_count,
        )
        return ticket


def ticket_start(*, actor: User, ticket_id: int, expected_version: int | None = None) -> Ticket:
    """开始办理: the person is at the window; the service time starts."""
    with transaction.atomic():
        ticket, before, after = _at_window(actor, ticket_id, "start", expected_version)
        ticket.status = after
        ticket.started_at = timezone.now()
        ticket.served_by = actor
        save_with_version(ticket, ["status", "started_at", "served_by"])
        record(TicketEvent, ticket, TicketEventKind.STARTED, before=before, actor=actor)
        return ticket


def ticket_finish(*, actor: User, ticket_id: int, expected_version: int | None = None) -> Ticket:
    """完成: the window visit is over (a served ticket: what a rating of a window visit attaches to)."""
    with transaction.atomic():
        ticket, before, after = _at_window(actor, ticket_id, "finish", expected_version)
        ticket.status = after
        ticket.ended_at = timezone.now()
        save_with_version(ticket, ["status", "ended_at"])
        record(TicketEvent, ticket, TicketEventKind.FINISHED, before=before, actor=actor)
        return ticket


def ticket_no_show(*, actor: User, ticket_id: int, expected_version: int | None = None) -> Ticket:
    """未到: called but nobody came; the window is free again."""
    with transaction.atomic():
        ticket, before, after = _at_window(actor, ticket_id, "no_show", expected_version)
        ticket.status = after
        ticket.ended_at = timezone.now()
        save_with_version(ticket, ["status", "ended_at"])
        record(
            TicketEvent,
            ticket,
            TicketEventKind.NO_SHOW,
            before=before,
            actor=actor,
            call_count=ticket.call_count,
        )
        return ticket


def ticket_leave(
    *, actor: User, ticket_id: int, note: str = "", expected_version: int | None = None
) -> Ticket:
    """离开: the person gave up waiting (told the guide desk, or the day was closed)."""
    with transaction.atomic():
        ticket, before, after = _at_window(actor, ticket_id, "leave", expected_version)
        ticket.status = after
        ticket.ended_at = timezone.now()
        save_with_version(ticket, ["status", "ended_at"])
        record(TicketEvent, ticket, TicketEventKind.LEFT, before=before, actor=actor, note=note)
        return ticket


def ticket_transfer(
    *,
    actor: User,
    ticket_id: int,
    window_id: int | None = None,
    category_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """转移: to another window (only it calls the ticket) or another category. The old row ends as
    `transferred`; a new waiting row keeps the printed number and its place in the queue; returns it."""
    if (window_id is None) == (category_id is None):
        raise ValidationFailed("请选择转移到的窗口或类别（二选一）。", field="window")
    with transaction.atomic():
        ticket, before, after = _at_window(actor, ticket_id, "transfer", expected_version)
        target_window = None
        category = ticket.category
        if window_id is not None:
            target_window = Window.objects.filter(
                pk=window_id, hall_id=ticket.hall_id, is_active=True
            ).first()
            if target_window is None:
                raise ValidationFailed("转移窗口无效：该大厅没有这个窗口或已停用。", field="window")
            if target_window.pk == ticket.window_id:
                raise ValidationFailed("不能转移到本窗口。", field="window")
        elif category_id is not None:
            category = _category(ticket.hall, category_id)
        now = timezone.now()
        ticket.status = after
        ticket.ended_at = now
        save_with_version(ticket, ["status", "ended_at"])
        new = Ticket.objects.create(
            hall_id=ticket.hall_id,
            category=category,
            number=ticket.number,
            seq=ticket.seq,
            service_date=ticket.service_date,
            source=TicketSource.TRANSFER,
            is_priority=ticket.is_priority,
            priority_note=ticket.priority_note,
            target_window=target_window,
            issued_by=actor,
            applicant_id=ticket.applicant_id,
            kiosk_session_id=ticket.kiosk_session_id,
            transferred_from=ticket,
            appointment_due_at=ticket.appointment_due_at,
            issued_at=now,
            waiting_since=now,
            queued_at=ticket.queued_at,
        )
        where = f"{target_window.number} 号窗口" if target_window else f"{category.name}（{category.code}）"
        record(
            TicketEvent,
            ticket,
            TicketEventKind.TRANSFERRED,
            before=before,
            actor=actor,
            note=note or where,
            to_ticket=new.pk,
        )
        record(
            TicketEvent,
            new,
            TicketEventKind.ISSUED,
            before="",
            actor=actor,
            window=None,
            note=f"由 {ticket.window or '窗口'} 转入",
            from_ticket=ticket.pk,
        )
        return new


def ticket_close_day_sweep(*, before: dt.date | None = None) -> int:
    """End of day: tickets of earlier days still waiting or called are marked `left` (idempotent)."""
    before = before or timezone.localdate()
    ids = list(
        Ticket.objects.filter(service_date__lt=before, status__in=[S.WAITING, S.CALLED]).values_list(
            "pk", flat=True
        )
    )
    closed = 0
    for ticket_id in ids:
        with transaction.atomic():
            ticket = _lock(ticket_id)
            if ticket.status not in TICKET.moves["leave"]:
                continue
            previous = ticket.status
            ticket.status = S.LEFT
            ticket.ended_at = timezone.now()
            save_with_version(ticket, ["status", "ended_at"])
            record(TicketEvent, ticket, TicketEventKind.LEFT, before=previous, note="日终清理：当日未办理")
            closed += 1
    return closed


def ticket_link_case(
    *, actor: User, ticket_id: int, case_number: str, visit_kind: str = "other"
) -> TicketCase:
    """关联办件: the clerk names a case handled in this visit; the visit is recorded on the case (跑动次数)
    through the cases app, in the same transaction, so a refused visit leaves no link."""
    from tongban.cases.models import Case
    from tongban.cases.services import visit_record

    number = (case_number or "").strip()
    if not number:
        raise ValidationFailed("请填写办件编号。", field="case_number")
    with transaction.atomic():
        ticket = _lock(ticket_id)
        require_hall_clerk(actor, ticket.hall_id)
        TICKET.target("link_case", ticket.status, subject=ticket)
        case = Case.objects.visible_to(actor).filter(number=number).first()
        if case is None:
            raise NotFound(f"办件编号“{number}”不存在，或您无权查看该办件。", field="case_number")
        if TicketCase.objects.filter(ticket=ticket, case_id=case.pk).exists():
            raise Conflict(f"办件 {number} 已关联到本号票。", field="case_number")
        visit = visit_record(
            actor=actor,
            case_id=case.pk,
            kind=visit_kind,
            note=f"号票 {ticket.number}",
            hall_id=ticket.hall_id,
        )
        link = TicketCase.objects.create(
            ticket=ticket, case_id=case.pk, case_number=number, visit_id=visit.pk, linked_by=actor
        )
        if ticket.applicant_id is None:
            ticket.applicant_id = case.applicant_id
            save_with_version(ticket, ["applicant"])
        record(
            TicketEvent,
            ticket,
            TicketEventKind.CASE_LINKED,
            before=ticket.status,
            actor=actor,
            note=number,
            case_id=case.pk,
        )
        return link
