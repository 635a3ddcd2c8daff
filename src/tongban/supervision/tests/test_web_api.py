"""Pages and API: scoped lists, one-service writes, Chinese errors with codes, denials, schema."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.supervision.models import Card, Directive
from tongban.supervision.selectors import counts_by_department, counts_by_hall, level_counts, most_overdue
from tongban.supervision.services import warning_sweep

from .helpers import api, day, watch

pytestmark = pytest.mark.django_db


@pytest.fixture
def watches(world):
    mine = watch(world, limit=5, hall=world.hall, reference="TB-MINE")
    theirs = watch(world, limit=5, department=world.other_dept, reference="TB-THEIRS")
    calm = watch(world, limit=20, reference="TB-CALM")
    warning_sweep(today=day(2026, 3, 10))
    return mine, theirs, calm


def refs(response):
    return {r["reference"] for r in response.json()["results"]}


def test_deadline_api_is_scoped(world, watches):
    assert refs(api(world.supervisor).get("/api/v1/supervision/deadlines/")) == {
        "TB-MINE",
        "TB-THEIRS",
        "TB-CALM",
    }
    assert refs(api(world.approver).get("/api/v1/supervision/deadlines/")) == {"TB-MINE", "TB-CALM"}
    assert refs(api(world.other_head).get("/api/v1/supervision/deadlines/")) == {"TB-THEIRS"}
    assert refs(api(world.clerk).get("/api/v1/supervision/deadlines/")) == {"TB-MINE"}
    assert api(world.applicant_user).get("/api/v1/supervision/deadlines/").status_code == 403
    assert APIClient().get("/api/v1/supervision/deadlines/").status_code in (401, 403)
    red = api(world.supervisor).get(
        "/api/v1/supervision/deadlines/", {"level": "red", "ordering": "due_date"}
    )
    assert refs(red) == {"TB-MINE", "TB-THEIRS"}
    bad = api(world.supervisor).get("/api/v1/supervision/deadlines/", {"level": "purple"})
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"
    other = watches[1]
    assert api(world.approver).get(f"/api/v1/supervision/deadlines/{other.pk}/").status_code == 404
    detail = api(world.supervisor).get(f"/api/v1/supervision/deadlines/{other.pk}/").json()
    assert [e["kind"] for e in detail["events"]] == ["opened", "red"]


def test_counts_and_selectors(world, watches):
    assert level_counts(user=world.supervisor) == {"normal": 1, "yellow": 0, "red": 2}
    assert level_counts(user=world.approver) == {"normal": 1, "yellow": 0, "red": 1}
    by_dept = {r["id"]: r for r in counts_by_department(user=world.supervisor)}
    assert (by_dept[world.dept.pk]["total"], by_dept[world.dept.pk]["red"]) == (2, 1)
    assert {r["name"]: r["total"] for r in counts_by_hall(user=world.supervisor)} == {
        world.hall.name: 1,
        "—": 2,
    }
    assert [d.reference for d in most_overdue(user=world.supervisor)] == ["TB-MINE", "TB-THEIRS"]
    body = api(world.supervisor).get("/api/v1/supervision/counts/").json()
    assert body["by_level"]["red"] == 2 and len(body["by_department"]) == 2


def test_remind_api_supervisor_only(world, watches):
    mine = watches[0]
    denied = api(world.approver).post(f"/api/v1/supervision/deadlines/{mine.pk}/remind/", {"note": "x"})
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    ok = api(world.supervisor).post(
        f"/api/v1/supervision/deadlines/{mine.pk}/remind/", {"note": "请今日办结"}
    )
    assert ok.status_code == 201 and ok.json()["kind"] == "manual_reminder"


def test_directive_api_lifecycle_and_denials(world):
    body = {
        "subject_type": "department",
        "department": world.dept.pk,
        "title": "超期件清理",
        "required_action": "说明原因",
        "response_days": 3,
    }
    assert api(world.approver).post("/api/v1/supervision/directives/", body, format="json").status_code == 403
    r = api(world.supervisor).post("/api/v1/supervision/directives/", body, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert api(world.other_approver).get(f"/api/v1/supervision/directives/{pk}/").status_code == 404
    assert api(world.other_approver).get("/api/v1/supervision/directives/").json()["count"] == 0
    r = api(world.other_approver).post(f"/api/v1/supervision/directives/{pk}/respond/", {"response": "x"})
    assert r.status_code == 404
    r = api(world.approver).post(f"/api/v1/supervision/directives/{pk}/respond/", {"response": "已办结"})
    assert r.status_code == 200 and r.json()["status"] == "responded"
    r = api(world.approver).post(f"/api/v1/supervision/directives/{pk}/respond/", {"response": "再答"})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = api(world.supervisor).post(f"/api/v1/supervision/directives/{pk}/reissue/", {"note": "不满意"})
    assert r.status_code == 201 and r.json()["round"] == 2
    rates = api(world.supervisor).get("/api/v1/supervision/directive-response-rates/").json()
    assert rates[0]["issued"] == 2 and rates[0]["responded"] == 1


def test_card_api(world):
    r = api(world.supervisor).post(
        "/api/v1/supervision/cards/", {"color": "red", "department": world.dept.pk, "reason": "严重超期"}
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    r = api(world.supervisor).post(
        "/api/v1/supervision/cards/", {"color": "red", "department": world.dept.pk, "reason": " "}
    )
    assert r.status_code == 400
    assert (
        api(world.other_head).post(f"/api/v1/supervision/cards/{pk}/appeal/", {"reason": "x"}).status_code
        == 404
    )
    assert (
        api(world.head).post(f"/api/v1/supervision/cards/{pk}/appeal/", {"reason": "有据"}).status_code == 200
    )
    r = api(world.head).post(f"/api/v1/supervision/cards/{pk}/decide/", {"accept": True, "note": "x"})
    assert r.status_code == 403
    r = api(world.supervisor).post(
        f"/api/v1/supervision/cards/{pk}/decide/", {"accept": False, "note": "维持"}
    )
    assert r.json()["status"] == "upheld"
    assert Card.objects.get(pk=pk).events.count() == 3


def test_schema_lists_supervision(world):
    r = api(world.supervisor).get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    assert "/api/v1/supervision/directives/{directive_id}/respond/" in r.json()["paths"]


def test_pages(world, watches, client):
    client.force_login(world.supervisor)
    r = client.get(reverse("supervision:deadlines"), {"level": "red", "ordering": "-due_date"})
    assert r.status_code == 200 and "TB-MINE" in r.content.decode()
    mine = watches[0]
    assert client.get(reverse("supervision:deadline", args=[mine.pk])).status_code == 200
    r = client.post(reverse("supervision:remind", args=[mine.pk]), {"note": "请办"})
    assert r.status_code == 302
    r = client.post(
        reverse("supervision:directive-new"),
        {
            "subject_type": "department",
            "department": world.dept.pk,
            "title": "督办",
            "required_action": "办",
            "response_days": 2,
        },
    )
    assert r.status_code == 302
    directive = Directive.objects.get()
    assert client.get(reverse("supervision:directive", args=[directive.pk])).status_code == 200
    r = client.post(
        reverse("supervision:directive-new"),
        {"subject_type": "department", "title": "", "required_action": "", "response_days": 2},
    )
    assert r.status_code == 400 and "is-invalid" in r.content.decode()
    assert client.get(reverse("supervision:directives")).status_code == 200
    assert client.get(reverse("supervision:cards")).status_code == 200
    assert client.get(reverse("supervision:card-new")).status_code == 200
    client.force_login(world.other_approver)
    assert client.get(reverse("supervision:directive", args=[directive.pk])).status_code == 404
    assert client.get(reverse("supervision:directive-new")).status_code == 403
    client.force_login(world.approver)
    r = client.post(reverse("supervision:directive-respond", args=[directive.pk]), {"response": ""})
    assert r.status_code == 400
    r = client.post(reverse("supervision:directive-respond", args=[directive.pk]), {"response": "已办"})
    assert r.status_code == 302
    directive.refresh_from_db()
    assert directive.status == "responded"
    client.force_login(world.applicant_user)
    assert client.get(reverse("supervision:deadlines")).status_code == 403
