"""Rating once per service, validation, registration sweep and the default 基本满意 after 7 natural days."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tongban.common.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tongban.hall.models import KioskSession, TicketCase
from tongban.ratings.choices import RatingChannel, ServiceKind
from tongban.ratings.models import FollowUp, RatableService, Rating
from tongban.ratings.services import (
    ratable_register,
    ratables_register_sweep,
    rating_submit,
    ratings_default_sweep,
)

from .conftest import START, concluded_case, served_ticket


def test_rating_by_token_once_per_service(online_service):
    rating = rating_submit(
        token=online_service.token, score=5, tags=["efficiency", "attitude"], comment="很快"
    )
    assert (rating.score, rating.tags, rating.is_default) == (5, ["efficiency", "attitude"], False)
    with pytest.raises(Conflict) as exc:
        rating_submit(token=online_service.token, score=1, comment="再评一次")
    assert exc.value.code == "already_rated"
    assert "只能评价一次" in exc.value.message
    assert Rating.objects.count() == 1
    assert Rating.objects.get().score == 5
    assert FollowUp.objects.count() == 0


def test_logged_in_applicant_rates_own_service_only(world, online_service):
    with pytest.raises(NotFound):
        rating_submit(service_id=online_service.pk, actor=world.person2.user, score=4)
    with pytest.raises(NotAllowed):
        rating_submit(service_id=online_service.pk, actor=None, score=4)
    assert not RatableService.objects.get(pk=online_service.pk).rated
    rating = rating_submit(service_id=online_service.pk, actor=world.person.user, score=4)
    assert rating.rated_by == world.person.user
    with pytest.raises(Conflict):
        rating_submit(service_id=online_service.pk, actor=world.person.user, score=4)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": "好"}, "score"),
        ({"score": True}, "score"),
        ({"score": 4, "tags": ["speed"]}, "tags"),
        ({"score": 2}, "comment"),  # 差评 needs a dimension or a comment
        ({"score": 4, "comment": "长" * 501}, "comment"),
        ({"score": 4, "channel": RatingChannel.SYSTEM}, "channel"),
    ],
)
def test_invalid_ratings_are_refused_in_chinese(online_service, kwargs, field):
    with pytest.raises(ValidationFailed) as exc:
        rating_submit(token=online_service.token, **kwargs)
    assert exc.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    assert Rating.objects.count() == 0


def test_unknown_token_is_not_found(world):
    with pytest.raises(NotFound):
        rating_submit(token="nope", score=5)


def test_default_after_seven_natural_days_boundary(world, clock, online_service):
    assert online_service.rate_by == START + dt.timedelta(days=7)
    with time_machine.travel(START + dt.timedelta(days=6, hours=23, minutes=59), tick=False):
        assert ratings_default_sweep() == 0
    assert not RatableService.objects.get(pk=online_service.pk).rated
    with time_machine.travel(START + dt.timedelta(days=7), tick=False):
        assert ratings_default_sweep() == 1
        assert ratings_default_sweep() == 0  # idempotent
    rating = Rating.objects.get(service=online_service)
    assert (rating.score, rating.is_default, rating.channel) == (3, True, RatingChannel.SYSTEM)
    assert RatableService.objects.get(pk=online_service.pk).rated
    with pytest.raises(Conflict):
        rating_submit(token=online_service.token, score=1, comment="太晚了")


def test_default_days_are_configurable(world, settings):
    settings.RATING_DEFAULT_AFTER_DAYS = 3
    service = ratable_register(
        kind=ServiceKind.ONLINE_CASE,
        reference_id=999,
        served_at=START,
        title="测试服务",
        department=world.dept_a,
    )
    assert service.rate_by == START + dt.timedelta(days=3)


def test_register_is_idempotent_and_fills_in_later(world):
    first = ratable_register(kind=ServiceKind.WINDOW_VISIT, reference_id=1, served_at=START, title="窗口服务")
    again = ratable_register(
        kind=ServiceKind.WINDOW_VISIT,
        reference_id=1,
        served_at=START,
        title="另一个标题",
        department=world.dept_a,
        item=world.item_a,
    )
    assert again.pk == first.pk and again.token == first.token
    assert (again.title, again.department_id, again.item_id) == ("窗口服务", world.dept_a.pk, world.item_a.pk)
    assert RatableService.objects.count() == 1
    with pytest.raises(ValidationFailed):
        ratable_register(kind="phone", reference_id=1, served_at=START, title="x")
    with pytest.raises(ValidationFailed):
        ratable_register(
            kind=ServiceKind.WINDOW_VISIT, reference_id=2, served_at=START.replace(tzinfo=None), title="x"
        )


def test_register_sweep_finds_tickets_cases_and_kiosk_sessions(world):
    online = concluded_case(world)
    ticket = served_ticket(world)
    KioskSession.objects.create(hall=world.hall, ended_at=START, actions=[{"action": "ticket"}])
    KioskSession.objects.create(hall=world.hall, ended_at=START, actions=[])  # nothing done: not a service
    KioskSession.objects.create(hall=world.hall, actions=[{"action": "guide"}])  # still in use
    assert ratables_register_sweep() == 3
    assert ratables_register_sweep() == 0
    kinds = dict(RatableService.objects.values_list("kind", "reference_id"))
    assert kinds[ServiceKind.ONLINE_CASE] == online.pk
    assert kinds[ServiceKind.WINDOW_VISIT] == ticket.pk
    case_service = RatableService.objects.get(kind=ServiceKind.ONLINE_CASE)
    assert (case_service.department_id, case_service.item_id, case_service.user_id) == (
        world.dept_a.pk,
        world.item_a.pk,
        world.person.user_id,
    )
    visit = RatableService.objects.get(kind=ServiceKind.WINDOW_VISIT)
    assert (visit.window_id, visit.staff_id, visit.department_id) == (world.window.pk, world.clerk.pk, None)
    # The clerk links a case after finishing: the next sweep fills in department, item and person.
    case = concluded_case(world, world.item_b, applicant=world.person2)
    TicketCase.objects.create(ticket=ticket, case_id=case.pk, case_number=case.number, linked_by=world.clerk)
    ratables_register_sweep()
    visit.refresh_from_db()
    assert (visit.department_id, visit.item_id, visit.user_id) == (
        world.dept_b.pk,
        world.item_b.pk,
        world.person2.user_id,
    )
