"""Status values of the notification log (DESIGN rule 2: TextChoices, never bare strings)."""

from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    IN_APP = "in_app", "站内消息"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败（待重试）"
    GAVE_UP = "gave_up", "已放弃"

    @classmethod
    def sendable(cls) -> set[str]:
        """States from which a send attempt may start (a due retry or a first send)."""
        return {cls.QUEUED, cls.FAILED}

    @classmethod
    def final(cls) -> set[str]:
        return {cls.SENT, cls.GAVE_UP}


class MessageEventKind(models.TextChoices):
    SENT = "sent", "发送成功"
    FAILED = "failed", "发送失败"
    GAVE_UP = "gave_up", "放弃重试"
    INTERRUPTED = "interrupted", "发送中断"
    RESENT = "resent", "人工重发"
    READ = "read", "已读"
