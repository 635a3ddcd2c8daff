"""Every published item of the demo can be carried from application to issuance by the demo's own
logins, none of them the administrator (issue 12 point 11): a clerk registers and accepts it, each step
is done by a login of the step's department in the step's role, the decision by the decider's
department, a head approves an extension, a clerk issues the result; an immediate item is handled at
the window in one sitting.

The walk happens on Tuesday 2 June 2026 (time pinned), so every deadline falls in a year whose official
calendar is loaded, whatever today's date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
import time_machine

from tongban.accounts.models import User
from tongban.cases import services
from tongban.cases.choices import CaseStatus, Decision, StepKind, StepStatus
from tongban.cases.models import Case, CaseEvent, Extension, Step
from tongban.catalogue.choices import CaseKind
from tongban.catalogue.models import ServiceItem
from tongban.demo.cases import _Demo
from tongban.demo.loader import _read
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment
from tongban.workdays.calendar import invalidate_index

pytestmark = pytest.mark.django_db

BJ = dt.timezone(dt.timedelta(hours=8))
WHEN = dt.datetime(2026, 6, 2, 10, 0, tzinfo=BJ)
DEPARTMENT_KEYS = [d["key"] for d in _read("departments.json")["departments"]]
DEMO_STAFF = {p["username"] for p in _read("people.json")["staff"]} - {"admin"}


@pytest.fixture
def walker(demo_module):
    with time_machine.travel(WHEN, tick=False):
        invalidate_index()
        yield _Demo()
    invalidate_index()


def walk(d: _Demo, item: ServiceItem, *, n: int, extend: bool) -> Case:
    """One case of the item from registration at the window to the result handed over."""
    case = d.window(f"walk:{item.code}", item, n, "演示走查")
    applicant = case.applicant
    receiver = {
        "receiver_name": applicant.contact_name or applicant.name,
        "receiver_id_number": applicant.contact_id_number or applicant.id_number,
    }
    if item.case_kind == CaseKind.IMMEDIATE:
        return services.case_handle_immediately(
            actor=d.clerk,
            case_id=case.pk,
            reason="材料齐全，当场办结",
            decision=Decision.APPROVED,
            identity_checked=True,
            **receiver,
        )
    case = d.accept(case)
    if extend:
        case = services.case_extend(actor=d.head(item), case_id=case.pk, days=5, reason="需现场核查")
    d.review_to_decision(case)
    d.decide(Case.objects.get(pk=case.pk))
    return services.case_issue(
        actor=d.issuer, case_id=case.pk, method="pickup", identity_checked=True, **receiver
    )


@pytest.mark.parametrize("key", DEPARTMENT_KEYS)
def test_every_item_of_the_department_is_finished_by_demo_logins_alone(walker, key):
    items = list(
        ServiceItem.objects.published().filter(code__startswith=f"440106-{key}-").select_related("department")
    )
    assert items, key
    extended = False
    for n, item in enumerate(items):
        extend = item.case_kind == CaseKind.PROMISED and not extended
        case = walk(walker, item, n=n, extend=extend)
        extended = extended or extend
        assert case.status == CaseStatus.CLOSED, (item.code, case.status)

    cases = Case.objects.filter(item__in=items)
    assert cases.count() == len(items)
    assert not Step.objects.filter(case__in=cases, status=StepStatus.OPEN).exists()
    # nobody but the demo's own non-admin logins acted, and each step by its own department's staff
    actors = set(CaseEvent.objects.filter(case__in=cases).values_list("actor__username", flat=True))
    assert actors - {None} <= DEMO_STAFF | {walker.applicant(i).user.username for i in items}
    assert not User.objects.filter(username__in=actors, is_superuser=True).exists()
    roles = defaultdict(set)
    for a in StaffAssignment.objects.values("user_id", "department_id", "role"):
        roles[(a["user_id"], a["department_id"])].add(a["role"])
    for step in Step.objects.filter(case__in=cases).exclude(kind=StepKind.WINDOW):
        held = roles[(step.completed_by_id, step.department_id)]
        assert held & {step.role} if step.role else held, (step.name, step.department_id)
    if extended:
        extension = Extension.objects.get(case__in=cases)
        assert StaffRole.DEPARTMENT_HEAD in roles[(extension.approved_by_id, items[0].department_id)]
