"""Cards are sanctions, not routine (issue 12 point 5): warning → 催办 → 督办 → a card only for a
directive ignored or answered late, or a fault repeated — by rules an administrator changes.

Dates: time is frozen on Monday 2 March 2026 (conftest); March 2026 has no holiday, so the working days
are the weekdays. A directive issued that Monday with 3 working days to answer is due Thursday 5 March
(Tue 3, Wed 4, Thu 5); it is 1, 2, 3, 4 working days overdue on Fri 6, Mon 9, Tue 10, Wed 11 March.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.common.errors import Conflict, NotAllowed, ValidationFailed
from tongban.notifications.models import Message
from tongban.supervision.choices import CardColor, CardTrigger, Level, WarningKind
from tongban.supervision.models import Card, CardRule, CardRuleEvent, WarningEvent
from tongban.supervision.services import (
    card_rule_create,
    card_rule_update,
    directive_issue,
    directive_respond,
    reminder_send,
    warning_events_dispatch,
    warning_sweep,
)

from .conftest import TZ
from .helpers import day, watch

pytestmark = pytest.mark.django_db

DUE = day(2026, 3, 5)


def rule(key: str) -> CardRule:
    return CardRule.objects.get(key=key)


def issue(world, **kw):
    return directive_issue(
        actor=world.supervisor,
        subject_type=kw.pop("subject_type", "department"),
        subject_id=kw.pop("subject_id", world.dept.pk),
        title="超期件集中清理",
        required_action="三日内说明超期原因并限期办结。",
        response_days=3,
        **kw,
    )


def test_the_defaults_are_the_escalation_and_the_overdue_cards_are_off(world):
    active = {r.key: (r.trigger, r.color, r.active) for r in CardRule.objects.all()}
    assert active == {
        "directive_ignored": (CardTrigger.DIRECTIVE_IGNORED, CardColor.RED, True),
        "directive_late": (CardTrigger.DIRECTIVE_LATE, CardColor.YELLOW, True),
        "repeated_red": (CardTrigger.REPEATED_FAULT, CardColor.YELLOW, True),
        "case_overdue": (CardTrigger.OVERDUE, CardColor.RED, False),
        "step_overdue_no_extension": (CardTrigger.OVERDUE, CardColor.YELLOW, False),
    }
    assert (rule("directive_ignored").after_days, rule("repeated_red").count) == (3, 5)


def test_an_overdue_case_gets_warnings_reminders_and_a_directive_but_no_card(world, clock):
    case = watch(world, limit=5, subject_type="case", reference="440106-20260302-000001")
    for today in (day(2026, 3, 6), day(2026, 3, 10), day(2026, 3, 12), day(2026, 3, 17)):
        warning_sweep(today=today)
    case.refresh_from_db()
    assert (case.level, case.escalation_level) == (Level.RED, 2)
    kinds = set(WarningEvent.objects.filter(deadline=case).values_list("kind", flat=True))
    assert {WarningKind.YELLOW, WarningKind.RED, WarningKind.ESCALATED} <= kinds
    reminder_send(actor=world.supervisor, deadline_id=case.pk, note="请加快办理")
    directive = issue(world)  # 督办 the department (the watch's case is not a real case here)
    directive_respond(actor=world.head, directive_id=directive.pk, response="已专人跟进，三日内办结。")
    warning_sweep(today=day(2026, 3, 18))
    assert not Card.objects.exists()


def test_an_ignored_directive_gets_the_configured_card_once(world, clock, django_capture_on_commit_callbacks):
    directive = issue(world)
    assert directive.due_date == DUE
    for today in (day(2026, 3, 6), day(2026, 3, 9), day(2026, 3, 10)):  # 1–3 working days overdue
        warning_sweep(today=today)
    assert not Card.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = warning_sweep(today=day(2026, 3, 11))  # 4 working days overdue: more than 3
    assert r.cards == 1
    card = Card.objects.get()
    assert (card.color, card.department, card.rule, card.rule_key, card.directive) == (
        CardColor.RED,
        world.dept,
        rule("directive_ignored"),
        "directive_ignored",
        directive,
    )
    assert card.issued_by is None and card.deadline.subject_ref == f"directive:{directive.pk}"
    assert directive.number in card.reason and "2026-03-05" in card.reason
    assert list(card.events.values_list("kind", flat=True)) == ["issued"]
    told = Message.objects.get(ref=f"card:{card.pk}", recipient=world.head, channel="in_app")
    assert told.template == "supervision.card" and "督办单逾期未反馈" in told.body
    assert not Card.objects.filter(notify_pending=True).exists()
    for today in (day(2026, 3, 11), day(2026, 3, 12), day(2026, 3, 20)):
        assert warning_sweep(today=today).cards == 0
    assert Card.objects.count() == 1
    # answered late after the card: the stronger sanction stands alone, no "late" card on top
    clock.move_to(dt.datetime(2026, 3, 12, 10, tzinfo=TZ))
    directive_respond(actor=world.approver, directive_id=directive.pk, response="已说明原因。")
    assert Card.objects.count() == 1


def test_a_late_answer_gets_one_card(world, clock):
    directive = issue(world)
    warning_sweep(today=day(2026, 3, 6))  # red, 1 working day overdue: not yet "ignored"
    clock.move_to(dt.datetime(2026, 3, 9, 10, tzinfo=TZ))  # 2 working days overdue
    directive = directive_respond(actor=world.approver, directive_id=directive.pk, response="已核查。")
    assert directive.responded_on_time is False
    card = Card.objects.get()
    assert (card.color, card.rule_key, card.directive, card.staff) == (
        CardColor.YELLOW,
        "directive_late",
        directive,
        None,
    )
    assert "2026-03-09 才反馈（逾期 2 个工作日）" in card.reason
    warning_sweep(today=day(2026, 3, 20))
    assert Card.objects.count() == 1


def test_an_answer_on_time_gets_no_card(world, clock):
    directive = issue(world)
    clock.move_to(dt.datetime(2026, 3, 5, 16, tzinfo=TZ))  # the due date itself is on time
    directive_respond(actor=world.approver, directive_id=directive.pk, response="已办结。")
    warning_sweep(today=day(2026, 3, 20))
    assert not Card.objects.exists()


def late_watch(world, n, **kw):
    """A watch opened already overdue: red at once, with its red warning."""
    d = watch(world, limit=3, start=day(2026, 2, 16), today=day(2026, 3, 2), subject_id=9000 + n, **kw)
    assert WarningEvent.objects.filter(deadline=d, kind=WarningKind.RED).count() == 1
    return d


def test_a_repeated_fault_gets_one_card_per_count_of_red_warnings(world):
    for n in range(4):
        late_watch(world, n, reference=f"TB-{n}")
    late_watch(world, 99, department=world.other_dept)  # another department's: counted apart
    assert warning_sweep(today=day(2026, 3, 2)).cards == 0
    late_watch(world, 4, reference="TB-4")
    assert warning_sweep(today=day(2026, 3, 2)).cards == 1
    card = Card.objects.get()
    assert (card.color, card.rule_key, card.department, card.staff, card.subject_type) == (
        CardColor.YELLOW,
        "repeated_red",
        world.dept,
        None,
        "department",
    )
    counted = card.warnings.order_by("id")
    assert counted.count() == 5 and {w.deadline.department_id for w in counted} == {world.dept.pk}
    assert "最近 30 日内有 5 次红灯超期" in card.reason and "TB-0" in card.reason
    assert warning_sweep(today=day(2026, 3, 3)).cards == 0  # each warning counts once
    for n in range(5, 9):
        late_watch(world, n)
    assert warning_sweep(today=day(2026, 3, 3)).cards == 0
    late_watch(world, 9)
    assert warning_sweep(today=day(2026, 3, 3)).cards == 1
    assert Card.objects.filter(rule_key="repeated_red").count() == 2


def test_old_red_warnings_leave_the_window(world, clock):
    for n in range(4):
        late_watch(world, n)
    clock.move_to(dt.datetime(2026, 4, 1, 10, tzinfo=TZ))  # the four are 30 days old: outside 30 days
    late_watch(world, 4)
    assert warning_sweep(today=day(2026, 4, 1)).cards == 0


def test_a_rule_targeting_people_counts_each_persons_warnings(world):
    card_rule_update(actor=world.admin, rule_id=rule("repeated_red").pk, target="person", count=2)
    late_watch(world, 1, assignee=world.approver)
    late_watch(world, 2)  # nobody assigned: not a person's fault
    late_watch(world, 3, assignee=world.head)
    assert warning_sweep(today=day(2026, 3, 2)).cards == 0
    late_watch(world, 4, assignee=world.approver)
    warning_sweep(today=day(2026, 3, 2))
    card = Card.objects.get()
    assert (card.staff, card.department) == (world.approver, world.dept)


def test_opt_in_overdue_rule_skips_a_halls_own_watch(world, overdue_rules):
    card_rule_update(actor=world.admin, rule_id=rule("case_overdue").pk, subject_type="rating_followup")
    late = {
        "limit": 3,
        "start": day(2026, 2, 16),
        "today": day(2026, 3, 2),
        "subject_type": "rating_followup",
    }
    watch(world, **late, department=None, hall=world.hall)
    watch(world, **late, subject_id=777)
    assert list(Card.objects.values_list("subject_type", "subject_id")) == [("rating_followup", 777)]


def admin_change(client, r: CardRule, **changes):
    """POST the admin's change form of a rule with its current values, `changes` applied."""
    data = {
        "name": r.name,
        "subject_type": r.subject_type,
        "count": r.count,
        "window_days": r.window_days,
        "after_days": r.after_days,
        "color": r.color,
        "target": r.target,
        "description": r.description,
    }
    if r.active:
        data["active"] = "on"
    if r.exempt_extended:
        data["exempt_extended"] = "on"
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not False}
    return client.post(f"/admin/supervision/cardrule/{r.pk}/change/", data)


