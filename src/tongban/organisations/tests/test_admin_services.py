"""The admin writes the organisation through the services: every save, inline row and delete is checked
and logged; refusals come back on the form; each change page and the user's page show the log."""

import pytest
from django.urls import reverse

from tongban.accounts.tests.factories import StaffFactory
from tongban.organisations.choices import RegionLevel, StaffRole
from tongban.organisations.models import Department, OrganisationEvent, StaffAssignment
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
def admin_client(client):
    admin = StaffFactory.with_role(StaffRole.ADMINISTRATOR, username="root", is_superuser=True)
    client.force_login(admin)
    client.admin = admin
    return client


def _form_data(response) -> dict:
    """What the browser would post back from an admin change page: the main form's and every inline's
    current values, with the management forms."""
    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if value is None:
                continue
            if isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            else:
                data[field.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_a_grant_in_the_users_role_inline_is_logged(admin_client):
    staff = StaffFactory(username="zhao", display_name="赵六")
    dept = DepartmentFactory()
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    data = _form_data(admin_client.get(url))
    data.update(
        {
            "assignments-TOTAL_FORMS": "1",
            "assignments-0-role": StaffRole.APPROVER,
            "assignments-0-department": str(dept.pk),
            "assignments-0-user": str(staff.pk),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    grant = StaffAssignment.objects.get(user=staff)
    event = OrganisationEvent.objects.get()
    assert (event.kind, event.actor, event.user, event.department) == (
        "role_granted",
        admin_client.admin,
        staff,
        dept,
    )
    assert event.subject_id == grant.pk

    # the user's page shows it; revoking the row in the inline is logged too
    html = admin_client.get(url).content.decode()
    assert "岗位角色变更记录" in html and "授予角色" in html
    data = _form_data(admin_client.get(url))
    data["assignments-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not StaffAssignment.objects.filter(user=staff).exists()
    assert OrganisationEvent.objects.latest("id").kind == "role_revoked"


def test_a_refused_grant_in_the_inline_keeps_the_page_and_writes_nothing(admin_client):
    staff = StaffFactory()
    StaffAssignmentFactory(user=staff, role=StaffRole.SUPERVISOR)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    data = _form_data(admin_client.get(url))
    data.update(
        {
            "assignments-TOTAL_FORMS": "2",
            "assignments-1-role": StaffRole.SUPERVISOR,
            "assignments-1-user": str(staff.pk),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert "已有“监察人员”角色" in response.content.decode()
    assert StaffAssignment.objects.filter(user=staff).count() == 1
    assert not OrganisationEvent.objects.exists()


def test_staff_role_admin_grants_changes_and_revokes(admin_client):
    staff, hall, other = StaffFactory(), HallFactory(), HallFactory()
    response = admin_client.post(
        reverse("admin:organisations_staffassignment_add"),
        {"user": staff.pk, "role": StaffRole.CLERK, "hall": hall.pk, "department": "", "window": ""},
    )
    assert response.status_code == 302
    grant = StaffAssignment.objects.get(user=staff)
    change = reverse("admin:organisations_staffassignment_change", args=[grant.pk])
    response = admin_client.post(
        change, {"user": staff.pk, "role": StaffRole.CLERK, "hall": other.pk, "department": "", "window": ""}
    )
    assert response.status_code == 302
    assert "变更角色" in admin_client.get(change).content.decode()  # the change page's own log
    response = admin_client.post(
        reverse("admin:organisations_staffassignment_delete", args=[grant.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    kinds = list(OrganisationEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["role_granted", "role_changed", "role_revoked"]


def test_department_admin_add_and_change_are_logged(admin_client):
    region = RegionFactory()
    data = {
        "name": "测试区税务局",
        "short_name": "税务局",
        "credit_code": make_credit_code(903),
        "region": region.pk,
        "phone": "",
        "address": "",
        "is_active": "on",
        "sort_order": "0",
    }
    assert admin_client.post(reverse("admin:organisations_department_add"), data).status_code == 302
    dept = Department.objects.get(name="测试区税务局")
    url = reverse("admin:organisations_department_change", args=[dept.pk])
    data.pop("is_active")
    assert admin_client.post(url, data).status_code == 302
    kinds = list(OrganisationEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "deactivated"]
    assert "停用" in admin_client.get(url).content.decode()


def test_deleting_what_is_referenced_in_the_admin_is_refused(admin_client):
    dept = DepartmentFactory()
    StaffAssignmentFactory(role=StaffRole.APPROVER, department=dept)
    url = reverse("admin:organisations_department_delete", args=[dept.pk])
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert "无法删除" in response.content.decode()  # the admin's own check of protected rows
    # a hall's windows would be deleted with it (cascade): the service refuses instead
    hall = WindowFactory().hall
    url = reverse("admin:organisations_servicehall_delete", args=[hall.pk])
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert "仍被窗口引用，不能删除；请改为停用。" in response.content.decode()
    assert Department.objects.filter(pk=dept.pk).exists() and hall.windows.exists()
    assert not OrganisationEvent.objects.exists()
    changelist = admin_client.get(reverse("admin:organisations_department_changelist"))
    assert changelist.context["action_form"] is None  # no bulk delete: each delete is checked alone


def test_windows_inline_of_a_hall_go_through_the_services(admin_client):
    hall = HallFactory()
    WindowFactory(hall=hall, number=1)
    url = reverse("admin:organisations_servicehall_change", args=[hall.pk])
    data = _form_data(admin_client.get(url))
    data.update(
        {
            "windows-TOTAL_FORMS": "2",
            "windows-1-number": "2",
            "windows-1-name": "出件",
            "windows-1-kind": "issuance",
            "windows-1-is_active": "on",
            "windows-1-hall": str(hall.pk),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert hall.windows.count() == 2
    event = OrganisationEvent.objects.get()
    assert (event.subject_type, event.kind, event.hall_id) == ("window", "created", hall.pk)


def test_region_children_inline_is_checked(admin_client):
    district = RegionFactory(code="440106", level=RegionLevel.DISTRICT)
    url = reverse("admin:organisations_region_change", args=[district.pk])
    data = _form_data(admin_client.get(url))
    data.update(
        {
            "children-TOTAL_FORMS": "1",
            "children-0-code": "450106001000",
            "children-0-name": "错街道",
            "children-0-level": RegionLevel.STREET,
            "children-0-parent": str(district.pk),
        }
    )
    response = admin_client.post(url, data)  # the inline form checks the model's rules first
    assert response.status_code == 200 and "4401" in response.content.decode()
    assert not district.children.exists() and not OrganisationEvent.objects.exists()


def test_the_log_list_is_read_only(admin_client):
    DepartmentFactory()
    dept = Department.objects.get()
    admin_client.post(
        reverse("admin:organisations_department_change", args=[dept.pk]),
        {
            "name": dept.name,
            "short_name": dept.short_name,
            "credit_code": dept.credit_code,
            "region": dept.region_id,
            "phone": "1",
            "address": "",
            "is_active": "on",
            "sort_order": "0",
        },
    )
    url = reverse("admin:organisations_organisationevent_changelist")
    response = admin_client.get(url, {"subject_type": "department", "subject_id": dept.pk})
    assert response.status_code == 200 and dept.name in response.content.decode()
    assert admin_client.get(reverse("admin:organisations_organisationevent_add")).status_code == 403
