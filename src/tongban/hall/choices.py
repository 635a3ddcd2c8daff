"""Status values and event kinds of the hall (tickets, appointments, kiosk sessions)."""

from django.db import models


class TicketSource(models.TextChoices):
    WALK_IN = "walk_in", "现场取号"
    KIOSK = "kiosk", "自助终端取号"
    STAFF = "staff", "工作人员代取"
    APPOINTMENT = "appointment", "预约签到"
    PRIORITY = "priority", "特呼号"
    TRANSFER = "transfer", "转移"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    SERVING = "serving", "办理中"
    DONE = "done", "已办结"
    NO_SHOW = "no_show", "未到"
    TRANSFERRED = "transferred", "已转移"
    LEFT = "left", "已离开"

    @classmethod
    def open(cls) -> list[str]:
        return [cls.WAITING, cls.CALLED, cls.SERVING]

    @classmethod
    def at_window(cls) -> list[str]:
        return [cls.CALLED, cls.SERVING]

    @classmethod
    def unserved(cls) -> list[str]:
        """Left without being served (走失): the figure halls report as 弃号."""
        return [cls.NO_SHOW, cls.LEFT]


class TicketEventKind(models.TextChoices):
    ISSUED = "issued", "取号"
    CALLED = "called", "叫号"
    RECALLED = "recalled", "重呼"
    STARTED = "started", "开始办理"
    FINISHED = "finished", "办理完成"
    NO_SHOW = "no_show", "标记未到"
    TRANSFERRED = "transferred", "转移"
    LEFT = "left", "离开"
    CASE_LINKED = "case_linked", "关联办件"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    CANCELLED = "cancelled", "已取消"
    CHECKED_IN = "checked_in", "已签到"
    NO_SHOW = "no_show", "爽约"

    @classmethod
    def active(cls) -> list[str]:
        return [cls.BOOKED, cls.CHECKED_IN]


class AppointmentEventKind(models.TextChoices):
    BOOKED = "booked", "预约"
    CANCELLED = "cancelled", "取消预约"
    CHECKED_IN = "checked_in", "签到"
    NO_SHOW = "no_show", "爽约"


class KioskEndReason(models.TextChoices):
    IDLE = "idle", "无操作自动返回"
    HOME = "home", "返回首页"
    EXPIRED = "expired", "超时清理"
