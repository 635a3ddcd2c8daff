"""Applicant pages (网上申报, 我的办件) and public tracking (办件查询).

Views parse input, call one service (or selector), render. Everything an applicant opens is looked up
through `selectors.my_cases(user)`: someone else's case is a 404 that says nothing about it. Service
errors come back as the Chinese message next to the field they name (DESIGN rule 7).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongban.accounts import selectors as account_selectors
from tongban.catalogue import selectors as catalogue_selectors
from tongban.catalogue.audience import item_audience
from tongban.common.errors import IllegalTransition, NotFound, ServiceError
from tongban.common.public_url import public_url
from tongban.common.validators import mask_id_number, validate_identity_number

from . import selectors, services
from .capabilities import online_application_refusal
from .choices import CaseStatus
from .documents import document_response, material_response
from .forms import form_for_item
from .guidance import NextStep, next_step
from .models import Case
from .tracking import TooManyAttempts, case_track, client_ip
from .transitions import allowed_actions
from .uploads import MIME_TYPES, TYPE_LABELS

AGENT_KEYS = ("agent_name", "agent_id_number", "agent_mobile")
INPUT_TYPES = {"number": "number", "date": "date", "mobile": "tel"}


# ---- helpers -------------------------------------------------------------------------------------


def _upload_rules() -> dict:
    """What the upload fields accept, shown next to them (the service checks the same settings)."""
    allowed = [t.strip().lower() for t in settings.UPLOAD_ALLOWED_TYPES]
    extensions = {"pdf": ".pdf", "jpeg": ".jpg,.jpeg", "png": ".png", "xlsx": ".xlsx", "docx": ".docx"}
    return {
        "types": "、".join(TYPE_LABELS.get(t, t) for t in allowed),
        "max_mb": int(settings.UPLOAD_MAX_BYTES) // (1024 * 1024),
        "accept": ",".join(
            [extensions.get(t, "") for t in allowed] + [MIME_TYPES[t] for t in allowed if t in MIME_TYPES]
        ),
    }


def _form_fields(schema: dict, values: dict, errors: dict) -> list[dict]:
    """The schema's fields with their current value and error, ready for the template."""
    rows = []
    for f in schema.get("fields", []):
        rows.append(
            {
                **f,
                "input_type": INPUT_TYPES.get(f["type"], "text"),
                "value": values.get(f["key"], ""),
                "error": errors.get(f["key"], ""),
                "options": [str(o) for o in f.get("options") or []],
            }
        )
    return rows


def _posted_form(schema: dict, post) -> dict:
    return {f["key"]: post.get(f"f_{f['key']}", "") for f in schema.get("fields", [])}


def _posted_agent(post) -> tuple[int | None, dict | None, dict]:
    """(applicant_id for someone else or None, agent fields or None, errors) from the 代办 part."""
    if not post.get("as_agent"):
        return None, None, {}
    agent = {
        "name": post.get("agent_name", "").strip(),
        "id_number": post.get("agent_id_number", "").strip(),
        "mobile": post.get("agent_mobile", "").strip(),
    }
    if not post.get("for_identity", "").strip():
        return None, agent, {}
    try:
        kind, identity = validate_identity_number(post["for_identity"])
    except ValidationError as exc:
        return None, agent, {"for_identity": _("被代办人证件号码：%(reason)s") % {"reason": exc.messages[0]}}
    applicant = account_selectors.applicant_by_identity(kind=kind, identity=identity)
    if applicant is None:
        return (
            None,
            agent,
            {"for_identity": _("未找到该证件号码对应的申请人，请申请人先在本平台注册，或到窗口办理。")},
        )
    return applicant.pk, agent, {}


def _errors_of(exc: ServiceError) -> tuple[dict, str]:
    """(errors by field key, message for the top of the page) from a service error."""
    errors: dict = {}
    if isinstance(exc.errors, dict):
        for key, value in exc.errors.items():
            if key == "materials":
                errors[key] = exc.message
                continue
            errors[key] = value if isinstance(value, str) else "；".join(map(str, value))
    elif exc.field:
        errors[exc.field] = exc.message
    return errors, exc.message


def _my_case(request: HttpRequest, number: str) -> Case:
    case = selectors.my_case(user=request.user, number=number)
    if case is None:
        raise Http404(_("办件不存在或您无权查看。"))
    return case


def _my_draft(request: HttpRequest, case_id: int) -> Case:
    case = selectors.my_draft(user=request.user, case_id=case_id)
    if case is None:
        raise Http404(_("草稿不存在或已提交。"))
    return case


