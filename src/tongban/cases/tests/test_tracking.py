"""Public tracking (办件查询): masking, one answer for unknown and wrong, and the guessing limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tongban.cases import services
from tongban.cases.models import Case, CaseEvent, TrackingFailure
from tongban.cases.tracking import TRACKING_MAX_FAILURES

from .helpers import define_parallel, submit_online

pytestmark = pytest.mark.django_db


def track(client, number, code, **extra):
    return client.get(reverse("cases:track"), {"no": number, "code": code}, **extra)


def test_tracking_shows_status_steps_and_masks_personal_data(client, world):
    define_parallel(world)
    case = submit_online(world, world.parallel_item)
    services.case_accept(actor=world.clerk, case_id=case.pk)
    response = track(client, case.number, case.query_code.lower())
    html = response.content.decode()
    assert response.status_code == 200
    applicant = world.applicant
    assert "张*明" in html and applicant.name not in html
    masked = applicant.id_number[:4] + "*" * 10 + applicant.id_number[-4:]
    assert masked in html and applicant.id_number not in html
    assert applicant.mobile not in html
    assert "规划审查" in html and "消防审查" in html and "2026-03-16" in html  # steps and the due date
    assert 'data-status="in_review"' in html


def test_tracking_tells_what_is_needed(client, world):
    define_parallel(world)
    case = submit_online(world, world.parallel_item)
    m = case.materials.first()
    services.case_request_correction(
        actor=world.clerk, case_id=case.pk, items=[{"material_id": m.pk, "reason": "缺少签字"}]
    )
    html = track(client, case.number, case.query_code).content.decode()
    assert "需要申请人补正" in html and "缺少签字" in html


def test_unknown_number_and_wrong_code_get_the_same_answer(client, world):
    define_parallel(world)
    case = submit_online(world, world.parallel_item)
    wrong = track(client, case.number, "AAAAAAAA")
    unknown = track(client, "440106-20990101-000001", "AAAAAAAA")
    assert wrong.status_code == unknown.status_code == 404
    error = "data-track-error>办件编号或查询码不正确。"
    assert error in wrong.content.decode() and error in unknown.content.decode()


def test_guessing_is_rate_limited_per_ip_and_nothing_else_changes(client, world, clock):
    define_parallel(world)
    case = submit_online(world, world.parallel_item)
    before = (Case.objects.get(pk=case.pk).version, CaseEvent.objects.count())
    for i in range(TRACKING_MAX_FAILURES):
        assert track(client, f"440106-20260302-{i + 100:06d}", "ZZZZZZZZ").status_code == 404
    blocked = track(client, case.number, case.query_code)  # even the right code, from this client
    assert blocked.status_code == 429
    assert "查询失败次数过多" in blocked.content.decode() and "张*明" not in blocked.content.decode()
    assert TrackingFailure.objects.filter(scope="ip").count() == TRACKING_MAX_FAILURES  # not counted again
    assert (Case.objects.get(pk=case.pk).version, CaseEvent.objects.count()) == before
    # another client is not affected; the same API answers 429 for this one
    assert track(client, case.number, case.query_code, REMOTE_ADDR="10.0.0.9").status_code == 200
    api = client.get("/api/v1/track/", {"no": case.number, "code": case.query_code})
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"
    # after the window the client may try again
    clock.shift(dt.timedelta(minutes=11))
    assert track(client, case.number, case.query_code).status_code == 200


def test_guessing_one_number_from_many_addresses_is_limited(client, world):
    define_parallel(world)
    case = submit_online(world, world.parallel_item)
    for i in range(TRACKING_MAX_FAILURES):
        response = track(client, case.number, f"WRONG{i:03d}", REMOTE_ADDR=f"10.0.1.{i}")
        assert response.status_code == 404
    assert track(client, case.number, case.query_code, REMOTE_ADDR="10.0.2.1").status_code == 429


def test_tracking_api(client, world):
    define_parallel(world)
    case = submit_online(world, world.parallel_item)
    response = client.get("/api/v1/track/", {"no": case.number, "code": case.query_code})
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == case.number and data["applicant"] == "张*明"
    assert data["status"] == "submitted"
    wrong = client.get("/api/v1/track/", {"no": case.number, "code": "X"})
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    assert client.get("/api/v1/track/", {"no": case.number}).status_code == 400
