"""Who is told about what (read-only; the dispatcher and the directive/card services call these).

- yellow (催办): the watch's assignee, else the approvers of its department;
- red (告警): the department's heads and every supervisor;
- escalation step 1: the department's heads; step 2 and above: supervisors and administrators
  (分管领导 are given the administrator role);
- directives and cards: the department's heads (else its approvers).
- a hall's own watch (no department): yellow its clerks, red its clerks and the supervisors, escalation the
  supervisors and administrators.
"""

from __future__ import annotations

from tongban.accounts.models import User
from tongban.organisations.choices import StaffRole
from tongban.organisations.models import StaffAssignment

from .choices import WarningKind


class Recipients:
    """Memoised look-ups for one dispatch run (many events share departments)."""

    def __init__(self) -> None:
        self._memo: dict[tuple, list[User]] = {}

    def _users(self, *, roles: tuple[str, ...], department_id: int | None = None) -> list[User]:
        key = (roles, department_id)
        if key not in self._memo:
            qs = StaffAssignment.objects.filter(role__in=roles, user__is_active=True)
            if department_id is not None:
                qs = qs.filter(department_id=department_id)
            ids = sorted(set(qs.values_list("user_id", flat=True)))
            self._memo[key] = list(User.objects.filter(pk__in=ids).order_by("pk"))
        return self._memo[key]

    def department_heads(self, department_id: int) -> list[User]:
        heads = self._users(roles=(StaffRole.DEPARTMENT_HEAD,), department_id=department_id)
        return heads or self._users(roles=(StaffRole.APPROVER,), department_id=department_id)

    def department_approvers(self, department_id: int) -> list[User]:
        return self._users(roles=(StaffRole.APPROVER,), department_id=department_id)

    def hall_clerks(self, hall_id: int | None) -> list[User]:
        if hall_id is None:
            return []
        key = ((StaffRole.CLERK,), "hall", hall_id)
        if key not in self._memo:
            qs = StaffAssignment.objects.filter(role=StaffRole.CLERK, hall_id=hall_id, user__is_active=True)
            ids = sorted(set(qs.values_list("user_id", flat=True)))
            self._memo[key] = list(User.objects.filter(pk__in=ids).order_by("pk"))
        return self._memo[key]

    def supervisors(self) -> list[User]:
        return self._users(roles=(StaffRole.SUPERVISOR,))

    def supervisors_and_admins(self) -> list[User]:
        return self._users(roles=(StaffRole.SUPERVISOR, StaffRole.ADMINISTRATOR))

    def for_event(self, *, kind: str, step: int, deadline) -> list[User]:
        # A hall's own watch, or the intake decision of a case taken in at a hall (its clerks decide):
        # its clerks, then the supervisors.
        if deadline.department_id is None or (deadline.subject_type == "intake" and deadline.hall_id):
            if kind in (WarningKind.YELLOW, WarningKind.MANUAL_REMINDER):
                if deadline.assignee_id and deadline.assignee.is_active:
                    return [deadline.assignee]
                return self.hall_clerks(deadline.hall_id)
            if kind == WarningKind.RED:
                return _unique(self.hall_clerks(deadline.hall_id) + self.supervisors())
            if kind == WarningKind.ESCALATED:
                return self.supervisors_and_admins()
            return []
        if kind in (WarningKind.YELLOW, WarningKind.MANUAL_REMINDER):
            if deadline.assignee_id and deadline.assignee.is_active:
                return [deadline.assignee]
            return self.department_approvers(deadline.department_id)
        if kind == WarningKind.RED:
            return _unique(self.department_heads(deadline.department_id) + self.supervisors())
        if kind == WarningKind.ESCALATED:
            if step <= 1:
                return self.department_heads(deadline.department_id)
            return self.supervisors_and_admins()
        return []


def _unique(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for u in users:
        seen.setdefault(u.pk, u)
    return list(seen.values())