def _apply_context(request, *, item, case=None, values=None, errors=None, error="", agent_post=None) -> dict:
    if case is not None:
        schema, applicant = form_for_item(item), case.applicant
        values = dict(case.form_data) if values is None else values
        materials = list(selectors.case_materials(case, with_requirement=True))
    else:
        form = selectors.application_form(item, user=request.user)
        schema, applicant, materials = form["schema"], form["applicant"], form["materials"]
        values = form["initial"] if values is None else values
    agent = agent_post
    if agent is None:
        agent = {k: getattr(case, k) for k in AGENT_KEYS} if case else {}
        agent["as_agent"] = bool(case and case.agent_name)
    own = account_selectors.applicant_of(user=request.user)
    return {
        "item": item,
        "case": case,
        "applicant": applicant,
        "audience": item_audience(item, applicant=own),
        "apply_href": reverse("cases:apply", kwargs={"code": item.code}),
        "fields": _form_fields(schema, values, errors or {}),
        "errors": errors or {},
        "error": error,
        "materials": materials,
        "upload": _upload_rules(),
        "agent": agent,
        "submit_key": secrets.token_urlsafe(24),
        "needs_upload": selectors.needs_upload(item),
        "flow": selectors.process_flow(item),
    }


# ---- 网上申报 ------------------------------------------------------------------------------------


