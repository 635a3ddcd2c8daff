"""Issue 12, point 1 in catalogue imports: the department's credit code is checked (GB 32100) before it is
looked up, so a mistyped code is reported as such in its cell, and a lower-case code is found."""

from __future__ import annotations

import pytest

from tongban.catalogue.importexport import export_json, import_json
from tongban.catalogue.models import ServiceItem
from tongban.catalogue.tests.factories import DepartmentFactory, ServiceItemFactory
from tongban.common.errors import ValidationFailed
from tongban.common.tests.standards import gb32100_valid, wrong_check

pytestmark = pytest.mark.django_db


def test_a_mistyped_department_code_is_named_in_its_cell():
    department = DepartmentFactory(name="某区市场监督管理局")
    assert gb32100_valid(department.credit_code)
    ServiceItemFactory(code="XK-001", department=department)
    record = dict(export_json()["items"][0], code="XK-002", department_name="")

    with pytest.raises(ValidationFailed) as exc:
        import_json([dict(record, department_credit_code=wrong_check(department.credit_code))])
    [error] = exc.value.errors
    assert error["field"] == "department_credit_code"
    assert error["message"] == "实施主体：统一社会信用代码校验位不正确，请核对后重新输入"
    assert not ServiceItem.objects.filter(code="XK-002").exists()

    import_json([dict(record, department_credit_code=department.credit_code.lower())])
    assert ServiceItem.objects.get(code="XK-002").department == department
