"""Fixtures for the notifications tests: an SMS file in tmp_path and backends that fail on purpose."""

from __future__ import annotations

import json

import pytest

from tongban.accounts.models import UserKind
from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.organisations.choices import StaffRole


class FailingSmsBackend:
    """Raises on every send, like a gateway that is down."""

    calls = 0

    def send(self, mobile: str, text: str) -> str:
        type(self).calls += 1
        raise ConnectionError("短信网关无响应")


class FlakySmsBackend:
    """Fails the first `failures` sends, then succeeds (a gateway that comes back)."""

    failures = 1
    calls = 0

    def send(self, mobile: str, text: str) -> str:
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise ConnectionError("短信网关暂时不可用")
        return "ok-id"


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "tongban.notifications.backends.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    path = tmp_path / "sms.jsonl"

    def read() -> list[dict]:
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return read


@pytest.fixture
def failing_sms(settings):
    FailingSmsBackend.calls = 0
    settings.SMS_BACKEND = "tongban.notifications.tests.conftest.FailingSmsBackend"
    return FailingSmsBackend


@pytest.fixture
def flaky_sms(settings):
    FlakySmsBackend.calls = 0
    FlakySmsBackend.failures = 1
    settings.SMS_BACKEND = "tongban.notifications.tests.conftest.FlakySmsBackend"
    return FlakySmsBackend


@pytest.fixture
def applicant_user(db):
    return UserFactory(kind=UserKind.APPLICANT, mobile="13912345678", email="zhang@example.cn")


@pytest.fixture
def admin_user(db):
    return StaffFactory.with_role(StaffRole.ADMINISTRATOR)


@pytest.fixture
def supervisor(db):
    return StaffFactory.with_role(StaffRole.SUPERVISOR)


@pytest.fixture
def clerk(db):
    return StaffFactory.with_role(StaffRole.CLERK, email="clerk@example.cn", mobile="13800000001")


ACCEPTED_CONTEXT = {
    "case_number": "TB202611230012",
    "item_name": "食品经营许可（新办）",
    "due_date": "2026年12月8日",
    "accepted_on": "2026年11月23日",
}
