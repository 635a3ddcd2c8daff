"""The demo district: it loads, it is complete and valid, and loading it again changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from tongban.accounts.models import Applicant, User, UserKind
from tongban.catalogue.choices import CaseKind, ItemStatus, LifeEvent, MaterialSource
from tongban.catalogue.models import ItemEvent, MaterialRequirement, ServiceItem
from tongban.catalogue.search import search_items
from tongban.common.choices import ApplicantKind, ItemCategory
from tongban.common.tests.standards import gb11643_valid, gb32100_valid
from tongban.common.validators import validate_credit_code, validate_id_number
from tongban.demo.loader import DEMO_PASSWORD, _read, demo_logins, item_code, load_demo
from tongban.organisations.choices import HallLevel, StaffRole, WindowKind
from tongban.organisations.models import Department, Region, ServiceHall, StaffAssignment, Window

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_module) -> dict:
    """The module's demo data (loaded once, rolled back after the module); each test's writes roll back."""
    return demo_module


DEPARTMENTS = {d["key"]: d["credit_code"] for d in _read("departments.json")["departments"]}
DEPARTMENT_KEYS = list(DEPARTMENTS)


def _label_of(username: str) -> str:
    return next(p["label"] for p in _read("people.json")["staff"] if p["username"] == username)


ISSUE_ITEMS = [
    "企业设立登记",
    "食品经营许可",
    "建设工程规划许可证核发",
    "建筑工程施工许可",
    "居住证办理",
    "户籍证明",
    "残疾人证办理",
    "城乡居民医保参保登记",
    "公共场所卫生许可",
    "烟草专卖零售许可",
]


def snapshot() -> dict:
    """Every row the loader touches, with its last modification time where the model has one."""
    return {
        "regions": list(Region.objects.values_list("code", "name", "parent_id")),
        "departments": list(Department.objects.values_list("credit_code", "name", "updated_at")),
        "halls": list(ServiceHall.objects.values_list("code", "updated_at")),
        "windows": list(Window.objects.values_list("hall_id", "number", "updated_at")),
        "users": list(User.objects.values_list("username", "password", "is_staff", "is_superuser")),
        "assignments": list(StaffAssignment.objects.values_list("user_id", "role", "updated_at")),
        "applicants": list(Applicant.objects.values_list("kind", "name", "user_id", "updated_at")),
        "items": list(ServiceItem.objects.values_list("code", "version", "status", "updated_at")),
        "materials": list(MaterialRequirement.objects.values_list("item_id", "position", "name")),
        "events": ItemEvent.objects.count(),
    }


class TestCompleteness:
    def test_counts(self, demo):
        assert demo["departments"] >= 15
        assert demo["published_items"] >= 150
        assert demo["halls"] == 7
        assert Region.objects.filter(level="street").count() == 3
        assert Region.objects.filter(level="community").count() >= 6

    def test_every_department_owns_items(self, demo):
        assert not Department.objects.filter(items__isnull=True).exists()

    @pytest.mark.parametrize("name", ISSUE_ITEMS)
    def test_items_named_in_the_issue_exist(self, demo, name):
        assert ServiceItem.objects.published().filter(name__contains=name).exists(), name

    def test_guide_search_for_yyzz_finds_company_registration(self, demo):
        found = [i.name for i in search_items("yyzz", ServiceItem.objects.published())]
        assert "企业设立登记（营业执照核发）" in found
        assert ServiceItem.objects.get(code=item_code("SCJG", 1)).name == "企业设立登记（营业执照核发）"

    def test_every_life_event_and_category_has_several_items(self, demo):
        items = list(ServiceItem.objects.published())
        for event in LifeEvent.values:
            assert sum(event in i.life_events for i in items) >= 3, event
        for category in ItemCategory.values:
            assert sum(i.category == category for i in items) >= 20, category

    def test_catalogue_has_variety(self, demo):
        items = ServiceItem.objects.published()
        assert items.filter(case_kind=CaseKind.IMMEDIATE).count() >= 20
        assert items.filter(charges_fee=True).count() >= 3
        assert items.filter(visits_required=0).count() >= 20
        assert items.filter(visits_required__lte=1).count() >= 0.8 * items.count()
        assert items.filter(statutory_limit_unit="natural").exists()
        assert len(set(items.values_list("item_type", flat=True))) >= 5
        assert MaterialRequirement.objects.filter(source=MaterialSource.SHARED).count() >= 30
        assert MaterialRequirement.objects.filter(required=False).count() >= 20
        for item in items.prefetch_related("materials"):
            assert 2 <= len(item.materials.all()) <= 8, item.name

    def test_halls_and_windows(self, demo):
        district = ServiceHall.objects.get(level=HallLevel.DISTRICT)
        assert district.windows.count() >= 8
        kinds = set(district.windows.values_list("kind", flat=True))
        assert kinds == set(WindowKind.values)
        served = {c for w in district.windows.all() for c in w.categories}
        assert served == set(ItemCategory.values)
        streets = ServiceHall.objects.filter(level=HallLevel.STREET)
        assert streets.count() == 3
        assert all(2 <= s.windows.count() <= 3 for s in streets)
        communities = ServiceHall.objects.filter(level=HallLevel.COMMUNITY)
        assert communities.count() == 3
        assert all(c.windows.count() == 1 for c in communities)


class TestValidity:
    def test_every_row_passes_full_clean(self, demo):
        for model in (Region, Department, ServiceHall, Window, StaffAssignment, Applicant):
            for obj in model.objects.all():
                obj.full_clean()
        for item in ServiceItem.objects.all():
            item.full_clean()
        for material in MaterialRequirement.objects.all():
            material.full_clean()

    def test_promised_within_statutory(self, demo):
        for item in ServiceItem.objects.all():
            assert not item._promise_exceeds_statute(), item.name
            if item.case_kind == CaseKind.IMMEDIATE:
                assert item.promised_limit in (0, 1), item.name

    def test_credit_codes_and_id_numbers_validate(self, demo):
        """Checked by the standards' own formulas (common.tests.standards), then by the validators."""
        for code in Department.objects.values_list("credit_code", flat=True):
            assert gb32100_valid(code), code
            assert validate_credit_code(code) == code
            assert code.startswith(("11", "13"))  # 机关, 群团
        for a in Applicant.objects.all():
            if a.kind == ApplicantKind.NATURAL:
                assert gb11643_valid(a.id_number), a.id_number
                assert validate_id_number(a.id_number) == a.id_number
            else:
                assert gb32100_valid(a.credit_code), a.credit_code
                assert validate_credit_code(a.credit_code) == a.credit_code
            if a.contact_id_number:
                assert gb11643_valid(a.contact_id_number), a.contact_id_number
                assert validate_id_number(a.contact_id_number) == a.contact_id_number
        legal = Applicant.objects.filter(kind=ApplicantKind.LEGAL)
        assert {c[0] for c in legal.values_list("credit_code", flat=True)} == {"9", "N"}

    def test_unique_item_codes_one_published_version(self, demo):
        codes = list(ServiceItem.objects.values_list("code", flat=True))
        assert len(codes) == len(set(codes))
        assert all(c.startswith("440106-") for c in codes)
        assert ItemEvent.objects.count() == len(codes)


