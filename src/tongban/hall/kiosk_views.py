"""Kiosk (自助终端) pages: guide, tracking, tickets, appointment check-in, printing.

The kiosk never logs anybody in and keeps no session data: each page carries only the kiosk session's
token (`ks`), pages are not cached (the next person cannot go "back" to them), and after the idle time
the page ends the session and returns home (static/hall/kiosk.js).
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.catalogue.capabilities import item_capabilities
from tongban.catalogue.search import search_items
from tongban.catalogue.selectors import item_get_published, item_materials
from tongban.common.errors import NotFound, ServiceError
from tongban.organisations.models import ServiceHall

from . import conf, selectors, services
from .choices import KioskEndReason
from .documents import ticket_pdf

PRINTABLE_KINDS = ("acceptance", "decision")


def kiosk_page(view):
    """Resolve the hall, forbid caching, give templates the kiosk context."""

    @wraps(view)
    def wrapper(request: HttpRequest, hall_code: str, *args, **kwargs) -> HttpResponse:
        try:
            hall = selectors.hall_by_code(hall_code)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        response = view(request, hall, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def _render(
    request: HttpRequest, hall: ServiceHall, template: str, token: str = "", **context
) -> HttpResponse:
    context.update(hall=hall, ks=token, idle_seconds=conf.kiosk_idle_seconds())
    return render(request, f"hall/kiosk/{template}", context)


def _token(request: HttpRequest) -> str:
    return (request.POST.get("ks") or request.GET.get("ks") or "").strip()


@require_GET
@kiosk_page
def home(request: HttpRequest, hall: ServiceHall) -> HttpResponse:
    return _render(request, hall, "home.html")


@require_POST
@kiosk_page
def end(request: HttpRequest, hall: ServiceHall) -> HttpResponse:
    """Return home and forget: the session ends (idle timer or the 返回首页 button)."""
    reason = request.POST.get("reason") or KioskEndReason.HOME
    services.kiosk_session_end(token=_token(request), reason=reason)
    return redirect("kiosk:home", hall_code=hall.code)


@require_GET
@kiosk_page
def guide(request: HttpRequest, hall: ServiceHall) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    token = _token(request)
    results = []
    if query:
        token = str(services.kiosk_session_continue(hall_id=hall.pk, token=token, action="guide").token)
        results = search_items(query)[:12]
    return _render(request, hall, "guide.html", token, query=query, results=results)


@require_GET
@kiosk_page
def guide_item(request: HttpRequest, hall: ServiceHall, code: str) -> HttpResponse:
    try:
        item = item_get_published(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    session = services.kiosk_session_continue(
        hall_id=hall.pk, token=_token(request), action="guide_item", detail=code
    )
    return _render(
        request,
        hall,
        "guide_item.html",
        str(session.token),
        item=item,
        materials=item_materials(item),
        capabilities=item_capabilities(item),
    )


def _case_documents(request: HttpRequest, number: str, query_code: str) -> tuple[dict, list]:
    """Public tracking data (cases app) and the printable documents, both behind number + query code and
    the same guessing limit as the public tracking page (a kiosk must not be a way round it)."""
    from tongban.cases.selectors import documents_of_number
    from tongban.cases.tracking import case_track, client_ip

    status = case_track(number=number, query_code=query_code, ip=client_ip(request))
    docs = documents_of_number(status["number"], kinds=PRINTABLE_KINDS)
    return status, docs


@require_http_methods(["GET", "POST"])
@kiosk_page
def track(request: HttpRequest, hall: ServiceHall) -> HttpResponse:
    token = _token(request)
    status = None
    documents: list = []
    error = ""
    number = (request.POST.get("no") or "").strip()
    code = (request.POST.get("code") or "").strip()
    if request.method == "POST":
        token = str(services.kiosk_session_continue(hall_id=hall.pk, token=token, action="track").token)
        try:
            status, documents = _case_documents(request, number, code)
        except ServiceError as exc:
            error = exc.message
    return _render(
        request,
        hall,
        "track.html",
        token,
        status=status,
        documents=documents,
        error=error,
        number=number,
        code=code,
    )


@require_POST
@kiosk_page
def document_pdf(request: HttpRequest, hall: ServiceHall) -> HttpResponse:
    """Print an acceptance notice or a decision that is ready electronically (number + query code again)."""
    try:
        _status, docs = _case_documents(request, request.POST.get("no", ""), request.POST.get("code", ""))
    except ServiceError as exc:
        raise Http404(exc.message) from exc
    doc = next((d for d in docs if str(d.pk) == request.POST.get("doc")), None)
    if doc is None:
        raise Http404
    services.kiosk_session_continue(
        hall_id=hall.pk, token=_token(request), action="print_document", detail=doc.number
    )
    from tongban.cases.documents import document_response

    return document_response(doc, inline=True)


@require_http_methods(["GET", "POST"])
@kiosk_page
def ticket(request: HttpRequest, hall: ServiceHall) -> HttpResponse:
    token = _token(request)
    if request.method == "POST":
        try:
            taken = services.kiosk_ticket_take(
                hall_id=hall.pk, token=token, category_id=int(request.POST.get("category") or 0)
            )
        except (ServiceError, ValueError) as exc:
            return _render(
                request,
                hall,
                "ticket.html",
                token,
                categories=selectors.waiting_counts(hall=hall),
                error=getattr(exc, "message", "请选择排队类别。"),
            )
        url = reverse("kiosk:ticket-show", kwargs={"hall_code": hall.code, "ticket_id": taken.pk})
        return redirect(f"{url}?ks={taken.kiosk_session.token}")
    return _render(request, hall, "ticket.html", token, categories=selectors.waiting_counts(hall=hall))


@require_GET
@kiosk_page
def ticket_show(request: HttpRequest, hall: ServiceHall, ticket_id: int) -> HttpResponse:
    try:
        shown = selectors.kiosk_ticket(hall=hall, token=_token(request), ticket_id=ticket_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return _render(
        request,
        hall,
        "ticket_show.html",
        _token(request),
        ticket=shown,
        ahead=selectors.tickets_ahead(ticket=shown),
    )


@require_GET
@kiosk_page
def ticket_print(request: HttpRequest, hall: ServiceHall, ticket_id: int) -> HttpResponse:
    try:
        shown = selectors.kiosk_ticket(hall=hall, token=_token(request), ticket_id=ticket_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    services.kiosk_session_continue(
        hall_id=hall.pk, token=_token(request), action="print_ticket", detail=shown.number
    )
    response = HttpResponse(
        ticket_pdf(shown, ahead=selectors.tickets_ahead(ticket=shown)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{shown.number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@kiosk_page
def check_in(request: HttpRequest, hall: ServiceHall) -> HttpResponse:
    token = _token(request)
    if request.method == "POST":
        try:
            taken = services.kiosk_check_in(
                hall_id=hall.pk,
                token=token,
                booking_code=request.POST.get("booking_code", ""),
                id_number=request.POST.get("id_number", ""),
            )
        except ServiceError as exc:
            response = _render(
                request,
                hall,
                "check_in.html",
                token,
                error=exc.message,
                error_field=exc.field,  # the value is shown again in its field, to be corrected
                booking_code=request.POST.get("booking_code", "")[:8],
                id_number=request.POST.get("id_number", "")[:18],
            )
            response.status_code = exc.status
            return response
        url = reverse("kiosk:ticket-show", kwargs={"hall_code": hall.code, "ticket_id": taken.pk})
        return redirect(f"{url}?ks={taken.kiosk_session.token}")
    return _render(request, hall, "check_in.html", token)


@require_GET
@kiosk_page
def print_menu(request: HttpRequest, hall: ServiceHall) -> HttpResponse:
    return _render(request, hall, "print.html", _token(request))
