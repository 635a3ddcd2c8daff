"""The cases integration: watches follow a case and its steps through the real case services."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases import services as cases
from tongban.cases.models import Step
from tongban.cases.tests.conftest import world  # noqa: F401  (the cases test world)
from tongban.cases.tests.helpers import define_serial, submit_online
from tongban.cases.watches import case_watches_sync
from tongban.supervision.choices import Level
from tongban.supervision.models import Card, Deadline
from tongban.supervision.services import warning_sweep
from tongban.testing.plugin import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock_start():
    """The cases tests' moment (10:00), not this app's (09:00): the cases world is used here."""
    return START


TZ = dt.timezone(dt.timedelta(hours=8))


def watch(subject_type, subject_id):
    return Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by("-id").first()


def test_case_and_step_watches_follow_the_case(world, clock):  # noqa: F811
    define_serial(world)
    case = submit_online(world)
    case = cases.case_accept(actor=world.clerk, case_id=case.pk)  # save_case syncs the watches
    review = Step.objects.get(case=case)
    cw, sw = watch("case", case.pk), watch("step", review.pk)
    assert (cw.due_date, cw.started_on, cw.limit_days, cw.department_id, cw.hall_id, cw.reference) == (
        dt.date(2026, 3, 12),
        dt.date(2026, 3, 2),
        8,
        world.housing.pk,
        world.hall.pk,
        case.number,
    )
    assert (sw.due_date, sw.level, sw.status) == (dt.date(2026, 3, 10), Level.NORMAL, "open")

    # special procedure: both watches pause; the sweep leaves them alone
    case = cases.case_pause(
        actor=world.approvers["住建"], case_id=case.pk, procedure="inspection", reason="现场核查"
    )
    assert watch("case", case.pk).paused and watch("step", review.pk).paused
    assert warning_sweep(today=dt.date(2026, 3, 20)).examined == 0

    # resumed a week later: new due dates, levels re-evaluated at once
    clock.move_to(dt.datetime(2026, 3, 9, 10, tzinfo=TZ))
    case = cases.case_resume(actor=world.approvers["住建"], case_id=case.pk)
    cw, sw = watch("case", case.pk), watch("step", review.pk)
    review.refresh_from_db()
    assert (cw.paused, cw.due_date, sw.due_date) == (False, case.due_date, review.due_date)
    assert (cw.due_date, sw.due_date) == (dt.date(2026, 3, 19), dt.date(2026, 3, 17))  # +5 working days

    # the step runs late: the sweep turns it red — a warning, not a sanction: no card by default
    warning_sweep(today=dt.date(2026, 3, 18))
    sw.refresh_from_db()
    assert sw.level == Level.RED
    assert not Card.objects.exists()

    # completing the step closes its watch (late) and opens the decision step's
    clock.move_to(dt.datetime(2026, 3, 18, 10, tzinfo=TZ))
    cases.step_complete(actor=world.approvers["住建"], step_id=review.pk, outcome="pass", opinion="同意")
    case.refresh_from_db()
    sw.refresh_from_db()
    assert (sw.status, sw.closed_on, sw.closed_on_time) == ("closed", dt.date(2026, 3, 18), False)
    decision = Step.objects.get(case=case, status="open")
    assert watch("step", decision.pk).status == "open"

    # the decision closes the case's watch and the last step's
    case = cases.case_decide(
        actor=world.heads["住建"],
        case_id=case.pk,
        decision="approved",
        reason="符合条件",
        legal_basis="第八条",
    )
    cw = watch("case", case.pk)
    assert (cw.status, cw.closed_on_time) == ("closed", True)  # decided 18 March, due 19 March
    assert watch("step", decision.pk).status == "closed"
    case_watches_sync(case)  # idempotent
    assert Deadline.objects.filter(status="open").count() == 0
