"""Waiting figures against hand-computed values, and concurrent callers on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections

from tongban.common.errors import NotAllowed, ServiceError
from tongban.hall import selectors, services
from tongban.hall.models import Ticket

from .conftest import at

DAY = dt.date(2026, 3, 2)


@pytest.mark.django_db
def test_figures_match_hand_computed_values(world):
    """09:00 B001, 09:10 B002, 09:20 A001, 10:05 B003.
    w1: calls B001 09:05 (wait 5 min), starts 09:06, finishes 09:16 (10 min).
    w2: calls B002 09:20 (wait 10 min), no-show.
    w3: calls A001 09:30 (wait 10 min), starts 09:30, finishes 09:50 (20 min).
    B003 leaves unserved (marked left by the guide desk)."""
    with time_machine.travel(at(9, 0), tick=False) as clock:
        b1 = services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["B"].pk)
        clock.move_to(at(9, 5))
        services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)
        clock.move_to(at(9, 6))
        services.ticket_start(actor=world.clerk, ticket_id=b1.pk)
        clock.move_to(at(9, 10))
        b2 = services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["B"].pk)
        clock.move_to(at(9, 16))
        services.ticket_finish(actor=world.clerk, ticket_id=b1.pk)
        clock.move_to(at(9, 20))
        a1 = services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["A"].pk)
        services.ticket_call_next(actor=world.clerk2, window_id=world.w2.pk)
        services.ticket_no_show(actor=world.clerk2, ticket_id=b2.pk)
        clock.move_to(at(9, 30))
        services.ticket_call_next(actor=world.clerk, window_id=world.w3.pk)
        services.ticket_start(actor=world.clerk, ticket_id=a1.pk)
        clock.move_to(at(9, 50))
        services.ticket_finish(actor=world.clerk, ticket_id=a1.pk)
        clock.move_to(at(10, 5))
        b3 = services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["B"].pk)
        services.ticket_leave(actor=world.clerk, ticket_id=b3.pk)

    f = selectors.hall_figures(user=world.clerk, date_from=DAY, date_to=DAY, hall_id=world.hall.pk)
    t = f.total
    assert (t.tickets, t.visits, t.served, t.unserved) == (4, 3, 2, 2)
    assert t.avg_wait == pytest.approx((300 + 600 + 600) / 3)
    assert t.max_wait == 600
    assert t.avg_service == pytest.approx((600 + 1200) / 2)
    assert t.unserved_rate == pytest.approx(0.5)
    cats = {r.key: r for r in f.by_category}
    assert (cats["A"].tickets, cats["A"].served, cats["A"].avg_wait) == (1, 1, 600)
    assert (cats["B"].tickets, cats["B"].served, cats["B"].unserved) == (3, 1, 2)
    assert cats["B"].avg_wait == pytest.approx(450)
    wins = {r.key: r for r in f.by_window}
    assert (wins["1"].avg_service, wins["2"].unserved, wins["3"].avg_service) == (600, 1, 1200)
    hours = {r.key: r for r in f.by_hour}
    assert (hours["9"].tickets, hours["10"].tickets, hours["10"].unserved) == (3, 1, 1)

    # scoping: a clerk of another hall sees nothing of this hall; an applicant nothing at all
    with pytest.raises(NotAllowed):
        selectors.hall_figures(user=world.other_clerk, date_from=DAY, date_to=DAY, hall_id=world.hall.pk)
    assert selectors.hall_figures(user=world.other_clerk, date_from=DAY, date_to=DAY).total.tickets == 0
    with pytest.raises(NotAllowed):
        selectors.hall_figures(user=world.person.user, date_from=DAY, date_to=DAY)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (SKIP LOCKED)")
def test_parallel_windows_never_get_the_same_ticket():
    from tongban.accounts.tests.factories import StaffFactory
    from tongban.hall.models import QueueCategory
    from tongban.hall.services import hall_queues_setup
    from tongban.organisations.choices import StaffRole
    from tongban.organisations.tests.factories import HallFactory, WindowFactory

    n = 8
    hall = HallFactory(code="PG01")
    hall_queues_setup(hall_id=hall.pk)
    b = QueueCategory.objects.get(hall=hall, code="B")
    windows = [WindowFactory(hall=hall, number=i + 1, categories=["business"]) for i in range(n)]
    clerks = [StaffFactory.with_role(StaffRole.CLERK, window=w) for w in windows]
    for _ in range(n + 2):
        services.ticket_take(hall_id=hall.pk, category_id=b.pk)
    barrier = threading.Barrier(n)
    got: list[int] = []
    errors: list[str] = []

    def call(i: int) -> None:
        try:
            barrier.wait()
            got.append(services.ticket_call_next(actor=clerks[i], window_id=windows[i].pk).pk)
        except ServiceError as exc:
            errors.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(got) == n and len(set(got)) == n
    assert Ticket.objects.filter(status="called").count() == n
    assert Ticket.objects.filter(status="waiting").count() == 2
    # first come first served: the n earliest tickets were called
    assert sorted(got) == sorted(Ticket.objects.order_by("seq").values_list("pk", flat=True)[:n])


@pytest.mark.django_db
def test_figures_cost_the_same_queries_whatever_the_number_of_tickets(world):
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.hall_figures(user=world.clerk, date_from=DAY, date_to=DAY, hall_id=world.hall.pk)
        return len(ctx.captured_queries)

    with time_machine.travel(at(9, 0), tick=False):
        services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["B"].pk)
        queries()  # the first call also looks up the user's scope
        few = queries()
        for _ in range(30):
            services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["A"].pk)
        assert queries() == few
