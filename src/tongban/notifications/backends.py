"""Delivery backends: how a rendered message leaves the system.

SMS: a backend is any class with `send(mobile: str, text: str) -> str` (returns the provider's message id
or "" ) that raises on failure; the setting SMS_BACKEND names it by dotted path. Shipped: the console
backend (development default) and the file backend (JSON lines; for trials and tests). A real provider
(a carrier gateway, a cloud SMS service) is one more such class in the deployment's own package; see
docs/notifications.md. E-mail goes through Django's mail API, so EMAIL_BACKEND / EMAIL_HOST configure
SMTP. In-app messages need no delivery: the row is the message.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import uuid
from typing import Protocol

from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string

from . import conf
from .choices import Channel

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, mobile: str, text: str) -> str: ...


class ConsoleSmsBackend:
    """Writes each SMS to standard output (and the log): for development, nothing leaves the machine."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, mobile: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        self.stream.write(f"[SMS to {mobile}] {text}\n")
        self.stream.flush()
        logger.info("SMS %s to %s: %s", message_id, mobile, text)
        return message_id


class FileSmsBackend:
    """Appends each SMS as one JSON line to SMS_FILE_PATH: a record a trial site or a test can read back."""

    _lock = threading.Lock()

    def send(self, mobile: str, text: str) -> str:
        path = conf.sms_file_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        line = json.dumps(
            {"id": message_id, "at": timezone.now().isoformat(), "mobile": mobile, "text": text},
            ensure_ascii=False,
        )
        with self._lock, path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return message_id


def get_sms_backend() -> SmsBackend:
    return import_string(conf.sms_backend_path())()


def deliver(message) -> str:
    """Send one Message through its channel; raises whatever the backend raises when it fails."""
    if message.channel == Channel.SMS:
        return get_sms_backend().send(message.address, message.body) or ""
    if message.channel == Channel.EMAIL:
        sent = EmailMessage(subject=message.subject, body=message.body, to=[message.address]).send()
        if not sent:
            raise RuntimeError("邮件后端未发送任何邮件")
        return ""
    if message.channel == Channel.IN_APP:
        return ""
    raise ValueError(f"未知的消息渠道：{message.channel}")
