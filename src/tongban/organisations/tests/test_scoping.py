"""Who sees which staff (DESIGN rule 3): the denials are asserted exactly, in the selector and the API."""

import pytest
from rest_framework.test import APIClient

from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory, UserFactory
from tongban.organisations import selectors
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment
from tongban.organisations.scoping import scope_for
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory, WindowFactory

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/staff/"


@pytest.fixture
def org():
    """Two departments, two halls, and people in each."""
    dept_a, dept_b = DepartmentFactory(), DepartmentFactory()
    hall_1, hall_2 = HallFactory(), HallFactory()
    people = {
        "approver_a": StaffFactory.with_role(StaffRole.APPROVER, department=dept_a),
        "head_a": StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=dept_a),
        "approver_b": StaffFactory.with_role(StaffRole.APPROVER, department=dept_b),
        "clerk_1": StaffFactory.with_role(StaffRole.CLERK, hall=hall_1),
        "clerk_1b": StaffFactory.with_role(StaffRole.CLERK, window=WindowFactory(hall=hall_1)),
        "clerk_2": StaffFactory.with_role(StaffRole.CLERK, hall=hall_2),
        "supervisor": StaffFactory.with_role(StaffRole.SUPERVISOR),
        "admin": StaffFactory.with_role(StaffRole.ADMINISTRATOR),
        "hotline": StaffFactory.with_role(StaffRole.HOTLINE_OPERATOR),
    }
    return {"dept_a": dept_a, "dept_b": dept_b, "hall_1": hall_1, "hall_2": hall_2, **people}


def visible_users(user) -> set[int]:
    return set(selectors.staff_assignment_list(user=user).values_list("user_id", flat=True))


def api_users(user) -> tuple[int, set[int]]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(STAFF, {"page_size": 100})
    if response.status_code != 200:
        return response.status_code, set()
    return 200, {row["user"]["id"] for row in response.json()["results"]}


def ids(org, *names) -> set[int]:
    return {org[n].pk for n in names}


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_supervisor_and_admin_see_everybody(org, who):
    everybody = set(StaffAssignment.objects.values_list("user_id", flat=True))
    assert len(everybody) == 9
    assert visible_users(org[who]) == everybody
    assert api_users(org[who]) == (200, everybody)


def test_superuser_sees_everybody(org):
    root = UserFactory(is_superuser=True, is_staff=True)
    assert visible_users(root) == set(StaffAssignment.objects.values_list("user_id", flat=True))


def test_approver_of_a_sees_department_a_only(org):
    expected = ids(org, "approver_a", "head_a")
    assert visible_users(org["approver_a"]) == expected
    status, seen = api_users(org["approver_a"])
    assert status == 200
    assert seen == expected
    assert org["approver_b"].pk not in seen


def test_approver_cannot_filter_their_way_into_another_department(org):
    client = APIClient()
    client.force_authenticate(org["approver_a"])
    response = client.get(STAFF, {"department": org["dept_b"].pk})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_clerk_sees_own_hall_only(org):
    expected = ids(org, "clerk_1", "clerk_1b")
    assert visible_users(org["clerk_1"]) == expected
    assert api_users(org["clerk_1"]) == (200, expected)
    assert org["clerk_2"].pk not in visible_users(org["clerk_1"])


def test_hotline_operator_sees_only_self(org):
    assert visible_users(org["hotline"]) == ids(org, "hotline")


def test_applicant_is_refused(org):
    applicant = ApplicantFactory(registered=True)
    assert visible_users(applicant.user) == set()
    client = APIClient()
    client.force_authenticate(applicant.user)
    response = client.get(STAFF)
    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "message": "仅限工作人员访问。"}


def test_staff_user_without_role_is_refused(org):
    assert api_users(UserFactory())[0] == 403


def test_anonymous_is_refused(org):
    response = APIClient().get(STAFF)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert selectors.staff_assignment_list(user=None).count() == 0


def test_scope_is_built_from_assignments(org):
    scope = scope_for(org["clerk_1b"])
    assert scope.roles == {"clerk"}
    assert scope.hall_ids == {org["hall_1"].pk}
    assert len(scope.window_ids) == 1
    assert not scope.sees_everything
    assert scope_for(org["supervisor"]).sees_everything
