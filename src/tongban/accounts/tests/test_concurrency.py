"""Parallel wrong passwords cannot exceed the limit: the counter is updated under a row lock.

Needs PostgreSQL (SQLite serialises writers anyway): DATABASE_URL=postgres://… pytest -m postgres
"""

import threading

import pytest
from django.db import connection, connections

from tongban.accounts import services
from tongban.accounts.models import AccountEvent, AccountEventKind
from tongban.accounts.tests.factories import StaffFactory
from tongban.common.errors import ServiceError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_parallel_failures_lock_exactly_once():
    user = StaffFactory(username="target")
    outcomes: list[str] = []
    barrier = threading.Barrier(12)

    def guess():
        try:
            barrier.wait()
            services.login_attempt(identifier="target", password="wrong")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    user.refresh_from_db()
    assert user.is_locked
    assert outcomes.count("invalid_credentials") == 4
    assert outcomes.count("account_locked") == 8
    assert AccountEvent.objects.filter(user=user, kind=AccountEventKind.LOGIN_FAILED).count() == 5
    assert AccountEvent.objects.filter(user=user, kind=AccountEventKind.LOCKED).count() == 1
