"""差评 follow-ups: supervision watches (1 and 15 working days across the 清明 weekend and holiday), stage
order, invalid claims, and scoping denials that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tongban.common.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from tongban.notifications.models import Message
from tongban.ratings.choices import ClaimStatus, ClosedReason, FollowUpStage
from tongban.ratings.models import FollowUp, FollowUpEvent, Rating
from tongban.ratings.services import (
    followup_callback,
    followup_claim_decide,
    followup_claim_invalid,
    followup_rectify,
    followup_verify,
    rating_submit,
)
from tongban.supervision.choices import DeadlineStatus, Level, SubjectType
from tongban.supervision.models import Deadline
from tongban.supervision.services import warning_sweep

from .conftest import BJ

FRI = dt.date(2026, 4, 3)
TUE = dt.date(2026, 4, 7)  # Sat 4, Sun 5 and Mon 6 (清明) are not working days
RECTIFY_DUE = dt.date(2026, 4, 27)  # 15 working days after Friday 3 April


def bad(service, score: int = 2) -> FollowUp:
    rating = rating_submit(
        token=service.token, score=score, tags=["attitude"], comment="态度差，让我跑了两次"
    )
    return FollowUp.objects.get(rating=rating)


def watches(fu: FollowUp):
    return Deadline.objects.filter(subject_type=SubjectType.RATING_FOLLOWUP, subject_id=fu.pk).order_by("id")


def snapshot(fu: FollowUp):
    fu = FollowUp.objects.get(pk=fu.pk)
    return (
        fu.stage,
        fu.version,
        fu.claim_status,
        fu.verify_note,
        FollowUpEvent.objects.filter(followup=fu).count(),
        list(watches(fu).values_list("status", "due_date", "paused")),
        Rating.objects.get(pk=fu.rating_id).excluded,
    )


def test_bad_rating_opens_followup_with_supervision_deadline(online_service):
    fu = bad(online_service)
    assert (fu.stage, fu.opened_on, fu.verify_due, fu.rectify_due, fu.stage_due) == (
        FollowUpStage.VERIFY,
        FRI,
        TUE,
        RECTIFY_DUE,
        TUE,
    )
    assert fu.department_id == online_service.department_id
    (watch,) = watches(fu)
    assert (watch.status, watch.started_on, watch.due_date, watch.limit_days, watch.department_id) == (
        DeadlineStatus.OPEN,
        FRI,
        TUE,
        1,
        online_service.department_id,
    )
    assert watch.reference == f"FU{fu.pk}"
    assert list(FollowUpEvent.objects.filter(followup=fu).values_list("kind", flat=True)) == ["opened"]


@pytest.mark.parametrize("score", [3, 4, 5])
def test_no_followup_for_other_grades(online_service, score):
    rating_submit(token=online_service.token, score=score)
    assert not FollowUp.objects.exists()
    assert not Deadline.objects.exists()


def test_verify_late_turns_red_in_the_sweep(world, online_service):
    fu = bad(online_service, score=1)
    with time_machine.travel(dt.datetime(2026, 4, 7, 18, 0, tzinfo=BJ), tick=False):
        warning_sweep()
        assert watches(fu).get().level != Level.RED  # the due day itself is on time
    with time_machine.travel(dt.datetime(2026, 4, 8, 9, 0, tzinfo=BJ), tick=False):
        warning_sweep()
        assert watches(fu).get().level == Level.RED


def test_full_flow_in_order_with_a_watch_per_stage(world, online_service):
    fu = bad(online_service)
    with pytest.raises(IllegalTransition):
        followup_rectify(actor=world.approver_a, followup_id=fu.pk, note="先整改")
    with pytest.raises(IllegalTransition):
        followup_callback(actor=world.approver_a, followup_id=fu.pk, result="satisfied")
    with pytest.raises(ValidationFailed) as exc:
        followup_verify(actor=world.approver_a, followup_id=fu.pk, note="  ")
    assert exc.value.field == "note"

    with time_machine.travel(dt.datetime(2026, 4, 7, 9, 0, tzinfo=BJ), tick=False):
        fu = followup_verify(actor=world.approver_a, followup_id=fu.pk, note="已电话联系申请人，情况属实")
    assert (fu.stage, fu.stage_due) == (FollowUpStage.RECTIFY, RECTIFY_DUE)
    verify_watch, rectify_watch = watches(fu)
    assert (verify_watch.status, verify_watch.closed_on, verify_watch.closed_on_time) == (
        DeadlineStatus.CLOSED,
        TUE,
        True,
    )
    assert (
        rectify_watch.status,
        rectify_watch.started_on,
        rectify_watch.due_date,
        rectify_watch.limit_days,
    ) == (
        DeadlineStatus.OPEN,
        FRI,
        RECTIFY_DUE,
        15,
    )
    with pytest.raises(IllegalTransition):
        followup_verify(actor=world.approver_a, followup_id=fu.pk, note="再核实")

    with time_machine.travel(dt.datetime(2026, 4, 10, 9, 0, tzinfo=BJ), tick=False):
        fu = followup_rectify(actor=world.head_a, followup_id=fu.pk, note="约谈窗口人员，一次告知材料清单")
    assert (fu.stage, fu.callback_due) == (FollowUpStage.CALLBACK, dt.date(2026, 4, 15))
    assert watches(fu).filter(status=DeadlineStatus.OPEN).get().due_date == dt.date(2026, 4, 15)

    with time_machine.travel(dt.datetime(2026, 4, 13, 9, 0, tzinfo=BJ), tick=False):
        fu = followup_callback(
            actor=world.approver_a, followup_id=fu.pk, result="satisfied", note="申请人认可"
        )
    assert (fu.stage, fu.closed_reason, fu.stage_due) == (
        FollowUpStage.CLOSED,
        ClosedReason.CALLED_BACK,
        None,
    )
    assert not watches(fu).filter(status=DeadlineStatus.OPEN).exists()
    assert watches(fu).count() == 3
    assert list(FollowUpEvent.objects.filter(followup=fu).values_list("kind", flat=True)) == [
        "opened",
        "verified",
        "rectified",
        "called_back",
    ]
    msg = Message.objects.filter(template="rating.followup").first()
    assert msg is not None and msg.ref == f"rating_followup:{fu.pk}"
    with pytest.raises(IllegalTransition):
        followup_callback(actor=world.approver_a, followup_id=fu.pk, result="satisfied")


def test_department_b_cannot_act_on_department_a_followup(world, online_service):
    fu = bad(online_service)
    before = snapshot(fu)
    for call in (
        lambda: followup_verify(actor=world.approver_b, followup_id=fu.pk, note="越权核实"),
        lambda: followup_claim_invalid(
            actor=world.approver_b, followup_id=fu.pk, kind="malicious", reason="越权"
        ),
        lambda: followup_verify(actor=world.person.user, followup_id=fu.pk, note="申请人"),
        lambda: followup_verify(actor=world.clerk, followup_id=fu.pk, note="窗口"),
    ):
        with pytest.raises(NotFound):
            call()
    # Supervisors see every follow-up but do not do the department's steps.
    with pytest.raises(NotAllowed):
        followup_verify(actor=world.supervisor, followup_id=fu.pk, note="监察代办")
    assert snapshot(fu) == before


def test_claim_accepted_excludes_the_rating(world, online_service):
    fu = bad(online_service, score=1)
    fu = followup_claim_invalid(
        actor=world.head_a, followup_id=fu.pk, kind="malicious", reason="评价人与窗口发生私人纠纷，录音为证"
    )
    assert fu.claim_status == ClaimStatus.PENDING
    assert watches(fu).get().paused
    with pytest.raises(IllegalTransition):
        followup_verify(actor=world.approver_a, followup_id=fu.pk, note="申诉中核实")
    # Only supervisors decide, and a department cannot decide its own claim.
    before = snapshot(fu)
    with pytest.raises(NotAllowed):
        followup_claim_decide(actor=world.head_a, followup_id=fu.pk, accept=True)
    assert snapshot(fu) == before
    fu = followup_claim_decide(actor=world.supervisor, followup_id=fu.pk, accept=True, note="查实为恶意差评")
    assert (fu.stage, fu.claim_status, fu.closed_reason) == (
        FollowUpStage.CLOSED,
        ClaimStatus.ACCEPTED,
        ClosedReason.INVALID,
    )
    assert Rating.objects.get(pk=fu.rating_id).excluded
    assert watches(fu).get().status == DeadlineStatus.CLOSED
    with pytest.raises(IllegalTransition):
        followup_claim_decide(actor=world.supervisor, followup_id=fu.pk, accept=False, note="再审")


def test_claim_rejected_continues_with_due_moved_by_the_wait(world, online_service):
    fu = bad(online_service)
    followup_claim_invalid(
        actor=world.approver_a, followup_id=fu.pk, kind="mistaken", reason="申请人评错了对象"
    )
    with pytest.raises(ValidationFailed) as exc:
        followup_claim_decide(actor=world.supervisor, followup_id=fu.pk, accept=False, note="")
    assert exc.value.field == "note"
    # Decided on Wednesday 8 April: the claim waited 2 working days (7, 8 April), so verify is due 2 later.
    with time_machine.travel(dt.datetime(2026, 4, 8, 9, 0, tzinfo=BJ), tick=False):
        fu = followup_claim_decide(
            actor=world.supervisor, followup_id=fu.pk, accept=False, note="申请人确认是差评"
        )
    assert (fu.stage, fu.claim_status, fu.stage_due, fu.verify_due) == (
        FollowUpStage.VERIFY,
        ClaimStatus.REJECTED,
        dt.date(2026, 4, 9),
        dt.date(2026, 4, 9),
    )
    watch = watches(fu).get()
    assert (watch.paused, watch.due_date) == (False, dt.date(2026, 4, 9))
    assert not Rating.objects.get(pk=fu.rating_id).excluded
    with pytest.raises(Exception) as exc2:
        followup_claim_invalid(actor=world.approver_a, followup_id=fu.pk, kind="mistaken", reason="再申诉")
    assert "不能再次申诉" in str(exc2.value)
    followup_verify(actor=world.approver_a, followup_id=fu.pk, note="已核实")


def test_stale_version_is_a_conflict(world, online_service):
    fu = bad(online_service)
    from tongban.common.errors import Conflict

    with pytest.raises(Conflict):
        followup_verify(actor=world.approver_a, followup_id=fu.pk, note="x", expected_version=fu.version + 1)
    assert FollowUp.objects.get(pk=fu.pk).stage == FollowUpStage.VERIFY


def test_followup_without_department_is_handled_by_hall_clerks(world):
    from tongban.ratings.choices import ServiceKind
    from tongban.ratings.services import ratable_register

    from .conftest import START

    service = ratable_register(
        kind=ServiceKind.KIOSK_SESSION, reference_id=1, served_at=START, title="自助终端服务", hall=world.hall
    )
    fu = bad(service)
    assert fu.department_id is None
    watch = watches(fu).get()  # the hall's own watch: no department, the hall answers for it
    assert (watch.department_id, watch.hall_id, watch.due_date) == (None, world.hall.pk, fu.verify_due)
    with pytest.raises(NotFound):
        followup_verify(actor=world.approver_a, followup_id=fu.pk, note="x")
    fu = followup_verify(actor=world.clerk, followup_id=fu.pk, note="终端打印机缺纸，已补充")
    assert fu.stage == FollowUpStage.RECTIFY


def test_hall_watch_turns_red_and_alerts_the_hall_clerks(world):
    """A follow-up only a hall answers for is still watched: late verification turns it red and the hall's
    clerks (and the supervisors) are alerted."""
    from tongban.ratings.choices import ServiceKind
    from tongban.ratings.services import ratable_register
    from tongban.supervision.services import warning_events_dispatch

    from .conftest import START

    service = ratable_register(
        kind=ServiceKind.KIOSK_SESSION, reference_id=2, served_at=START, title="自助终端服务", hall=world.hall
    )
    fu = bad(service)
    with time_machine.travel(dt.datetime(2026, 4, 8, 9, 0, tzinfo=BJ), tick=False):
        warning_sweep()
        assert watches(fu).get().level == Level.RED
        warning_events_dispatch()
    alerted = set(Message.objects.filter(template="supervision.alert").values_list("recipient_id", flat=True))
    assert world.clerk.pk in alerted
    assert world.approver_a.pk not in alerted
