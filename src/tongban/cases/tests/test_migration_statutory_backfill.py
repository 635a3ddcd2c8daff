"""Migration 0009: cases accepted before 0007 get the statutory deadline a new case gets.

The cases are made by the services (so the expected date is what acceptance, a special procedure and an
extension store today), their `statutory_due_date` emptied as 0007 left older cases, the database taken
back to 0007 and migrated forward: the backfill must find every date again, leave cases never accepted
alone, and work in batches (the batch size is lowered to run several here)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tongban.catalogue.choices import LimitUnit
from tongban.catalogue.tests.factories import MaterialRequirementFactory, ServiceItemFactory

from .. import services
from ..choices import CaseStatus
from ..models import Case
from .helpers import define_serial, register_at_window

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("cases", "0008_workflow_events")  # the state just before the backfill
BACKFILL = ("cases", "0009_backfill_statutory_due_date")
CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date


def migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def at(clock, y, m, d):
    clock.move_to(dt.datetime(y, m, d, 10, tzinfo=CST))


def test_backfill_computes_the_statutory_deadline_as_new_cases_do(world, clock, monkeypatch):
    define_serial(world)
    head, approver = world.heads["住建"], world.approvers["住建"]
    plain = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    paused = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    at(clock, 2026, 3, 3)
    services.case_pause(actor=approver, case_id=paused.pk, procedure="expert_review", reason="专家评审")
    at(clock, 2026, 3, 10)
    paused = services.case_resume(actor=approver, case_id=paused.pk)
    extended = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    extended = services.case_extend(actor=head, case_id=extended.pk, days=5, reason="需现场核查")
    natural = ServiceItemFactory(
        name="自然日事项",
        department=world.housing,
        promised_limit=15,
        promised_limit_unit=LimitUnit.NATURAL_DAYS,
        statutory_limit=30,
        statutory_limit_unit=LimitUnit.NATURAL_DAYS,
    )
    MaterialRequirementFactory(item=natural, position=1, name="申请书")
    by_nature = services.case_accept(actor=world.clerk, case_id=register_at_window(world, natural).pk)
    at(clock, 2026, 12, 28)  # its statutory count runs into 2027, which is provisional here
    late = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    waiting = register_at_window(world)  # submitted, never accepted: no deadline to give
    accepted = [plain, paused, extended, by_nature, late]
    expected = {c.pk: (c.statutory_due_date, c.statutory_due_provisional) for c in accepted}
    assert all(date for date, _flag in expected.values())
    assert expected[late.pk] == (D(2027, 1, 26), True)
    assert expected[paused.pk][0] > Case.objects.get(pk=plain.pk).statutory_due_date  # 5 days given back
    assert waiting.status == CaseStatus.SUBMITTED

    migrate(BEFORE)
    Case.objects.update(statutory_due_date=None, statutory_due_provisional=False)  # as 0007 left them
    module = importlib.import_module("tongban.cases.migrations.0009_backfill_statutory_due_date")
    monkeypatch.setattr(module, "BATCH", 2)  # several batches
    migrate(BACKFILL)

    got = {
        pk: (date, flag)
        for pk, date, flag in Case.objects.filter(pk__in=expected).values_list(
            "pk", "statutory_due_date", "statutory_due_provisional"
        )
    }
    assert got == expected
    assert Case.objects.get(pk=waiting.pk).statutory_due_date is None


def test_backfill_leaves_dates_already_there(world, clock):
    define_serial(world)
    case = services.case_accept(actor=world.clerk, case_id=register_at_window(world).pk)
    migrate(BEFORE)
    Case.objects.filter(pk=case.pk).update(statutory_due_date=D(2030, 1, 2))  # set since: not touched
    migrate(BACKFILL)
    assert Case.objects.get(pk=case.pk).statutory_due_date == D(2030, 1, 2)
