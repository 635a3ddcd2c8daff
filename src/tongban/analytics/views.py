"""Pages of analytics: performance (table, charts, XLSX), anomalies, monthly reports, supervision screen.

Views parse input, call one selector or service, render. Row visibility is the querysets' scoping.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.common.errors import NotAllowed, ServiceError, ValidationFailed, date_param

from . import permissions, screen, selectors, services
from .choices import AnomalyKind, Dimension
from .exports import headers, performance_xlsx
from .selectors import COLUMNS, DEFINITIONS, RATE_COLUMNS, RATE_NOTE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_from(params, today: dt.date) -> tuple[dt.date, dt.date]:
    """`month=YYYY-MM`, or `from`/`to` (YYYY-MM-DD); default: the current month up to today."""
    if params.get("from") or params.get("to"):
        return (
            date_param(params, "from", "开始日期", required=True),
            date_param(params, "to", "结束日期", required=True),
        )
    if params.get("month"):
        try:
            return selectors.month_range(dt.date.fromisoformat(params["month"] + "-01"))
        except ValueError as exc:
            raise ValidationFailed("月份应为 YYYY-MM 格式。", field="month") from exc
    return today.replace(day=1), today


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, {**context, "can_screen": permissions.can_view_screen(request.user)})


def _require_performance(user) -> None:
    if not permissions.can_view_performance(user):
        raise PermissionDenied(_("只有监察人员、管理员、部门审批人员和窗口人员可以查看绩效。"))


def _performance(request: HttpRequest):
    today = timezone.localdate()
    date_from, date_to = period_from(request.GET, today)
    return selectors.performance_by(
        user=request.user,
        dimension=request.GET.get("dimension") or Dimension.DEPARTMENT,
        date_from=date_from,
        date_to=date_to,
        sort=request.GET.get("sort", ""),
    )


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    _require_performance(request.user)
    try:
        perf = _performance(request)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect("analytics:performance")
    if request.GET.get("format") == "xlsx":
        name = f"performance-{perf.dimension}-{perf.date_from:%Y%m%d}-{perf.date_to:%Y%m%d}.xlsx"
        response = HttpResponse(performance_xlsx(perf), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    chart = {
        "labels": [r.label for r in perf.rows],
        "on_time": [
            round(r.on_time_rate * 100, 1) if r.on_time_rate is not None else None for r in perf.rows
        ],
        "one_visit": [
            round(r.one_visit_rate * 100, 1) if r.one_visit_rate is not None else None for r in perf.rows
        ],
        "concluded": [r.concluded for r in perf.rows],
    }
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("format", None)
    return _render(
        request,
        "analytics/performance.html",
        {
            "perf": perf,
            "columns": COLUMNS,
            "rate_columns": RATE_COLUMNS,
            "definitions": [(title, DEFINITIONS[attr]) for attr, title in COLUMNS],
            "rate_note": RATE_NOTE,
            "headers": headers(perf),
            "dimensions": Dimension.choices,
            "chart": chart,
            "base_query": query.urlencode(),
            "month": request.GET.get("month", ""),
            **_service_figures(request.user, perf),
        },
    )


RATING_DIMENSIONS = {"staff": "工作人员", "window": "窗口", "department": "部门", "item": "事项"}


def _service_figures(user, perf) -> dict:
    """好差评 and the hall's waiting figures over the same period, joined to the performance page
    (issue 5: both feed the performance figures). Each part is left out where the user may not see it."""
    from tongban.hall.selectors import hall_figures
    from tongban.ratings.selectors import rating_figures

    dimension = perf.dimension if perf.dimension in RATING_DIMENSIONS else "department"
    try:
        ratings = rating_figures(dimension, perf.date_from, perf.date_to, user)
    except ServiceError:
        ratings = None
    try:
        hall = hall_figures(user=user, date_from=perf.date_from, date_to=perf.date_to)
    except ServiceError:
        hall = None
    return {"rating_rows": ratings, "rating_dimension_label": RATING_DIMENSIONS[dimension], "hall": hall}


@login_required
def anomalies(request: HttpRequest) -> HttpResponse:
    _require_performance(request.user)
    kind = request.GET.get("kind", "")
    try:
        rows = selectors.anomalies_list(user=request.user, kind=kind)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect("analytics:anomalies")
    return _render(
        request,
        "analytics/anomalies.html",
        {"rows": rows[:500], "kinds": AnomalyKind.choices, "kind": kind},
    )


def _require_screen(user) -> None:
    if not permissions.can_view_screen(user):
        raise PermissionDenied(_("只有监察人员和管理员可以查看监察大屏。"))


@login_required
def screen_page(request: HttpRequest) -> HttpResponse:
    _require_screen(request.user)
    return _render(request, "analytics/screen.html", {"data": screen.screen_data(user=request.user)})


@login_required
def screen_json(request: HttpRequest) -> JsonResponse:
    _require_screen(request.user)
    return JsonResponse(screen.screen_data(user=request.user))


@login_required
def screen_list(request: HttpRequest) -> HttpResponse:
    _require_screen(request.user)
    try:
        caption, cases = screen.screen_list(user=request.user, params=request.GET)
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect("analytics:screen")
    return _render(request, "analytics/screen_list.html", {"caption": caption, "cases": cases})


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    _require_screen(request.user)
    return _render(request, "analytics/reports.html", {"reports": selectors.report_list(user=request.user)})


@login_required
@require_POST
def report_generate(request: HttpRequest) -> HttpResponse:
    _require_screen(request.user)
    try:
        month = dt.date.fromisoformat(request.POST.get("month", "") + "-01")
    except ValueError:
        flash.error(request, _("月份格式应为 YYYY-MM。"))
        return redirect("analytics:reports")
    try:
        report = services.monthly_report_generate(month=month, actor=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect("analytics:reports")
    flash.success(request, _("月度通报已生成。"))
    return redirect("analytics:report-download", report_id=report.pk)


@login_required
def report_download(request: HttpRequest, report_id: int) -> FileResponse:
    _require_screen(request.user)
    report = selectors.report_get(user=request.user, report_id=report_id)
    if report is None:
        raise Http404(_("月度通报不存在或您无权查看。"))
    return FileResponse(
        report.file.open("rb"), content_type="application/pdf", filename=f"monthly-{report.month:%Y-%m}.pdf"
    )
