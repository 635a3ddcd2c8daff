"""The hall's records: queue categories, tickets (one row = one window visit), appointments, kiosk sessions.

Why one ticket row per window visit: a transfer closes the ticket as `transferred` and opens a new row with
the same printed number, so every served ticket (status `done`) is exactly one window visit that a rating
can attach to, with its window and clerk. A kiosk session is likewise one row a rating can attach to.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tongban.common.choices import ItemCategory
from tongban.common.models import TimeStampedModel
from tongban.common.workflow import StateEvent, subject_index
from tongban.organisations.models import ServiceHall, Window
from tongban.organisations.scoping import ScopedQuerySet

from .choices import (
    AppointmentEventKind,
    AppointmentStatus,
    KioskEndReason,
    TicketEventKind,
    TicketSource,
    TicketStatus,
)


class PublicQuerySet(ScopedQuerySet):
    """Queue categories and slot settings are public (the kiosk and the booking page show them)."""

    def scope_filter(self, scope):
        return self


class HallScopedQuerySet(ScopedQuerySet):
    """Rows of a hall: admins and supervisors see all; staff of the hall see theirs; applicants their own."""

    hall_field = "hall_id"
    owner_field: str | None = None

    def scope_filter(self, scope):
        if scope.sees_everything:
            return self
        q = Q(pk__in=[])
        if scope.hall_ids:
            q |= Q(**{f"{self.hall_field}__in": scope.hall_ids})
        if self.owner_field and scope.user_id and scope.is_applicant:
            q |= Q(**{self.owner_field: scope.user_id})
        return self.filter(q)


class QueueCategory(TimeStampedModel):
    """One queue of a hall (A 工程建设, B 经营, C 公民, D 综合咨询, E 出件 …) and what it serves.

    A window serves the category when the window's item categories meet `item_categories`, or when the
    window's kind is in `window_kinds` (the consultation desk serves 综合咨询, the issuance window 出件).
    """

    hall = models.ForeignKey(
        ServiceHall, verbose_name="大厅", on_delete=models.CASCADE, related_name="queue_categories"
    )
    code = models.CharField("号码字头", max_length=2, help_text="号码的字母前缀，如 A、B、C。")
    name = models.CharField("名称", max_length=32)
    item_categories = models.JSONField(
        "对应事项分类",
        default=list,
        blank=True,
        help_text="construction（工程建设）、business（经营）、citizen（公民）中的零个或多个。",
    )
    window_kinds = models.JSONField(
        "对应窗口类型",
        default=list,
        blank=True,
        help_text="按窗口类型服务的队列，如 consultation（咨询导办台）、issuance（出件窗口）。",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "排队类别"
        verbose_name_plural = "排队类别"
        ordering = ["hall", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["hall", "code"], name="uniq_queue_code_per_hall")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.code.isalpha() or not self.code.isupper():
            raise ValidationError({"code": "号码字头应为 1–2 个大写字母。"})
        unknown = [c for c in self.item_categories or [] if c not in ItemCategory.values]
        if unknown:
            raise ValidationError({"item_categories": f"未知的事项分类：{', '.join(unknown)}。"})

    def serves_window(self, window: Window) -> bool:
        return bool(set(self.item_categories or []) & set(window.categories or [])) or (
            window.kind in (self.window_kinds or [])
        )


class TicketCounter(models.Model):
    """Last number issued per category and day; locked while a ticket is issued so numbers never repeat."""

    category = models.ForeignKey(QueueCategory, on_delete=models.CASCADE, related_name="+")
    service_date = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "号码计数器"
        verbose_name_plural = "号码计数器"
        constraints = [
            models.UniqueConstraint(fields=["category", "service_date"], name="uniq_ticket_counter_day")
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.service_date:%Y-%m-%d}: {self.last}"


class KioskSession(models.Model):
    """One use of a kiosk, from the first touch to the return home; no person is stored (a rating can
    attach to it). `token` is what the kiosk pages carry; the numeric id is never exposed."""

    hall = models.ForeignKey(ServiceHall, verbose_name="大厅", on_delete=models.PROTECT, related_name="+")
    token = models.UUIDField("会话标识", default=uuid.uuid4, unique=True, editable=False)
    terminal = models.CharField("终端", max_length=32, blank=True)
    started_at = models.DateTimeField("开始时间", default=timezone.now, db_index=True)
    last_activity_at = models.DateTimeField("最近操作", default=timezone.now)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    end_reason = models.CharField("结束方式", max_length=16, choices=KioskEndReason.choices, blank=True)
    actions = models.JSONField("操作记录", default=list, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "自助终端会话"
        verbose_name_plural = "自助终端会话"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.hall} · {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


class TicketQuerySet(HallScopedQuerySet):
    owner_field = "applicant__user_id"


class TicketRelatedQuerySet(HallScopedQuerySet):
    hall_field = "ticket__hall_id"


class AppointmentEventQuerySet(HallScopedQuerySet):
    hall_field = "appointment__hall_id"


class Ticket(models.Model):
    """号票: one visit to a window. `queued_at` orders the queue; `waiting_since` measures the wait."""

    hall = models.ForeignKey(
        ServiceHall, verbose_name="大厅", on_delete=models.PROTECT, related_name="tickets"
    )
    category = models.ForeignKey(
        QueueCategory, verbose_name="排队类别", on_delete=models.PROTECT, related_name="tickets"
    )
    number = models.CharField("号码", max_length=8)
    seq = models.PositiveIntegerField("当日序号")
    service_date = models.DateField("日期", db_index=True)
    source = models.CharField("来源", max_length=16, choices=TicketSource.choices)
    is_priority = models.BooleanField("特呼号", default=False)
    priority_note = models.CharField("预审说明", max_length=255, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING, db_index=True
    )
    target_window = models.ForeignKey(
        Window,
        verbose_name="指定窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="转移到某一窗口的号只由该窗口叫。",
    )
    window = models.ForeignKey(
        Window,
        verbose_name="办理窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发号人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    kiosk_session = models.ForeignKey(
        KioskSession,
        verbose_name="自助终端会话",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    transferred_from = models.OneToOneField(
        "self",
        verbose_name="转自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transferred_to",
    )
    appointment_due_at = models.DateTimeField("预约时段开始", null=True, blank=True)
    issued_at = models.DateTimeField("取号时间", default=timezone.now)
    waiting_since = models.DateTimeField("开始等候")
    queued_at = models.DateTimeField("排队时间")
    called_at = models.DateTimeField("首次叫号", null=True, blank=True)
    last_called_at = models.DateTimeField("最近叫号", null=True, blank=True, db_index=True)
    call_count = models.PositiveSmallIntegerField("叫号次数", default=0)
    started_at = models.DateTimeField("开始办理", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本号", default=1)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = "号票"
        verbose_name_plural = "号票"
        ordering = ["-service_date", "queued_at", "id"]
        indexes = [
            models.Index(fields=["hall", "service_date", "status"]),
            models.Index(fields=["category", "service_date", "status", "queued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.service_date:%Y-%m-%d}）"

    @property
    def wait_seconds(self) -> int | None:
        if self.called_at is None:
            return None
        return max(0, int((self.called_at - self.waiting_since).total_seconds()))

    @property
    def service_seconds(self) -> int | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.started_at).total_seconds()))


class TicketCase(models.Model):
    """A case handled during a window visit; kept here so the hall knows its visits' cases either way."""

    ticket = models.ForeignKey(
        Ticket, verbose_name="号票", on_delete=models.CASCADE, related_name="case_links"
    )
    case_id = models.BigIntegerField("办件 ID")
    case_number = models.CharField("办件编号", max_length=32)
    visit_id = models.BigIntegerField("到场记录 ID", null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关联人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    linked_at = models.DateTimeField("关联时间", default=timezone.now)

    objects = TicketRelatedQuerySet.as_manager()

    class Meta:
        verbose_name = "号票关联办件"
        verbose_name_plural = "号票关联办件"
        constraints = [models.UniqueConstraint(fields=["ticket", "case_id"], name="uniq_ticket_case")]

    def __str__(self) -> str:
        return f"{self.ticket.number} · {self.case_number}"


class TicketEvent(StateEvent):
    """Append-only log of a ticket: who did what at which window, from which state to which."""

    subject_field = "ticket"

    ticket = models.ForeignKey(Ticket, verbose_name="号票", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=24, choices=TicketEventKind.choices)
    window = models.ForeignKey(
        Window, verbose_name="窗口", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField("详情", default=dict, blank=True)
    # Also read across tickets by time (the hall's waiting figures).
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    objects = TicketRelatedQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        verbose_name = "号票日志"
        verbose_name_plural = "号票日志"
        ordering = ["ticket", "at", "id"]
        indexes = [subject_index("ticket", "ticketevent_ticket_at")]

    @classmethod
    def subject_defaults(cls, subject):
        return {"window": subject.window}  # the window the ticket is at, unless the writer names one

    def __str__(self) -> str:
        return f"{self.ticket.number} · {self.get_kind_display()}"


class AppointmentSlotConfig(TimeStampedModel):
    """How a hall offers appointments for one queue category: slot length, capacity, opening periods."""

    hall = models.ForeignKey(ServiceHall, verbose_name="大厅", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        QueueCategory, verbose_name="排队类别", on_delete=models.CASCADE, related_name="slot_configs"
    )
    slot_minutes = models.PositiveSmallIntegerField("每时段分钟数", default=30)
    capacity = models.PositiveSmallIntegerField("每时段可预约人数", default=5)
    periods = models.JSONField(
        "办公时段",
        default=list,
        help_text='如 [["09:00", "12:00"], ["13:30", "17:00"]]，只在工作日开放。',
    )
    days_ahead = models.PositiveSmallIntegerField("可预约工作日数", default=10)
    is_active = models.BooleanField("启用", default=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "预约时段设置"
        verbose_name_plural = "预约时段设置"
        constraints = [models.UniqueConstraint(fields=["hall", "category"], name="uniq_slot_config")]

    def __str__(self) -> str:
        return f"{self.hall} · {self.category}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .slots import parse_periods

        if self.category_id and self.hall_id and self.category.hall_id != self.hall_id:
            raise ValidationError({"category": "排队类别不属于该大厅。"})
        try:
            parse_periods(self.periods)
        except ValueError as exc:
            raise ValidationError({"periods": str(exc)}) from exc


class AppointmentQuerySet(HallScopedQuerySet):
    owner_field = "user_id"


class Appointment(models.Model):
    """预约: a person, an item, a slot. Check-in turns it into a ticket (source appointment)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="预约人", on_delete=models.PROTECT, related_name="appointments"
    )
    applicant = models.ForeignKey(
        "accounts.Applicant",
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    hall = models.ForeignKey(ServiceHall, verbose_name="大厅", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        QueueCategory, verbose_name="排队类别", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem", verbose_name="办理事项", on_delete=models.PROTECT, related_name="+"
    )
    slot_date = models.DateField("预约日期", db_index=True)
    slot_start = models.TimeField("时段开始")
    slot_end = models.TimeField("时段结束")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间", db_index=True)
    booking_code = models.CharField("预约码", max_length=8, unique=True)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
        db_index=True,
    )
    ticket = models.OneToOneField(
        Ticket,
        verbose_name="签到号票",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointment",
    )
    created_at = models.DateTimeField("预约时间", default=timezone.now)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["slot_date", "slot_start", "id"]
        constraints = [
            # The database backs the service's checks, so two parallel bookings cannot both pass.
            models.UniqueConstraint(
                fields=["user", "slot_date", "slot_start"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="uniq_appointment_person_slot",
            ),
            models.UniqueConstraint(
                fields=["user", "item", "slot_date"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="uniq_appointment_person_item_day",
            ),
        ]
        indexes = [models.Index(fields=["category", "slot_date", "slot_start", "status"])]

    def __str__(self) -> str:
        return f"{self.booking_code} · {self.slot_date:%Y-%m-%d} {self.slot_start:%H:%M}"


class AppointmentEvent(StateEvent):
    """Append-only log of an appointment."""

    subject_field = "appointment"

    appointment = models.ForeignKey(
        Appointment, verbose_name="预约", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("事件", max_length=24, choices=AppointmentEventKind.choices)

    objects = AppointmentEventQuerySet.as_manager()

    class Meta(StateEvent.Meta):
        verbose_name = "预约日志"
        verbose_name_plural = "预约日志"
        ordering = ["appointment", "at", "id"]
        indexes = [subject_index("appointment", "apptevent_appt_at")]

    def __str__(self) -> str:
        return f"{self.appointment} · {self.get_kind_display()}"
