"""notify(): rows in the caller's transaction, sending after commit, idempotency, retries, reading."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tongban.common.errors import IllegalTransition, NotAllowed, NotFound
from tongban.notifications.choices import Channel, MessageEventKind, MessageStatus
from tongban.notifications.models import Message, MessageEvent
from tongban.notifications.services import (
    message_mark_read,
    message_resend,
    message_send,
    messages_mark_all_read,
    messages_recover_interrupted,
    messages_retry_due,
    notify,
)
from tongban.notifications.templates import NotificationTemplateError

from .conftest import ACCEPTED_CONTEXT

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def _accept(user, key="case:12:accepted", **kwargs):
    return notify(
        recipient_user=user,
        template="case.accepted",
        context=ACCEPTED_CONTEXT,
        ref="case:12",
        idempotency_key=key,
        **kwargs,
    )


def test_a_repeated_event_with_a_new_channel_creates_only_that_channel(
    applicant_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as first:
        (sms,) = _accept(applicant_user, channels=[Channel.SMS])
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=False) as second,
    ):
        again = _accept(applicant_user, channels=[Channel.SMS, Channel.EMAIL])
    # one INSERT that skips the stored SMS (no savepoint, no second try), then one read of the SMS row
    assert [q["sql"].split(" ")[0] for q in queries] == ["INSERT", "SELECT"]
    assert [m.channel for m in again] == [Channel.SMS, Channel.EMAIL]
    assert again[0].pk == sms.pk and again[1].pk != sms.pk
    assert Message.objects.filter(idempotency_key__startswith="case:12:accepted").count() == 2
    assert len(first) == len(second) == 1  # the second enqueues the new e-mail only
    assert second[0].args == (again[1].pk,)


def test_notify_many_inserts_every_event_at_once_and_enqueues_one_task(
    applicant_user, django_capture_on_commit_callbacks
):
    from tongban.notifications.services import Notification, notify_many

    events = [
        Notification(
            recipient_user=applicant_user,
            template="case.accepted",
            context=ACCEPTED_CONTEXT,
            channels=(Channel.SMS, Channel.IN_APP),
            idempotency_key=f"case:{n}:accepted",
        )
        for n in (21, 22)
    ]
    with django_capture_on_commit_callbacks(execute=False) as first:
        messages = notify_many(events)
    assert [m.idempotency_key for m in messages] == [
        "case:21:accepted:sms",
        "case:21:accepted:in_app",
        "case:22:accepted:sms",
        "case:22:accepted:in_app",
    ]
    assert len(first) == 1 and first[0].args == ([messages[0].pk, messages[2].pk],)  # the two SMS
    with django_capture_on_commit_callbacks(execute=False) as again:
        assert [m.pk for m in notify_many(events)] == [m.pk for m in messages]
    assert again == [] and Message.objects.filter(idempotency_key__startswith="case:2").count() == 4


def test_notify_creates_rows_and_sends_only_after_commit(
    applicant_user, sms_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        messages = _accept(applicant_user)

    by_channel = {m.channel: m for m in messages}
    assert set(by_channel) == {Channel.SMS, Channel.EMAIL, Channel.IN_APP}
    # before commit: nothing delivered, SMS and e-mail queued, the in-app message is already there
    assert by_channel[Channel.SMS].status == MessageStatus.QUEUED
    assert by_channel[Channel.EMAIL].status == MessageStatus.QUEUED
    assert by_channel[Channel.IN_APP].status == MessageStatus.SENT
    assert sms_file() == [] and mail.outbox == []
    assert len(callbacks) == 1  # one send task for the event's SMS and e-mail

    for callback in callbacks:
        callback()

    sms = Message.objects.get(channel=Channel.SMS)
    assert sms.status == MessageStatus.SENT and sms.attempts == 1 and sms.sent_at is not None
    assert sms.address == "13912345678" and sms.ref == "case:12"
    assert sms.idempotency_key == "case:12:accepted:sms"
    assert [line["mobile"] for line in sms_file()] == ["13912345678"]
    assert sms_file()[0]["text"].startswith("【通办】您申请的食品经营许可（新办）已受理")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhang@example.cn"]
    assert mail.outbox[0].subject == "【受理通知】食品经营许可（新办）（TB202611230012）"
    assert "承诺办结时间：2026年12月8日" in mail.outbox[0].body
    assert list(sms.events.values_list("kind", flat=True)) == [MessageEventKind.SENT]


def test_rollback_sends_nothing(applicant_user, sms_file, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _accept(applicant_user)
        raise RuntimeError("受理失败")
    assert callbacks == []
    assert Message.objects.count() == 0
    assert sms_file() == [] and mail.outbox == []


def test_idempotency_key_prevents_duplicates(applicant_user, sms_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as first:
        a = _accept(applicant_user)
    with django_capture_on_commit_callbacks(execute=True) as second:
        b = _accept(applicant_user)
    assert [m.pk for m in a] == [m.pk for m in b]
    assert len(first) == 1 and second == []
    assert Message.objects.count() == 3
    assert len(sms_file()) == 1 and len(mail.outbox) == 1
    # a different event of the same case is a different notification
    with django_capture_on_commit_callbacks(execute=True):
        _accept(applicant_user, key="case:12:accepted-again", channels=("sms",))
    assert len(sms_file()) == 2


def test_channels_without_address_are_skipped_and_bad_addresses_logged(db, sms_file):
    messages = notify(
        mobile="12345",
        template="case.accepted",
        context=ACCEPTED_CONTEXT,
        idempotency_key="case:13:accepted",
    )
    assert len(messages) == 1
    (bad,) = messages
    assert bad.channel == Channel.SMS and bad.status == MessageStatus.GAVE_UP
    assert "手机号码“12345”无效" in bad.last_error
    assert Message.objects.count() == 1


def test_explicit_addresses_override_the_user(applicant_user, sms_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _accept(
            applicant_user, mobile="+86 139-0000-1111", email="agent@example.cn", channels=("sms", "email")
        )
    assert sms_file()[0]["mobile"] == "13900001111"
    assert mail.outbox[0].to == ["agent@example.cn"]


def test_unknown_template_and_missing_parameter_are_clear_errors(applicant_user):
    with pytest.raises(NotificationTemplateError, match=r"未知的消息模板“case\.acepted”"):
        notify(recipient_user=applicant_user, template="case.acepted", context={}, idempotency_key="k")
    with pytest.raises(NotificationTemplateError, match="缺少参数：due_date"):
        notify(
            recipient_user=applicant_user,
            template="case.resumed",
            context={"case_number": "X", "item_name": "Y"},
            idempotency_key="k",
        )
    with pytest.raises(ValueError, match="未知的消息渠道：fax"):
        _accept(applicant_user, channels=("fax",))
    assert Message.objects.count() == 0


@override_settings(NOTIFY_MAX_ATTEMPTS=3, NOTIFY_RETRY_BASE_SECONDS=60)
def test_failure_retries_with_backoff_then_gives_up(
    applicant_user, failing_sms, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            (sms,) = _accept(applicant_user, channels=("sms",))
        sms.refresh_from_db()
        assert sms.status == MessageStatus.FAILED and sms.attempts == 1
        assert sms.next_attempt_at == T0 + dt.timedelta(seconds=60)
        assert "ConnectionError: 短信网关无响应" in sms.last_error
        # not due yet: the retry run sends nothing
        assert messages_retry_due() == []
    with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
        assert messages_retry_due() == [sms.pk]
        sms.refresh_from_db()
        assert sms.status == MessageStatus.FAILED and sms.attempts == 2
        assert sms.next_attempt_at == T0 + dt.timedelta(seconds=61 + 120)
    with time_machine.travel(T0 + dt.timedelta(seconds=200), tick=False):
        call_command("notify_retry")
        sms.refresh_from_db()
        assert sms.status == MessageStatus.GAVE_UP and sms.attempts == 3 and sms.next_attempt_at is None
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        assert messages_retry_due() == []
    assert failing_sms.calls == 3
    assert list(sms.events.values_list("kind", "attempt")) == [
        (MessageEventKind.FAILED, 1),
        (MessageEventKind.FAILED, 2),
        (MessageEventKind.GAVE_UP, 3),
    ]


def test_a_retry_that_succeeds_marks_sent(applicant_user, flaky_sms, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        (sms,) = _accept(applicant_user, channels=("sms",))
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        call_command("notify_retry", "--sync")
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT and sms.attempts == 2
    assert list(sms.events.values_list("kind", flat=True)) == [MessageEventKind.FAILED, MessageEventKind.SENT]


def test_send_task_is_idempotent(applicant_user, sms_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (sms,) = _accept(applicant_user, channels=("sms",))
    assert message_send(message_id=sms.pk) == MessageStatus.SENT
    assert message_send(message_id=sms.pk) == MessageStatus.SENT
    assert message_send(message_id=999999) == "missing"
    assert len(sms_file()) == 1
    assert Message.objects.get(pk=sms.pk).attempts == 1


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_database_backend_defers_the_retry_with_run_after(
    applicant_user, failing_sms, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            (sms,) = _accept(applicant_user, channels=("sms",))
        first = DBTaskResult.objects.get()
        assert first.args_kwargs == {"args": [sms.pk], "kwargs": {}} and first.status == "READY"
        assert failing_sms.calls == 0  # queued for the worker, not sent inline
        with django_capture_on_commit_callbacks(execute=True):
            assert message_send(message_id=sms.pk) == MessageStatus.FAILED
        retry = DBTaskResult.objects.exclude(pk=first.pk).get()
        assert retry.run_after == T0 + dt.timedelta(seconds=60)
        assert retry.task_path == "tongban.notifications.tasks.send_message_task"
        # a stale duplicate of the task arriving early does nothing
        assert message_send(message_id=sms.pk) == MessageStatus.FAILED
        assert failing_sms.calls == 1


def test_interrupted_send_is_recovered(applicant_user, sms_file, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            (sms,) = _accept(applicant_user, channels=("sms",))
        Message.objects.filter(pk=sms.pk).update(status=MessageStatus.SENDING, attempts=1, last_attempt_at=T0)
        assert messages_recover_interrupted() == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=11), tick=False):
        assert messages_retry_due(sync=True) == [sms.pk]
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT and sms.attempts == 2
    assert list(sms.events.values_list("kind", flat=True)) == [
        MessageEventKind.INTERRUPTED,
        MessageEventKind.SENT,
    ]


def test_lost_queued_message_is_picked_up(applicant_user, sms_file, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=False):
        (sms,) = _accept(applicant_user, channels=("sms",))  # the enqueue never ran
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        assert messages_retry_due() == []  # the worker may just be busy
    with time_machine.travel(T0 + dt.timedelta(minutes=11), tick=False):
        assert messages_retry_due() == [sms.pk]
    assert Message.objects.get(pk=sms.pk).status == MessageStatus.SENT
    assert len(sms_file()) == 1


def test_mark_read_only_own_in_app_messages(applicant_user, clerk):
    (inbox,) = _accept(applicant_user, channels=("in_app",))
    with pytest.raises(NotFound):
        message_mark_read(message_id=inbox.pk, user=clerk)
    inbox.refresh_from_db()
    assert inbox.read_at is None and not inbox.events.exists()

    read = message_mark_read(message_id=inbox.pk, user=applicant_user)
    first_read_at = read.read_at
    assert first_read_at is not None
    again = message_mark_read(message_id=inbox.pk, user=applicant_user)
    assert again.read_at == first_read_at
    assert list(inbox.events.values_list("kind", flat=True)) == [MessageEventKind.READ]


def test_sms_messages_cannot_be_marked_read(applicant_user, sms_file):
    (sms,) = _accept(applicant_user, channels=("sms",))
    with pytest.raises(NotFound):
        message_mark_read(message_id=sms.pk, user=applicant_user)
    assert Message.objects.get(pk=sms.pk).read_at is None


def test_mark_all_read(applicant_user, clerk):
    _accept(applicant_user, channels=("in_app",))
    _accept(applicant_user, key="case:12:decided", channels=("in_app",))
    _accept(clerk, key="case:12:clerk", channels=("in_app",))
    assert messages_mark_all_read(user=applicant_user) == 2
    assert messages_mark_all_read(user=applicant_user) == 0
    assert Message.objects.filter(recipient=clerk, read_at__isnull=True).count() == 1


def test_resend_by_admin_only(
    applicant_user, admin_user, clerk, failing_sms, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        (sms,) = _accept(applicant_user, channels=("sms",))
    sms.refresh_from_db()
    assert sms.status == MessageStatus.GAVE_UP

    with pytest.raises(NotAllowed):
        message_resend(message_id=sms.pk, actor=clerk)
    assert Message.objects.get(pk=sms.pk).status == MessageStatus.GAVE_UP

    settings.SMS_BACKEND = "tongban.notifications.backends.ConsoleSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message_resend(message_id=sms.pk, actor=admin_user)
    sms.refresh_from_db()
    assert sms.status == MessageStatus.SENT and sms.attempts == 1
    assert MessageEvent.objects.filter(message=sms, kind=MessageEventKind.RESENT, actor=admin_user).exists()


def test_resend_refuses_in_app_and_queued(applicant_user, admin_user, sms_file):
    messages = {m.channel: m for m in _accept(applicant_user, channels=("sms", "in_app"))}
    with pytest.raises(IllegalTransition):
        message_resend(message_id=messages[Channel.IN_APP].pk, actor=admin_user)
    with pytest.raises(IllegalTransition):
        message_resend(message_id=messages[Channel.SMS].pk, actor=admin_user)  # still queued
    assert not MessageEvent.objects.exists()


def test_context_is_stored_as_json(applicant_user):
    (inbox,) = notify(
        recipient_user=applicant_user,
        template="case.resumed",
        context={"case_number": "TB1", "item_name": "X", "due_date": dt.date(2026, 12, 1)},
        channels=("in_app",),
        idempotency_key="case:1:resumed",
    )
    inbox.refresh_from_db()
    assert inbox.context["due_date"] == "2026-12-01"
    assert inbox.body == "您的办件TB1已恢复办理，预计2026-12-01前办结。"
    assert inbox.created_at <= timezone.now()


@override_settings(NOTIFY_MAX_ATTEMPTS=2)
def test_retry_task_resends_due_messages(applicant_user, flaky_sms, django_capture_on_commit_callbacks):
    from tongban.notifications.tasks import retry_due_messages_task

    with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
        (sms,) = _accept(applicant_user, channels=("sms",))
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        result = retry_due_messages_task.enqueue()
    assert result.return_value == 1
    assert Message.objects.get(pk=sms.pk).status == MessageStatus.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_notifying_the_same_event_at_once_store_it_once(applicant_user, sms_file):
    """Two transactions insert the same event at the same moment: the second waits for the first,
    skips its rows and returns them; one row per channel, and only the first enqueues a send."""
    from tongban.common.testing import run_together

    if connection.vendor != "postgresql":
        pytest.skip("needs two PostgreSQL connections")
    results: list[list[int]] = []

    def request():
        with transaction.atomic():
            results.append([m.pk for m in _accept(applicant_user, channels=("sms", "email"))])

    run_together(2, request)
    assert len(results) == 2 and results[0] == results[1]
    assert Message.objects.count() == 2
    assert len(sms_file()) == 1 and len(mail.outbox) == 1  # sent once, by the request that stored it
