"""Parallel wrong passwords cannot exceed the limit: the counter is updated under a row lock.

Needs PostgreSQL (SQLite serialises writers anyway): DATABASE_URL=postgres://… pytest -m postgres
"""

import pytest
from django.db import connection

from tongban.accounts import services
from tongban.accounts.models import AccountEvent, AccountEventKind
from tongban.accounts.tests.factories import StaffFactory
from tongban.common.errors import ServiceError
from tongban.common.testing import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_parallel_failures_lock_exactly_once():
    user = StaffFactory(username="target")
    outcomes: list[str] = []

    def guess():
        try:
            services.login_attempt(identifier="target", password="wrong")
        except ServiceError as exc:
            outcomes.append(exc.code)

    run_together(12, guess)
    user.refresh_from_db()
    assert user.is_locked
    assert outcomes.count("invalid_credentials") == 4
    assert outcomes.count("account_locked") == 8
    assert AccountEvent.objects.filter(user=user, kind=AccountEventKind.LOGIN_FAILED).count() == 5
    assert AccountEvent.objects.filter(user=user, kind=AccountEventKind.LOCKED).count() == 1
