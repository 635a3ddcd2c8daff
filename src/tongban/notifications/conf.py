"""Notification settings, read at call time so tests can override them.

Each value comes from the Django setting of the same name when present, otherwise from the environment
variable of the same name, otherwise from the default below. That lets a deployment configure SMS and
retries by environment alone, as every other setting of the project.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

DEFAULT_SMS_BACKEND = "tongban.notifications.backends.ConsoleSmsBackend"


def _get(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return value


def sms_backend_path() -> str:
    return str(_get("SMS_BACKEND", DEFAULT_SMS_BACKEND))


def sms_file_path() -> Path:
    return Path(_get("SMS_FILE_PATH", str(Path(settings.VAR_DIR) / "sms" / "sms.jsonl")))


def sms_signature() -> str:
    """The 【签名】 every SMS starts with (carriers require a registered signature)."""
    return str(_get("NOTIFY_SMS_SIGNATURE", "通办"))


def max_attempts() -> int:
    return max(1, int(_get("NOTIFY_MAX_ATTEMPTS", "5")))


def retry_base_seconds() -> int:
    return max(1, int(_get("NOTIFY_RETRY_BASE_SECONDS", "60")))


def retry_max_seconds() -> int:
    return max(1, int(_get("NOTIFY_RETRY_MAX_SECONDS", "3600")))


def sending_timeout_seconds() -> int:
    """After this long a message still `sending` is taken as interrupted (the worker died mid-send)."""
    return max(1, int(_get("NOTIFY_SENDING_TIMEOUT_SECONDS", "600")))
