"""Who may use the staff-only parts of the organisation API."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from .selectors import is_staff_member


class IsStaffMember(BasePermission):
    """Holders of a staff role (or superusers). Applicants are refused outright, not shown an empty list."""

    message = "仅限工作人员访问。"

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)
