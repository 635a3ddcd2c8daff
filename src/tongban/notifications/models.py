"""The message log: every SMS, e-mail and in-app message, with its delivery state and history.

A `Message` is one notification on one channel to one address. It is created inside the transaction of
the event that causes it (so a rolled-back acceptance notifies nobody) and sent after commit by a task.
`MessageEvent` rows are the append-only history of each message (sent, failed, resent, read).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tongban.common.workflow import actor_field
from tongban.organisations.scoping import Scope, ScopedQuerySet

from .choices import Channel, MessageEventKind, MessageStatus


class MessageQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope):
        """Administrators and supervisors see every message; everyone else only messages sent to them."""
        if scope.sees_everything:
            return self
        if scope.is_authenticated and scope.user_id:
            return self.filter(recipient_id=scope.user_id)
        return self.none()

    def inbox_of(self, user):
        """A user's own in-app messages (their inbox), whatever their role."""
        return self.visible_to(user).filter(recipient_id=user.pk, channel=Channel.IN_APP)

    def due(self, now=None):
        """Failed messages whose retry time has come."""
        now = now or timezone.now()
        return self.filter(status=MessageStatus.FAILED, next_attempt_at__lte=now)


class Message(models.Model):
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收用户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification_messages",
        db_index=False,  # notif_msg_inbox starts with it
    )
    address = models.CharField("接收地址", max_length=254, blank=True, help_text="手机号码或电子邮箱")
    template = models.CharField("消息模板", max_length=64)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    context = models.JSONField("模板参数", default=dict, blank=True)
    ref = models.CharField("关联对象", max_length=64, blank=True, help_text="如 case:123，便于按办件查询")
    status = models.CharField(
        "状态", max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    idempotency_key = models.CharField("幂等键", max_length=200)
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    last_attempt_at = models.DateTimeField("最近尝试时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次重试时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息日志"
        ordering = ["-created_at", "-id"]
        # Three or more rows are written per event, so every index counts: plain indexes (no
        # `varchar_pattern_ops` twin, nothing searches by prefix), none a composite already covers.
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_msg_due"),
            models.Index(fields=["recipient", "channel", "read_at"], name="notif_msg_inbox"),
            models.Index(fields=["template"], name="notif_msg_template"),
            models.Index(fields=["ref"], name="notif_msg_ref"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="notif_msg_idempotency"),
            models.CheckConstraint(
                condition=Q(channel="in_app") | Q(read_at__isnull=True), name="notif_read_only_in_app"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.template} · {self.address or self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.channel == Channel.IN_APP and self.read_at is None


class MessageEvent(models.Model):
    """Append-only history of one message: each attempt's outcome, manual resends and reading."""

    message = models.ForeignKey(Message, verbose_name="消息", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=16, choices=MessageEventKind.choices)
    attempt = models.PositiveSmallIntegerField("第几次尝试", default=0)
    detail = models.TextField("说明", blank=True)
    actor = actor_field()
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "消息事件"
        verbose_name_plural = "消息事件"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} · {self.get_kind_display()}"
