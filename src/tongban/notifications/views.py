"""Pages: the in-app inbox and the staff-visible delivery log. Views parse, call one service, render."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongban.common.errors import NotAllowed, NotFound, ServiceError
from tongban.common.validators import mask_mobile

from . import selectors, services
from .choices import Channel
from .forms import LogFilterForm
from .permissions import can_resend
from .refs import ref_link
from .templates import TEMPLATES

PAGE_SIZE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox_list(user=request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread_count": selectors.inbox_unread_count(user=request.user),
        },
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = services.message_mark_read(message_id=message_id, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.headers.get("HX-Request"):
        return render(request, "notifications/_inbox_item.html", {"message": message})
    return redirect("notifications:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = services.messages_mark_all_read(user=request.user)
    flash.success(request, _("已将 %(count)s 条消息标为已读。") % {"count": count})
    return redirect("notifications:inbox")


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    form = LogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    try:
        qs = selectors.log_list(user=request.user, **{k: v for k, v in filters.items() if v})
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    if form.is_bound and not form.is_valid():
        qs = qs.none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        (
            m,
            mask_mobile(m.address) if m.channel == Channel.SMS else m.address,
            TEMPLATES[m.template].name if m.template in TEMPLATES else m.template,
            ref_link(m.ref),
        )
        for m in page.object_list
    ]
    return render(
        request,
        "notifications/log.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


@login_required
@require_GET
def log_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = selectors.log_message(user=request.user, message_id=message_id)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "notifications/log_detail.html",
        {
            "message": message,
            "ref": ref_link(message.ref),
            "events": selectors.message_events(message),
            "can_resend": can_resend(request.user) and message.channel != Channel.IN_APP,
        },
    )


@login_required
@require_POST
def log_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        services.message_resend(message_id=message_id, actor=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, _("已重新加入发送队列。"))
    return redirect("notifications:log-detail", message_id=message_id)
