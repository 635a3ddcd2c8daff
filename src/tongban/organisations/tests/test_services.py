"""The organisation's services: administrators only, checked with Chinese messages naming the field,
one event row per change in the same transaction, nothing left behind by a refusal."""

import pytest
from django.db import transaction

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory, UserFactory
from tongban.common.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tongban.organisations import services
from tongban.organisations.choices import (
    HallLevel,
    OrganisationEventKind,
    OrganisationSubject,
    RegionLevel,
    StaffRole,
    WindowKind,
)
from tongban.organisations.models import Department, OrganisationEvent, Region, StaffAssignment, Window
from tongban.organisations.tests.factories import (
    DepartmentFactory,
    HallFactory,
    RegionFactory,
    StaffAssignmentFactory,
    WindowFactory,
    make_credit_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return StaffFactory.with_role(StaffRole.ADMINISTRATOR, username="orgadmin")


@pytest.fixture
def district():
    return RegionFactory(code="440106", name="天河区", level=RegionLevel.DISTRICT)


def _department(admin, district, **extra):
    values = {
        "name": "天河区市场监督管理局",
        "short_name": "市场监管局",
        "credit_code": make_credit_code(901),
        "region_id": district.pk,
        **extra,
    }
    return services.department_create(actor=admin, **values)


def test_department_create_logs_who_and_what(admin, district):
    dept = _department(admin, district, note="机构改革新设")
    event = OrganisationEvent.objects.get()
    assert (event.kind, event.subject_type, event.subject_id) == ("created", "department", dept.pk)
    assert event.actor == admin and event.department_id == dept.pk and event.note == "机构改革新设"
    assert event.after["name"] == "天河区市场监督管理局"
    assert event.after["region"] == {"id": district.pk, "name": "天河区"}
    assert event.before == {}


def test_department_update_logs_only_the_difference_and_nothing_when_unchanged(admin, district):
    dept = _department(admin, district)
    services.department_update(actor=admin, department_id=dept.pk, phone="020-1", name=dept.name)
    event = OrganisationEvent.objects.filter(kind="changed").get()
    assert event.before == {"phone": ""} and event.after == {"phone": "020-1"}
    services.department_update(actor=admin, department_id=dept.pk, phone="020-1")
    assert OrganisationEvent.objects.count() == 2


def test_deactivation_and_activation_are_named(admin, district):
    dept = _department(admin, district)
    services.department_deactivate(actor=admin, department_id=dept.pk, note="撤并")
    services.department_update(actor=admin, department_id=dept.pk, is_active=True)
    kinds = list(OrganisationEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "deactivated", "activated"]
    dept.refresh_from_db()
    assert dept.is_active


def test_validation_names_the_field_in_chinese_and_leaves_nothing(admin, district):
    with pytest.raises(ValidationFailed) as exc:
        _department(admin, district, credit_code="123", name="")
    assert exc.value.field == "name"
    assert set(exc.value.errors) == {"name", "credit_code"}
    assert exc.value.errors["name"][0].startswith("部门名称：")
    assert "统一社会信用代码" in exc.value.errors["credit_code"][0]
    assert not Department.objects.exists() and not OrganisationEvent.objects.exists()


def test_unknown_fields_are_refused(admin, district):
    dept = _department(admin, district)
    with pytest.raises(ValidationFailed) as exc:
        services.department_update(actor=admin, department_id=dept.pk, colour="red")
    assert exc.value.field == "colour" and "未知的字段" in exc.value.message


def test_a_failure_after_the_write_rolls_back_row_and_event(admin, district, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "record", boom)
    with pytest.raises(RuntimeError):
        _department(admin, district)
    assert not Department.objects.exists() and not OrganisationEvent.objects.exists()


def test_an_outer_rollback_takes_the_event_with_it(admin, district):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        _department(admin, district)
        1 / 0  # noqa: B018
    assert not OrganisationEvent.objects.exists()


@pytest.mark.parametrize("role", [StaffRole.CLERK, StaffRole.APPROVER, StaffRole.SUPERVISOR])
def test_only_administrators_write(role, district):
    extra = {"hall": HallFactory()} if role == StaffRole.CLERK else {}
    user = StaffFactory.with_role(role, **extra)
    with pytest.raises(NotAllowed) as exc:
        _department(user, district)
    assert exc.value.message == "只有管理员可以新建部门。" and exc.value.status == 403
    with pytest.raises(NotAllowed):
        services.staff_role_grant(actor=user, user_id=user.pk, role=StaffRole.ADMINISTRATOR)
    assert not OrganisationEvent.objects.exists()


def test_superusers_count_as_administrators(district):
    root = UserFactory(is_superuser=True, is_staff=True)
    assert _department(root, district).pk


def test_region_create_checks_the_hierarchy(admin, district):
    street = services.region_create(
        actor=admin, code="440106001000", name="五山街道", level=RegionLevel.STREET, parent_id=district.pk
    )
    assert street.parent == district
    with pytest.raises(ValidationFailed) as exc:
        services.region_create(
            actor=admin, code="450106002000", name="错街道", level=RegionLevel.STREET, parent_id=district.pk
        )
    assert exc.value.field == "code" and "4401" in exc.value.message


def test_delete_refuses_what_is_referenced_and_removes_the_rest(admin, district):
    dept = _department(admin, district)
    with pytest.raises(Conflict) as exc:
        services.region_delete(actor=admin, region_id=district.pk)
    assert exc.value.code == "referenced" and "部门" in exc.value.message
    WindowFactory(kind=WindowKind.DEPARTMENT, department=dept, categories=[])
    with pytest.raises(Conflict) as exc:
        services.department_delete(actor=admin, department_id=dept.pk)
    assert "窗口" in exc.value.message and "请改为停用" in exc.value.message
    assert Department.objects.filter(pk=dept.pk).exists()

    lone = services.region_create(actor=admin, code="440199", name="试验区", level=RegionLevel.DISTRICT)
    services.region_delete(actor=admin, region_id=lone.pk, note="录入错误")
    assert not Region.objects.filter(pk=lone.pk).exists()
    event = OrganisationEvent.objects.get(kind="deleted")
    assert (event.subject_id, event.subject_label, event.note) == (lone.pk, "试验区", "录入错误")
    assert event.before["code"] == "440199"


def test_deleting_a_department_keeps_its_log(admin, district):
    dept = _department(admin, district)
    services.department_delete(actor=admin, department_id=dept.pk)
    events = OrganisationEvent.objects.filter(subject_type="department", subject_id=dept.pk)
    assert [e.kind for e in events.order_by("id")] == ["created", "deleted"]
    assert all(e.department_id is None for e in events)  # the FK is gone, the id and label stay


def test_update_of_a_missing_row_is_404(admin):
    with pytest.raises(NotFound) as exc:
        services.hall_update(actor=admin, hall_id=999999, name="x")
    assert exc.value.message == "服务大厅不存在。"


def test_hall_and_window_lifecycle(admin, district):
    hall = services.hall_create(
        actor=admin, name="天河区政务服务中心", code="TH", level=HallLevel.DISTRICT, region_id=district.pk
    )
    window = services.window_create(
        actor=admin, hall_id=hall.pk, number=1, name="出件", kind=WindowKind.ISSUANCE, categories=[]
    )
    with pytest.raises(Conflict) as exc:
        services.hall_delete(actor=admin, hall_id=hall.pk)
    assert "窗口" in exc.value.message
    services.hall_deactivate(actor=admin, hall_id=hall.pk)
    services.window_delete(actor=admin, window_id=window.pk)
    services.hall_delete(actor=admin, hall_id=hall.pk)
    kinds = list(OrganisationEvent.objects.order_by("id").values_list("subject_type", "kind"))
    assert kinds == [
        ("hall", "created"),
        ("window", "created"),
        ("hall", "deactivated"),
        ("window", "deleted"),
        ("hall", "deleted"),
    ]


def test_window_rules(admin, district):
    hall = HallFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.window_create(
            actor=admin,
            hall_id=hall.pk,
            number=1,
            name="综合受理",
            kind=WindowKind.COMPREHENSIVE,
            categories=[],
        )
    assert exc.value.field == "categories"
    window = services.window_create(
        actor=admin,
        hall_id=hall.pk,
        number=1,
        name="综合受理",
        kind=WindowKind.COMPREHENSIVE,
        categories=["citizen"],
    )
    with pytest.raises(ValidationFailed) as exc:
        services.window_create(
            actor=admin, hall_id=hall.pk, number=1, name="又一个", kind=WindowKind.ISSUANCE, categories=[]
        )
    assert "窗口号" in exc.value.message
    services.window_deactivate(actor=admin, window_id=window.pk)
    assert not Window.objects.get(pk=window.pk).is_active
    event = OrganisationEvent.objects.filter(subject_type="window").latest("id")
    assert event.kind == "deactivated" and event.hall_id == hall.pk


# --- staff roles ------------------------------------------------------------------------------------------


def test_grant_records_who_granted_which_role_to_whom_where(admin):
    dept = DepartmentFactory()
    staff = StaffFactory(username="zhang")
    grant = services.staff_role_grant(
        actor=admin, user_id=staff.pk, role=StaffRole.APPROVER, department_id=dept.pk, note="调入"
    )
    event = OrganisationEvent.objects.get()
    assert event.kind == OrganisationEventKind.ROLE_GRANTED
    assert (event.subject_type, event.subject_id) == (OrganisationSubject.STAFF_ROLE, grant.pk)
    assert (event.actor, event.user, event.department) == (admin, staff, dept)
    assert event.after["role"] == "approver" and event.after["department"]["id"] == dept.pk
    assert event.at is not None and event.note == "调入"


def test_grant_checks_role_place_and_person(admin):
    staff = StaffFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.staff_role_grant(actor=admin, user_id=staff.pk, role=StaffRole.APPROVER)
    assert exc.value.field == "department" and "必须属于一个部门" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        services.staff_role_grant(actor=admin, user_id=staff.pk, role="pilot")
    assert exc.value.field == "role" and exc.value.message.startswith("角色：")
    applicant = ApplicantFactory(user=UserFactory(kind="applicant")).user
    with pytest.raises(ValidationFailed) as exc:
        services.staff_role_grant(actor=admin, user_id=applicant.pk, role=StaffRole.SUPERVISOR)
    assert exc.value.field == "user" and "申请人" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        services.staff_role_grant(actor=admin, user_id=999999, role=StaffRole.SUPERVISOR)
    assert exc.value.field == "user"
    assert not StaffAssignment.objects.filter(user=staff).exists()
    assert not OrganisationEvent.objects.exists()


def test_the_same_role_twice_is_refused_even_without_department_or_hall(admin):
    staff = StaffFactory()
    services.staff_role_grant(actor=admin, user_id=staff.pk, role=StaffRole.SUPERVISOR)
    with pytest.raises(ValidationFailed) as exc:
        services.staff_role_grant(actor=admin, user_id=staff.pk, role=StaffRole.SUPERVISOR)
    assert exc.value.field == "role" and "已有“监察人员”角色" in exc.value.message


def test_role_change_and_revoke_are_logged(admin):
    hall, other = HallFactory(), HallFactory()
    grant = StaffAssignmentFactory(role=StaffRole.CLERK, hall=hall)
    services.staff_role_update(actor=admin, assignment_id=grant.pk, hall_id=other.pk)
    with pytest.raises(ValidationFailed):
        services.staff_role_update(actor=admin, assignment_id=grant.pk, user_id=admin.pk)
    services.staff_role_revoke(actor=admin, assignment_id=grant.pk, note="离岗")
    assert not StaffAssignment.objects.filter(pk=grant.pk).exists()
    changed, revoked = OrganisationEvent.objects.order_by("id")
    assert changed.kind == "role_changed" and changed.before["hall"]["id"] == hall.pk
    assert changed.after["hall"]["id"] == other.pk
    assert revoked.kind == "role_revoked" and revoked.user_id == grant.user_id and revoked.hall_id == other.pk
    assert revoked.before["role"] == "clerk" and revoked.note == "离岗"


def test_a_system_run_is_logged_without_an_actor():
    staff = StaffFactory()
    services.staff_role_grant(actor=None, user_id=staff.pk, role=StaffRole.SUPERVISOR)
    assert OrganisationEvent.objects.get().actor is None


def test_staff_create_grants_through_the_service(admin):
    from tongban.accounts import services as account_services

    dept = DepartmentFactory()
    user = account_services.staff_create(
        username="li",
        name="李四",
        password="Tongban-2026-pass!",
        assignments=[{"role": StaffRole.APPROVER, "department_id": dept.pk}],
        by=admin,
    )
    event = OrganisationEvent.objects.get()
    assert (event.kind, event.user, event.actor, event.department) == ("role_granted", user, admin, dept)


def test_only_a_system_run_may_act_without_an_actor(admin):
    """`require_administrator` is the one administrator check: `actor=None` passes only with `system_ok`."""
    from tongban.organisations.permissions import require_administrator

    require_administrator(admin, action="测试")
    require_administrator(None, action="测试", system_ok=True)
    with pytest.raises(NotAllowed, match="只有管理员可以测试"):
        require_administrator(None, action="测试")
    with pytest.raises(NotAllowed):
        require_administrator(StaffFactory(), action="测试", system_ok=True)
    region = services.region_create(actor=None, code="990000", name="系统区", level="province")
    event = OrganisationEvent.objects.get(subject_id=region.pk)
    assert event.actor is None and event.subject_label == str(region)
