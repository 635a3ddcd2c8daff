"""Factories for the organisation (the canonical ones: tests of every app import these, never redefine them).

Credit codes are valid GB 32100 codes (check character from the standard's formula in
``common.tests.standards``, independent of the validator), so model validation and services accept what
the factories make.
"""

from __future__ import annotations

import factory

from tongban.common.choices import ItemCategory
from tongban.common.tests import standards
from tongban.organisations.choices import HallLevel, RegionLevel, StaffRole, WindowKind
from tongban.organisations.models import Department, Region, ServiceHall, StaffAssignment, Window

__all__ = [
    "DepartmentFactory",
    "HallFactory",
    "RegionFactory",
    "ServiceHallFactory",
    "StaffAssignmentFactory",
    "WindowFactory",
    "make_credit_code",
]


def make_credit_code(n: int, *, prefix: str = "11", region: str = "440106") -> str:
    """A valid unified social credit code: authority+kind, 6-digit region, 9-char body, check char."""
    return standards.credit_code(n, prefix=prefix, region=region)


class RegionFactory(factory.django.DjangoModelFactory):
    """A district (6-digit code 99xxxx, no real province) by default; pass parent/level/code otherwise."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{990001 + n % 9999:06d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = RegionLevel.DISTRICT
    parent = None


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试区第{n}局")
    short_name = factory.Sequence(lambda n: f"{n}局")
    credit_code = factory.Sequence(lambda n: make_credit_code(n + 1))
    region = factory.SubFactory(RegionFactory)
    phone = "020-12345678"


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceHall

    name = factory.Sequence(lambda n: f"测试区政务服务中心{n}")
    code = factory.Sequence(lambda n: f"HALL{n:04d}")
    level = HallLevel.DISTRICT
    region = factory.SubFactory(RegionFactory)


ServiceHallFactory = HallFactory


class WindowFactory(factory.django.DjangoModelFactory):
    """A comprehensive intake window serving all three item categories; use kind=DEPARTMENT + department."""

    class Meta:
        model = Window

    hall = factory.SubFactory(HallFactory)
    number = factory.Sequence(lambda n: n % 30000 + 1)
    name = "综合受理"
    kind = WindowKind.COMPREHENSIVE
    categories = factory.LazyFunction(lambda: list(ItemCategory.values))


class StaffAssignmentFactory(factory.django.DjangoModelFactory):
    """A role for a user; department/hall default by role (approver/head → department, clerk → hall)."""

    class Meta:
        model = StaffAssignment

    user = factory.SubFactory("tongban.testing.factories.accounts.UserFactory")
    role = StaffRole.CLERK
    department = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in StaffRole.department_roles()),
        yes_declaration=factory.SubFactory(DepartmentFactory),
        no_declaration=None,
    )
    hall = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == StaffRole.CLERK),
        yes_declaration=factory.SubFactory(HallFactory),
        no_declaration=None,
    )
    window = None
