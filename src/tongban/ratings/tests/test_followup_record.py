"""Supervisors read how a bad rating was handled (issue 12 point 9): the 核实 / 整改 / 回访 texts, who did
each and when, on the follow-up pages and in the API; one person doing several stages is shown; the
callback is never done by whoever rectified (docs/ratings.md says why)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.common.errors import NotAllowed
from tongban.ratings.choices import FollowUpStage
from tongban.ratings.models import FollowUp
from tongban.ratings.services import followup_callback, followup_rectify, followup_verify, rating_submit

from .conftest import BJ

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def bad(service) -> FollowUp:
    rating = rating_submit(token=service.token, score=1, tags=["attitude"], comment="窗口人员态度差")
    return FollowUp.objects.get(rating=rating)


def handled_by_one_person(world, service) -> FollowUp:
    fu = bad(service)
    with time_machine.travel(dt.datetime(2026, 4, 7, 9, 30, tzinfo=BJ), tick=False):
        followup_verify(actor=world.approver_a, followup_id=fu.pk, note="已电话联系，情况属实")
    with time_machine.travel(dt.datetime(2026, 4, 8, 15, 5, tzinfo=BJ), tick=False):
        return followup_rectify(actor=world.approver_a, followup_id=fu.pk, note="窗口人员已批评教育")


def test_the_rectifier_cannot_call_back_and_the_centre_can(world, online_service, client):
    fu = handled_by_one_person(world, online_service)
    with pytest.raises(NotAllowed) as exc:
        followup_callback(actor=world.approver_a, followup_id=fu.pk, result="satisfied")
    assert "整改人以外" in exc.value.message
    r = api(world.approver_a).post(
        f"/api/v1/ratings/followups/{fu.pk}/callback/", {"result": "satisfied"}, format="json"
    )
    assert r.status_code == 403
    client.force_login(world.approver_a)
    page = client.get(reverse("ratings:followups")).content.decode()
    assert f"ratings/followups/{fu.pk}/callback/" not in page and "回访由他人" in page
    assert FollowUp.objects.get(pk=fu.pk).stage == FollowUpStage.CALLBACK
    client.force_login(world.supervisor)
    page = client.get(reverse("ratings:followups")).content.decode()
    assert f"ratings/followups/{fu.pk}/callback/" in page  # the centre calls back
    with time_machine.travel(dt.datetime(2026, 4, 9, 10, 0, tzinfo=BJ), tick=False):
        r = client.post(
            reverse("ratings:followup-action", args=[fu.pk, "callback"]),
            {"result": "satisfied", "note": "申请人认可整改", "next": "detail"},
        )
    assert r.status_code == 302 and r["Location"] == reverse("ratings:followup", args=[fu.pk])
    fu.refresh_from_db()
    assert (fu.stage, fu.called_back_by, fu.callback_note) == (
        FollowUpStage.CLOSED,
        world.supervisor,
        "申请人认可整改",
    )


def test_supervisors_read_each_stage_who_and_when_on_the_page(world, online_service, client):
    fu = handled_by_one_person(world, online_service)
    followup_callback(actor=world.head_a, followup_id=fu.pk, result="basic", note="基本认可")
    client.force_login(world.supervisor)
    listing = client.get(reverse("ratings:followups"), {"stage": "all"}).content.decode()
    assert reverse("ratings:followup", args=[fu.pk]) in listing
    assert f"核实、整改由同一人（{world.approver_a}）办理" in listing
    body = client.get(reverse("ratings:followup", args=[fu.pk])).content.decode()
    for text in ("已电话联系，情况属实", "窗口人员已批评教育", "基本满意", "基本认可"):
        assert text in body
    assert str(world.approver_a) in body and str(world.head_a) in body
    assert "2026-04-07 09:30" in body and "2026-04-08 15:05" in body  # Beijing time
    assert f"核实、整改由同一人（{world.approver_a}）办理" in body
    client.force_login(world.approver_b)  # another department: not theirs to read
    assert client.get(reverse("ratings:followup", args=[fu.pk])).status_code == 404


def test_the_api_gives_each_stage_and_who_did_several(world, online_service):
    fu = handled_by_one_person(world, online_service)
    data = api(world.supervisor).get(f"/api/v1/ratings/followups/{fu.pk}/").json()
    verify, rectify, callback = data["stages"]
    assert (verify["note"], verify["by"], verify["at"]) == (
        "已电话联系，情况属实",
        world.approver_a.pk,
        "2026-04-07T09:30:00+08:00",
    )
    assert (rectify["note"], rectify["by_name"], callback["at"]) == (
        "窗口人员已批评教育",
        str(world.approver_a),
        None,
    )
    assert data["same_person"] == [
        {"person": world.approver_a.pk, "person_name": str(world.approver_a), "stages": ["核实", "整改"]}
    ]
    assert [e["kind"] for e in data["events"]] == ["opened", "verified", "rectified"]
    listed = api(world.supervisor).get("/api/v1/ratings/followups/").json()["results"]
    assert listed[0]["verified_by"] == world.approver_a.pk and listed[0]["same_person"]
    assert api(world.approver_b).get(f"/api/v1/ratings/followups/{fu.pk}/").status_code == 404


def test_different_people_are_not_flagged(world, online_service):
    fu = bad(online_service)
    followup_verify(actor=world.approver_a, followup_id=fu.pk, note="核实")
    followup_rectify(actor=world.head_a, followup_id=fu.pk, note="整改")
    fu = followup_callback(actor=world.supervisor, followup_id=fu.pk, result="satisfied")
    assert fu.same_person_stages() == []
    assert api(world.supervisor).get(f"/api/v1/ratings/followups/{fu.pk}/").json()["same_person"] == []
