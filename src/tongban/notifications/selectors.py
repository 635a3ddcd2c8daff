"""Reads of the notifications app; every one goes through `Message.objects.visible_to(user)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tongban.common.errors import NotAllowed, NotFound

from .models import Message
from .permissions import can_view_log

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


def inbox_list(*, user: AnyUser, unread_only: bool = False) -> QuerySet[Message]:
    """The user's own in-app messages, newest first."""
    qs = Message.objects.inbox_of(user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def inbox_unread_count(*, user: AnyUser) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.inbox_of(user).filter(read_at__isnull=True).count()


def log_list(
    *, user: AnyUser, status: str = "", channel: str = "", template: str = "", ref: str = ""
) -> QuerySet[Message]:
    """The delivery log as the user may see it, filtered; raises NotAllowed for non-staff."""
    if not can_view_log(user):
        raise NotAllowed("只有工作人员可以查看消息日志。")
    qs = Message.objects.visible_to(user).select_related("recipient")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if template:
        qs = qs.filter(template=template)
    if ref:
        qs = qs.filter(ref=ref.strip())
    return qs


def log_message(*, user: AnyUser, message_id: int) -> Message:
    """One message of the log with its history; NotFound when it is outside the user's scope."""
    if not can_view_log(user):
        raise NotAllowed("只有工作人员可以查看消息日志。")
    message = Message.objects.visible_to(user).select_related("recipient").filter(pk=message_id).first()
    if message is None:
        raise NotFound("消息不存在或您无权查看。", field="id")
    return message


def message_events(message: Message) -> QuerySet:
    """A message's delivery history with who acted (the caller has found the message in its scope)."""
    return message.events.select_related("actor")
