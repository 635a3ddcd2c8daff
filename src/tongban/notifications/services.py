"""Writes of the notifications app: the one `notify` interface, delivery attempts, retries, reading.

Other apps call `notify(...)` inside their own transaction. The rows are created there (a rolled-back
event notifies nobody), and so is the send task, which runs only once they commit. Delivery is at least once:
each attempt claims the row (status `sending`), talks to the backend outside any transaction (so a slow
SMTP server holds no database lock), then records the outcome and schedules a retry with backoff.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import connections, router, transaction
from django.db.models import Q
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from tongban.common.errors import IllegalTransition, NotFound
from tongban.common.tasks import enqueue_with_transaction
from tongban.common.validators import validate_mobile
from tongban.organisations.permissions import require_administrator

from . import conf
from .backends import deliver
from .choices import Channel, MessageEventKind, MessageStatus
from .models import Message, MessageEvent
from .templates import Rendered, render

if TYPE_CHECKING:
    from tongban.common.types import User

logger = logging.getLogger(__name__)

ALL_CHANNELS: tuple[str, ...] = (Channel.SMS, Channel.EMAIL, Channel.IN_APP)


def _enqueue_send(message_id: int) -> None:
    from .tasks import send_message_task

    send_message_task.enqueue(message_id)


def _enqueue_on_commit(message_ids: list[int]) -> None:
    """One send task for the messages of one event (its channels), run once the caller commits
    (`enqueue_with_transaction`: in the same transaction with the database queue). Should enqueuing
    fail after commit (another backend), the messages stay `queued` and `notify_retry` sends them."""
    from .tasks import send_message_task, send_messages_task

    if len(message_ids) == 1:
        enqueue_with_transaction(send_message_task, message_ids[0])
    elif message_ids:
        enqueue_with_transaction(send_messages_task, list(message_ids))


def _body_for(channel: str, rendered: Rendered) -> str:
    """The text a channel carries: the SMS text, the e-mail body, or the in-app text."""
    if channel == Channel.SMS:
        return rendered.sms
    if channel == Channel.EMAIL:
        return rendered.body
    return rendered.in_app


def _address_for(channel: str, *, recipient_user: User | None, mobile: str, email: str) -> tuple[str, str]:
    """(address, error) for one channel: ("", "") means no address, so no message on that channel."""
    if channel == Channel.SMS:
        raw = mobile or getattr(recipient_user, "mobile", "") or ""
        if not raw:
            return "", ""
        try:
            return validate_mobile(raw), ""
        except ValidationError as exc:
            return raw[:254], f"手机号码“{raw}”无效：{exc.messages[0]}"
    if channel == Channel.EMAIL:
        raw = (email or getattr(recipient_user, "email", "") or "").strip()
        if not raw:
            return "", ""
        try:
            validate_email(raw)
        except ValidationError:
            return raw[:254], f"电子邮箱“{raw}”格式不正确"
        return raw, ""
    # in-app: addressed to the user account itself
    return ("", "") if recipient_user is None else (str(recipient_user.pk), "")


@dataclass(frozen=True, kw_only=True)
class Notification:
    """One event to tell one recipient about (the arguments of `notify`)."""

    template: str
    context: dict
    idempotency_key: str
    recipient_user: User | None = None
    mobile: str = ""
    email: str = ""
    channels: tuple[str, ...] = ALL_CHANNELS
    ref: str = ""


def notify(
    *,
    recipient_user=None,
    mobile: str = "",
    email: str = "",
    template: str,
    context: dict,
    channels: Iterable[str] = ALL_CHANNELS,
    ref: str = "",
    idempotency_key: str,
) -> list[Message]:
    """Create one message per channel that has an address and send them after the caller commits.

    `idempotency_key` names the event (e.g. "case:123:accepted"); the channel is appended, so calling
    again for the same event returns the existing rows and sends nothing twice. Channels without an
    address (no mobile, no e-mail, no user for in-app) are skipped; an invalid address is logged as a
    message that `gave_up`, so staff see why the applicant was not told. Unknown template keys and
    missing parameters raise `NotificationTemplateError`.
    """
    return notify_many(
        [
            Notification(
                recipient_user=recipient_user,
                mobile=mobile,
                email=email,
                template=template,
                context=context,
                channels=tuple(channels),
                ref=ref,
                idempotency_key=idempotency_key,
            )
        ]
    )


def notify_many(notifications: list[Notification]) -> list[Message]:
    """`notify` for several events or recipients at once (e.g. every approver of the steps a stage
    opens): one INSERT for all their messages and one send task, with the same guarantees."""
    now = timezone.now()
    candidates: list[Message] = []
    for n in notifications:
        candidates.extend(_candidates(n, now=now))
    if not candidates:
        return []
    # A retried or concurrent call for the same event meets the unique key: its rows are skipped by
    # the INSERT and the stored ones returned instead, so nothing is sent twice.
    inserted = _insert_skipping_existing(candidates)
    messages = candidates
    if len(inserted) < len(candidates):
        skipped = [c.idempotency_key for c in candidates if c.idempotency_key not in inserted]
        stored = {m.idempotency_key: m for m in Message.objects.filter(idempotency_key__in=skipped)}
        messages = [c if c.idempotency_key in inserted else stored[c.idempotency_key] for c in candidates]
    _enqueue_on_commit(
        [m.pk for m in messages if m.idempotency_key in inserted and m.status == MessageStatus.QUEUED]
    )
    return messages


def _insert_skipping_existing(candidates: list[Message]) -> set[str]:
    """One `INSERT … ON CONFLICT DO NOTHING RETURNING id, idempotency_key` (PostgreSQL; `INSERT OR
    IGNORE … RETURNING` on SQLite): no savepoint, no second try. Sets the id of each row inserted and
    returns their idempotency keys; a row whose key is already stored is left out and waits for the
    transaction that holds it, so the stored one can be read right after."""
    meta = Message._meta
    db = router.db_for_write(Message)
    query = InsertQuery(Message, on_conflict=OnConflict.IGNORE)
    # django-stubs types `objs` as list[Model], which (list being invariant) no list[Message] matches;
    # Django reads it as any sequence of the query's model.
    query.insert_values([f for f in meta.concrete_fields if not f.primary_key], candidates)  # type: ignore[arg-type]
    compiler = query.get_compiler(using=db)
    compiler.returning_fields = [meta.pk, meta.get_field("idempotency_key")]
    ids: dict[str, int] = {}
    with connections[db].cursor() as cursor:
        for sql, params in compiler.as_sql():
            cursor.execute(sql, params)
            ids.update((key, pk) for pk, key in cursor.fetchall())
    for c in candidates:
        if c.idempotency_key in ids:
            c.pk, c._state.adding, c._state.db = ids[c.idempotency_key], False, db
    return set(ids)


def _candidates(n: Notification, *, now: dt.datetime) -> list[Message]:
    """The unsaved messages of one event, one per channel with an address."""
    if not n.idempotency_key:
        raise ValueError("notify() 需要 idempotency_key（如 “case:123:accepted”）。")
    channels = tuple(dict.fromkeys(n.channels))
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise ValueError(f"未知的消息渠道：{', '.join(unknown)}（可用：{', '.join(Channel.values)}）。")
    stored_context = json.loads(json.dumps(n.context, cls=DjangoJSONEncoder))
    rendered = render(n.template, stored_context)
    candidates = []
    for channel in channels:
        address, error = _address_for(
            channel, recipient_user=n.recipient_user, mobile=n.mobile, email=n.email
        )
        if not address:
            continue
        message = Message(
            channel=channel,
            recipient=n.recipient_user,
            address="" if channel == Channel.IN_APP else address,
            template=n.template,
            subject=rendered.subject,
            body=_body_for(channel, rendered),
            context=stored_context,
            ref=n.ref,
            idempotency_key=f"{n.idempotency_key}:{channel}",
            created_at=now,
        )
        if error:
            message.status, message.last_error = MessageStatus.GAVE_UP, error
        elif channel == Channel.IN_APP:
            message.status, message.sent_at = MessageStatus.SENT, now
        candidates.append(message)
    return candidates


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2×base, 4×base … capped."""
    seconds = conf.retry_base_seconds() * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, conf.retry_max_seconds()))


