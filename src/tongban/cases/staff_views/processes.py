"""The process editor (/work/processes/<item version id>/): an item version's whole process — stages,
parallel groups with their lead department, steps — on ONE page beside its flow chart, which redraws
as it is edited (htmx posts the form to `preview`; the chart is cases/partials/flow_chart.html, the
one the guide's applicants and the case pages see). Adding, removing and moving stages and steps are
buttons that post the form and show it again (without JavaScript: a page load), nothing saved until
保存. Saving calls `services.process_define`, which follows the catalogue's versions: a published
version's edit becomes a new draft version, published later in the item admin.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.catalogue import selectors as catalogue_selectors
from tongban.catalogue.choices import ItemStatus
from tongban.catalogue.models import ServiceItem
from tongban.common.errors import ServiceError
from tongban.organisations import selectors as organisation_selectors

from .. import selectors, services
from ..choices import StageKind
from ..models.process import STEP_ROLE_CHOICES
from ..process_editor import apply_op, rows_from_plan, rows_from_post
from ..processes import plan_check, plan_revision, process_for_item
from ._common import FormError, _staff_allowed, staff_render

process_admin_required = _staff_allowed(
    lambda scope: scope.is_administrator,
    _("只有管理员可以配置办理流程。"),
)


def _item(request: HttpRequest, item_id: int) -> ServiceItem:
    item = catalogue_selectors.item_editable_get(user=request.user, item_id=item_id)
    if item is None:
        raise Http404(_("事项版本不存在或您无权查看。"))
    return item


def _item_admin_url(item: ServiceItem) -> str:
    try:
        return reverse("admin:catalogue_serviceitem_change", args=[item.pk])
    except NoReverseMatch:  # pragma: no cover - the admin is installed
        return ""


def _context(item: ServiceItem, rows: list[dict], *, data=None, **extra) -> dict:
    stored = process_for_item(item)
    draft = catalogue_selectors.item_draft_of(item)
    definition = selectors.process_definition_of(item)
    return {
        "process_name": data.get("name", "") if data is not None else getattr(definition, "name", ""),
        "process_note": data.get("note", "") if data is not None else getattr(definition, "note", ""),
        "item": item,
        "rows": rows,
        "kinds": StageKind.choices,
        "roles": [("", _("本部门审批人员或负责人")), *STEP_ROLE_CHOICES],
        "departments": list(organisation_selectors.departments_active()),
        "revision": extra.pop("revision", plan_revision(stored)),
        "is_default": stored.is_default,
        "editable": item.status == ItemStatus.DRAFT
        or (item.status == ItemStatus.PUBLISHED and draft is None),
        "draft": draft,
        "item_admin_url": _item_admin_url(item),
        "nav": "admin",
        **plan_check(item, rows),
        **extra,
    }


@process_admin_required
@require_http_methods(["GET", "POST"])
def process_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    if request.method == "GET":
        rows = rows_from_plan(process_for_item(item).as_list())
        return staff_render(request, "cases/staff/process_editor.html", _context(item, rows))
    rows = rows_from_post(request.POST)
    op = request.POST.get("op", "")
    revision = request.POST.get("revision", "")
    if op != "save":
        applied = apply_op(rows, op, department_id=item.department_id)
        context = _context(
            item, applied.rows, data=request.POST, revision=revision, focus=applied.focus, said=applied.said
        )
        return staff_render(request, "cases/staff/process_editor.html", context)
    try:
        definition = services.process_define(
            actor=request.user,
            item_id=item.pk,
            stages=rows,
            name=request.POST.get("name", ""),
            note=request.POST.get("note", ""),
            expected_revision=revision,
        )
    except ServiceError as exc:
        error = FormError.from_exc("process", exc, request.POST)
        context = _context(
            item, rows, data=request.POST, revision=revision, process_error=error, focus="error-alert"
        )
        return staff_render(request, "cases/staff/process_editor.html", context, status=exc.status)
    target = definition.item
    if target.pk != item.pk:
        messages.success(
            request,
            _("办理流程已保存到新建的第 %(v)s 版草稿；第 %(old)s 版仍在使用，草稿发布后新流程生效。")
            % {"v": target.version, "old": item.version},
        )
    else:
        messages.success(request, _("办理流程已保存。"))
    if request.headers.get("HX-Request"):  # a whole page, so the address and the message are the new ones
        return HttpResponse(
            status=204, headers={"HX-Redirect": reverse("work:process-edit", args=[target.pk])}
        )
    return redirect("work:process-edit", item_id=target.pk)


@process_admin_required
@require_POST
def process_preview(request: HttpRequest, item_id: int) -> HttpResponse:
    """The chart and the problems of the form as it stands (htmx, on every edit); nothing saved."""
    item = _item(request, item_id)
    context = {"item": item, **plan_check(item, rows_from_post(request.POST))}
    return staff_render(request, "cases/staff/_process_preview.html", context)
