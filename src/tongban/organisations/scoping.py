"""One scoping mechanism (DESIGN rule 3).

`scope_for(user)` reads a user's roles once per request into a `Scope`; every scoped model's queryset
implements `scope_filter(scope)` and is used as `Model.objects.visible_to(user)` by views, APIs and
selectors alike. Rules:

- administrators and supervisors see everything;
- department staff (approvers, heads) see what their departments own;
- clerks see what their halls handle;
- hotline operators see hotline work;
- applicants see only their own things; anonymous users see only public things.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models


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

    @property
    def is_staff_member(self) -> bool:
        return bool(self.roles) or self.is_superuser

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or "admin" in self.roles or "supervisor" in self.roles

    @property
    def is_window_clerk(self) -> bool:
        """Works at a comprehensive window (a clerk bound to a hall), or is a superuser."""
        return self.is_superuser or ("clerk" in self.roles and bool(self.hall_ids))

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(r in self.roles for r in roles)

    def departments_for(self, *roles: str) -> frozenset[int]:
        ids: set[int] = set()
        for r in roles:
            ids |= self.departments_by_role.get(r, frozenset())
        return frozenset(ids)


ANONYMOUS = Scope()


def scope_for(user) -> Scope:
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
    )
    user._tongban_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    """Base queryset: subclasses say what a scope may see in `scope_filter`; default is nothing."""

    def visible_to(self, user):
        return self.scope_filter(scope_for(user))

    def scope_filter(self, scope: Scope):
        if scope.sees_everything:
            return self
        return self.none()