class TestPeople:
    def test_every_role_has_a_user(self, demo):
        roles = set(StaffAssignment.objects.values_list("role", flat=True))
        assert roles == set(StaffRole.values)

    @pytest.mark.parametrize("key", DEPARTMENT_KEYS)
    def test_approver_and_head_for_every_department(self, demo, key):
        """Every department can finish its own processes (review, decision, extension) without the
        administrator: an approver and a head, each a demo login with the demo password."""
        department = Department.objects.get(credit_code=DEPARTMENTS[key])
        for role, suffix in ((StaffRole.APPROVER, "shenpi"), (StaffRole.DEPARTMENT_HEAD, "fuze")):
            a = StaffAssignment.objects.get(user__username=f"{key.lower()}_{suffix}")
            assert (a.role, a.department_id) == (role, department.pk)
            assert a.user.is_active and not a.user.is_superuser and not a.user.is_staff
            assert (_label_of(a.user.username), a.user.username) in demo_logins()
        assert department.items.exists()

    def test_clerks_are_bound_to_hall_and_window(self, demo):
        clerks = StaffAssignment.objects.filter(role=StaffRole.CLERK)
        assert clerks.filter(hall__level=HallLevel.DISTRICT).count() >= 3
        assert clerks.filter(hall__level=HallLevel.STREET).exists()
        assert all(c.window and c.window.hall_id == c.hall_id for c in clerks)

    def test_only_admin_gets_the_django_admin(self, demo):
        assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["admin"]
        assert User.objects.get(username="admin").is_superuser

    def test_every_demo_login_works_with_the_demo_password(self, demo):
        logins = demo_logins()
        assert ("管理员", "admin") in logins
        for _label, username in logins:
            user = User.objects.get(username=username)
            assert user.check_password(DEMO_PASSWORD), username
        assert authenticate(username="zhangsan", password=DEMO_PASSWORD) is not None

    def test_applicants_have_profiles(self, demo):
        zhangsan = User.objects.get(username="zhangsan")
        assert zhangsan.kind == UserKind.APPLICANT
        assert zhangsan.applicant.kind == ApplicantKind.NATURAL
        assert Applicant.objects.filter(kind=ApplicantKind.LEGAL).count() == 2
        assert Applicant.objects.filter(user__isnull=True).exists()  # a walk-in without a login


class TestIdempotence:
    def test_loading_twice_changes_nothing(self, demo):
        before = snapshot()
        again = load_demo(verbosity=0)
        assert again["created"] == 0
        assert again["updated"] == 0
        assert snapshot() == before
        assert {k: v for k, v in again.items() if k not in {"created", "updated", "seconds"}} == {
            k: v for k, v in demo.items() if k not in {"created", "updated", "seconds"}
        }

    def test_a_changed_row_is_put_back(self, demo):
        item = ServiceItem.objects.get(code=item_code("SCJG", 9))
        ServiceItem.objects.filter(pk=item.pk).update(promised_limit=1)
        MaterialRequirement.objects.filter(item=item, position=1).delete()
        again = load_demo(verbosity=0)
        assert again["created"] == 1  # the deleted material
        assert again["updated"] == 1  # the item
        assert ServiceItem.objects.get(pk=item.pk).promised_limit == item.promised_limit

    def test_a_later_version_is_not_overwritten(self, demo):
        item = ServiceItem.objects.get(code=item_code("WJ", 1))
        ServiceItem.objects.filter(pk=item.pk).update(status=ItemStatus.RETIRED)
        item.pk, item.version, item.name = None, 2, "公共场所卫生许可（新版）"
        item.save()
        load_demo(verbosity=0)
        assert ServiceItem.objects.get(code=item.code, version=2).name == "公共场所卫生许可（新版）"
        assert ServiceItem.objects.get(code=item.code, version=1).status == ItemStatus.RETIRED
