"""Pages of 好差评: rating by link or from 我的办件, the department's follow-up list, claim review, figures.
Views parse input, call one service, render (DESIGN rule 1)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.common.errors import ServiceError

from . import permissions, selectors, services
from .actions import FOLLOWUP_ACTIONS, followup_act
from .choices import (
    CallbackResult,
    ClaimKind,
    ClaimStatus,
    FigureDimension,
    FollowUpStage,
    RatingChannel,
    RatingTag,
    Score,
)

SCORES = [(value, label) for value, label in Score.choices]  # 5 … 1, best first


def _form_context(service, *, error: ServiceError | None = None, data=None) -> dict:
    data = data or {}
    return {
        "service": service,
        "scores": SCORES,
        "tags": RatingTag.choices,
        "error": error,
        "chosen_score": str(data.get("score", "")),
        "chosen_tags": data.getlist("tags") if hasattr(data, "getlist") else [],
        "comment": data.get("comment", ""),
    }


def _channel(request: HttpRequest) -> str:
    value = request.POST.get("channel", RatingChannel.WEB)
    return (
        value if value in (RatingChannel.WEB, RatingChannel.KIOSK, RatingChannel.PAD) else RatingChannel.WEB
    )


@require_http_methods(["GET", "POST"])
def rate_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The link printed on a ticket, shown at a kiosk or sent by SMS: no login needed."""
    service = selectors.service_by_token(token)
    if service is None:
        raise Http404(_("评价链接无效或已失效。"))
    if request.method == "POST":
        try:
            rating = services.rating_submit(
                token=token,
                actor=request.user,
                score=request.POST.get("score"),
                tags=request.POST.getlist("tags"),
                comment=request.POST.get("comment", ""),
                channel=_channel(request),
            )
        except ServiceError as exc:
            status = exc.status if exc.status in (400, 409) else 400
            return render(
                request,
                "ratings/rate.html",
                _form_context(service, error=exc, data=request.POST),
                status=status,
            )
        return render(request, "ratings/thanks.html", {"service": service, "rating": rating})
    return render(request, "ratings/rate.html", _form_context(service))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ratings/mine.html",
        {
            "unrated": selectors.my_unrated_services(request.user)[:100],
            "rated": selectors.my_rated_services(request.user)[:50],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate_mine(request: HttpRequest, service_id: int) -> HttpResponse:
    service = selectors.my_unrated_service(request.user, service_id)
    if request.method == "POST":
        try:
            rating = services.rating_submit(
                service_id=service_id,
                actor=request.user,
                score=request.POST.get("score"),
                tags=request.POST.getlist("tags"),
                comment=request.POST.get("comment", ""),
            )
        except ServiceError as exc:
            if service is None:
                messages.error(request, exc.message)
                return redirect("ratings:mine")
            return render(
                request, "ratings/rate.html", _form_context(service, error=exc, data=request.POST), status=400
            )
        return render(request, "ratings/thanks.html", {"service": rating.service, "rating": rating})
    if service is None:
        raise Http404(_("没有找到您可以评价的这项服务。"))
    return render(request, "ratings/rate.html", _form_context(service))


@login_required
def followups(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_followups(request.user):
        raise PermissionDenied(_("您没有查看差评整改的权限。"))
    stage = request.GET.get("stage", "open")
    if stage == "open":
        qs = selectors.followups_for(request.user, open_only=True)
    else:
        qs = selectors.followups_for(request.user, stage=stage if stage in FollowUpStage.values else None)
    rows = [_row(request.user, fu) for fu in qs[:200]]
    supervisor = permissions.is_supervisor(request.user)
    return render(
        request,
        "ratings/followups.html",
        {
            "rows": rows,
            "stage": stage,
            "stages": FollowUpStage.choices,
            "is_supervisor": supervisor,
            "claims": selectors.followups_for(request.user, claim_status=ClaimStatus.PENDING)[:100]
            if supervisor
            else [],
            "callback_results": CallbackResult.choices,
            "claim_kinds": ClaimKind.choices,
        },
    )


def _row(user, fu) -> dict:
    """A follow-up with what this user may do on it now."""
    return {
        "fu": fu,
        "due": selectors.due_info(fu),
        "mine": permissions.can_handle(user, fu),
        "can_callback": permissions.can_call_back(user, fu),
        "same_person": fu.same_person_stages(),
    }


@login_required
def followup_detail(request: HttpRequest, followup_id: int) -> HttpResponse:
    """One follow-up: the rating, what was done at 核实 / 整改 / 回访, by whom and when, and its log."""
    if not permissions.can_see_followups(request.user):
        raise PermissionDenied(_("您没有查看差评整改的权限。"))
    fu = selectors.followup_get(request.user, followup_id)
    if fu is None:
        raise Http404(_("差评整改单不存在，或您无权查看。"))
    return render(
        request,
        "ratings/followup_detail.html",
        {
            **_row(request.user, fu),
            "records": fu.stage_records(),
            "events": selectors.followup_events(fu),
            "callback_results": CallbackResult.choices,
            "claim_kinds": ClaimKind.choices,
        },
    )


@login_required
@require_POST
def followup_action(request: HttpRequest, followup_id: int, action: str) -> HttpResponse:
    """One form per action on the list; the service checks role, scope and stage."""
    if not permissions.can_see_followups(request.user):
        raise PermissionDenied(_("您没有查看差评整改的权限。"))
    post = request.POST
    version = post.get("version")
    if action not in FOLLOWUP_ACTIONS:
        raise Http404
    try:
        fu = followup_act(
            action,
            post,
            actor=request.user,
            followup_id=followup_id,
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("整改单 %(ref)s 已更新：%(stage)s。") % {"ref": fu.reference, "stage": fu.get_stage_display()},
        )
    if post.get("next") == "detail":
        return redirect("ratings:followup", followup_id=followup_id)
    return redirect("ratings:followups")


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_figures(request.user):
        raise PermissionDenied(_("您没有查看好差评统计的权限。"))
    dimension = request.GET.get("dimension", FigureDimension.DEPARTMENT)
    if dimension not in FigureDimension.values:
        dimension = FigureDimension.DEPARTMENT
    start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
    error = None
    try:
        rows = selectors.rating_figures(dimension, start, end, request.user)
    except ServiceError as exc:
        rows, error = [], exc
    return render(
        request,
        "ratings/figures.html",
        {
            "rows": rows,
            "dimension": dimension,
            "dimensions": FigureDimension.choices,
            "start": start,
            "end": end,
            "error": error,
        },
    )
