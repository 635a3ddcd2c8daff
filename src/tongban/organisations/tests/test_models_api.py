import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from tongban.organisations.choices import RegionLevel, StaffRole, WindowKind
from tongban.organisations.models import StaffAssignment
from tongban.organisations.tests.factories import (
    DepartmentFactory,
    HallFactory,
    RegionFactory,
    WindowFactory,
    make_credit_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    province = RegionFactory(code="440000", name="广东省", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="440100", name="广州市", level=RegionLevel.CITY, parent=province)
    district = RegionFactory(code="440106", name="天河区", level=RegionLevel.DISTRICT, parent=city)
    street = RegionFactory(code="440106001000", name="五山街道", level=RegionLevel.STREET, parent=district)
    community = RegionFactory(
        code="440106001001", name="华工社区", level=RegionLevel.COMMUNITY, parent=street
    )
    return province, city, district, street, community


def test_region_hierarchy_is_valid(regions):
    for region in regions:
        region.full_clean()


def test_region_code_must_extend_parent(regions):
    _, city, *_ = regions
    bad = RegionFactory.build(code="450106", name="错区", level=RegionLevel.DISTRICT, parent=city)
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert exc.value.message_dict["code"] == ["区划代码应以上级区划代码的前 4 位（4401）开头。"]


def test_region_parent_must_be_one_level_up(regions):
    province, *_ = regions
    bad = RegionFactory.build(code="440107", name="跳级区", level=RegionLevel.DISTRICT, parent=province)
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert exc.value.message_dict["parent"] == ["上级区划应为“市”级。"]


def test_street_code_is_twelve_digits(regions):
    *_, district, _street, _community = regions
    bad = RegionFactory.build(code="440106", name="短码街道", level=RegionLevel.STREET, parent=district)
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "12 位" in exc.value.message_dict["code"][0]


def test_department_credit_code_validated():
    dept = DepartmentFactory.build(credit_code=make_credit_code(5)[:-1] + "0", region=RegionFactory())
    if dept.credit_code == make_credit_code(5):
        dept.credit_code = make_credit_code(5)[:-1] + "1"
    with pytest.raises(ValidationError) as exc:
        dept.full_clean()
    assert "校验位" in exc.value.message_dict["credit_code"][0]


def test_window_rules():
    hall = HallFactory()
    with pytest.raises(ValidationError) as exc:
        WindowFactory.build(hall=hall, kind=WindowKind.DEPARTMENT, categories=[]).full_clean()
    assert exc.value.message_dict["department"] == ["部门专窗必须指定所属部门。"]
    with pytest.raises(ValidationError) as exc:
        WindowFactory.build(hall=hall, categories=["nonsense"]).full_clean()
    assert "未知的事项分类" in exc.value.message_dict["categories"][0]


def test_staff_assignment_window_must_be_in_hall():
    window = WindowFactory()
    other_hall = HallFactory()
    from tongban.accounts.tests.factories import UserFactory

    assignment = StaffAssignment(user=UserFactory(), role=StaffRole.CLERK, hall=other_hall, window=window)
    with pytest.raises(ValidationError) as exc:
        assignment.full_clean()
    assert exc.value.message_dict["window"] == ["窗口不在该人员所属的大厅。"]


def test_public_lists_for_anonymous(regions):
    _, _, district, street, _ = regions
    dept = DepartmentFactory(region=district)
    DepartmentFactory(is_active=False)
    hall = HallFactory(region=district)
    WindowFactory(hall=hall, number=2, name="出件", kind=WindowKind.ISSUANCE, categories=[])
    WindowFactory(hall=hall, number=1)
    WindowFactory(hall=hall, number=3, is_active=False)
    client = APIClient()

    body = client.get("/api/v1/departments/").json()
    assert [d["name"] for d in body["results"]] == [dept.name]
    assert body["results"][0]["region"] == "440106"

    body = client.get("/api/v1/halls/").json()
    assert body["count"] == 1
    assert [w["number"] for w in body["results"][0]["windows"]] == [1, 2]
    assert body["results"][0]["windows"][0]["categories"] == ["construction", "business", "citizen"]

    body = client.get("/api/v1/regions/", {"parent": district.pk}).json()
    assert [r["code"] for r in body["results"]] == [street.code]
    body = client.get("/api/v1/regions/", {"q": "4401"}).json()
    assert {r["code"] for r in body["results"]} == {"440100", "440106", "440106001000", "440106001001"}
    body = client.get("/api/v1/regions/", {"q": "天河"}).json()
    assert [r["name"] for r in body["results"]] == ["天河区"]

    # an id filter that cannot be an id is a Chinese 400 naming it (a huge one was a 500 on SQLite)
    for params in ({"parent": "99999999999999999999"}, {"parent": "abc"}):
        r = client.get("/api/v1/regions/", params)
        assert r.status_code == 400 and r.json()["field"] == "parent" and "应为整数 ID" in r.json()["message"]
    r = client.get("/api/v1/departments/", {"region": "99999999999999999999"})
    assert r.status_code == 400 and r.json()["field"] == "region"


def test_a_body_that_is_not_json_gets_a_chinese_400():
    r = APIClient().post("/api/v1/auth/token/", data="{bad", content_type="application/json")
    assert r.status_code == 400 and r.json() == {
        "code": "parse_error",
        "message": "请求内容不是有效的 JSON（或所声明的格式），无法解析。",
    }


def test_hall_list_query_count(django_assert_max_num_queries):
    for _ in range(3):
        hall = HallFactory()
        WindowFactory(hall=hall)
        WindowFactory(hall=hall, kind=WindowKind.DEPARTMENT, department=DepartmentFactory(), categories=[])
    with django_assert_max_num_queries(4):
        response = APIClient().get("/api/v1/halls/")
    assert response.json()["count"] == 3


def test_pages_that_do_not_exist_are_refused_in_chinese(regions):
    client = APIClient()
    for page in ("abc", "0", "-1"):
        r = client.get("/api/v1/regions/", {"page": page})
        assert r.status_code == 400
        assert r.json()["field"] == "page" and r.json()["message"] == "页码应为正整数。"
    r = client.get("/api/v1/regions/", {"page": "99999"})
    assert r.status_code == 404
    assert r.json()["field"] == "page" and r.json()["message"] == "页码超出范围（共 1 页）。"
    assert client.get("/api/v1/regions/", {"page": "last"}).status_code == 200


def test_unknown_filter_values_are_refused_not_ignored(regions):
    client = APIClient()
    for path, params, field in (
        ("/api/v1/halls/", {"level": "planet"}, "level"),
        ("/api/v1/regions/", {"level": "planet"}, "level"),
    ):
        r = client.get(path, params)
        assert r.status_code == 400 and r.json()["field"] == field
        assert "未知的值“planet”" in r.json()["message"]
