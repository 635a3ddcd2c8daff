"""Scoped downloads of a case's materials and documents: applicants' files are never served from
/media/; a staff member gets a file only for a case they can see (`Case.objects.visible_to`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from ..documents import document_response, material_response
from ..models import Case, CaseDocument, CaseMaterial
from ._common import staff_required


def _visible_case(user, case_id: int) -> Case:
    case = Case.objects.visible_to(user).filter(pk=case_id).first()
    if case is None:
        raise Http404("办件不存在或您无权查看。")
    return case


@staff_required
@require_GET
def material_download(request: HttpRequest, case_id: int, material_id: int) -> HttpResponse:
    case = _visible_case(request.user, case_id)
    material = CaseMaterial.objects.filter(case=case, pk=material_id).first()
    if material is None or not material.file:
        raise Http404("材料不存在或尚未上传。")
    return material_response(material)


@staff_required
@require_GET
def document_download(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    case = _visible_case(request.user, case_id)
    doc = CaseDocument.objects.filter(case=case, pk=document_id).first()
    if doc is None:
        raise Http404("文书不存在。")
    return document_response(doc)
