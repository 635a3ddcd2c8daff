"""Reads of the hall: board data, queues, slots, a clerk's window, booking blocks and the waiting figures.

Every staff read goes through `.visible_to(user)`; the board, the slots and the queue categories are public.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone

from tongban.common.errors import NotAllowed, NotFound, ValidationFailed
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import ServiceHall, StaffAssignment, Window
from tongban.workdays.calendar import CalendarMissing, add_working_days

from . import conf
from .choices import AppointmentStatus, TicketEventKind, TicketSource, TicketStatus
from .models import Appointment, AppointmentSlotConfig, QueueCategory, Ticket, TicketEvent
from .permissions import clerk_hall_ids, figure_hall_ids
from .slots import Slot, day_slots

if TYPE_CHECKING:
    from tongban.common.types import AnyUser, User

S = TicketStatus

__all__ = [
    "FigureRow",
    "HallFigures",
    "board_data",
    "booking_blocked_until",
    "booking_halls",
    "category_for_item",
    "clerk_windows",
    "hall_by_code",
    "hall_figures",
    "hall_slots",
    "kiosk_ticket",
    "my_appointments",
    "queue_categories",
    "ticket_list",
    "tickets_ahead",
    "waiting_counts",
    "window_current_ticket",
]


def hall_by_code(code: str) -> ServiceHall:
    hall = ServiceHall.objects.visible_to(None).active().filter(code=code).first()
    if hall is None:
        raise NotFound("大厅不存在或已停用。")
    return hall


def queue_category_by_code(*, hall: ServiceHall, code: str) -> QueueCategory | None:
    """An active queue of the hall by its letter (public: the booking pages name it)."""
    return QueueCategory.objects.visible_to(None).filter(hall=hall, code=code, is_active=True).first()


def figure_halls(*, user: AnyUser) -> QuerySet[ServiceHall]:
    """The active halls whose waiting figures the user may read (the figures page's hall filter)."""
    halls = ServiceHall.objects.visible_to(user).active()
    allowed = figure_hall_ids(user)
    return halls if allowed is None else halls.filter(pk__in=allowed)


def queue_categories(*, hall: ServiceHall) -> QuerySet[QueueCategory]:
    return (
        QueueCategory.objects.visible_to(None)
        .filter(hall=hall, is_active=True)
        .order_by("sort_order", "code")
    )


def waiting_counts(*, hall: ServiceHall, on: dt.date | None = None) -> list[dict]:
    """Waiting tickets per active category today (a transferred-to-window ticket counts in its category)."""
    on = on or timezone.localdate()
    counts = dict(
        Ticket.objects.filter(hall=hall, service_date=on, status=S.WAITING)
        .values("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    return [
        {"code": c.code, "name": c.name, "category_id": c.pk, "waiting": counts.get(c.pk, 0)}
        for c in queue_categories(hall=hall)
    ]


def board_data(*, hall: ServiceHall, recent: int = 8) -> dict:
    """What the display board shows: the latest call of each window, the last few calls (with event ids,
    so the board announces each call or recall once) and waiting counts per category."""
    today = timezone.localdate()
    events = list(
        TicketEvent.objects.filter(
            ticket__hall=hall,
            ticket__service_date=today,
            kind__in=[TicketEventKind.CALLED, TicketEventKind.RECALLED],
        )
        .select_related("ticket", "window")
        .order_by("-at", "-id")[:200]
    )
    per_window: dict[int, dict] = {}
    latest: list[dict] = []
    for ev in events:
        if ev.window is None:
            continue
        row = {
            "event_id": ev.pk,
            "number": ev.ticket.number,
            "window_number": ev.window.number,
            "window_name": ev.window.name,
            "at": timezone.localtime(ev.at).strftime("%H:%M:%S"),
            "status": ev.ticket.status,
            "text": f"请 {ev.ticket.number} 号到 {ev.window.number} 号窗口",
        }
        if len(latest) < recent:
            latest.append(row)
        per_window.setdefault(ev.window.pk, row)
    windows = sorted(per_window.values(), key=lambda r: r["window_number"])
    return {
        "hall": {"code": hall.code, "name": hall.name},
        "windows": windows,
        "latest": latest,
        "waiting": waiting_counts(hall=hall, on=today),
        "now": timezone.localtime().strftime("%H:%M:%S"),
    }


def clerk_windows(*, user: User) -> list[Window]:
    """Windows a clerk may work at: the assigned window first, then the other windows of their halls."""
    halls = clerk_hall_ids(user)
    if getattr(user, "is_superuser", False):
        return list(Window.objects.visible_to(user).active().select_related("hall"))
    if not halls:
        return []
    assigned = set(
        StaffAssignment.objects.filter(
            user_id=user.pk, role=StaffRole.CLERK, window__isnull=False
        ).values_list("window_id", flat=True)
    )
    windows = list(Window.objects.visible_to(user).active().filter(hall_id__in=halls).select_related("hall"))
    return sorted(windows, key=lambda w: (w.pk not in assigned, w.hall_id, w.number))


def window_current_ticket(*, window: Window) -> Ticket | None:
    return (
        Ticket.objects.filter(window=window, status__in=S.at_window())
        .select_related("category")
        .prefetch_related("case_links")
        .first()
    )


def ticket_list(
    *, user: AnyUser, hall_id: int | None = None, on: dt.date | None = None, with_case_links: bool = False
) -> QuerySet[Ticket]:
    """Tickets the user may see, newest day first; `with_case_links` loads the linked case numbers in
    one more query (the API lists them on each ticket)."""
    qs = Ticket.objects.visible_to(user).select_related("category", "window", "hall")
    if with_case_links:
        qs = qs.prefetch_related("case_links")
    if hall_id:
        qs = qs.filter(hall_id=hall_id)
    if on:
        qs = qs.filter(service_date=on)
    return qs.order_by("-service_date", "queued_at", "id")


# ---- appointments ---------------------------------------------------------------------------------


def category_for_item(*, hall_id: int, item) -> QueueCategory:
    """The hall's queue for an item's category (the first active one by sort order)."""
    for category in QueueCategory.objects.filter(hall_id=hall_id, is_active=True).order_by(
        "sort_order", "code"
    ):
        if item.category in (category.item_categories or []):
            return category
    raise ValidationFailed("该大厅不受理此类事项的预约。", field="item")


def booking_halls(item_categories) -> dict[str, list[ServiceHall]]:
    """For each item category, the active halls that take appointments for it, by level and code.

    The same rule as booking itself: the hall's queue for the category (`category_for_item`: the first
    active one by sort order) has an active slot configuration. Two queries whatever the number of halls;
    the guide asks this for a page of items, the booking page for one.
    """
    wanted = set(item_categories)
    result: dict[str, list[ServiceHall]] = {c: [] for c in wanted}
    if not wanted:
        return result
    configured = set(
        AppointmentSlotConfig.objects.visible_to(None)
        .filter(is_active=True, hall__is_active=True)
        .values_list("category_id", flat=True)
    )
    if not configured:
        return result
    categories = (
        QueueCategory.objects.visible_to(None)
        .filter(is_active=True, hall__is_active=True)
        .select_related("hall")
        .order_by("hall__level", "hall__code", "hall_id", "sort_order", "code")
    )
    first_queue: dict[tuple[int, str], QueueCategory] = {}
    for category in categories:
        for item_category in category.item_categories or []:
            first_queue.setdefault((category.hall_id, item_category), category)
    for (_hall_id, item_category), category in first_queue.items():
        if item_category in wanted and category.pk in configured:
            result[item_category].append(category.hall)
    return result


def hall_slots(*, hall: ServiceHall, category: QueueCategory, on: dt.date) -> list[Slot]:
    """Bookable slots of a day with how many places are left; [] on non-working days or out of range."""
    config = AppointmentSlotConfig.objects.filter(hall=hall, category=category, is_active=True).first()
    if config is None:
        return []
    today = timezone.localdate()
    try:
        if on < today or on > add_working_days(today, config.days_ahead):
            return []
        slots = day_slots(
            periods=config.periods, slot_minutes=config.slot_minutes, capacity=config.capacity, on=on
        )
    except CalendarMissing:
        return []
    booked = dict(
        Appointment.objects.filter(
            hall=hall, category=category, slot_date=on, status__in=AppointmentStatus.active()
        )
        .values("slot_start")
        .annotate(n=Count("id"))
        .values_list("slot_start", "n")
    )
    now = timezone.now()
    return [
        Slot(date=s.date, start=s.start, end=s.end, capacity=s.capacity, booked=booked.get(s.start, 0))
        for s in slots
        if s.starts_at > now
    ]


def booking_days(*, hall: ServiceHall, category: QueueCategory) -> list[dt.date]:
    """Working days a person may book on, from today to the booking horizon."""
    config = AppointmentSlotConfig.objects.filter(hall=hall, category=category, is_active=True).first()
    if config is None:
        return []
    today = timezone.localdate()
    try:
        days = [today] if hall_slots(hall=hall, category=category, on=today) else []
        d = today
        for _ in range(config.days_ahead):
            d = add_working_days(d, 1)
            days.append(d)
    except CalendarMissing:
        pass
    return days


def booking_blocked_until(*, user: User, today: dt.date | None = None) -> dt.date | None:
    """The day booking opens again after repeated no-shows, or None when the person may book.

    HALL_NO_SHOW_LIMIT no-shows with a slot date within the last HALL_NO_SHOW_WINDOW_DAYS natural days
    block booking until HALL_NO_SHOW_BLOCK_DAYS natural days after the latest of them. (Natural days on
    purpose: this is a courtesy rule, not a statutory working-day deadline.)
    """
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=conf.no_show_window_days())
    qs = Appointment.objects.filter(user_id=user.pk, status=AppointmentStatus.NO_SHOW, slot_date__gt=since)
    agg = qs.aggregate(n=Count("id"), last=Max("slot_date"))
    if agg["n"] < conf.no_show_limit():
        return None
    until = agg["last"] + dt.timedelta(days=conf.no_show_block_days())
    return until if until > today else None


def my_appointments(*, user: User) -> QuerySet[Appointment]:
    return (
        Appointment.objects.visible_to(user)
        .filter(user_id=user.pk)
        .select_related("hall", "item", "category", "ticket")
        .order_by("-slot_date", "-slot_start", "-id")
    )


# ---- waiting figures ------------------------------------------------------------------------------


@dataclass
class FigureRow:
    key: str
    label: str
    tickets: int = 0  # numbers taken (transfers not counted again)
    visits: int = 0  # window visits (called rows)
    served: int = 0  # done
    unserved: int = 0  # no-show + left: left without being served
    transferred: int = 0
    avg_wait: float | None = None  # seconds from joining the queue to the first call
    max_wait: int | None = None
    avg_service: float | None = None  # seconds from start to finish of served rows

    @property
    def unserved_rate(self) -> float | None:
        return self.unserved / self.tickets if self.tickets else None


@dataclass
class HallFigures:
    date_from: dt.date
    date_to: dt.date
    hall_ids: list[int] | None
    total: FigureRow
    by_category: list[FigureRow]
    by_window: list[FigureRow]
    by_hour: list[FigureRow]


_WAIT = ExpressionWrapper(F("called_at") - F("waiting_since"), output_field=DurationField())
_SERVICE = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
_CALLED = Q(called_at__isnull=False)
_TIMED = Q(status=S.DONE, started_at__isnull=False, ended_at__isnull=False)
# The figures of one row, computed by the database (a city's halls take a million tickets a year).
_FIGURES = {
    "f_tickets": Count("id", filter=~Q(source=TicketSource.TRANSFER)),
    "f_visits": Count("id", filter=_CALLED),
    "f_served": Count("id", filter=Q(status=S.DONE)),
    "f_unserved": Count("id", filter=Q(status__in=S.unserved())),
    "f_transferred": Count("id", filter=Q(status=S.TRANSFERRED)),
    "f_avg_wait": Avg(_WAIT, filter=_CALLED),
    "f_max_wait": Max(_WAIT, filter=_CALLED),
    "f_avg_service": Avg(_SERVICE, filter=_TIMED),
}


def _seconds(value) -> float | None:
    """A duration from the database as seconds (never below 0: a clock set back must not count)."""
    if value is None:
        return None
    return max(0.0, value.total_seconds() if isinstance(value, dt.timedelta) else value / 1_000_000)


def _figure_row(key: str, label: str, values: Mapping[str, Any]) -> FigureRow:
    max_wait = _seconds(values["f_max_wait"])
    return FigureRow(
        key=key,
        label=label,
        tickets=values["f_tickets"],
        visits=values["f_visits"],
        served=values["f_served"],
        unserved=values["f_unserved"],
        transferred=values["f_transferred"],
        avg_wait=_seconds(values["f_avg_wait"]),
        max_wait=int(max_wait) if max_wait is not None else None,
        avg_service=_seconds(values["f_avg_service"]),
    )


def hall_figures(
    *, user: AnyUser, date_from: dt.date, date_to: dt.date, hall_id: int | None = None
) -> HallFigures:
    """Waiting and service times and unserved counts per category, window and hour of day (the hour the
    person joined the queue), over [date_from, date_to]. Hall staff see their halls; admins and
    supervisors all. Reused by the performance pages. Four aggregate queries, whatever the number of
    tickets (times to the microsecond, as stored)."""
    if date_to < date_from:
        raise ValidationFailed("结束日期不能早于开始日期。", field="date_to")
    allowed = figure_hall_ids(user)
    if allowed is not None and not allowed:
        raise NotAllowed("只有大厅工作人员、监察人员和管理员可以查看等候统计。")
    if hall_id is not None and allowed is not None and hall_id not in allowed:
        raise NotAllowed("您无权查看该大厅的统计。")
    qs = Ticket.objects.visible_to(user).filter(service_date__gte=date_from, service_date__lte=date_to)
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    elif allowed is not None:
        qs = qs.filter(hall_id__in=allowed)
    qs = qs.order_by()
    total = _figure_row("all", "合计", qs.aggregate(**_FIGURES))
    by_category = sorted(
        (
            _figure_row(v["category__code"], f"{v['category__code']} {v['category__name']}", v)
            for v in qs.values("category_id", "category__code", "category__name").annotate(**_FIGURES)
        ),
        key=lambda r: r.key,
    )
    by_window = sorted(
        (
            _figure_row(str(v["window__number"]), f"{v['window__number']} 号窗口（{v['window__name']}）", v)
            for v in qs.filter(window__isnull=False)
            .values("window_id", "window__number", "window__name")
            .annotate(**_FIGURES)
        ),
        key=lambda r: int(r.key),
    )
    by_hour = sorted(
        (
            _figure_row(str(v["hour"]), f"{v['hour']:02d}:00–{v['hour'] + 1:02d}:00", v)
            for v in qs.annotate(hour=ExtractHour("waiting_since")).values("hour").annotate(**_FIGURES)
        ),
        key=lambda r: int(r.key),
    )
    return HallFigures(
        date_from=date_from,
        date_to=date_to,
        hall_ids=[hall_id] if hall_id else (sorted(allowed) if allowed is not None else None),
        total=total,
        by_category=by_category,
        by_window=by_window,
        by_hour=by_hour,
    )


def tickets_ahead(*, ticket: Ticket) -> int:
    """Waiting tickets of the same category queued before this one (what the slip tells the person)."""
    return Ticket.objects.filter(
        hall_id=ticket.hall_id,
        category_id=ticket.category_id,
        service_date=ticket.service_date,
        status=S.WAITING,
        queued_at__lt=ticket.queued_at,
    ).count()


def kiosk_ticket(*, hall: ServiceHall, token: str | None, ticket_id: int) -> Ticket:
    """A ticket taken in this (still open) kiosk session; anything else is NotFound (no browsing by id)."""
    from .services.kiosk import _parse

    parsed = _parse(token)
    ticket = (
        Ticket.objects.select_related("category", "hall")
        .filter(pk=ticket_id, hall=hall, kiosk_session__token=parsed, kiosk_session__ended_at__isnull=True)
        .first()
        if parsed
        else None
    )
    if ticket is None:
        raise NotFound("号票不存在或本次自助服务已结束。")
    return ticket
