"""One permission vocabulary (issue 13, point 3).

The role groups are declared once (organisations.choices), the role predicates once (`Scope` and
organisations.permissions), and every app's permissions build on them. The first tests read the source so a
copy cannot come back; the table proves what each predicate allows and denies for each demo role.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from tongban.accounts.models import UserKind
from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.analytics import permissions as analytics
from tongban.cases import permissions as cases
from tongban.cases.choices import CaseChannel, StepKind
from tongban.catalogue import services as catalogue
from tongban.common.errors import NotAllowed
from tongban.hall import permissions as hall
from tongban.notifications import permissions as notifications
from tongban.organisations import permissions as org
from tongban.organisations.choices import StaffRole
from tongban.organisations.tests.factories import DepartmentFactory, HallFactory, WindowFactory
from tongban.ratings import permissions as ratings
from tongban.supervision import permissions as supervision

SRC = Path(__file__).resolve().parents[1] / "src" / "tongban"
VOCABULARY = {"organisations/choices.py", "organisations/scoping.py", "organisations/permissions.py"}


def _product_sources() -> dict[str, str]:
    return {
        str(p.relative_to(SRC)): p.read_text(encoding="utf-8")
        for p in SRC.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts
    }


def _where(pattern: str) -> set[str]:
    rx = re.compile(pattern, re.MULTILINE)
    return {name for name, text in _product_sources().items() if rx.search(text)}


def test_role_groups_are_declared_once():
    assert _where(r"^\s*(DEPARTMENT_ROLES|OVERSIGHT_ROLES)\b[^=\n]*=") == {"organisations/choices.py"}
    pair = r"StaffRole\.APPROVER,\s*StaffRole\.DEPARTMENT_HEAD|[\"']approver[\"'],\s*[\"']dept_head[\"']"
    assert _where(pair) == {"organisations/choices.py"}


def test_role_predicates_are_defined_once():
    for name in ("is_supervisor", "is_administrator", "is_window_clerk", "is_department_staff", "is_clerk"):
        assert _where(rf"^\s*def {name}\(") <= VOCABULARY, name


def test_no_app_checks_a_role_by_hand():
    """Membership tests on `scope.roles` and roles spelled as strings belong to the vocabulary only."""
    by_hand = (
        r"\bin\s+\w+\.roles\b"  # StaffRole.CLERK in scope.roles, "admin" in scope.roles
        r"|(has_role|departments_for)\(\s*[\"']"  # has_role("admin"), departments_for("approver", …)
    )
    assert _where(by_hand) <= VOCABULARY


# ---- the table: each predicate over the demo roles -------------------------------------------------------

ROLES = ("applicant", "clerk", "approver", "head", "supervisor", "admin", "hotline", "superuser")


@pytest.fixture
def world(db):
    dept, other_dept = DepartmentFactory(), DepartmentFactory()
    home, other_hall = HallFactory(), HallFactory()
    users = {
        "applicant": UserFactory(kind=UserKind.APPLICANT),
        "clerk": StaffFactory.with_role(StaffRole.CLERK, hall=home, window=WindowFactory(hall=home)),
        "approver": StaffFactory.with_role(StaffRole.APPROVER, department=dept),
        "head": StaffFactory.with_role(StaffRole.DEPARTMENT_HEAD, department=dept),
        "supervisor": StaffFactory.with_role(StaffRole.SUPERVISOR),
        "admin": StaffFactory.with_role(StaffRole.ADMINISTRATOR),
        "hotline": StaffFactory.with_role(StaffRole.HOTLINE_OPERATOR),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    item = SimpleNamespace(department_id=dept.pk)
    things = {
        "case_here": SimpleNamespace(intake_hall_id=home.pk, channel=CaseChannel.WINDOW, item=item),
        "case_elsewhere": SimpleNamespace(
            intake_hall_id=other_hall.pk, channel=CaseChannel.WINDOW, item=item
        ),
        "case_online": SimpleNamespace(intake_hall_id=None, channel=CaseChannel.ONLINE, item=item),
        "step": SimpleNamespace(kind=StepKind.REVIEW, department_id=dept.pk, role=""),
        "head_step": SimpleNamespace(
            kind=StepKind.REVIEW, department_id=dept.pk, role=StaffRole.DEPARTMENT_HEAD
        ),
        "window_step": SimpleNamespace(kind=StepKind.WINDOW, department_id=dept.pk, role=""),
        "dept_followup": SimpleNamespace(department_id=dept.pk, hall_id=None, rectified_by_id=None),
        "hall_followup": SimpleNamespace(department_id=None, hall_id=home.pk, rectified_by_id=None),
    }
    return SimpleNamespace(
        users=users, dept=dept, other_dept=other_dept, home=home, other_hall=other_hall, **things
    )


# predicate(world, user) -> bool, and the roles it allows (everyone else is denied)
TABLE = {
    "staff member": (
        lambda w, u: org.is_staff_member(u),
        {"clerk", "approver", "head", "supervisor", "admin", "hotline", "superuser"},
    ),
    "administrator": (lambda w, u: org.is_administrator(u), {"admin", "superuser"}),
    "supervisor": (lambda w, u: org.is_supervisor(u), {"supervisor", "admin", "superuser"}),
    "window clerk": (lambda w, u: org.is_window_clerk(u), {"clerk", "superuser"}),
    "department staff": (lambda w, u: org.is_department_staff(u), {"approver", "head", "superuser"}),
    "acts for the department": (
        lambda w, u: org.acts_for_department(u, w.dept.pk),
        {"approver", "head", "superuser"},
    ),
    "acts for another department": (lambda w, u: org.acts_for_department(u, w.other_dept.pk), {"superuser"}),
    "acts as the department's head": (
        lambda w, u: org.acts_for_department(u, w.dept.pk, role=StaffRole.DEPARTMENT_HEAD),
        {"head", "superuser"},
    ),
    "cases: clerk of a case of their hall": (
        lambda w, u: cases.is_case_clerk(u, w.case_here),
        {"clerk", "superuser"},
    ),
    "cases: clerk of a case of another hall": (
        lambda w, u: cases.is_case_clerk(u, w.case_elsewhere),
        {"superuser"},
    ),
    "cases: clerk of an untaken online case": (
        lambda w, u: cases.is_case_clerk(u, w.case_online),
        {"clerk", "superuser"},
    ),
    "cases: review a step": (
        lambda w, u: cases.can_review_step(u, w.step),
        {"approver", "head", "superuser"},
    ),
    "cases: review a head's step": (
        lambda w, u: cases.can_review_step(u, w.head_step),
        {"head", "superuser"},
    ),
    "cases: review a window step": (lambda w, u: cases.can_review_step(u, w.window_step), set()),
    "cases: extend": (lambda w, u: cases.can_extend(u, w.case_here), {"head", "superuser"}),
    "supervision: supervise": (
        lambda w, u: supervision.can_supervise(u),
        {"supervisor", "admin", "superuser"},
    ),
    "ratings: handle a department's follow-up": (
        lambda w, u: ratings.can_handle(u, w.dept_followup),
        {"approver", "head", "superuser"},
    ),
    "ratings: handle a hall's follow-up": (
        lambda w, u: ratings.can_handle(u, w.hall_followup),
        {"clerk", "superuser"},
    ),
    "ratings: call back": (
        lambda w, u: ratings.can_call_back(u, w.dept_followup),
        {"approver", "head", "supervisor", "admin", "superuser"},
    ),
    "ratings: see follow-ups": (
        lambda w, u: ratings.can_see_followups(u),
        {"clerk", "approver", "head", "supervisor", "admin", "superuser"},
    ),
    "analytics: performance": (
        lambda w, u: analytics.can_view_performance(u),
        {"clerk", "approver", "head", "supervisor", "admin", "superuser"},
    ),
    "analytics: screen": (lambda w, u: analytics.can_view_screen(u), {"supervisor", "admin", "superuser"}),
    "notifications: resend": (lambda w, u: notifications.can_resend(u), {"admin", "superuser"}),
    "hall: clerk of the hall": (lambda w, u: hall.is_hall_clerk(u, w.home.pk), {"clerk", "superuser"}),
    "hall: clerk of another hall": (lambda w, u: hall.is_hall_clerk(u, w.other_hall.pk), {"superuser"}),
    "catalogue: manage": (lambda w, u: catalogue.can_manage_catalogue(u), {"admin", "superuser"}),
    "catalogue: edit the department's item": (
        lambda w, u: catalogue.can_edit_item(u, w.dept.pk),
        {"approver", "head", "admin", "superuser"},
    ),
}


@pytest.mark.parametrize("name", TABLE)
def test_predicate_allows_exactly_these_roles(world, name):
    predicate, allowed = TABLE[name]
    verdicts = {role: predicate(world, world.users[role]) for role in ROLES}
    assert {role for role, ok in verdicts.items() if ok} == allowed


def test_anonymous_is_allowed_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not any(predicate(world, anonymous) for predicate, _ in TABLE.values())


REQUIRES = {
    "administrator": (
        lambda w, u: org.require_administrator(u, action="修改预警规则"),
        "只有管理员可以修改预警规则。",
    ),
    "supervisor": (lambda w, u: org.require_supervisor(u, action="催办"), "只有监察人员或管理员可以催办。"),
    "department staff": (
        lambda w, u: org.require_department_staff(u, w.dept.pk, action="反馈督办单"),
        "您不是该部门的审批人员或负责人，不能反馈督办单。",
    ),
    "step's role": (
        lambda w, u: cases.require_department(
            u, w.dept.pk, role=StaffRole.DEPARTMENT_HEAD, action="作出审批决定"
        ),
        "您不是该环节办理部门的部门负责人，不能作出审批决定。",
    ),
    "clerk": (lambda w, u: cases.require_clerk(u, w.case_here), "只有窗口人员可以办理收件、受理和出件。"),
}


@pytest.mark.parametrize("name", REQUIRES)
def test_require_refuses_in_chinese_with_403(world, name):
    """Each `require_*` lets through whom its predicate allows and refuses the applicant with a 403."""
    check, message = REQUIRES[name]
    with pytest.raises(NotAllowed) as refused:
        check(world, world.users["applicant"])
    assert refused.value.message == message
    assert refused.value.status == 403
    check(world, world.users["superuser"])  # passes


def test_templates_ask_the_same_predicates(world):
    """`{% load staff_roles %}` filters are organisations.permissions itself, so pages agree with services."""
    from django.template import Context, Template

    names = ("is_staff_member", "is_administrator", "is_supervisor", "is_window_clerk", "is_department_staff")
    page = Template("{% load staff_roles %}" + ",".join(f"{{{{ user|{n} }}}}" for n in names))
    for role in ROLES:
        user = world.users[role]
        expected = ",".join(str(getattr(org, n)(user)) for n in names)
        assert page.render(Context({"user": user})) == expected, role
