"""Reads about the current user: the profile page and GET /api/v1/auth/me/."""

from __future__ import annotations

from dataclasses import dataclass, field

from tongban.common.choices import ApplicantKind
from tongban.organisations.models import StaffAssignment

from .models import Applicant, User


@dataclass(frozen=True)
class UserProfile:
    user: User
    applicant: Applicant | None
    assignments: list[StaffAssignment] = field(default_factory=list)

    @property
    def roles(self) -> list[str]:
        return sorted({a.role for a in self.assignments})

    @property
    def departments(self) -> list:
        return list({a.department_id: a.department for a in self.assignments if a.department_id}.values())

    @property
    def halls(self) -> list:
        return list({a.hall_id: a.hall for a in self.assignments if a.hall_id}.values())


def user_profile(*, user: User) -> UserProfile:
    """Own data only: the user's applicant record and own staff roles (no scoping beyond `self`)."""
    applicant = applicant_of(user=user)
    assignments = list(
        StaffAssignment.objects.filter(user_id=user.pk)
        .select_related("department", "hall", "window")
        .order_by("role", "id")
    )
    return UserProfile(user=user, applicant=applicant, assignments=assignments)


def applicant_of(*, user: User) -> Applicant | None:
    """The user's own applicant record (None for staff, visitors and accounts without one)."""
    return Applicant.objects.filter(user_id=user.pk).first() if user.pk else None


def applicant_get(*, applicant_id: int) -> Applicant | None:
    """An applicant by id, for the window's intake, which serves any applicant who walks in."""
    return Applicant.objects.filter(pk=applicant_id).first()


def applicant_by_identity(*, kind: str, identity: str) -> Applicant | None:
    """The applicant holding a checked identity number (ID number for a person, credit code for an
    organisation): an agent files in their name."""
    field = "id_number" if kind == ApplicantKind.NATURAL else "credit_code"
    return Applicant.objects.filter(kind=kind, **{field: identity}).first()
