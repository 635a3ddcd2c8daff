"""The workflow kernel (common.workflow) on a real stateful model, the ticket: lock with version (409 on
the API when stale), the event row in the same transaction, nothing left behind by a rollback."""

from __future__ import annotations

import pytest
from django.db import transaction

from tongban.common.errors import Conflict, NotFound
from tongban.common.workflow import lock, record, save_with_version
from tongban.hall import services
from tongban.hall.choices import TicketEventKind, TicketStatus
from tongban.hall.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def called_ticket(world):
    services.ticket_take(hall_id=world.hall.pk, category_id=world.cats["B"].pk)
    return services.ticket_call_next(actor=world.clerk, window_id=world.w1.pk)


def test_stale_version_is_409_on_the_api_and_changes_nothing(client, world, clock):
    t = called_ticket(world)
    client.force_login(world.clerk)
    r = client.post(
        f"/api/v1/hall/tickets/{t.pk}/start/",
        {"expected_version": t.version - 1},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert r.json()["code"] == "conflict" and "已被他人处理" in r.json()["message"]
    t.refresh_from_db()
    assert t.status == TicketStatus.CALLED
    r = client.post(
        f"/api/v1/hall/tickets/{t.pk}/start/",
        {"expected_version": t.version},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["version"] == t.version + 1


def test_lock_refuses_a_missing_row_and_a_stale_version(world, clock):
    t = called_ticket(world)
    with transaction.atomic():
        with pytest.raises(NotFound, match="号票不存在"):
            lock(Ticket.objects, t.pk + 1000, missing="号票不存在。")
        with pytest.raises(Conflict) as stale:
            lock(Ticket.objects, t.pk, t.version + 1, missing="-", stale="旧了。", stale_code="stale")
        assert stale.value.code == "stale"
        assert lock(Ticket.objects, t.pk, t.version, missing="-") == t


def test_the_event_row_is_written_in_the_callers_transaction(world, clock):
    t = called_ticket(world)
    with transaction.atomic():
        locked = lock(Ticket.objects, t.pk, t.version, missing="-")
        before, locked.status = locked.status, TicketStatus.SERVING
        save_with_version(locked, ["status"])
        row = record(TicketEvent, locked, TicketEventKind.STARTED, actor=world.clerk, before=before, extra=1)
        # visible inside the transaction, with the state it moved to and the window it happened at
        assert TicketEvent.objects.filter(pk=row.pk).exists()
    row.refresh_from_db()
    assert (row.from_status, row.to_status, row.window_id) == ("called", "serving", world.w1.pk)
    assert (row.actor, row.detail) == (world.clerk, {"extra": 1})
    assert Ticket.objects.get(pk=t.pk).version == t.version + 1


def test_a_rollback_leaves_neither_the_state_nor_the_event(world, clock):
    t = called_ticket(world)
    events = TicketEvent.objects.filter(ticket=t).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_start(actor=world.clerk, ticket_id=t.pk)
        raise RuntimeError("the caller fails after the service")
    t.refresh_from_db()
    assert t.status == TicketStatus.CALLED
    assert TicketEvent.objects.filter(ticket=t).count() == events


def test_anonymous_actor_is_recorded_as_none_and_long_notes_are_clipped(world, clock):
    from django.contrib.auth.models import AnonymousUser

    t = called_ticket(world)
    row = record(TicketEvent, t, TicketEventKind.LEFT, actor=AnonymousUser(), note="长" * 3000)
    assert row.actor is None and len(row.note) == 2000
