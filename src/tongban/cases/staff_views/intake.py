"""综合受理 at the window, in three short pages: find or register the applicant, pick the item
(htmx autocomplete over the catalogue search), fill the item's form (pre-filled from the applicant's
record). Registering files the case; the materials are then scanned and ticked on the case page."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongban.accounts import selectors as account_selectors
from tongban.accounts.models import Applicant
from tongban.accounts.services import applicant_find_or_register
from tongban.catalogue import selectors as catalogue_selectors
from tongban.catalogue.search import search_items
from tongban.common.choices import ApplicantKind
from tongban.common.errors import ServiceError
from tongban.organisations import selectors as organisation_selectors

from .. import services
from ..forms import form_for_item, form_prefill
from ._common import FormError, int_or_none, staff_render, window_write_required

APPLICANT_FIELDS = (
    "kind",
    "name",
    "id_number",
    "credit_code",
    "mobile",
    "address",
    "legal_representative",
    "contact_name",
)
MAX_RESULTS = 20


@window_write_required
@require_http_methods(["GET", "POST"])
def intake_new(request: HttpRequest) -> HttpResponse:
    """Step 1: the applicant, by ID number (natural person) or credit code (legal person)."""
    error = None
    data = {"kind": ApplicantKind.NATURAL}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in APPLICANT_FIELDS}
        try:
            applicant, _created = applicant_find_or_register(actor=request.user, **data)
        except ServiceError as exc:
            error = FormError.from_exc("applicant", exc, request.POST)
        else:
            return redirect("work:intake-item", applicant_id=applicant.pk)
    return staff_render(
        request,
        "cases/staff/intake_applicant.html",
        {"error": error, "data": data, "kinds": ApplicantKind.choices, "nav": "intake"},
        status=error.status if error else 200,
    )


def _applicant_or_404(applicant_id: int) -> Applicant:
    applicant = account_selectors.applicant_get(applicant_id=applicant_id)
    if applicant is None:
        raise Http404(_("申请人不存在。"))
    return applicant


def _search(query: str) -> list:
    return search_items(query)[:MAX_RESULTS] if query.strip() else []


@window_write_required
@require_GET
def intake_item(request: HttpRequest, applicant_id: int) -> HttpResponse:
    """Step 2: pick the item of ANY department (search by name, code or pinyin initials)."""
    applicant = _applicant_or_404(applicant_id)
    query = request.GET.get("q", "")
    context = {"applicant": applicant, "query": query, "items": _search(query), "nav": "intake"}
    if request.headers.get("HX-Request"):
        return staff_render(request, "cases/staff/_item_results.html", context)
    return staff_render(request, "cases/staff/intake_item.html", context)


def _field_rows(schema: dict, values: dict, errors: dict[str, str]) -> list[dict]:
    return [
        {**f, "value": values.get(f["key"], ""), "error": errors.get(f["key"], "")}
        for f in schema.get("fields", [])
    ]


def _agent(post) -> dict | None:
    agent = {
        "name": post.get("agent_name", ""),
        "id_number": post.get("agent_id_number", ""),
        "mobile": post.get("agent_mobile", ""),
    }
    return agent if any(v.strip() for v in agent.values()) else None


@window_write_required
@require_http_methods(["GET", "POST"])
def intake_form(request: HttpRequest, applicant_id: int, item_id: int) -> HttpResponse:
    """Step 3: the item's application form; registering files the case (number, query code, visit)."""
    applicant = _applicant_or_404(applicant_id)
    item = catalogue_selectors.item_published_by_id(item_id)
    if item is None:
        raise Http404(_("事项不存在或未发布。"))
    schema = form_for_item(item)
    halls = organisation_selectors.halls_of(user=request.user)
    error = None
    if request.method == "POST":
        values = {f["key"]: request.POST.get(f["key"], "") for f in schema.get("fields", [])}
        try:
            case = services.case_intake_register(
                actor=request.user,
                item_id=item.pk,
                applicant_id=applicant.pk,
                form_data=values,
                agent=_agent(request.POST),
                hall_id=int_or_none(request.POST.get("hall_id")),
                idempotency_key=request.POST.get("idempotency_key", "") or None,
            )
        except ServiceError as exc:
            error = FormError.from_exc("intake", exc, request.POST)
        else:
            return redirect(reverse("work:case", args=[case.pk]) + "#materials")
        key = request.POST.get("idempotency_key", "")
    else:
        values = form_prefill(schema, applicant)
        key = uuid.uuid4().hex
    return staff_render(
        request,
        "cases/staff/intake_form.html",
        {
            "applicant": applicant,
            "item": item,
            "fields": _field_rows(schema, values, error.fields if error else {}),
            "error": error,
            "halls": halls if len(halls) > 1 else [],
            "idempotency_key": key,
            "post": request.POST if error else {},
            "nav": "intake",
        },
        status=error.status if error else 200,
    )
