"""The case work page (/work/cases/<id>/) and every action on it.

The page shows the applicant in full, the form, materials, documents, the flow chart, the steps with
their opinions and the case log, plus only the forms the user may use in the case's state. Each
action is a POST that parses the form, calls ONE service and redirects back (post/redirect/get);
when the service refuses, the page is shown again with the Chinese message next to the field (or as
an alert) and the error's status: 400 invalid input, 403 not allowed, 404 not visible, 409 conflict
or illegal transition. Every form carries the case version it was rendered from, so the second of
two people acting at once gets "该办件已被他人处理，请刷新后重试" and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongban.common.errors import NotFound, ServiceError, ValidationFailed
from tongban.organisations import selectors as organisation_selectors

from .. import selectors, services
from ..choices import (
    CaseStatus,
    Decision,
    DocumentKind,
    IssuanceMethod,
    MaterialStatus,
    SpecialProcedure,
    StepKind,
    StepOutcome,
)
from ..extensions import extension_allowance
from ..forms import form_for_item
from ..models import Case
from ..transitions import allowed_actions
from . import reads
from ._common import (
    FormError,
    correction_write_required,
    int_or_none,
    staff_render,
    staff_required,
    window_write_required,
)


def _case_or_404(user, case_id: int) -> Case:
    try:
        return selectors.case_get(user=user, case_id=case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _form_rows(case: Case) -> list[tuple[str, str]]:
    schema = form_for_item(case.item)
    rows = [(f["label"], case.form_data.get(f["key"], "")) for f in schema.get("fields", [])]
    known = {f["key"] for f in schema.get("fields", [])}
    rows += [(k, v) for k, v in case.form_data.items() if k not in known]
    return rows


def case_context(request: HttpRequest, case: Case, *, error: FormError | None = None) -> dict:
    steps = list(selectors.case_steps(case))
    abilities = reads.case_abilities(request.user, case, steps)
    pause = selectors.open_pause(case) if case.is_paused else None
    materials = list(selectors.case_materials(case))
    _annotate_materials(request, materials, error)
    documents = list(selectors.case_documents(case))
    new_doc = int_or_none(request.GET.get("doc"))
    actions = set(allowed_actions(case.status))
    my_steps = abilities.my_steps
    decision_step = next((s for s in my_steps if s.kind == StepKind.DECISION), None)
    review_steps = [s for s in my_steps if s.kind != StepKind.DECISION]
    for i, step in enumerate(review_steps):
        step.form_error = error if error and error.panel == f"step-{step.pk}" else None
        step.autofocus = i == 0 and decision_step is None
    halls = list(organisation_selectors.halls_of(user=request.user)) if abilities.clerk else []
    context = {
        "case": case,
        "clock": selectors.case_clock(case, pause_kind=pause.kind if pause else None),
        "applicant": case.applicant,
        "form_rows": _form_rows(case),
        "materials": materials,
        "deficient_ids": {m.pk for m in materials if m.status == MaterialStatus.DEFICIENT},
        "documents": documents,
        "new_document": next((d for d in documents if d.pk == new_doc), None),
        "steps": steps,
        "events": selectors.case_events(user=request.user, case_id=case.pk),
        "flow": case.plan or selectors.process_flow(case.item),
        "current_stage": case.current_stage if case.status in CaseStatus.handling() else None,
        "can": abilities,
        "actions": actions,
        "pause": pause,
        "special_pause": reads.special_pause_open(pause),
        "error": error,
        "procedures": SpecialProcedure.choices,
        "decisions": Decision.choices,
        "outcomes": StepOutcome.choices,
        "methods": IssuanceMethod.choices,
        "show_intake": abilities.clerk and case.status == CaseStatus.SUBMITTED,
        "show_resubmit": abilities.clerk and "resubmit" in actions,
        "show_correction": "request_correction" in actions
        and (abilities.clerk or (case.status == CaseStatus.IN_REVIEW and bool(abilities.my_steps))),
        "show_clock_forms": case.status == CaseStatus.IN_REVIEW and abilities.department,
        "show_extend": abilities.head and "extend" in actions,
        "extension": extension_allowance(case, on=timezone.localdate()) if abilities.head else None,
        "statutory_clock": selectors.case_clock(case, statutory=True, pause_kind=pause.kind if pause else ""),
        "show_issue": abilities.clerk and case.status == CaseStatus.CONCLUDED,
        "can_upload": abilities.clerk and "upload_material" in actions,
        "show_fee": abilities.clerk and "record_fee" in actions,
        "fee_differs": reads.fee_differs(case),
        "fee_default": reads.fee_default(case),
        "decision_kind": StepKind.DECISION,
        "legal_basis_default": case.item.legal_basis,
        "decision_step": decision_step,
        "halls": halls if len(halls) > 1 else [],
        "review_steps": review_steps,
        "nav": "tasks" if my_steps else "intake",
    }
    context["focus"] = _focus(context)
    return context


def _focus(ctx: dict) -> str:
    """Which form gets the keyboard focus: the action this user most likely came to do."""
    if ctx["decision_step"]:
        return "decide"
    if ctx["review_steps"]:
        return f"step-{ctx['review_steps'][0].pk}"
    for panel, shown in (
        ("issue", ctx["show_issue"]),
        ("immediate", ctx["show_intake"] and ctx["case"].is_immediate),
        ("accept", ctx["show_intake"]),
        ("resubmit", ctx["show_resubmit"]),
    ):
        if shown:
            return panel
    return ""


def _annotate_materials(request: HttpRequest, materials: list, error: FormError | None) -> None:
    """Per-row messages and what was posted, for the materials table and the correction form."""
    ticked = set(request.POST.getlist("material")) if error and error.panel == "correction" else set()
    for m in materials:
        fields = error.fields if error else {}
        m.upload_error = fields.get(f"file_{m.pk}", "")
        m.note_error = fields.get(f"note_{m.pk}", "")
        if error and error.panel == "correction":
            m.ticked = str(m.pk) in ticked
            m.reason_value = error.data.get(f"reason_{m.pk}", "")
        else:
            m.ticked = m.status == MaterialStatus.DEFICIENT
            m.reason_value = m.note if m.status == MaterialStatus.DEFICIENT else ""


@staff_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request.user, case_id)
    return staff_render(request, "cases/staff/case_detail.html", case_context(request, case))


def _act(
    request: HttpRequest,
    case_id: int,
    panel: str,
    call: Callable[[Case, int | None], object],
    *,
    success: str,
    anchor: str = "",
    document_kind: str | None = None,
) -> HttpResponse:
    """Run ONE service for a POST on a visible case; redirect on success, show the page again on refusal."""
    case = _case_or_404(request.user, case_id)
    expected = int_or_none(request.POST.get("expected_version"))
    try:
        call(case, expected)
    except ServiceError as exc:
        fresh = _case_or_404(request.user, case_id)
        error = FormError.from_exc(panel, exc, request.POST)
        return staff_render(
            request,
            "cases/staff/case_detail.html",
            case_context(request, fresh, error=error),
            status=exc.status,
        )
    messages.success(request, success)
    url = reverse("work:case", args=[case_id])
    if document_kind:
        doc = selectors.latest_document(case, document_kind)
        if doc:
            url += f"?doc={doc.pk}"  # no #anchor: the download link's autofocus brings it into view
    return redirect(url + (f"#{anchor}" if anchor else ""))


# ---- window: materials, intake decisions, resubmission, 即办, issuance ----------------------------


@window_write_required
@require_POST
def material_upload(request: HttpRequest, case_id: int, material_id: int) -> HttpResponse:
    upload = request.FILES.get("file")

    def call(case: Case, _expected):
        if upload is None:
            raise ValidationFailed(_("请选择要上传的文件。"), field=f"file_{material_id}")
        try:
            return services.case_material_upload(
                actor=request.user,
                case_id=case.pk,
                material_id=material_id,
                file=upload,
                original_name=upload.name,
            )
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field=f"file_{material_id}", code=exc.code) from exc

    return _act(request, case_id, "materials", call, success=_("材料已上传。"), anchor="materials")


@window_write_required
@require_POST
def material_check(request: HttpRequest, case_id: int, material_id: int) -> HttpResponse:
    ok = request.POST.get("ok") == "1"

    def call(case: Case, _expected):
        try:
            return services.case_material_check(
                actor=request.user,
                case_id=case.pk,
                material_id=material_id,
                ok=ok,
                note=request.POST.get("note", ""),
            )
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field=f"note_{material_id}", code=exc.code) from exc

    msg = _("材料已核验。") if ok else _("材料已标记为需补正。")
    return _act(request, case_id, "materials", call, success=msg, anchor="materials")


@window_write_required
@require_POST
def case_accept(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        return services.case_accept(
            actor=request.user,
            case_id=case.pk,
            expected_version=expected,
            hall_id=int_or_none(request.POST.get("hall_id")),
        )

    return _act(
        request,
        case_id,
        "accept",
        call,
        success=_("已受理，请打印受理通知书交申请人。"),
        document_kind=DocumentKind.ACCEPTANCE,
    )


@window_write_required
@require_POST
def case_refuse(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        return services.case_refuse(
            actor=request.user,
            case_id=case.pk,
            reason=request.POST.get("reason", ""),
            refer_to=request.POST.get("refer_to", ""),
            expected_version=expected,
        )

    return _act(
        request,
        case_id,
        "refuse",
        call,
        success=_("已作出不予受理决定。"),
        document_kind=DocumentKind.REFUSAL,
    )


def correction_items(post) -> list[dict]:
    """The ticked materials with their reasons, then the free rows (name + reason) that were filled in."""
    items = [
        {"material_id": mid, "reason": post.get(f"reason_{mid}", "")}
        for mid in (int_or_none(v) for v in post.getlist("material"))
        if mid is not None
    ]
    for i in (1, 2, 3):
        name, reason = post.get(f"extra_name_{i}", "").strip(), post.get(f"extra_reason_{i}", "").strip()
        if name or reason:
            items.append({"name": name, "reason": reason})
    return items


@correction_write_required
@require_POST
def case_correction(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        days = int_or_none(request.POST.get("respond_within_days"))
        extra = {"respond_within_days": days} if days else {}
        return services.case_request_correction(
            actor=request.user,
            case_id=case.pk,
            items=correction_items(request.POST),
            expected_version=expected,
            **extra,
        )

    return _act(
        request,
        case_id,
        "correction",
        call,
        success=_("已一次性告知补正，请将补正告知书交申请人。"),
        document_kind=DocumentKind.CORRECTION,
    )


@window_write_required
@require_POST
def case_resubmit(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        return services.case_resubmit(
            actor=request.user,
            case_id=case.pk,
            expected_version=expected,
            at_window=True,
            hall_id=int_or_none(request.POST.get("hall_id")),
        )

    return _act(request, case_id, "resubmit", call, success=_("补正材料已收取，已登记到场。"))


def _decision_args(post) -> dict:
    return {
        "decision": post.get("decision", ""),
        "reason": post.get("reason", ""),
        "legal_basis": post.get("legal_basis", ""),
    }


def _issuance_args(post) -> dict:
    return {
        "method": post.get("method", ""),
        "identity_checked": post.get("identity_checked") == "1",
        "receiver_name": post.get("receiver_name", ""),
        "receiver_id_number": post.get("receiver_id_number", ""),
        "tracking_number": post.get("tracking_number", ""),
        "carrier": post.get("carrier", "") or "EMS",
    }


@window_write_required
@require_POST
def case_immediate(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        return services.case_handle_immediately(
            actor=request.user,
            case_id=case.pk,
            **_decision_args(request.POST),
            expected_version=expected,
            **_issuance_args(request.POST),
        )

    return _act(
        request,
        case_id,
        "immediate",
        call,
        success=_("即办件已当场办结并出件。"),
        document_kind=DocumentKind.DECISION,
    )


@window_write_required
@require_POST
def case_issue(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        return services.case_issue(
            actor=request.user, case_id=case.pk, expected_version=expected, **_issuance_args(request.POST)
        )

    return _act(request, case_id, "issue", call, success=_("已出件，办件已关闭。"))


# ---- back office: steps, decision, special procedures, extension ----------------------------------


@staff_required
@require_POST
def step_complete(request: HttpRequest, case_id: int, step_id: int) -> HttpResponse:
    def call(case: Case, expected):
        if not selectors.case_has_step(case, step_id):
            raise NotFound(_("办理环节不存在。"))
        return services.step_complete(
            actor=request.user,
            step_id=step_id,
            outcome=request.POST.get("outcome", ""),
            opinion=request.POST.get("opinion", ""),
            expected_version=expected,
        )

    return _act(request, case_id, f"step-{step_id}", call, success=_("环节已办理。"))


@staff_required
@require_POST
def case_decide(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        return services.case_decide(
            actor=request.user,
            case_id=case.pk,
            **_decision_args(request.POST),
            expected_version=expected,
        )

    return _act(
        request,
        case_id,
        "decide",
        call,
        success=_("已作出审批决定，决定书已生成。"),
        document_kind=DocumentKind.DECISION,
    )


@staff_required
@require_POST
def case_pause(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        raw_days = request.POST.get("expected_days", "").strip()
        days = int_or_none(raw_days)
        if raw_days and days is None:
            raise ValidationFailed(_("预计时长应为整数（工作日）。"), field="expected_days")
        return services.case_pause(
            actor=request.user,
            case_id=case.pk,
            procedure=request.POST.get("procedure", ""),
            reason=request.POST.get("reason", ""),
            expected_days=days,
            expected_version=expected,
        )

    return _act(
        request,
        case_id,
        "pause",
        call,
        success=_("已启动特别程序，暂停计时。"),
        document_kind=DocumentKind.SPECIAL,
    )


@staff_required
@require_POST
def case_resume(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        return services.case_resume(
            actor=request.user, case_id=case.pk, note=request.POST.get("note", ""), expected_version=expected
        )

    return _act(request, case_id, "resume", call, success=_("已恢复计时。"))


@staff_required
@require_POST
def case_extend(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        days = int_or_none(request.POST.get("days"))
        if days is None:
            raise ValidationFailed(_("请填写延长的工作日数（整数）。"), field="days")
        return services.case_extend(
            actor=request.user,
            case_id=case.pk,
            days=days,
            reason=request.POST.get("reason", ""),
            expected_version=expected,
        )

    return _act(
        request,
        case_id,
        "extend",
        call,
        success=_("已批准延期，延期告知书已生成。"),
        document_kind=DocumentKind.EXTENSION,
    )


# ---- fee (登记收费) --------------------------------------------------------------------------------


@window_write_required
@require_POST
def case_fee(request: HttpRequest, case_id: int) -> HttpResponse:
    def call(case: Case, expected):
        return services.case_fee_record(
            actor=request.user,
            case_id=case.pk,
            amount=request.POST.get("amount", ""),
            receipt_number=request.POST.get("receipt_number", ""),
            reason=request.POST.get("reason", ""),
            expected_version=expected,
        )

    return _act(request, case_id, "fee", call, success=_("收费已登记。"), anchor="fee")