@login_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Start an application for the published item `code`: the form pre-filled from the profile.

    "保存草稿" creates the draft (materials are uploaded on the draft page, where the case exists);
    an item without materials to upload can be submitted from here in one go.
    """
    try:
        item = catalogue_selectors.item_get_published(code=code, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    refusal = online_application_refusal(item)
    if refusal:
        messages.info(request, refusal)
        return redirect("catalogue:item-detail", code=code)
    drafts = selectors.my_drafts(user=request.user, item_code=code)
    if request.method != "POST":
        ctx = _apply_context(request, item=item)
        ctx["drafts"] = list(drafts[:5])
        return render(request, "cases/applicant/apply.html", ctx)

    schema = form_for_item(item)
    values = _posted_form(schema, request.POST)
    applicant_id, agent, agent_errors = _posted_agent(request.POST)
    agent_post = {k: request.POST.get(k, "") for k in (*AGENT_KEYS, "for_identity")}
    agent_post["as_agent"] = bool(request.POST.get("as_agent"))
    if agent_errors:
        ctx = _apply_context(request, item=item, values=values, errors=agent_errors, agent_post=agent_post)
        ctx["error"] = agent_errors["for_identity"]
        return render(request, "cases/applicant/apply.html", ctx, status=400)
    try:
        if request.POST.get("action") == "submit" and not selectors.needs_upload(item):
            case = services.case_submit(
                actor=request.user,
                idempotency_key=request.POST.get("submit_key", ""),
                item_id=item.pk,
                form_data=values,
                applicant_id=applicant_id,
                agent=agent,
            )
            return _submitted(request, case)
        case = services.case_draft_save(
            actor=request.user, item_id=item.pk, form_data=values, applicant_id=applicant_id, agent=agent
        )
    except ServiceError as exc:
        errors, message = _errors_of(exc)
        ctx = _apply_context(
            request, item=item, values=values, errors=errors, error=message, agent_post=agent_post
        )
        return render(request, "cases/applicant/apply.html", ctx, status=exc.status)
    messages.success(request, _("草稿已保存，请上传申请材料后提交。"))
    return redirect("cases:draft", case_id=case.pk)


def _submitted(request: HttpRequest, case: Case) -> HttpResponse:
    messages.success(request, _("申请已提交。请记下办件编号和查询码，用于查询办理进度。"))
    return redirect(f"{reverse('cases:case-detail', kwargs={'number': case.number})}?submitted=1")


@login_required
def draft(request: HttpRequest, case_id: int) -> HttpResponse:
    """Resume a draft: edit the form, upload materials, save again or submit.

    The hidden submit key is made when the page is rendered, so a double click or a retried POST
    carries the same key and case_submit returns the case it filed the first time. One service per
    request, as in the API: "保存" is case_draft_save; "提交" is case_submit with what is on the page
    and `keep_draft`, which saves the draft first — what was typed last is what gets filed, and a
    refused submission keeps it in the draft.
    """
    key = request.POST.get("submit_key", "") if request.method == "POST" else ""
    done = selectors.my_submitted(user=request.user, submit_key=key)
    if done is not None:
        return _submitted(request, done)
    case = _my_draft(request, case_id)
    if request.method != "POST":
        return render(
            request, "cases/applicant/apply.html", _apply_context(request, item=case.item, case=case)
        )
    schema = form_for_item(case.item)
    values = _posted_form(schema, request.POST)
    agent = None
    # filing for someone else always carries the agent's details; for oneself they are optional
    if request.POST.get("as_agent") or case.applicant.user_id != request.user.pk:
        agent = {k.removeprefix("agent_"): request.POST.get(k, "").strip() for k in AGENT_KEYS}
    agent_post = {k: request.POST.get(k, "") for k in AGENT_KEYS}
    agent_post["as_agent"] = bool(agent)
    try:
        if request.POST.get("action") == "submit":
            case = services.case_submit(
                actor=request.user,
                case_id=case.pk,
                idempotency_key=key,
                form_data=values,
                agent=agent or {},
                keep_draft=True,
            )
            return _submitted(request, case)
        case = services.case_draft_save(
            actor=request.user, case_id=case.pk, form_data=values, agent=agent or {}
        )
    except IllegalTransition:
        done = selectors.my_submitted(user=request.user, submit_key=key)
        if done is not None:  # the first of two simultaneous clicks filed it
            return _submitted(request, done)
        raise Http404(_("草稿不存在或已提交。")) from None
    except ServiceError as exc:
        errors, message = _errors_of(exc)
        case.refresh_from_db()
        ctx = _apply_context(
            request,
            item=case.item,
            case=case,
            values=values,
            errors=errors,
            error=message,
            agent_post=agent_post,
        )
        return render(request, "cases/applicant/apply.html", ctx, status=exc.status)
    messages.success(request, _("草稿已保存。"))
    return redirect("cases:draft", case_id=case.pk)


@login_required
@require_POST
def material_upload(request: HttpRequest, case_id: int, material_id: int) -> HttpResponse:
    """Upload one material's file (draft, or a correction); htmx swaps the material's row."""
    case = selectors.my_case(user=request.user, case_id=case_id)
    if case is None:
        raise Http404(_("办件不存在或您无权查看。"))
    material = selectors.case_material(case, material_id)
    if material is None:
        raise Http404(_("材料不存在。"))
    error = ""
    upload = request.FILES.get("file")
    if upload is None:
        error = _("请选择要上传的文件。")
    else:
        try:
            material = services.case_material_upload(
                actor=request.user,
                case_id=case.pk,
                material_id=material.pk,
                file=upload,
                original_name=upload.name,
            )
        except ServiceError as exc:
            error = exc.message
    if request.headers.get("HX-Request"):
        ctx = {"m": material, "case": case, "upload": _upload_rules(), "upload_error": error}
        # htmx swaps only 2xx answers: the row with its error is the answer either way.
        return render(request, "cases/applicant/_material_row.html", ctx)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("“%(name)s”已上传。") % {"name": material.name})
    if case.status == CaseStatus.DRAFT:
        response = redirect("cases:draft", case_id=case.pk)
    else:
        response = redirect("cases:resubmit", number=case.number)
    response.status_code = 303 if not error else 302
    return response


# ---- 我的办件 ------------------------------------------------------------------------------------


def _needed(case: Case) -> str:
    """What the applicant has to do now, in one line for the list."""
    if case.status == CaseStatus.DRAFT:
        return _("继续填写并提交")
    if case.status in (CaseStatus.CORRECTION, CaseStatus.SUPPLEMENTING):
        return _("补正材料")
    if case.status == CaseStatus.CONCLUDED:
        return _("领取办理结果")
    return ""


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    cases = list(selectors.my_cases(user=request.user)[:200])
    rows = [{"case": c, "clock": selectors.case_clock(c), "needed": _needed(c)} for c in cases]
    return render(request, "cases/applicant/my_cases.html", {"rows": rows})


def _case_next_step(case: Case, clock) -> NextStep:
    deficient = [m.name for m in selectors.deficient_materials(case)]
    return next_step(case, clock=clock, deficient=deficient)


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _my_case(request, number)
    schema = form_for_item(case.item)
    form_rows = [(f["label"], case.form_data.get(f["key"], "")) for f in schema.get("fields", [])]
    actions = allowed_actions(case.status)
    clock = selectors.case_clock(case)
    ctx = {
        "case": case,
        "clock": clock,
        "next": _case_next_step(case, clock),
        "form_rows": form_rows,
        "materials": selectors.case_materials(case),
        "steps": selectors.public_steps(case),
        "documents": selectors.case_documents(case),
        "events": selectors.public_events(case),
        "flow": case.plan or selectors.process_flow(case.item),
        # a stage is "current" only while the case is being handled (not once decided or closed)
        "current_stage": case.current_stage if case.status in CaseStatus.handling() else None,
        "can_withdraw": "withdraw" in actions,
        "can_resubmit": "resubmit" in actions,
        "deficient": selectors.deficient_materials(case),
        "just_submitted": request.GET.get("submitted") == "1",
        "agent_id_masked": mask_id_number(case.agent_id_number),
    }
    return render(request, "cases/applicant/case_detail.html", ctx)


@login_required
@require_GET
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """提交回执: a page made for printing (print CSS) with the number, query code, what was submitted,
    what happens next and a QR code of the public tracking link."""
    case = _my_case(request, number)
    if case.status == CaseStatus.DRAFT or not case.number:
        raise Http404(_("草稿尚未提交，没有回执。"))
    clock = selectors.case_clock(case)
    track = f"{reverse('cases:track')}?{urlencode({'no': case.number, 'code': case.query_code})}"
    ctx = {
        "case": case,
        "clock": clock,
        "next": _case_next_step(case, clock),
        "materials": selectors.case_materials(case),
        "applicant_id_masked": mask_id_number(case.applicant.identity_number),
        "track_url": public_url(track),
        "track_qr": segno.make(public_url(track), error="m").svg_inline(scale=3, dark="#000"),
        "printed_at": timezone.localtime(),
    }
    return render(request, "cases/applicant/receipt.html", ctx)


@login_required
def resubmit(request: HttpRequest, number: str) -> HttpResponse:
    """补正: the correction notice's list with an upload per material, then one 补正提交."""
    case = _my_case(request, number)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            version = int(request.POST.get("expected_version") or 0) or None
            services.case_resubmit(actor=request.user, case_id=case.pk, expected_version=version)
        except ValueError:
            error, status = _("页面已过期，请刷新后重试。"), 400
        except ServiceError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("补正材料已提交。"))
            return redirect("cases:case-detail", number=case.number)
        case.refresh_from_db()
    if "resubmit" not in allowed_actions(case.status):
        messages.info(request, _("该办件当前无需补正。"))
        return redirect("cases:case-detail", number=case.number)
    notice = selectors.correction_notice(case)
    ctx = {
        "case": case,
        "error": error,
        "materials": selectors.correction_materials(case),
        "notice_items": (notice.detail.get("materials", []) if notice else []),
        "upload": _upload_rules(),
        "clock": selectors.case_clock(case),
    }
    return render(request, "cases/applicant/resubmit.html", ctx, status=status)


