"""Appointments: book, cancel, check in (→ a ticket ahead of walk-ins within its slot), no-show sweep.

Capacity and double booking hold under concurrency: a booking locks its category's slot settings row, so
bookings of one category are counted one after the other; two partial unique constraints (same person same
slot; same person same item same day) back the checks across categories.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.catalogue.choices import ItemStatus
from tongban.catalogue.models import ServiceItem
from tongban.common.errors import Conflict, IllegalTransition, NotAllowed, NotFound, ValidationFailed
from tongban.common.pdf import chinese_date
from tongban.common.validators import validate_identity_number
from tongban.common.workflow import lock, record, save_with_version
from tongban.workdays.calendar import add_working_days

from .. import conf
from ..choices import AppointmentEventKind, AppointmentStatus, TicketSource
from ..models import Appointment, AppointmentEvent, AppointmentSlotConfig, KioskSession, QueueCategory, Ticket
from ..permissions import require_hall_clerk
from ..selectors import booking_blocked_until, category_for_item
from ..slots import day_slots
from ..transitions import APPOINTMENT
from .tickets import issue

if TYPE_CHECKING:
    from tongban.common.types import AnyUser, User

A = AppointmentStatus
_MISSING = "预约不存在。"


def _booking_code() -> str:
    for _ in range(20):
        code = f"{secrets.randbelow(10**8):08d}"
        if not Appointment.objects.filter(booking_code=code).exists():
            return code
    raise Conflict("预约码生成失败，请重试。")


def appointment_book(
    *, actor: AnyUser, hall_id: int, item_id: int, slot_date: dt.date, slot_start: dt.time
) -> Appointment:
    """预约: an applicant books a slot at a hall for one item."""
    if not actor.is_authenticated or not actor.is_applicant:
        raise NotAllowed("请以申请人身份登录后预约。")
    item = ServiceItem.objects.filter(pk=item_id, status=ItemStatus.PUBLISHED).first()
    if item is None:
        raise ValidationFailed("办理事项无效：请选择已发布的事项。", field="item")
    until = booking_blocked_until(user=actor)
    if until is not None:
        raise NotAllowed(
            f"您在近 {conf.no_show_window_days()} 天内有 {conf.no_show_limit()} 次预约未到，"
            f"{chinese_date(until)}前不能在线预约。如需办理，请到大厅现场取号。",
            code="booking_blocked",
        )
    category = category_for_item(hall_id=hall_id, item=item)
    with transaction.atomic():
        config = (
            AppointmentSlotConfig.objects.select_for_update()
            .filter(hall_id=hall_id, category=category, is_active=True)
            .first()
        )
        if config is None:
            raise ValidationFailed("该大厅暂未开放此类事项的预约。", field="hall")
        today = timezone.localdate()
        if slot_date < today or slot_date > add_working_days(today, config.days_ahead):
            raise ValidationFailed(
                f"预约日期无效：只能预约今天起 {config.days_ahead} 个工作日内的时段。", field="slot_date"
            )
        slot = next(
            (
                s
                for s in day_slots(
                    periods=config.periods,
                    slot_minutes=config.slot_minutes,
                    capacity=config.capacity,
                    on=slot_date,
                )
                if s.start == slot_start
            ),
            None,
        )
        if slot is None:
            raise ValidationFailed("预约时段无效：该日不是工作日或不在办公时段内。", field="slot_start")
        if slot.starts_at <= timezone.now():
            raise ValidationFailed("该时段已开始，不能再预约。", field="slot_start")
        active = Appointment.objects.filter(slot_date=slot_date, status__in=A.active())
        if active.filter(user=actor, slot_start=slot_start).exists():
            raise Conflict("您已预约了这个时段，不能重复预约。", field="slot_start")
        if active.filter(user=actor, item__code=item.code).exists():
            raise Conflict("您当天已预约了这个事项，不能重复预约。", field="item")
        if (
            active.filter(hall_id=hall_id, category=category, slot_start=slot_start).count()
            >= config.capacity
        ):
            raise Conflict("该时段已约满，请选择其他时段。", field="slot_start")
        applicant = getattr(actor, "applicant", None)
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    user=actor,
                    applicant=applicant,
                    hall_id=hall_id,
                    category=category,
                    item=item,
                    slot_date=slot_date,
                    slot_start=slot.start,
                    slot_end=slot.end,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    booking_code=_booking_code(),
                )
        except IntegrityError as exc:
            raise Conflict("您已预约了这个时段或当天的这个事项，不能重复预约。") from exc
        record(
            AppointmentEvent, appointment, AppointmentEventKind.BOOKED, before="", actor=actor, note=item.name
        )
        return appointment


def appointment_cancel(*, actor: User, appointment_id: int) -> Appointment:
    """取消预约: the person (or a clerk of the hall) cancels before the slot starts."""
    with transaction.atomic():
        appointment = lock(Appointment.objects, appointment_id, missing=_MISSING)
        if not Appointment.objects.visible_to(actor).filter(pk=appointment_id).exists():
            raise NotFound(_MISSING)
        if appointment.user_id != getattr(actor, "pk", None):
            require_hall_clerk(actor, appointment.hall_id)
        after = APPOINTMENT.target("cancel", appointment.status)
        if appointment.starts_at <= timezone.now():
            raise IllegalTransition("预约时段已开始，不能取消。")
        before = appointment.status
        appointment.status = after
        appointment.cancelled_at = timezone.now()
        save_with_version(appointment, ["status", "cancelled_at"])
        record(AppointmentEvent, appointment, AppointmentEventKind.CANCELLED, before=before, actor=actor)
        return appointment


def _find_for_check_in(*, hall_id: int, booking_code: str, id_number: str, today: dt.date) -> int:
    qs = Appointment.objects.filter(hall_id=hall_id, slot_date=today, status=A.BOOKED)
    code = (booking_code or "").strip()
    if code:
        qs = qs.filter(booking_code=code)
    elif (id_number or "").strip():
        try:  # a mistyped number is told as such, not as "no booking found"
            _kind, ident = validate_identity_number(id_number)
        except DjangoValidationError as exc:
            raise ValidationFailed(f"证件号码：{exc.messages[0]}", field="id_number") from None
        qs = (
            qs.filter(applicant__id_number=ident)
            | qs.filter(applicant__credit_code=ident)
            | qs.filter(user__username=ident)
        )
    else:
        raise ValidationFailed("请输入预约码或证件号码。", field="booking_code")
    found = qs.order_by("starts_at", "id").values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(
            "未找到您今天在本大厅的有效预约，请核对预约码或证件号码。", code="appointment_not_found"
        )
    return found


def appointment_check_in(
    *,
    hall_id: int,
    booking_code: str = "",
    id_number: str = "",
    actor: AnyUser | None = None,
    kiosk_session: KioskSession | None = None,
) -> Ticket:
    """签到: today's booking becomes a ticket that goes ahead of walk-ins once its slot has started.

    At a kiosk (no staff actor) the booking code or the ID number is the proof; a clerk may check in for
    the person. Allowed from HALL_CHECKIN_EARLY_MINUTES before the slot until the slot ends.
    """
    if actor is not None and actor.is_authenticated and kiosk_session is None:
        require_hall_clerk(actor, hall_id)
    elif kiosk_session is None or kiosk_session.hall_id != hall_id:
        raise NotAllowed("请在大厅的自助终端或窗口签到。")
    now = timezone.now()
    appointment_id = _find_for_check_in(
        hall_id=hall_id, booking_code=booking_code, id_number=id_number, today=timezone.localdate(now)
    )
    with transaction.atomic():
        appointment = lock(Appointment.objects, appointment_id, missing=_MISSING)
        after = APPOINTMENT.target("check_in", appointment.status)
        early = appointment.starts_at - dt.timedelta(minutes=conf.checkin_early_minutes())
        if now < early:
            raise ValidationFailed(
                f"签到时间未到：请于 {timezone.localtime(early):%H:%M} 后签到。", field="booking_code"
            )
        if now > appointment.ends_at:
            raise ValidationFailed("预约时段已过，请现场取号办理。", field="booking_code")
        category = QueueCategory.objects.get(pk=appointment.category_id)
        ticket = issue(
            category=category,
            source=TicketSource.APPOINTMENT,
            actor=actor,
            applicant_id=appointment.applicant_id,
            kiosk_session=kiosk_session,
            appointment_due_at=appointment.starts_at,
            note=f"预约码 {appointment.booking_code}",
        )
        before = appointment.status
        appointment.status = after
        appointment.checked_in_at = now
        appointment.ticket = ticket
        save_with_version(appointment, ["status", "checked_in_at", "ticket"])
        record(
            AppointmentEvent,
            appointment,
            AppointmentEventKind.CHECKED_IN,
            before=before,
            actor=actor,
            note=ticket.number,
        )
        return ticket


def appointment_no_show_sweep(*, now: dt.datetime | None = None) -> int:
    """爽约: bookings whose slot has ended without a check-in. Idempotent; returns how many were marked."""
    now = now or timezone.now()
    ids = list(Appointment.objects.filter(status=A.BOOKED, ends_at__lt=now).values_list("pk", flat=True))
    marked = 0
    for appointment_id in ids:
        with transaction.atomic():
            appointment = lock(Appointment.objects, appointment_id, missing=_MISSING)
            if appointment.status != A.BOOKED or appointment.ends_at >= now:
                continue
            appointment.status = APPOINTMENT.target("no_show", appointment.status)
            save_with_version(appointment, ["status"])
            record(
                AppointmentEvent,
                appointment,
                AppointmentEventKind.NO_SHOW,
                before=A.BOOKED,
                note="预约时段结束未签到",
            )
            marked += 1
    return marked
