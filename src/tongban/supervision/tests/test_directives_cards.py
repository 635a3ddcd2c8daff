"""Directives (督办单) and cards (黄牌/红牌): lifecycles, overdue escalation, appeals, denials."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.common.errors import IllegalTransition, NotAllowed, NotFound, ValidationFailed
from tongban.notifications.models import Message
from tongban.supervision.choices import CardStatus, DirectiveStatus, Level, WarningKind
from tongban.supervision.models import Card, Deadline, Directive, WarningEvent
from tongban.supervision.selectors import directive_response_rates
from tongban.supervision.services import (
    card_appeal,
    card_appeal_decide,
    card_issue,
    directive_close,
    directive_issue,
    directive_reissue,
    directive_respond,
    warning_sweep,
)

from .conftest import TZ
from .helpers import day

pytestmark = pytest.mark.django_db


def issue(world, **kw):
    return directive_issue(
        actor=kw.pop("actor", world.supervisor),
        subject_type=kw.pop("subject_type", "department"),
        subject_id=kw.pop("subject_id", world.dept.pk),
        title=kw.pop("title", "窗口超期件集中清理"),
        required_action=kw.pop("required_action", "三日内说明超期原因并限期办结。"),
        response_days=kw.pop("response_days", 3),
        **kw,
    )


def watch_of(directive):
    return Deadline.objects.get(subject_type="directive", subject_id=directive.pk)


def test_issue_respond_close(world):
    d = issue(world)
    assert (d.status, d.due_date, d.department, d.number) == (
        DirectiveStatus.ISSUED,
        day(2026, 3, 5),
        world.dept,
        f"DB2026{d.pk:06d}",
    )
    assert watch_of(d).due_date == day(2026, 3, 5)
    assert Message.objects.filter(template="directive.issued", recipient=world.head).exists()
    d = directive_respond(actor=world.approver, directive_id=d.pk, response="已逐件核查，本周内办结。")
    assert (d.status, d.responded_on_time) == (DirectiveStatus.RESPONDED, True)
    w = watch_of(d)
    assert (w.status, w.closed_on_time) == ("closed", True)
    d = directive_close(actor=world.supervisor, directive_id=d.pk, note="反馈属实")
    assert d.status == DirectiveStatus.CLOSED
    assert list(d.events.values_list("kind", flat=True)) == ["issued", "responded", "closed"]
    with pytest.raises(IllegalTransition):
        directive_respond(actor=world.approver, directive_id=d.pk, response="再答")


def test_overdue_directive_turns_red_and_escalates(world, clock):
    d = issue(world, response_days=2)  # due Wed 4 March
    warning_sweep(today=day(2026, 3, 5))
    w = watch_of(d)
    assert w.level == Level.RED
    warning_sweep(today=day(2026, 3, 9))  # 3 working days overdue
    w.refresh_from_db()
    assert w.escalation_level == 1
    assert WarningEvent.objects.filter(deadline=w, kind=WarningKind.ESCALATED, step=1).count() == 1
    clock.move_to(dt.datetime(2026, 3, 9, 10, 0, tzinfo=TZ))
    late = directive_respond(actor=world.head, directive_id=d.pk, response="迟复")
    assert (late.responded_on, late.responded_on_time) == (day(2026, 3, 9), False)
    assert (watch_of(d).status, watch_of(d).closed_on_time) == ("closed", False)
    rates = {r["department_id"]: r for r in directive_response_rates(user=world.supervisor)}
    assert rates[world.dept.pk]["issued"] == 1
    assert (rates[world.dept.pk]["response_rate"], rates[world.dept.pk]["on_time_rate"]) == (1.0, 0.0)


def test_reissue_opens_a_new_round(world):
    d = issue(world)
    directive_respond(actor=world.approver, directive_id=d.pk, response="已处理")
    new = directive_reissue(actor=world.supervisor, directive_id=d.pk, note="反馈不实", response_days=5)
    d.refresh_from_db()
    assert (d.status, new.round, new.previous, new.status) == (
        DirectiveStatus.REISSUED,
        2,
        d,
        DirectiveStatus.ISSUED,
    )
    assert new.due_date == day(2026, 3, 9)
    assert watch_of(new).status == "open"


def test_directive_denials_change_nothing(world):
    with pytest.raises(NotAllowed):
        issue(world, actor=world.approver)
    assert Directive.objects.count() == 0
    d = issue(world)
    with pytest.raises(NotFound):  # another department does not even see it
        directive_respond(actor=world.other_approver, directive_id=d.pk, response="不是我们的")
    with pytest.raises(NotFound):
        directive_respond(actor=world.applicant_user, directive_id=d.pk, response="x")
    with pytest.raises(NotAllowed):
        directive_close(actor=world.head, directive_id=d.pk)
    with pytest.raises(ValidationFailed):
        directive_respond(actor=world.approver, directive_id=d.pk, response="  ")
    d.refresh_from_db()
    assert d.status == DirectiveStatus.ISSUED and d.events.count() == 1
    assert not Directive.objects.visible_to(world.other_head).exists()
    assert Directive.objects.visible_to(world.head).count() == 1


def test_directive_subject_must_exist(world):
    with pytest.raises(ValidationFailed) as exc:
        issue(world, subject_type="case", subject_id=999999)
    assert exc.value.field == "subject_id"


def test_manual_card_appeal_accepted_revokes(world):
    card = card_issue(
        actor=world.supervisor, color="yellow", department=world.dept, reason="窗口服务态度差，群众投诉"
    )
    assert card.issued_by == world.supervisor and card.rule_key == ""
    assert Message.objects.filter(ref=f"card:{card.pk}", recipient=world.head).exists()
    card = card_appeal(actor=world.head, card_id=card.pk, reason="投诉已核实不属实，有录像为证")
    assert card.status == CardStatus.APPEALED
    card = card_appeal_decide(
        actor=world.supervisor, card_id=card.pk, accept=True, note="经调阅录像，申诉成立"
    )
    assert card.status == CardStatus.REVOKED
    assert list(card.events.values_list("kind", flat=True)) == ["issued", "appealed", "appeal_accepted"]
    with pytest.raises(IllegalTransition):
        card_appeal_decide(actor=world.supervisor, card_id=card.pk, accept=False, note="再议")


def test_card_appeal_rejected_upholds(world):
    card = card_issue(
        actor=world.admin, color="red", department=world.dept, reason="连续超期", staff=world.approver
    )
    card_appeal(actor=world.approver, card_id=card.pk, reason="系统故障")
    card = card_appeal_decide(actor=world.supervisor, card_id=card.pk, accept=False, note="无故障记录")
    assert card.status == CardStatus.UPHELD
    with pytest.raises(IllegalTransition):
        card_appeal(actor=world.approver, card_id=card.pk, reason="再申诉")


def test_card_denials_change_nothing(world):
    with pytest.raises(NotAllowed):
        card_issue(actor=world.head, color="red", department=world.other_dept, reason="报复")
    assert Card.objects.count() == 0
    card = card_issue(actor=world.supervisor, color="yellow", department=world.dept, reason="超期")
    with pytest.raises(NotFound):
        card_appeal(actor=world.other_head, card_id=card.pk, reason="代为申诉")
    with pytest.raises(NotFound):  # a clerk does not see a department's cards
        card_appeal(actor=world.clerk, card_id=card.pk, reason="x")
    card_appeal(actor=world.head, card_id=card.pk, reason="有理由")
    with pytest.raises(NotAllowed):
        card_appeal_decide(actor=world.head, card_id=card.pk, accept=True, note="自己批准")
    card.refresh_from_db()
    assert card.status == CardStatus.APPEALED and card.events.count() == 2
    with pytest.raises(ValidationFailed):
        card_issue(actor=world.supervisor, color="green", department=world.dept, reason="x")


@pytest.mark.parametrize("who", ["other_approver", "applicant_user", "missing"])
def test_a_card_names_only_staff_of_its_department(world, who):
    """A carded person must work in the carded department (an id that is no one was a 500)."""
    staff = 999_999 if who == "missing" else getattr(world, who)
    with pytest.raises(ValidationFailed) as exc:
        card_issue(actor=world.supervisor, color="yellow", department=world.dept, reason="超期", staff=staff)
    assert exc.value.field == "staff" and exc.value.message == "被出示的工作人员不属于该部门。"
    assert Card.objects.count() == 0


def test_a_reason_is_a_page_at_most(world):
    with pytest.raises(ValidationFailed) as exc:
        card_issue(actor=world.supervisor, color="yellow", department=world.dept, reason="长" * 2001)
    assert exc.value.field == "reason" and "不能超过 2000 个字" in exc.value.message
    assert Card.objects.count() == 0