@login_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    case = _my_case(request, number)
    try:
        version = int(request.POST.get("expected_version") or 0) or None
        services.case_withdraw(
            actor=request.user,
            case_id=case.pk,
            reason=request.POST.get("reason", ""),
            expected_version=version,
        )
    except ValueError:
        messages.error(request, _("页面已过期，请刷新后重试。"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("申请已撤回。"))
    if case.number:
        return redirect("cases:case-detail", number=case.number)
    return redirect("cases:my-cases")


@login_required
@require_POST
def draft_withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    """Discard a draft (撤回 from DRAFT): it stays in the log as withdrawn."""
    case = _my_draft(request, case_id)
    try:
        services.case_withdraw(actor=request.user, case_id=case.pk, reason=_("放弃草稿"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("草稿已放弃。"))
    return redirect("cases:my-cases")


@login_required
@require_GET
def document_download(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    """A notice, decision or result document of the applicant's own case."""
    case = _my_case(request, number)
    doc = selectors.case_document(case, document_id)
    if doc is None:
        raise Http404(_("文书不存在。"))
    return document_response(doc)


@login_required
@require_GET
def material_download(request: HttpRequest, case_id: int, material_id: int) -> HttpResponse:
    """A file the applicant uploaded for their own case."""
    case = selectors.my_case(user=request.user, case_id=case_id)
    material = selectors.case_material(case, material_id, uploaded=True)
    if material is None:
        raise Http404(_("材料不存在。"))
    return material_response(material)


# ---- 办件查询 (public) ---------------------------------------------------------------------------


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    """Public tracking by case number and query code (the QR code of 受理通知书 points here).

    The same answer for an unknown number and a wrong code; failures are rate-limited per client IP
    and per case number (cases.tracking), 429 when the limit is reached.
    """
    number = request.GET.get("no", "").strip()[:32]
    code = request.GET.get("code", "").strip()[:16]
    ctx: dict = {"number": number, "code": code, "status": None, "error": ""}
    http_status = 200
    if number or code:
        if not (number and code):
            ctx["error"], http_status = _("请同时输入办件编号和查询码。"), 400
        else:
            try:
                ctx["status"] = case_track(number=number, query_code=code, ip=client_ip(request))
            except TooManyAttempts as exc:
                ctx["error"], http_status = exc.message, 429
            except NotFound as exc:
                ctx["error"], http_status = exc.message, 404
    return render(request, "cases/track.html", ctx, status=http_status)
