"""One scoping mechanism (DESIGN rule 3).

`scope_for(user)` reads a user's roles once per request into a `Scope`; every scoped model's queryset
implements `scope_filter(scope)` and is used as `Model.objects.visible_to(user)` by views, APIs and
selectors alike. Rules:

- administrators and supervisors see everything;
- department staff (approvers, heads) see what their departments own;
- clerks see what their halls handle;
- hotline operators see hotline work;
- applicants see only their own things; anonymous users see only public things.

`Scope` also carries the role predicates every app builds on (`is_supervisor`, `is_department_staff`,
`acts_for_department`, `clerk_hall_ids` …), so a role rule is written once; `organisations.permissions`
offers them on users, with the `require_*` checks services call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from django.db import models

from .choices import DEPARTMENT_ROLES, OVERSIGHT_ROLES, StaffRole, department_roles_for

if TYPE_CHECKING:
    from tongban.common.types import AnyUser


@dataclass(frozen=True)
class Scope:
    user_id: int | None = None
    is_authenticated: bool = False
    is_applicant: bool = False
    is_superuser: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    hall_ids: frozenset[int] = field(default_factory=frozenset)
    window_ids: frozenset[int] = field(default_factory=frozenset)
    # department ids per role, e.g. {"approver": {3}, "dept_head": {3}}
    departments_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    # halls the user works in as a clerk (窗口人员), not those of other roles bound to a hall
    clerk_hall_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.roles) or self.is_superuser

    @property
    def is_administrator(self) -> bool:
        """Administrators (and superusers) configure: processes, queues, rules, calendar, resends."""
        return self.has_role(StaffRole.ADMINISTRATOR)

    @property
    def is_supervisor(self) -> bool:
        """Supervisors and administrators (and superusers): they oversee, so they also see every row."""
        return self.has_role(*OVERSIGHT_ROLES)

    @property
    def sees_everything(self) -> bool:
        """The row-visibility side of `is_supervisor`: the same people, by DESIGN rule 3."""
        return self.is_supervisor

    @property
    def is_window_clerk(self) -> bool:
        """Works at a comprehensive window (a clerk bound to a hall), or is a superuser."""
        return self.is_superuser or bool(self.clerk_hall_ids)

    @property
    def staff_department_ids(self) -> frozenset[int]:
        """Departments the user acts for as an approver or head (not counting superuser powers)."""
        return self.departments_for(*DEPARTMENT_ROLES)

    @property
    def is_department_staff(self) -> bool:
        """An approver or head of some department, or a superuser."""
        return self.is_superuser or bool(self.staff_department_ids)

    @property
    def is_department_head(self) -> bool:
        """A head (部门负责人) of some department, or a superuser."""
        return self.is_superuser or bool(self.departments_for(StaffRole.DEPARTMENT_HEAD))

    def acts_for_department(self, department_id: int | None, role: str = "") -> bool:
        """An approver or head of the department, or only the named `role` when a step names one
        (superusers always)."""
        if self.is_superuser:
            return True
        return department_id in self.departments_for(*department_roles_for(role))

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(r in self.roles for r in roles)

    def departments_for(self, *roles: str) -> frozenset[int]:
        ids: set[int] = set()
        for r in roles:
            ids |= self.departments_by_role.get(r, frozenset())
        return frozenset(ids)


ANONYMOUS = Scope()


def scope_for(user: AnyUser | None) -> Scope:
    """Build (and cache on the user object) the scope of a user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_tongban_scope", None)
    if cached is not None:
        return cached
    from .models import StaffAssignment

    roles: set[str] = set()
    departments: set[int] = set()
    halls: set[int] = set()
    windows: set[int] = set()
    clerk_halls: set[int] = set()
    by_role: dict[str, set[int]] = {}
    for role, dept_id, hall_id, window_id in StaffAssignment.objects.filter(user_id=user.pk).values_list(
        "role", "department_id", "hall_id", "window_id"
    ):
        roles.add(role)
        if dept_id:
            departments.add(dept_id)
            by_role.setdefault(role, set()).add(dept_id)
        if hall_id:
            halls.add(hall_id)
            if role == StaffRole.CLERK:
                clerk_halls.add(hall_id)
        if window_id:
            windows.add(window_id)
    scope = Scope(
        user_id=user.pk,
        is_authenticated=True,
        is_applicant=getattr(user, "kind", "") == "applicant",
        is_superuser=bool(getattr(user, "is_superuser", False)),
        roles=frozenset(roles),
        department_ids=frozenset(departments),
        hall_ids=frozenset(halls),
        window_ids=frozenset(windows),
        departments_by_role={k: frozenset(v) for k, v in by_role.items()},
        clerk_hall_ids=frozenset(clerk_halls),
    )
    user._tongban_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    """Base queryset: subclasses say what a scope may see in `scope_filter`; default is nothing."""

    def visible_to(self, user: AnyUser | None) -> Self:
        return self.scope_filter(scope_for(user))

    def scope_filter(self, scope: Scope) -> Self:
        if scope.sees_everything:
            return self
        return self.none()
