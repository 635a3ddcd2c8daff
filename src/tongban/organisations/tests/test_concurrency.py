"""Parallel grants of the same role to one person: exactly one succeeds and is logged. The person's row
is locked, so the duplicate check cannot be raced (the unique constraint does not cover NULL places).

Needs PostgreSQL (SQLite serialises writers anyway): DATABASE_URL=postgres://… pytest -m postgres
"""

import pytest
from django.db import connection

from tongban.accounts.tests.factories import StaffFactory
from tongban.common.errors import ServiceError
from tongban.common.testing import run_together
from tongban.organisations import services
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import OrganisationEvent, StaffAssignment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_parallel_grants_of_one_role_make_one_grant():
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR)
    staff = StaffFactory()
    refused: list[str] = []

    def grant():
        try:
            services.staff_role_grant(actor=admin, user_id=staff.pk, role=StaffRole.SUPERVISOR)
        except ServiceError as exc:
            refused.append(exc.field or exc.code)

    run_together(6, grant)
    assert StaffAssignment.objects.filter(user=staff).count() == 1
    assert refused == ["role"] * 5
    assert OrganisationEvent.objects.filter(user=staff, kind="role_granted").count() == 1
