import pytest
from django.core.management import CommandError, call_command

from tongban.accounts.models import User
from tongban.organisations.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_createstaff_admin():
    call_command("createstaff", username="boss", name="管理员", role="admin", password="Qiang-Mima-2024")
    user = User.objects.get(username="boss")
    assert user.is_superuser and user.assignments.get().role == "admin"


def test_createstaff_approver_by_department_short_name():
    dept = DepartmentFactory(short_name="市监局")
    call_command(
        "createstaff",
        username="a1",
        name="审批员",
        role="approver",
        department="市监局",
        password="Qiang-Mima-2024",
    )
    assert User.objects.get(username="a1").assignments.get().department_id == dept.pk


def test_createstaff_refuses_clerk_without_hall():
    with pytest.raises(CommandError, match="窗口人员必须属于一个大厅"):
        call_command("createstaff", username="c1", name="窗口", role="clerk", password="Qiang-Mima-2024")
    assert not User.objects.filter(username="c1").exists()