@pytest.fixture
def root(world):
    """An administrator as accounts.services.staff_create makes one: with the Django admin."""
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    return world.admin


def test_changing_a_rule_in_the_admin_changes_what_the_sweep_does(world, root, client):
    client.force_login(root)
    response = admin_change(client, rule("directive_ignored"), color="yellow", after_days=0)
    assert response.status_code == 302, response.content.decode()[:2000]
    first = issue(world)
    warning_sweep(today=day(2026, 3, 6))  # now: a yellow card on the first day overdue
    assert list(Card.objects.values_list("color", "directive")) == [(CardColor.YELLOW, first.pk)]
    event = CardRuleEvent.objects.filter(rule=rule("directive_ignored")).last()
    assert (event.kind, event.actor, event.changes) == (
        "changed",
        world.admin,
        {"color": ["red", "yellow"], "after_days": [3, 0]},
    )
    admin_change(client, rule("directive_ignored"), active=False)
    second = issue(world)
    warning_sweep(today=day(2026, 3, 20))
    assert not Card.objects.filter(directive=second).exists()
    assert CardRuleEvent.objects.filter(rule=rule("directive_ignored")).last().kind == "deactivated"
    bad = admin_change(client, rule("repeated_red"), count=1)
    assert bad.status_code == 200 and "红灯次数（N）应为 2 至 100 的整数。" in bad.content.decode()
    assert rule("repeated_red").count == 5


