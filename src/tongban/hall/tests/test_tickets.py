"""Tickets: daily numbering per category, call order, window actions and their refusals, scoping."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tongban.common.errors import Conflict, IllegalTransition, NotAllowed, NotFound, ValidationFailed
from tongban.hall import services
from tongban.hall.choices import TicketEventKind, TicketSource, TicketStatus
from tongban.hall.models import Ticket, TicketEvent

from .conftest import at

pytestmark = pytest.mark.django_db


def take(world, code="B", **kw):
    return services.ticket_take(hall_id=world.hall.pk, category_id=world.cats[code].pk, **kw)


class TestNumbering:
    def test_numbers_count_per_category_and_restart_each_day(self, world):
        with time_machine.travel(at(9, 5), tick=False):
            assert [take(world, "B").number for _ in range(3)] == ["B001", "B002", "B003"]
            assert take(world, "A").number == "A001"
            assert take(world, "B").number == "B004"
        with time_machine.travel(at(9, 5, day=3), tick=False):
            first = take(world, "B")
            assert first.number == "B001"
            assert first.service_date == dt.date(2026, 3, 3)
            assert take(world, "A").number == "A001"

    def test_other_hall_has_its_own_numbers(self, world, clock):
        take(world, "B")
        other_b = world.other_hall.queue_categories.get(code="B")
        t = services.ticket_take(hall_id=world.other_hall.pk, category_id=other_b.pk)
        assert t.number == "B001"

    def test_category_of_another_hall_is_refused(self, world, clock):
        other_b = world.other_hall.queue_categories.get(code="B")
        with pytest.raises(ValidationFailed) as exc:
            services.ticket_take(hall_id=world.hall.pk, category_id=other_b.pk)
        assert exc.value.field == "category"
        assert Ticket.objects.count() == 0

    def test_issue_writes_an_event(self, world, clock):
        t = take(world)
        ev = TicketEvent.objects.get(ticket=t)
        assert (ev.kind, ev.from_status, ev.to_status) == (TicketEventKind.ISSUED, "", TicketStatus.WAITING)

    def test_staff_source_needs_a_clerk_of_the_hall(self, world, clock):
        with pytest.raises(NotAllowed):
            take(world, source=TicketSource.STAFF, actor=world.other_clerk)
        t = take(world, source=TicketSource.STAFF, actor=world.clerk)
        assert t.issued_by == world.clerk

    def test_priority_needs_a_note(self, world, clock):
        with pytest.raises(ValidationFailed) as exc:
            services.ticket_issue_priority(
                actor=world.clerk, hall_id=world.hall.pk, category_id=world.cats["B"].pk, note=" "
            )
        assert exc.value.field == "note"
        assert Ticket.objects.count() == 0


class TestCallOrder:
    def test_priority_then_due_appointment_then_fifo(self, world, clock):
        walk1 = take(world)
        walk2 = take(world)
        clock.shift(60)
        # an appointment ticket whose slot started at 10:00 (now 10:01) goes ahead of walk-ins
        due = services.tickets.issue(
            category=world.cats["B"], source=TicketSource.APPOINTMENT, appointment_due_at=at(10, 0)
        )
        # one whose slot starts at 10:30 waits in first-come order
        early = services.tickets.issue(
            category=world.cats["B"], source=TicketSource.APPOINTMENT, appointment_due_at=at(10, 30)
        )
        prio = services.ticket_issue_priority(
            actor=world.clerk, hall_id=world.hall.pk, category_id=world.cats["B"].pk, note="材料齐全，已预审"
        )
        order = []
        for _ in range(5):
            t = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
            order.append(t.pk)
            services.ticket_no_show(actor=world.clerk, ticket_id=t.pk)
        assert order == [prio.pk, due.pk, walk1.pk, walk2.pk, early.pk]

    def test_window_calls_only_its_categories(self, world, clock):
        a = take(world, "A")
        b = take(world, "B")
        assert services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk) == b
        w3_clerk = world.clerk  # any clerk of the hall may work at any of its windows
        assert services.ticket_call_next(actor=w3_clerk, window_id=world.w3.pk) == a

    def test_consultation_desk_serves_the_consultation_queue(self, world, clock):
        d = take(world, "D")
        take(world, "B")
        assert services.ticket_call_next(actor=world.clerk, window_id=world.desk.pk) == d
        services.ticket_no_show(actor=world.clerk, ticket_id=d.pk)
        with pytest.raises(NotFound) as exc:  # B is not the desk's queue
            services.ticket_call_next(actor=world.clerk, window_id=world.desk.pk)
        assert exc.value.code == "queue_empty"

    def test_empty_queue(self, world, clock):
        with pytest.raises(NotFound) as exc:
            services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        assert exc.value.code == "queue_empty"

    def test_busy_window_cannot_call_again(self, world, clock):
        t = take(world)
        take(world)
        services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        with pytest.raises(Conflict) as exc:
            services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        assert exc.value.code == "window_busy"
        assert Ticket.objects.filter(status=TicketStatus.CALLED).get() == t

    def test_two_windows_get_different_tickets(self, world, clock):
        t1, t2 = take(world), take(world)
        c1 = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        c2 = services.ticket_call_next(actor=world.clerk2, window_id=world.w2.pk)
        assert {c1.pk, c2.pk} == {t1.pk, t2.pk}
        assert c1.window == world.w1 and c2.window == world.w2

    def test_yesterdays_tickets_are_not_called(self, world):
        with time_machine.travel(at(16, 0, day=1), tick=False):
            take(world)
        with time_machine.travel(at(9, 0), tick=False), pytest.raises(NotFound):
            services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)


class TestWindowActions:
    def test_full_visit(self, world, clock):
        t = take(world)
        clock.shift(300)
        t = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        assert (t.status, t.call_count, t.served_by) == (TicketStatus.CALLED, 1, world.clerk)
        clock.shift(30)
        t = services.ticket_recall(actor=world.clerk, ticket_id=t.pk)
        assert t.call_count == 2
        clock.shift(30)
        t = services.ticket_start(actor=world.clerk, ticket_id=t.pk)
        clock.shift(600)
        t = services.ticket_finish(actor=world.clerk, ticket_id=t.pk)
        assert t.status == TicketStatus.DONE
        assert (t.wait_seconds, t.service_seconds) == (300, 600)
        kinds = list(TicketEvent.objects.filter(ticket=t).values_list("kind", flat=True))
        assert kinds == ["issued", "called", "recalled", "started", "finished"]

    @pytest.mark.parametrize(
        ("prepare", "action"),
        [
            ([], services.ticket_recall),
            ([], services.ticket_start),
            ([], services.ticket_finish),
            ([], services.ticket_no_show),
            (["call"], services.ticket_finish),
            (["call", "start"], services.ticket_no_show),
            (["call", "start", "finish"], services.ticket_recall),
            (["call", "no_show"], services.ticket_start),
        ],
    )
    def test_illegal_moves_are_refused_and_change_nothing(self, world, clock, prepare, action):
        t = take(world)
        steps = {
            "call": lambda: services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk),
            "start": lambda: services.ticket_start(actor=world.clerk, ticket_id=t.pk),
            "finish": lambda: services.ticket_finish(actor=world.clerk, ticket_id=t.pk),
            "no_show": lambda: services.ticket_no_show(actor=world.clerk, ticket_id=t.pk),
        }
        for step in prepare:
            steps[step]()
        t.refresh_from_db()
        before = (t.status, t.version, TicketEvent.objects.count())
        with pytest.raises(IllegalTransition):
            action(actor=world.clerk, ticket_id=t.pk)
        t.refresh_from_db()
        assert (t.status, t.version, TicketEvent.objects.count()) == before

    def test_no_show_frees_the_window(self, world, clock):
        take(world)
        second = take(world)
        t = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        services.ticket_no_show(actor=world.clerk, ticket_id=t.pk)
        assert services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk) == second

    def test_transfer_to_a_window_keeps_the_number_and_only_that_window_calls_it(self, world, clock):
        take(world)
        t = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        take(world)  # B002 waits
        new = services.ticket_transfer(
            actor=world.clerk, ticket_id=t.pk, window_id=world.w3.pk, note="需工程建设窗口"
        )
        t.refresh_from_db()
        assert t.status == TicketStatus.TRANSFERRED
        assert (new.number, new.status, new.target_window, new.transferred_from) == (
            "B001",
            TicketStatus.WAITING,
            world.w3,
            t,
        )
        # window 2 serves B but not a ticket sent to window 3
        assert services.ticket_call_next(actor=world.clerk2, window_id=world.w2.pk).number == "B002"
        assert services.ticket_call_next(actor=world.clerk, window_id=world.w3.pk) == new

    def test_transfer_to_a_category(self, world, clock):
        take(world)
        t = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        new = services.ticket_transfer(actor=world.clerk, ticket_id=t.pk, category_id=world.cats["A"].pk)
        assert new.category == world.cats["A"] and new.target_window is None
        assert services.ticket_call_next(actor=world.clerk, window_id=world.w3.pk) == new

    def test_transfer_needs_exactly_one_target(self, world, clock):
        take(world)
        t = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        with pytest.raises(ValidationFailed):
            services.ticket_transfer(actor=world.clerk, ticket_id=t.pk)
        with pytest.raises(ValidationFailed):
            services.ticket_transfer(actor=world.clerk, ticket_id=t.pk, window_id=world.w1.pk)
        with pytest.raises(ValidationFailed):
            services.ticket_transfer(actor=world.clerk, ticket_id=t.pk, window_id=world.other_window.pk)
        t.refresh_from_db()
        assert t.status == TicketStatus.CALLED and Ticket.objects.count() == 1

    def test_waiting_ticket_cannot_be_transferred(self, world, clock):
        t = take(world)
        with pytest.raises(IllegalTransition):
            services.ticket_transfer(actor=world.clerk, ticket_id=t.pk, window_id=world.w2.pk)

    def test_stale_version_is_a_conflict(self, world, clock):
        take(world)
        t = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        with pytest.raises(Conflict):
            services.ticket_start(actor=world.clerk, ticket_id=t.pk, expected_version=t.version - 1)

    def test_close_day_sweep(self, world):
        with time_machine.travel(at(16, 0, day=1), tick=False):
            t = take(world)
        with time_machine.travel(at(9, 0), tick=False):
            assert services.ticket_close_day_sweep() == 1
            assert services.ticket_close_day_sweep() == 0
        t.refresh_from_db()
        assert t.status == TicketStatus.LEFT


class TestScoping:
    def test_clerk_of_another_hall_cannot_call_here(self, world, clock):
        t = take(world)
        with pytest.raises(NotAllowed):
            services.ticket_call_next(actor=world.other_clerk, window_id=world.w1.pk)
        t.refresh_from_db()
        assert (t.status, t.window, t.version) == (TicketStatus.WAITING, None, 1)
        assert TicketEvent.objects.filter(ticket=t).count() == 1

    def test_clerk_of_another_hall_cannot_act_on_a_ticket(self, world, clock):
        take(world)
        t = services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        for action in (services.ticket_recall, services.ticket_start, services.ticket_no_show):
            with pytest.raises(NotAllowed):
                action(actor=world.other_clerk, ticket_id=t.pk)
        t.refresh_from_db()
        assert (t.status, t.call_count, t.version) == (TicketStatus.CALLED, 1, 2)

    def test_visibility(self, world, clock):
        take(world)
        assert Ticket.objects.visible_to(world.clerk).count() == 1
        assert Ticket.objects.visible_to(world.other_clerk).count() == 0
        assert Ticket.objects.visible_to(world.person.user).count() == 0
        assert Ticket.objects.visible_to(None).count() == 0