def message_send(*, message_id: int) -> str:
    """One delivery attempt of one message; returns the status afterwards (idempotent, safe to repeat).

    Skips messages already sent or given up, messages another worker is sending, and failed messages
    whose retry time has not come (a stale retry task). Records the outcome as a MessageEvent.
    """
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return "missing"
        if message.status not in MessageStatus.sendable():
            return message.status
        if (
            message.status == MessageStatus.FAILED
            and message.next_attempt_at
            and message.next_attempt_at > now
        ):
            return message.status
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.last_attempt_at = now
        message.next_attempt_at = None
        message.save(update_fields=["status", "attempts", "last_attempt_at", "next_attempt_at"])

    error = ""
    try:
        deliver(message)
    except Exception as exc:  # any backend failure is recorded and retried, never lost
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("Message %s attempt %s failed: %s", message_id, message.attempts, error)

    return _record_attempt(message_id=message_id, error=error)


def _record_attempt(*, message_id: int, error: str) -> str:
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        attempt = message.attempts
        if not error:
            message.status = MessageStatus.SENT
            message.sent_at = now
            message.next_attempt_at = None
            MessageEvent.objects.create(message=message, kind=MessageEventKind.SENT, attempt=attempt, at=now)
        elif attempt >= conf.max_attempts():
            message.status = MessageStatus.GAVE_UP
            message.last_error = error
            message.next_attempt_at = None
            MessageEvent.objects.create(
                message=message, kind=MessageEventKind.GAVE_UP, attempt=attempt, detail=error, at=now
            )
        else:
            message.status = MessageStatus.FAILED
            message.last_error = error
            message.next_attempt_at = now + retry_delay(attempt)
            MessageEvent.objects.create(
                message=message, kind=MessageEventKind.FAILED, attempt=attempt, detail=error, at=now
            )
            if _backend_supports_defer():
                from .tasks import send_message_task

                task = send_message_task.using(run_after=message.next_attempt_at)
                enqueue_with_transaction(task, message.pk)
        message.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
    return message.status


