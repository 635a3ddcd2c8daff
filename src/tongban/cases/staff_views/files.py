"""Scoped downloads of a case's materials and documents: applicants' files are never served from
/media/; a staff member gets a file only for a case they can see (`selectors.case_get`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from tongban.common.errors import NotFound

from .. import selectors
from ..documents import document_response, material_response
from ..models import Case
from ._common import staff_required


def _visible_case(user, case_id: int) -> Case:
    try:
        return selectors.case_get(user=user, case_id=case_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


@staff_required
@require_GET
def material_download(request: HttpRequest, case_id: int, material_id: int) -> HttpResponse:
    case = _visible_case(request.user, case_id)
    material = selectors.case_material(case, material_id)
    if material is None or not material.file:
        raise Http404("材料不存在或尚未上传。")
    return material_response(material)


@staff_required
@require_GET
def document_download(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    case = _visible_case(request.user, case_id)
    doc = selectors.case_document(case, document_id)
    if doc is None:
        raise Http404("文书不存在。")
    return document_response(doc)
