"""Public catalogue API: anonymous access, pagination, the guide's search, filters, detail, 404s."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import StaffFactory
from tongban.catalogue.choices import ItemStatus
from tongban.catalogue.tests.factories import (
    DepartmentFactory,
    MaterialRequirementFactory,
    ServiceItemFactory,
)
from tongban.organisations.choices import StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


def test_list_is_public_and_paginated(client):
    for n in range(25):
        ServiceItemFactory(code=f"P{n:03d}")
    ServiceItemFactory(code="D001", draft=True)
    ServiceItemFactory(code="R001", status=ItemStatus.RETIRED)
    response = client.get("/api/v1/items/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 25
    assert len(body["results"]) == 20
    assert body["next"].endswith("/api/v1/items/?page=2")
    assert [r["code"] for r in body["results"]][:3] == ["P000", "P001", "P002"]
    page2 = client.get("/api/v1/items/", {"page": 2}).json()
    assert len(page2["results"]) == 5
    assert "D001" not in {r["code"] for r in body["results"] + page2["results"]}
    assert len(client.get("/api/v1/items/", {"page_size": 100}).json()["results"]) == 25


def test_list_entry_has_labels_with_codes(client):
    item = ServiceItemFactory(code="A1", item_type="07", category="business", applicant_kinds=["legal"])
    entry = client.get("/api/v1/items/").json()["results"][0]
    assert entry["item_type"] == "07" and entry["item_type_display"] == "行政确认"
    assert entry["category_display"] == "经营类"
    assert entry["applicant_kinds"] == ["legal"] and entry["applicant_kinds_display"] == ["法人"]
    assert entry["department"]["name"] == item.department.name
    assert entry["promised_limit_unit"] == "working" and entry["promised_limit_unit_display"] == "工作日"
    assert entry["url"].endswith("/api/v1/items/A1/")
    assert entry["is_once_at_most"] is True


def test_search_uses_the_guide_search_ranked(client):
    ServiceItemFactory(code="Y1", name="营业执照变更登记", keywords="")
    ServiceItemFactory(code="Y2", name="营业执照", keywords="")
    ServiceItemFactory(code="Y3", name="结婚登记")
    ServiceItemFactory(code="Y4", name="营业执照注销", draft=True)
    body = client.get("/api/v1/items/", {"search": "营业执照"}).json()
    assert [r["code"] for r in body["results"]] == ["Y2", "Y1"]
    initials = client.get("/api/v1/items/", {"search": "yyzz"}).json()
    assert {r["code"] for r in initials["results"]} == {"Y1", "Y2"}
    assert client.get("/api/v1/items/", {"search": "不存在的东西"}).json()["count"] == 0


def test_search_combines_with_filters(client):
    a = ServiceItemFactory(name="食品经营许可", category="business")
    ServiceItemFactory(name="食品摊贩登记", category="citizen")
    body = client.get("/api/v1/items/", {"search": "食品", "category": "business"}).json()
    assert [r["code"] for r in body["results"]] == [a.code]


def test_filters(client):
    dept = DepartmentFactory()
    a = ServiceItemFactory(
        department=dept, item_type="20", applicant_kinds=["natural"], life_events=["marriage"]
    )
    b = ServiceItemFactory(applicant_kinds=["legal"], life_events=["start_business"], category="business")

    def codes(**params):
        return [r["code"] for r in client.get("/api/v1/items/", params).json()["results"]]

    assert codes(department=dept.pk) == [a.code]
    assert codes(item_type="20") == [a.code]
    assert codes(applicant_kind="legal") == [b.code]
    assert codes(life_event="marriage") == [a.code]
    assert codes(category="business") == [b.code]


def test_bad_filter_values_are_400_in_chinese(client):
    response = client.get("/api/v1/items/", {"category": "nonsense"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed" and body["field"] == "category"
    assert "事项分类" in body["message"]
    assert client.get("/api/v1/items/", {"department": "abc"}).status_code == 400


def test_detail_has_all_elements_and_materials(client):
    item = ServiceItemFactory(code="XK-9", life_events=["marriage"], fee_basis="文件")
    MaterialRequirementFactory(item=item, position=2, name="第二份")
    MaterialRequirementFactory(item=item, position=1, name="第一份", source="shared")
    response = client.get("/api/v1/items/XK-9/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "XK-9" and body["version"] == 1
    assert body["department"]["credit_code"] == item.department.credit_code
    assert body["life_events_display"] == ["结婚"]
    assert body["legal_basis"] == item.legal_basis
    assert body["statutory_limit"] == 20 and body["statutory_limit_unit_display"] == "工作日"
    assert [m["name"] for m in body["materials"]] == ["第一份", "第二份"]
    assert body["materials"][0]["source_display"] == "共享获取（免提交）"
    assert body["materials"][0]["blank_form"] is None
    assert body["region"] is None


def test_detail_shows_the_published_version_not_the_draft(client):
    ServiceItemFactory(code="V", version=1, name="旧版", status=ItemStatus.RETIRED)
    ServiceItemFactory(code="V", version=2, name="现行版")
    ServiceItemFactory(code="V", version=3, name="草稿版", draft=True)
    body = client.get("/api/v1/items/V/").json()
    assert (body["version"], body["name"]) == (2, "现行版")


def test_detail_404_for_drafts_retired_and_unknown(client):
    ServiceItemFactory(code="DRAFT", draft=True)
    ServiceItemFactory(code="OLD", status=ItemStatus.RETIRED)
    for code in ("DRAFT", "OLD", "NOPE"):
        response = client.get(f"/api/v1/items/{code}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_department_staff_still_see_only_published_via_api(client):
    dept = DepartmentFactory()
    ServiceItemFactory(code="DD", draft=True, department=dept)
    client.force_authenticate(StaffFactory.with_role(StaffRole.APPROVER, department=dept))
    assert client.get("/api/v1/items/DD/").status_code == 404
    assert client.get("/api/v1/items/").json()["count"] == 0


def test_api_is_read_only(client):
    ServiceItemFactory(code="RO")
    assert client.post("/api/v1/items/", {"code": "X"}).status_code == 405
    assert client.delete("/api/v1/items/RO/").status_code == 405


def test_schema_documents_the_endpoints(client):
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR)
    client.force_authenticate(admin)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/items/" in paths and "/api/v1/items/{code}/" in paths
    names = {p["name"] for p in paths["/api/v1/items/"]["get"]["parameters"]}
    assert {"search", "category", "department", "applicant_kind", "life_event", "item_type"} <= names
