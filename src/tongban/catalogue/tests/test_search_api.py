"""REST API of synonyms and life events (administrators), the public life events, and the items API's
search reading citizens' phrases exactly like the guide."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory
from tongban.catalogue import search_services as svc
from tongban.catalogue.models import LifeEventIntent, SearchEvent, SearchSynonym
from tongban.catalogue.tests.test_search import make_item
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

SYNONYMS = "/api/v1/search/synonyms/"
EVENTS = "/api/v1/search/life-events/"


@pytest.fixture
def items():
    department = DepartmentFactory(name="测试区市场监督管理局")
    return {
        "licence": make_item("M1", "个体工商户设立登记", department, keywords="个体户"),
        "food": make_item("M2", "食品经营许可", department, keywords="餐饮许可"),
        "works": make_item("M3", "建筑工程施工许可", department, keywords="开工"),
    }


@pytest.fixture
def admin_api():
    api = APIClient()
    api.force_authenticate(StaffFactory.with_role(StaffRole.ADMINISTRATOR))
    return api


def test_refused_to_anyone_but_catalogue_administrators(items):
    api = APIClient()
    assert api.get(SYNONYMS).status_code in (401, 403)
    applicant = ApplicantFactory(registered=True).user
    for user in (
        applicant,
        StaffFactory.with_role(StaffRole.CLERK),
        StaffFactory.with_role(StaffRole.SUPERVISOR),
    ):
        api.force_authenticate(user)
        for method, url in (
            ("get", SYNONYMS),
            ("post", SYNONYMS),
            ("get", EVENTS),
            ("get", "/api/v1/search/export/"),
        ):
            response = getattr(api, method)(url, {}, format="json")
            assert response.status_code == 403, (user, url)
            assert "管理员" in response.json()["message"]


def test_create_change_delete_a_synonym_and_search_uses_it_at_once(admin_api, items):
    api = APIClient()

    def first(q):
        results = api.get("/api/v1/items/", {"q": q}).json()["results"]
        return results[0]["code"] if results else None

    before = first("开饭店")
    assert before != "M2"
    created = admin_api.post(SYNONYMS, {"phrase": "饭店", "terms": ["餐饮"]}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["phrase"] == "饭店" and body["terms"] == ["餐饮"]
    assert first("开饭店") == "M2"

    url = f"{SYNONYMS}{body['id']}/"
    changed = admin_api.patch(url, {"terms": ["施工"], "updated_at": body["updated_at"]}, format="json")
    assert changed.status_code == 200 and changed.json()["terms"] == ["施工"]
    assert first("开饭店") == "M3"
    stale = admin_api.patch(url, {"terms": ["餐饮"], "updated_at": body["updated_at"]}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert admin_api.delete(url).status_code == 204
    assert first("开饭店") == before
    assert list(SearchEvent.objects.order_by("id").values_list("kind", flat=True)) == [
        "created",
        "updated",
        "deleted",
    ]
    assert admin_api.get(url).status_code == 404


def test_bad_input_is_a_400_naming_the_field_and_duplicates_a_409(admin_api, items):
    response = admin_api.post(SYNONYMS, {"phrase": "饭店", "item_codes": ["NOPE"]}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "item_codes" and "NOPE" in response.json()["message"]
    assert admin_api.post(SYNONYMS, ["x"], format="json").status_code == 400
    assert admin_api.post(SYNONYMS, {"phrase": "饭店", "terms": ["餐饮"]}, format="json").status_code == 201
    duplicate = admin_api.post(SYNONYMS, {"phrase": "饭店", "terms": ["x"]}, format="json")
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "phrase"
    assert SearchSynonym.objects.count() == 1


def test_life_events_administration_and_the_public_view(admin_api, items):
    response = admin_api.post(
        EVENTS,
        {"code": "open_restaurant", "name": "开餐馆", "phrases": ["开饭店"], "item_codes": ["M1", "M2"]},
        format="json",
    )
    assert response.status_code == 201
    event_id = response.json()["id"]
    assert (
        admin_api.patch(f"{EVENTS}{event_id}/", {"description": "先办执照"}, format="json").status_code == 200
    )

    public = APIClient()
    listed = public.get("/api/v1/life-events/").json()
    assert {"code": "open_restaurant", "name": "开餐馆", "description": "先办执照"} in listed
    detail = public.get("/api/v1/life-events/open_restaurant/").json()
    assert [i["code"] for i in detail["items"]] == ["M1", "M2"] and detail["related"] == []
    assert public.get("/api/v1/life-events/nope/").status_code == 404
    codes = [
        r["code"] for r in public.get("/api/v1/items/", {"life_event": "open_restaurant"}).json()["results"]
    ]
    assert codes == ["M1", "M2"]
    bad = public.get("/api/v1/items/", {"life_event": "party"})
    assert (
        bad.status_code == 400
        and bad.json()["field"] == "life_event"
        and "open_restaurant" in bad.json()["message"]
    )
    # Searching the phrasing lists the event's items first, in its order.
    assert [r["code"] for r in public.get("/api/v1/items/", {"search": "开饭店"}).json()["results"]][:2] == [
        "M1",
        "M2",
    ]

    admin_api.patch(f"{EVENTS}{event_id}/", {"is_active": False}, format="json")
    assert public.get("/api/v1/life-events/open_restaurant/").status_code == 404


def test_import_and_export(admin_api, items):
    svc.synonym_create(actor=None, fields={"phrase": "饭店", "terms": ["餐饮"]})
    xlsx = admin_api.get("/api/v1/search/export/")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["同义词", "人生事件", "说明"]
    csv = admin_api.get("/api/v1/search/export/", {"filetype": "csv", "kind": "synonyms"})
    assert csv.status_code == 200 and "饭店" in csv.content.decode("utf-8-sig")
    assert admin_api.get("/api/v1/search/export/", {"filetype": "csv", "kind": "x"}).status_code == 400
    assert admin_api.get("/api/v1/search/export/", {"filetype": "pdf"}).status_code == 400

    upload = io.BytesIO("说法,对应检索词\n丢了,补领\n饭店,餐饮\n".encode())
    upload.name = "synonyms.csv"
    response = admin_api.post("/api/v1/search/import/", {"file": upload}, format="multipart")
    assert response.status_code == 200
    assert response.json()["counts"]["synonyms"] == {"created": 1, "updated": 0, "unchanged": 1}

    bad = io.BytesIO("说法,直达事项编码\n丢了,NOPE\n".encode())
    bad.name = "bad.csv"
    response = admin_api.post("/api/v1/search/import/", {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 2 and response.json()["errors"][0]["field"] == "item_codes"
    wrong = io.BytesIO(b"x")
    wrong.name = "x.txt"
    assert admin_api.post("/api/v1/search/import/", {"file": wrong}, format="multipart").status_code == 400


def test_items_api_reads_q_like_search_and_the_guide(items, client):
    svc.synonym_create(actor=None, fields={"phrase": "饭店", "terms": ["餐饮"]})
    api = APIClient()
    by_q = [r["code"] for r in api.get("/api/v1/items/", {"q": "我想开个饭店"}).json()["results"]]
    by_search = [r["code"] for r in api.get("/api/v1/items/", {"search": "我想开个饭店"}).json()["results"]]
    assert by_q == by_search and by_q[0] == "M2"
    page = client.get(reverse("catalogue:guide-search"), {"q": "我想开个饭店"}).content.decode()
    assert page.find("/items/M2/") >= 0


def test_schema_documents_the_search_endpoints(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/search/synonyms/",
        "/api/v1/search/synonyms/{id}/",
        "/api/v1/search/life-events/",
        "/api/v1/search/import/",
        "/api/v1/search/export/",
        "/api/v1/life-events/",
        "/api/v1/life-events/{code}/",
    ):
        assert path in schema["paths"], path
    names = {p["name"] for p in schema["paths"]["/api/v1/items/"]["get"]["parameters"]}
    assert {"search", "q", "life_event"} <= names


def test_life_events_of_the_migration_are_served(items):
    codes = [e["code"] for e in APIClient().get("/api/v1/life-events/").json()]
    assert codes[:3] == ["birth", "school", "employment"]
    assert LifeEventIntent.objects.count() == 14
