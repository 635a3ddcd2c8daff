"""Template helpers of the applicant's pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from ..choices import CaseStatus, MaterialStatus

register = template.Library()


def uploaded_not_submitted(material, case) -> bool:
    """A file the applicant uploaded that no submission has sent yet: on a draft, or re-uploaded for a
    correction (the material keeps the correction's reason as its note) before 提交补正."""
    if material.status != MaterialStatus.SUBMITTED:
        return False
    if case.status == CaseStatus.DRAFT:
        return True
    return case.status in (CaseStatus.CORRECTION, CaseStatus.SUPPLEMENTING) and bool(material.note)


@register.filter
def material_state(material, case) -> str:
    """The material's state in the applicant's words: 已上传，待提交 until it is really submitted."""
    if uploaded_not_submitted(material, case):
        return _("已上传，待提交")
    return material.get_status_display()
