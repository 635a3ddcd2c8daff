"""Pages and API: rating by link and from 我的办件, the follow-up list with its deadline, claim review,
figures; scoped denials; the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.ratings.choices import FollowUpStage
from tongban.ratings.models import FollowUp, Rating


@pytest.fixture
def api():
    return APIClient()


def test_rate_by_link_page_and_once(client, online_service):
    url = reverse("ratings:rate", args=[online_service.token])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意", "服务效率", "办事指南准确"):
        assert label in html
    assert 'for="score-1"' in html and 'id="comment"' in html
    bad = client.post(url, {"score": "2", "comment": ""})
    assert bad.status_code == 400 and "差评请至少选择" in bad.content.decode()
    done = client.post(url, {"score": "2", "tags": ["attitude"], "comment": "态度差"})
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    again = client.post(url, {"score": "5"})
    assert "已经评价过了" in again.content.decode()
    assert Rating.objects.get().score == 2
    assert client.get(reverse("ratings:rate", args=["unknown"])).status_code == 404


def test_elder_mode_rate_page(client, online_service):
    client.cookies["tb_elder"] = "1"
    page = client.get(reverse("ratings:rate", args=[online_service.token]))
    assert 'class="elder' in page.content.decode()


def test_mine_lists_only_my_unrated_services(client, world, online_service):
    client.force_login(world.person2.user)
    assert online_service.title not in client.get(reverse("ratings:mine")).content.decode()
    assert client.get(reverse("ratings:rate-mine", args=[online_service.pk])).status_code == 404
    client.force_login(world.person.user)
    page = client.get(reverse("ratings:mine")).content.decode()
    assert reverse("ratings:rate-mine", args=[online_service.pk]) in page
    resp = client.post(reverse("ratings:rate-mine", args=[online_service.pk]), {"score": "4"})
    assert resp.status_code == 200
    assert (
        reverse("ratings:rate-mine", args=[online_service.pk])
        not in client.get(reverse("ratings:mine")).content.decode()
    )


def test_followup_list_shows_stage_and_deadline_to_the_department_only(client, world, online_service):
    client.post(reverse("ratings:rate", args=[online_service.token]), {"score": "1", "comment": "很差"})
    fu = FollowUp.objects.get()
    client.force_login(world.approver_a)
    html = client.get(reverse("ratings:followups")).content.decode()
    assert fu.reference in html and "待核实" in html and "2026-04-07" in html and "剩余 1 个工作日" in html
    client.force_login(world.approver_b)
    assert fu.reference not in client.get(reverse("ratings:followups")).content.decode()
    client.post(reverse("ratings:followup-action", args=[fu.pk, "verify"]), {"note": "越权"})
    assert FollowUp.objects.get(pk=fu.pk).stage == FollowUpStage.VERIFY
    client.force_login(world.person.user)
    assert client.get(reverse("ratings:followups")).status_code == 403
    client.force_login(world.approver_a)
    client.post(
        reverse("ratings:followup-action", args=[fu.pk, "verify"]), {"note": "已核实", "version": fu.version}
    )
    assert FollowUp.objects.get(pk=fu.pk).stage == FollowUpStage.RECTIFY


def test_claim_review_on_the_page(client, world, online_service):
    client.post(reverse("ratings:rate", args=[online_service.token]), {"score": "1", "comment": "很差"})
    fu = FollowUp.objects.get()
    client.force_login(world.head_a)
    client.post(
        reverse("ratings:followup-action", args=[fu.pk, "claim"]), {"kind": "mistaken", "reason": "评错"}
    )
    client.force_login(world.supervisor)
    html = client.get(reverse("ratings:followups")).content.decode()
    assert 'id="claims"' in html and "评错" in html
    client.post(reverse("ratings:followup-action", args=[fu.pk, "accept"]), {"note": "成立"})
    assert Rating.objects.get().excluded


def test_figures_page(client, world, online_service):
    client.post(reverse("ratings:rate", args=[online_service.token]), {"score": "5"})
    client.force_login(world.supervisor)
    html = client.get(reverse("ratings:figures"), {"dimension": "department"}).content.decode()
    assert world.dept_a.name in html and "100.0%" in html
    client.force_login(world.person.user)
    assert client.get(reverse("ratings:figures")).status_code == 403


def test_api_submit_by_token_and_conflict(api, online_service):
    url = reverse("api-ratings-submit")
    resp = api.post(url, {"token": online_service.token, "score": 2, "tags": ["efficiency"]}, format="json")
    assert resp.status_code == 201 and resp.json()["followup"] is not None
    again = api.post(url, {"token": online_service.token, "score": 5}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    bad = api.post(url, {"token": "x", "score": 9}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"


def test_api_mine_followups_actions_figures(api, world, online_service):
    api.force_authenticate(world.person.user)
    assert [s["id"] for s in api.get(reverse("api-ratings-mine")).json()["results"]] == [online_service.pk]
    resp = api.post(
        reverse("api-ratings-submit"),
        {"service": online_service.pk, "score": 1, "comment": "差"},
        format="json",
    )
    assert resp.status_code == 201
    fu = FollowUp.objects.get()
    api.force_authenticate(world.approver_b)
    assert api.get(reverse("api-ratings-followups")).json()["results"] == []
    denied = api.post(
        reverse("api-ratings-followup-action", args=[fu.pk, "verify"]), {"note": "越权"}, format="json"
    )
    assert denied.status_code == 404 and denied.json()["code"] == "not_found"
    api.force_authenticate(world.approver_a)
    rows = api.get(reverse("api-ratings-followups")).json()["results"]
    assert rows[0]["stage"] == "verify" and rows[0]["remaining_working_days"] == 1
    wrong = api.post(
        reverse("api-ratings-followup-action", args=[fu.pk, "rectify"]), {"note": "x"}, format="json"
    )
    assert wrong.status_code == 409 and wrong.json()["code"] == "illegal_transition"
    ok = api.post(
        reverse("api-ratings-followup-action", args=[fu.pk, "verify"]), {"note": "已核实"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["stage"] == "rectify"
    figures = api.get(reverse("api-ratings-figures"), {"dimension": "department"}).json()
    assert figures[0]["bad"] == 1 and figures[0]["good_rate"] == 0.0
    api.force_authenticate(world.person.user)
    assert api.get(reverse("api-ratings-figures")).status_code == 403


def test_openapi_schema_has_rating_paths(api, world):
    api.force_authenticate(world.admin)
    resp = api.get(reverse("schema"), {"format": "json"})
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "/api/v1/ratings/" in paths and "/api/v1/ratings/followups/{followup_id}/{action}/" in paths
