"""Factories for users, staff and applicants (other apps import these).

- `UserFactory`: a staff-kind login with password `PASSWORD`.
- `StaffFactory.with_role(StaffRole.APPROVER, department=dept)`: a user plus one StaffAssignment.
- `ApplicantFactory`: a natural person with a VALID resident ID number; `ApplicantFactory(registered=True)`
  also creates the applicant's login (username = ID number). `LegalApplicantFactory` for enterprises.
"""

from __future__ import annotations

import factory

from tongban.accounts.models import Applicant, User, UserKind
from tongban.common.choices import ApplicantKind
from tongban.common.tests import standards
from tongban.organisations.choices import StaffRole
from tongban.testing.factories.organisations import (
    DepartmentFactory,
    HallFactory,
    RegionFactory,
    ServiceHallFactory,
    StaffAssignmentFactory,
    WindowFactory,
    make_credit_code,
)

PASSWORD = "Tongban-Test-2024"
_UNSET = object()

__all__ = [
    "PASSWORD",
    "ApplicantFactory",
    "DepartmentFactory",
    "HallFactory",
    "LegalApplicantFactory",
    "RegionFactory",
    "ServiceHallFactory",
    "StaffAssignmentFactory",
    "StaffFactory",
    "UserFactory",
    "WindowFactory",
    "make_id_number",
]


def make_id_number(n: int, *, region: str = "110105") -> str:
    """A valid 18-digit resident ID number, distinct for each n (check digit from the standard's own
    formula in ``common.tests.standards``, not from the validator under test)."""
    return standards.id_number(n, region=region)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    kind = UserKind.STAFF
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    """A staff user; `with_role` adds the assignment that gives the role its department or hall."""

    kind = UserKind.STAFF

    @classmethod
    def with_role(cls, role: str, *, department=_UNSET, hall=_UNSET, window=None, **kwargs) -> User:
        if role == StaffRole.ADMINISTRATOR:
            kwargs.setdefault("is_staff", True)
        user = cls(**kwargs)
        extra: dict = {"window": window}
        if department is not _UNSET:
            extra["department"] = department
        if hall is not _UNSET:
            extra["hall"] = hall
        elif window is not None:
            extra["hall"] = window.hall
        StaffAssignmentFactory(user=user, role=role, **extra)
        return user


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    class Params:
        registered = factory.Trait(
            user=factory.SubFactory(
                UserFactory,
                kind=UserKind.APPLICANT,
                username=factory.SelfAttribute("..id_number"),
                display_name=factory.SelfAttribute("..name"),
                mobile=factory.SelfAttribute("..mobile"),
            )
        )

    kind = ApplicantKind.NATURAL
    name = factory.Sequence(lambda n: f"申请人{n}")
    id_number = factory.Sequence(make_id_number)
    mobile = factory.Sequence(lambda n: f"139{n % 10**8:08d}")
    user = None


class LegalApplicantFactory(ApplicantFactory):
    class Params:
        registered = factory.Trait(
            user=factory.SubFactory(
                UserFactory,
                kind=UserKind.APPLICANT,
                username=factory.SelfAttribute("..credit_code"),
                display_name=factory.SelfAttribute("..name"),
                mobile=factory.SelfAttribute("..mobile"),
            )
        )

    kind = ApplicantKind.LEGAL
    name = factory.Sequence(lambda n: f"测试科技有限公司{n}")
    id_number = ""
    credit_code = factory.Sequence(lambda n: make_credit_code(n + 1, prefix="91"))
    legal_representative = "王五"
    contact_name = "赵六"
