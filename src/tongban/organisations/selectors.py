"""Reads of the organisation, always through `.visible_to(user)` (DESIGN rule 3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from .choices import OrganisationSubject
from .models import Department, OrganisationEvent, Region, ServiceHall, StaffAssignment, Window
from .scoping import scope_for

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


def department_list(
    *, user: AnyUser, region_id: int | None = None, include_inactive: bool = False
) -> QuerySet:
    qs = Department.objects.visible_to(user).select_related("region")
    if not include_inactive:
        qs = qs.active()
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    return qs


def hall_list(*, user: AnyUser, level: str | None = None) -> QuerySet:
    """Active halls with their active windows (and each window's department) in one query each."""
    windows = Window.objects.visible_to(user).active().select_related("department").order_by("number")
    qs = (
        ServiceHall.objects.visible_to(user)
        .active()
        .select_related("region", "parent")
        .prefetch_related(Prefetch("windows", queryset=windows))
    )
    if level:
        qs = qs.filter(level=level)
    return qs


def region_list(
    *, user: AnyUser, parent_id: int | None = None, level: str | None = None, q: str = ""
) -> QuerySet:
    qs = Region.objects.visible_to(user).select_related("parent")
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__contains=q)
    return qs


def staff_assignment_list(
    *, user: AnyUser, department_id: int | None = None, hall_id: int | None = None, role: str | None = None
) -> QuerySet:
    """Who works where: admins and supervisors see all, department staff their department, clerks
    their hall, everybody at least their own roles."""
    qs = StaffAssignment.objects.visible_to(user).select_related("user", "department", "hall", "window")
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("user__username", "role", "id")


def halls_of(*, user: AnyUser) -> QuerySet[ServiceHall]:
    """The halls the user works in (their scope's halls, by name): where a clerk may register a case."""
    return ServiceHall.objects.filter(pk__in=scope_for(user).hall_ids).order_by("name")


def halls_visible(*, user: AnyUser) -> QuerySet[ServiceHall]:
    """Active halls the user may see, without their windows (pickers and filters)."""
    return ServiceHall.objects.visible_to(user).active()


def departments_active() -> QuerySet[Department]:
    """Every active department, in the catalogue's order: the process editor may name any of them."""
    return Department.objects.filter(is_active=True).order_by("sort_order", "name")


def department_visible(*, user: AnyUser, department_id: int) -> Department | None:
    """One active department the user may see, or None (a stale filter link is dropped, not an error)."""
    return Department.objects.visible_to(user).active().filter(pk=department_id).first()


def organisation_event_list(
    *,
    user: AnyUser,
    subject_type: str | None = None,
    subject_id: int | None = None,
    user_id: int | None = None,
    department_id: int | None = None,
    hall_id: int | None = None,
) -> QuerySet:
    """The organisation log, newest first (administrators only: it names people and their roles)."""
    qs = OrganisationEvent.objects.visible_to(user).select_related("actor", "user", "department", "hall")
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    return qs.order_by("-at", "-id")


def subject_events(*, subject_type: str, subject_id: int, limit: int = 20) -> list[OrganisationEvent]:
    """The latest log rows of one unit or grant, for its admin page (behind the admin's own permissions)."""
    qs = OrganisationEvent.objects.filter(subject_type=subject_type, subject_id=subject_id)
    return list(qs.select_related("actor").order_by("-at", "-id")[:limit])


def staff_role_events(*, user_id: int, limit: int = 20) -> list[OrganisationEvent]:
    """The latest role grants, changes and revocations of one staff member, for the user's admin page."""
    qs = OrganisationEvent.objects.filter(subject_type=OrganisationSubject.STAFF_ROLE, user_id=user_id)
    return list(qs.select_related("actor").order_by("-at", "-id")[:limit])