def test_a_new_rule_from_the_admin_applies(world, root, client):
    client.force_login(root)
    response = client.post(
        "/admin/supervision/cardrule/add/",
        {
            "key": "step_red_twice",
            "name": "环节 7 日内 2 次红灯",
            "trigger": "repeated_fault",
            "subject_type": "step",
            "count": 2,
            "window_days": 7,
            "after_days": 0,
            "color": "red",
            "target": "department",
            "active": "on",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    late_watch(world, 1, subject_type="step")
    late_watch(world, 2, subject_type="step")
    late_watch(world, 3, subject_type="case")
    warning_sweep(today=day(2026, 3, 2))
    card = Card.objects.get(rule_key="step_red_twice")
    assert card.color == CardColor.RED and card.warnings.count() == 2
    assert CardRuleEvent.objects.get(rule__key="step_red_twice").kind == "created"


def test_rule_writes_are_for_administrators_and_checked(world):
    r = rule("repeated_red")
    with pytest.raises(NotAllowed):
        card_rule_update(actor=world.supervisor, rule_id=r.pk, count=3)
    with pytest.raises(ValidationFailed) as exc:
        card_rule_update(actor=world.admin, rule_id=r.pk, window_days=0)
    assert exc.value.field == "window_days"
    with pytest.raises(ValidationFailed) as exc:
        card_rule_update(actor=world.admin, rule_id=r.pk, trigger="overdue")
    assert exc.value.field == "trigger"
    with pytest.raises(Conflict):
        card_rule_update(actor=world.admin, rule_id=r.pk, expected_version=r.version + 1, count=3)
    with pytest.raises(ValidationFailed) as exc:
        card_rule_create(
            actor=world.admin, key="repeated_red", trigger="directive_late", name="x", color="red"
        )
    assert exc.value.field == "key"
    with pytest.raises(ValidationFailed) as exc:
        card_rule_create(actor=world.admin, key="every_case", trigger="overdue", name="x", color="red")
    assert exc.value.field == "subject_type"
    created = card_rule_create(
        actor=world.admin, key="late2", trigger="directive_late", name="反馈逾期", color="red", count=9
    )
    assert created.count == 0  # a number the trigger does not use is not kept
    assert rule("repeated_red").count == 5 and rule("repeated_red").version == r.version


def test_cards_are_dispatched_from_their_outbox_once(world):
    directive = issue(world)
    warning_sweep(today=day(2026, 3, 11))
    card = Card.objects.get(directive=directive)
    assert card.notify_pending
    first = warning_events_dispatch()
    assert first >= 1 and warning_events_dispatch() == 0
    assert Message.objects.filter(ref=f"card:{card.pk}").count() >= 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sweeps_at_the_same_moment_card_each_firing_once(world):
    from tongban.common.testing import run_together

    for n in range(10):  # two firings of the repeated-fault rule
        late_watch(world, n)
    directives = [issue(world) for _ in range(3)]
    run_together(3, lambda: warning_sweep(today=day(2026, 3, 11)))
    assert Card.objects.filter(rule_key="repeated_red").count() == 2
    assert sorted(Card.objects.filter(rule_key="directive_ignored").values_list("directive", flat=True)) == [
        d.pk for d in directives
    ]
    counted = list(Card.warnings.through.objects.values_list("warning_id", flat=True))
    assert len(counted) == len(set(counted)) == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_answer_racing_the_sweep_gets_one_sanction(world, clock):
    """The sweep cards a directive as ignored while the department answers it late: whichever commits
    first, the directive ends with one card."""
    from tongban.common.testing import run_together

    for _ in range(5):
        directive = issue(world)
        clock.move_to(dt.datetime(2026, 3, 11, 10, tzinfo=TZ))
        calls = iter(range(2))

        def racer(directive=directive, calls=calls):
            if next(calls) == 0:
                warning_sweep(today=day(2026, 3, 11))
            else:
                directive_respond(actor=world.approver, directive_id=directive.pk, response="补报。")

        run_together(2, racer)
        assert Card.objects.filter(directive=directive).count() == 1
        clock.move_to(dt.datetime(2026, 3, 2, 9, tzinfo=TZ))