def _backend_supports_defer() -> bool:
    from .tasks import send_message_task

    return bool(send_message_task.get_backend().supports_defer)


def messages_recover_interrupted(*, now: dt.datetime | None = None) -> int:
    """Messages left `sending` past the timeout (the worker died mid-send) count as a failed attempt."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=conf.sending_timeout_seconds())
    count = 0
    stale = Message.objects.filter(status=MessageStatus.SENDING, last_attempt_at__lte=cutoff)
    for message_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            message = Message.objects.select_for_update().filter(pk=message_id).first()
            if message is None or message.status != MessageStatus.SENDING:
                continue
            detail = "发送中断：超时未确认发送结果"
            gave_up = message.attempts >= conf.max_attempts()
            message.status = MessageStatus.GAVE_UP if gave_up else MessageStatus.FAILED
            message.last_error = detail
            message.next_attempt_at = None if gave_up else now
            message.save(update_fields=["status", "last_error", "next_attempt_at"])
            MessageEvent.objects.create(
                message=message,
                kind=MessageEventKind.GAVE_UP if gave_up else MessageEventKind.INTERRUPTED,
                attempt=message.attempts,
                detail=detail,
                at=now,
            )
            count += 1
    return count


def messages_due_ids(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of messages to (re)send now: failed ones whose retry time has come, and queued ones whose
    send task was lost (older than the sending timeout)."""
    now = now or timezone.now()
    lost_before = now - dt.timedelta(seconds=conf.sending_timeout_seconds())
    due = Message.objects.filter(
        Q(status=MessageStatus.FAILED, next_attempt_at__lte=now)
        | Q(status=MessageStatus.QUEUED, created_at__lte=lost_before)
    ).order_by("next_attempt_at", "pk")
    return list(due.values_list("pk", flat=True)[:limit])


def messages_retry_due(*, now: dt.datetime | None = None, limit: int = 500, sync: bool = False) -> list[int]:
    """Recover interrupted sends, then resend every due message: enqueued (default) or sent in-process.

    Run periodically (cron: `tongban notify_retry`) where the task backend cannot defer, and as a safety
    net everywhere: a duplicate enqueue is harmless because `message_send` claims the row first.
    """
    messages_recover_interrupted(now=now)
    ids = messages_due_ids(now=now, limit=limit)
    for message_id in ids:
        if sync:
            message_send(message_id=message_id)
        else:
            _enqueue_send(message_id)
    return ids


def message_resend(*, message_id: int, actor: User) -> Message:
    """Send a message again from scratch (a fresh round of attempts); administrators only."""
    require_administrator(actor, action="重发消息")
    with transaction.atomic():
        message = Message.objects.visible_to(actor).select_for_update().filter(pk=message_id).first()
        if message is None:
            raise NotFound("消息不存在。", field="id")
        if message.channel == Channel.IN_APP:
            raise IllegalTransition("站内消息无需重发。", field="channel")
        if message.status in (MessageStatus.QUEUED, MessageStatus.SENDING):
            raise IllegalTransition(
                f"消息当前状态为“{message.get_status_display()}”，正在发送中，不能重发。", field="status"
            )
        message.status = MessageStatus.QUEUED
        message.attempts = 0
        message.next_attempt_at = None
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        MessageEvent.objects.create(message=message, kind=MessageEventKind.RESENT, actor=actor)
        _enqueue_on_commit([message.pk])
    return message


def message_mark_read(*, message_id: int, user: User) -> Message:
    """Mark one of the user's own in-app messages read (repeating it changes nothing)."""
    with transaction.atomic():
        message = Message.objects.inbox_of(user).select_for_update().filter(pk=message_id).first()
        if message is None:
            raise NotFound("消息不存在或不属于您。", field="id")
        if message.read_at is None:
            message.read_at = timezone.now()
            message.save(update_fields=["read_at"])
            MessageEvent.objects.create(message=message, kind=MessageEventKind.READ, actor=user)
    return message


def messages_mark_all_read(*, user: User) -> int:
    """Mark every unread in-app message of the user read; returns how many changed."""
    now = timezone.now()
    with transaction.atomic():
        unread = list(Message.objects.inbox_of(user).select_for_update().filter(read_at__isnull=True))
        for message in unread:
            message.read_at = now
        Message.objects.bulk_update(unread, ["read_at"])
        MessageEvent.objects.bulk_create(
            [MessageEvent(message=m, kind=MessageEventKind.READ, actor=user, at=now) for m in unread]
        )
    return len(unread)
