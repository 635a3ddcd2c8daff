import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.models import AccountEvent, AccountEventKind, User
from tongban.accounts.tests.factories import (
    PASSWORD,
    ApplicantFactory,
    DepartmentFactory,
    HallFactory,
    StaffFactory,
    WindowFactory,
)
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = StaffFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.admin = admin
    return client


@pytest.mark.parametrize(
    "name",
    [
        "accounts_user",
        "accounts_applicant",
        "accounts_accountevent",
        "organisations_region",
        "organisations_department",
        "organisations_servicehall",
        "organisations_window",
        "organisations_staffassignment",
    ],
)
def test_admin_changelists_and_add_pages_render(admin_client, name):
    ApplicantFactory()
    StaffFactory.with_role(StaffRole.CLERK, window=WindowFactory())
    response = admin_client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200
    if name != "accounts_accountevent":
        assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 200


def test_admin_index_is_chinese(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "组织机构" in html and "账户与申请人" in html and "人员角色" in html
    # the task queue: django-tasks-db ships English names only (common.tasks_app, locale/zh_Hans)
    assert "后台任务队列" in html and "Tasks Database Backend" not in html and "Task Results" not in html
    assert "Model name" not in html and "Add link" not in html  # screen-reader headers too


def test_admin_change_pages_render(admin_client):
    user = StaffFactory.with_role(StaffRole.CLERK, window=WindowFactory())
    hall = user.assignments.get().hall
    assert admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).status_code == 200
    assert (
        admin_client.get(reverse("admin:organisations_servicehall_change", args=[hall.pk])).status_code == 200
    )
    region = RegionFactory()
    assert admin_client.get(reverse("admin:organisations_region_change", args=[region.pk])).status_code == 200


def test_admin_region_search_by_code_prefix(admin_client):
    RegionFactory(code="440106", name="天河区")
    RegionFactory(code="310101", name="黄浦区")
    html = admin_client.get(reverse("admin:organisations_region_changelist"), {"q": "4401"}).content.decode()
    assert "天河区" in html and "黄浦区" not in html


def test_admin_creates_staff_through_service_with_inline_role(admin_client):
    dept = DepartmentFactory()
    url = reverse("admin:accounts_user_add")
    data = {
        "username": "wangwu",
        "display_name": "王五",
        "mobile": "",
        "email": "",
        "password1": "Qiang-Mima-2024",
        "password2": "Qiang-Mima-2024",
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-role": StaffRole.APPROVER,
        "assignments-0-department": str(dept.pk),
        "assignments-0-hall": "",
        "assignments-0-window": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    user = User.objects.get(username="wangwu")
    assert user.display_name == "王五"
    assert user.check_password("Qiang-Mima-2024")
    assert list(user.assignments.values_list("role", "department_id")) == [("approver", dept.pk)]
    event = AccountEvent.objects.get(user=user, kind=AccountEventKind.STAFF_CREATED)
    assert event.actor_id == admin_client.admin.pk


def test_admin_unlock_action(admin_client):
    locked = StaffFactory(username="locked", locked_until=timezone.now() + dt.timedelta(minutes=10))
    other = StaffFactory(username="other", locked_until=timezone.now() + dt.timedelta(minutes=10))
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_users", "_selected_action": [locked.pk]},
    )
    assert response.status_code == 302
    locked.refresh_from_db()
    other.refresh_from_db()
    assert not locked.is_locked
    assert other.is_locked  # not selected, not touched


def test_admin_login_counts_failures_and_honours_lock(client):
    StaffFactory(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "root", "password": "wrong"})
    response = client.post(url, {"username": "root", "password": PASSWORD})
    assert "账户已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_refuses_non_staff(client):
    StaffFactory(username="clerk", is_staff=False)
    response = client.post(reverse("admin:login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_admin_window_categories_as_checkboxes(admin_client):
    hall = HallFactory()
    html = admin_client.get(reverse("admin:organisations_window_add")).content.decode()
    assert 'type="checkbox" name="categories" value="citizen"' in html
    response = admin_client.post(
        reverse("admin:organisations_window_add"),
        {
            "hall": hall.pk,
            "number": 7,
            "name": "综合受理",
            "kind": "comprehensive",
            "categories": ["citizen"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert hall.windows.get(number=7).categories == ["citizen"]
