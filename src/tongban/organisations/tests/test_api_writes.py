"""The administrators' organisation API: writes through the services, 403 in Chinese for other staff,
401/403 for anonymous callers, and the log readable by administrators only."""

import pytest
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory, UserFactory
from tongban.organisations.choices import RegionLevel, StaffRole
from tongban.organisations.models import Department, OrganisationEvent, StaffAssignment, Window
from tongban.organisations.tests.factories import (
    DepartmentFactory,
    HallFactory,
    RegionFactory,
    StaffAssignmentFactory,
    WindowFactory,
    make_credit_code,
)

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def admin_api():
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR, username="orgadmin")
    client = _client(admin)
    client.user = admin
    return client


@pytest.fixture
def clerk_api():
    return _client(StaffFactory.with_role(StaffRole.CLERK, hall=HallFactory()))


def _department_body(region) -> dict:
    return {
        "name": "天河区市场监督管理局",
        "short_name": "市场监管局",
        "credit_code": make_credit_code(902),
        "region": region.pk,
        "note": "新设",
    }


def test_admin_creates_changes_deactivates_and_deletes_a_department(admin_api):
    region = RegionFactory(code="440106", level=RegionLevel.DISTRICT)
    r = admin_api.post("/api/v1/departments/", _department_body(region), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["name"] == "天河区市场监督管理局" and body["region"] == "440106" and body["is_active"] is True
    pk = body["id"]

    r = admin_api.patch(f"/api/v1/departments/{pk}/", {"phone": "020-87654321"}, format="json")
    assert r.status_code == 200 and r.json()["phone"] == "020-87654321"
    r = admin_api.patch(f"/api/v1/departments/{pk}/", {"is_active": False, "note": "撤并"}, format="json")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert admin_api.get("/api/v1/departments/").json()["count"] == 0  # the public list shows active ones

    r = admin_api.delete(f"/api/v1/departments/{pk}/")
    assert r.status_code == 204 and not Department.objects.filter(pk=pk).exists()
    kinds = list(OrganisationEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "changed", "deactivated", "deleted"]
    assert set(OrganisationEvent.objects.values_list("actor", flat=True)) == {admin_api.user.pk}


def test_validation_errors_are_chinese_400s_naming_the_field(admin_api):
    region = RegionFactory()
    r = admin_api.post(
        "/api/v1/departments/", {**_department_body(region), "credit_code": "X"}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["code"] == "validation_failed" and r.json()["field"] == "credit_code"
    assert "统一社会信用代码" in r.json()["message"]
    r = admin_api.post(
        "/api/v1/windows/", {"hall": HallFactory().pk, "number": 1, "kind": "x"}, format="json"
    )
    assert r.status_code == 400 and "窗口类型" in str(r.json()["errors"])
    assert not OrganisationEvent.objects.exists()


def test_a_referenced_department_is_not_deleted(admin_api):
    dept = DepartmentFactory()
    StaffAssignmentFactory(role=StaffRole.APPROVER, department=dept)
    r = admin_api.delete(f"/api/v1/departments/{dept.pk}/")
    assert r.status_code == 409 and r.json()["code"] == "referenced"
    assert "人员角色" in r.json()["message"] and "停用" in r.json()["message"]


def test_windows_halls_and_regions(admin_api):
    district = RegionFactory(code="440106", level=RegionLevel.DISTRICT)
    r = admin_api.post(
        "/api/v1/halls/",
        {"name": "天河区政务服务中心", "code": "TH01", "level": "district", "region": district.pk},
        format="json",
    )
    assert r.status_code == 201, r.json()
    hall_id = r.json()["id"]
    r = admin_api.post(
        "/api/v1/windows/",
        {
            "hall": hall_id,
            "number": 3,
            "name": "综合受理",
            "kind": "comprehensive",
            "categories": ["citizen"],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    window_id = r.json()["id"]
    assert r.json()["hall"] == hall_id and r.json()["categories"] == ["citizen"]
    r = admin_api.patch(f"/api/v1/windows/{window_id}/", {"is_active": False}, format="json")
    assert r.status_code == 200 and not Window.objects.get(pk=window_id).is_active
    r = admin_api.patch(f"/api/v1/halls/{hall_id}/", {"opening_hours": "全天"}, format="json")
    assert r.status_code == 200 and r.json()["opening_hours"] == "全天"
    r = admin_api.post(
        "/api/v1/regions/",
        {"code": "440106001000", "name": "五山街道", "level": "street", "parent": district.pk},
        format="json",
    )
    assert r.status_code == 201 and r.json()["parent"] == district.pk
    r = admin_api.delete(f"/api/v1/regions/{r.json()['id']}/")
    assert r.status_code == 204
    assert admin_api.patch("/api/v1/windows/999999/", {"name": "x"}, format="json").status_code == 404


def test_grant_change_and_revoke_a_role(admin_api):
    dept = DepartmentFactory()
    staff = StaffFactory(username="wang")
    r = admin_api.post(
        "/api/v1/staff/",
        {"user": staff.pk, "role": "approver", "department": dept.pk, "note": "轮岗"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    grant_id = r.json()["id"]
    assert r.json()["user"]["username"] == "wang" and r.json()["department"] == dept.pk
    r = admin_api.patch(f"/api/v1/staff/{grant_id}/", {"role": "dept_head"}, format="json")
    assert r.status_code == 200 and r.json()["role"] == "dept_head"
    r = admin_api.post("/api/v1/staff/", {"user": staff.pk, "role": "approver"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "department"
    assert admin_api.delete(f"/api/v1/staff/{grant_id}/").status_code == 204
    assert not StaffAssignment.objects.filter(user=staff).exists()

    r = admin_api.get("/api/v1/organisation-events/", {"user": staff.pk})
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [e["kind"] for e in rows] == ["role_revoked", "role_changed", "role_granted"]
    granted = rows[-1]
    assert granted["actor"]["username"] == "orgadmin" and granted["user"]["username"] == "wang"
    assert granted["department"] == dept.pk and granted["note"] == "轮岗"
    assert granted["after"]["role"] == "approver"


def test_event_list_filters_by_subject(admin_api):
    dept = DepartmentFactory()
    admin_api.patch(f"/api/v1/departments/{dept.pk}/", {"phone": "1"}, format="json")
    admin_api.patch(f"/api/v1/halls/{HallFactory().pk}/", {"phone": "2"}, format="json")
    r = admin_api.get("/api/v1/organisation-events/", {"subject_type": "department", "subject_id": dept.pk})
    assert [(e["subject_type"], e["subject_id"]) for e in r.json()["results"]] == [("department", dept.pk)]
    r = admin_api.get("/api/v1/organisation-events/", {"subject_type": "planet"})
    assert r.status_code == 400 and r.json()["field"] == "subject_type"


WRITES = [
    ("post", "/api/v1/departments/"),
    ("post", "/api/v1/halls/"),
    ("post", "/api/v1/windows/"),
    ("post", "/api/v1/regions/"),
    ("post", "/api/v1/staff/"),
    ("patch", "/api/v1/departments/{dept}/"),
    ("delete", "/api/v1/departments/{dept}/"),
    ("patch", "/api/v1/halls/{hall}/"),
    ("delete", "/api/v1/staff/{grant}/"),
    ("get", "/api/v1/organisation-events/"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_others_are_refused(method, path, clerk_api):
    dept, grant = DepartmentFactory(), StaffAssignmentFactory(role=StaffRole.SUPERVISOR)
    url = path.format(dept=dept.pk, hall=HallFactory().pk, grant=grant.pk)
    body = {"name": "x", "phone": "1"}

    r = getattr(clerk_api, method)(url, body, format="json")
    assert r.status_code == 403
    assert r.json() == {"code": "permission_denied", "message": "仅限管理员修改组织机构和人员角色。"}

    applicant = ApplicantFactory(user=UserFactory(kind="applicant")).user
    assert getattr(_client(applicant), method)(url, body, format="json").status_code == 403

    r = getattr(_client(), method)(url, body, format="json")
    assert r.status_code in (401, 403) and r.json()["code"] == "not_authenticated"
    assert not OrganisationEvent.objects.exists()
    assert Department.objects.filter(pk=dept.pk, phone=dept.phone).exists()


def test_public_reads_stay_public():
    DepartmentFactory()
    assert _client().get("/api/v1/departments/").status_code == 200
    assert _client().get("/api/v1/halls/").status_code == 200
    assert _client().get("/api/v1/regions/").status_code == 200
    assert _client().get("/api/v1/staff/").status_code in (401, 403)


def test_form_encoded_patch_changes_only_what_was_sent(admin_api):
    dept = DepartmentFactory()
    r = admin_api.patch(f"/api/v1/departments/{dept.pk}/", {"phone": " 020-1 "})  # multipart, no is_active
    assert r.status_code == 200 and r.json()["is_active"] is True and r.json()["phone"] == "020-1"


def test_a_window_does_not_move_to_another_hall(admin_api):
    window = WindowFactory()
    r = admin_api.patch(f"/api/v1/windows/{window.pk}/", {"hall": HallFactory().pk}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "hall" and "不能移到其他大厅" in r.json()["message"]
    r = admin_api.patch(
        f"/api/v1/windows/{window.pk}/", {"hall": window.hall_id, "name": "新名"}, format="json"
    )
    assert r.status_code == 200 and r.json()["name"] == "新名"
