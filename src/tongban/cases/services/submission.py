"""Writes that bring an application in: online drafts and submission, window registration, and the
materials uploaded and checked against the checklist before the intake decision."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.accounts.models import Applicant
from tongban.catalogue.audience import mismatch_message
from tongban.catalogue.choices import ItemStatus, MaterialSource
from tongban.catalogue.models import ServiceItem
from tongban.common.errors import Conflict, IllegalTransition, NotAllowed, NotFound, ValidationFailed
from tongban.common.prepared import Prepared
from tongban.common.validators import require_id_number, validate_mobile
from tongban.organisations.models import ServiceHall
from tongban.workdays.calendar import add_working_days
from tongban.workdays.clock import marked

from ..capabilities import online_application_refusal
from ..choices import (
    CaseChannel,
    CaseEventKind,
    CaseStatus,
    MaterialStatus,
    VisitKind,
)
from ..forms import form_clean, form_for_item
from ..models import Case, CaseMaterial, Visit
from ..numbering import new_query_code, next_case_number
from ..transitions import target_state
from ..uploads import check_upload
from ..watches import INTAKE_RULE_DAYS, case_watches_sync
from ._base import (
    event,
    lock_case,
    move,
    require_clerk,
    require_text,
    save_case,
    today,
)

if TYPE_CHECKING:
    from tongban.common.types import User


def _agent_fields(agent: dict | None) -> dict:
    if not agent:
        return {"agent_name": "", "agent_id_number": "", "agent_mobile": ""}
    errors: dict[str, str] = {}
    name = (agent.get("name") or "").strip()
    if not name:
        errors["agent_name"] = "请填写代办人姓名。"
    try:
        id_number = require_id_number(agent.get("id_number", ""), field="agent_id_number", whose="代办人")
    except ValidationFailed as exc:
        errors["agent_id_number"] = exc.message
        id_number = ""
    try:
        mobile = validate_mobile(agent.get("mobile", ""))
    except Exception as exc:
        errors["agent_mobile"] = f"代办人{getattr(exc, 'messages', [str(exc)])[0]}"
        mobile = ""
    if errors:
        raise ValidationFailed("代办人信息有误。", field="agent", errors=errors)
    return {"agent_name": name, "agent_id_number": id_number, "agent_mobile": mobile}


def _published_item(item_id: int) -> ServiceItem:
    item = ServiceItem.objects.select_related("department", "department__region").filter(pk=item_id).first()
    if item is None:
        raise NotFound("事项不存在。")
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationFailed("该事项未发布或已废止，不能申请。", field="item_id")
    return item


def _create_materials(case: Case, requirements: list | None = None) -> None:
    rows = [
        CaseMaterial(
            case=case,
            requirement=req,
            name=req.name,
            required=req.required,
            status=MaterialStatus.NOT_NEEDED
            if req.source == MaterialSource.SHARED
            else MaterialStatus.MISSING,
        )
        for req in (case.item.materials.all() if requirements is None else requirements)
    ]
    CaseMaterial.objects.bulk_create(rows)


_MISSING_REQUIRED = Prepared(
    lambda case_id: (
        CaseMaterial.objects.only("name")
        .filter(case_id=case_id, required=True, status__in=[MaterialStatus.MISSING, MaterialStatus.DEFICIENT])
        .order_by("id")
    ),
    "int",
)


def _missing_required(case: Case) -> list[str]:
    """The names of the required materials still missing or deficient (every intake decision asks)."""
    return [m.name for m in _MISSING_REQUIRED.fetch(case.pk)]


def _applicant_for(actor: User, applicant_id: int | None, agent: dict | None) -> tuple[Applicant, dict]:
    own = Applicant.objects.filter(user_id=actor.pk).first()
    if applicant_id is None or (own and own.pk == applicant_id):
        if own is None:
            raise NotAllowed("请先完成申请人实名注册后再网上申报。")
        return own, _agent_fields(agent)
    applicant = Applicant.objects.filter(pk=applicant_id).first()
    if applicant is None:
        raise NotFound("申请人不存在。")
    if not agent:
        raise ValidationFailed("为他人申报须填写代办人信息。", field="agent")
    return applicant, _agent_fields(agent)


def _require_audience(item: ServiceItem, applicant: Applicant) -> None:
    """A 法人-only item takes no natural person as applicant, and the other way round (服务对象)."""
    message = mismatch_message(item, applicant)
    if message:
        raise ValidationFailed(message, field="applicant", errors={"applicant": [message]})


def _region_code(case: Case) -> str:
    if case.intake_hall is not None:
        return case.intake_hall.region.code
    return case.item.department.region.code


def _file(case: Case, *, on: date, channel: str) -> None:
    """Give the case its number, query code and intake deadline (the moment it is filed)."""
    case.number = next_case_number(region_code=_region_code(case), day=on)
    case.query_code = new_query_code()
    case.submitted_at = timezone.now()
    intake = marked(on, add_working_days(on, INTAKE_RULE_DAYS))
    case.intake_due, case.intake_due_provisional = intake.date, intake.provisional
    case.channel = channel


# ---- drafts and online submission ----------------------------------------------------------------


def _new_online_case(
    *, actor: User, item_id: int | None, applicant_id: int | None, agent: dict | None
) -> Case:
    """An unsaved online case of a published item, for the actor or someone they act for."""
    if item_id is None:
        raise ValidationFailed("请选择申请的事项。", field="item_id")
    item = _published_item(item_id)
    refusal = online_application_refusal(item)
    if refusal:
        raise ValidationFailed(refusal, field="item_id")
    applicant, agent_fields = _applicant_for(actor, applicant_id, agent)
    _require_audience(item, applicant)
    return Case(
        item=item,
        applicant=applicant,
        submitted_by=actor,
        channel=CaseChannel.ONLINE,
        status=CaseStatus.DRAFT,
        **agent_fields,
    )


def case_draft_save(
    *,
    actor: User,
    item_id: int | None = None,
    case_id: int | None = None,
    form_data: dict | None = None,
    applicant_id: int | None = None,
    agent: dict | None = None,
) -> Case:
    """Create (item_id) or update (case_id) an online draft. Drafts are not validated, only trimmed to
    the schema's fields, so the applicant can stop half way and come back."""
    with transaction.atomic():
        if case_id is None:
            case = _new_online_case(actor=actor, item_id=item_id, applicant_id=applicant_id, agent=agent)
            schema = form_for_item(case.item)
            keys = {f["key"] for f in schema["fields"]}
            case.form_data = {k: v for k, v in (form_data or {}).items() if k in keys}
            case.save()
            _create_materials(case)
            event(case, CaseEventKind.DRAFT_SAVED, actor=actor, from_status=CaseStatus.DRAFT)
            return case
        case = lock_case(case_id)
        if case.submitted_by_id != actor.pk:
            raise NotAllowed("只能修改自己保存的草稿。")
        move(case, "save_draft")
        schema = form_for_item(case.item)
        keys = {f["key"] for f in schema["fields"]}
        case.form_data = {k: v for k, v in (form_data or {}).items() if k in keys}
        fields = ["form_data"]
        if agent is not None:
            for k, v in _agent_fields(agent).items():
                setattr(case, k, v)
            fields += ["agent_name", "agent_id_number", "agent_mobile"]
        save_case(case, fields)
        event(case, CaseEventKind.DRAFT_SAVED, actor=actor, from_status=CaseStatus.DRAFT)
        return case


def case_submit(
    *,
    actor: User,
    idempotency_key: str,
    case_id: int | None = None,
    item_id: int | None = None,
    form_data: dict | None = None,
    applicant_id: int | None = None,
    agent: dict | None = None,
    expected_version: int | None = None,
    keep_draft: bool = False,
) -> Case:
    """Submit an online application: the draft `case_id`, or a new one from `item_id` in one go.

    The idempotency key (one per "submit" click, made by the client) is stored uniquely on the case:
    a retried or doubled request with the same key returns the same case and never files twice.

    `keep_draft` (the applicant's web form): the draft is first saved with `form_data` and `agent`
    (case_draft_save, its own transaction), then submitted as saved — so a refused submission leaves
    the draft as the applicant typed it, and the page needs one call where it made two.
    """
    if keep_draft and case_id is not None:
        case_draft_save(actor=actor, case_id=case_id, form_data=form_data, agent=agent)
        form_data = agent = None
    key = require_text(idempotency_key, field="idempotency_key", label="提交幂等键")[:64]
    existing = Case.objects.filter(submit_key=key).first()
    if existing is not None:
        return _same_submission(existing, actor)
    try:
        with transaction.atomic():
            return _submit(
                actor=actor,
                key=key,
                case_id=case_id,
                item_id=item_id,
                form_data=form_data,
                applicant_id=applicant_id,
                agent=agent,
                expected_version=expected_version,
            )
    except IntegrityError:
        existing = Case.objects.filter(submit_key=key).first()
        if existing is None:
            raise
        return _same_submission(existing, actor)


def _same_submission(case: Case, actor: User) -> Case:
    if case.submitted_by_id != actor.pk:
        raise Conflict("该提交标识已被使用，请刷新页面后重新提交。", code="idempotency_key_reused")
    return case


def _submit(*, actor: User, key, case_id, item_id, form_data, applicant_id, agent, expected_version) -> Case:
    if case_id is None:
        return _submit_new(
            actor=actor, key=key, item_id=item_id, form_data=form_data, applicant_id=applicant_id, agent=agent
        )
    case = lock_case(case_id, expected_version=expected_version)
    if case.submit_key == key:
        return case
    if case.submitted_by_id != actor.pk:
        raise NotAllowed("只能提交自己的申请。")
    before, after = move(case, "submit")
    _require_audience(case.item, case.applicant)
    data = form_data if form_data is not None else case.form_data
    case.form_data = _cleaned_form(case.item, data)
    _require_materials(_missing_required(case))
    _file_submission(case, key=key, after=after)
    save_case(case, SUBMIT_FIELDS)
    _log_submitted(case, actor=actor, before=before, after=after)
    return case


SUBMIT_FIELDS = (
    "form_data",
    "submit_key",
    "number",
    "query_code",
    "submitted_at",
    "intake_due",
    "intake_due_provisional",
    "channel",
    "status",
)


def _submit_new(*, actor: User, key, item_id, form_data, applicant_id, agent) -> Case:
    """A submission in one go, without a saved draft: everything is checked before the one INSERT, and
    the case log starts with its submission."""
    case = _new_online_case(actor=actor, item_id=item_id, applicant_id=applicant_id, agent=agent)
    before, after = CaseStatus.DRAFT, target_state("submit", CaseStatus.DRAFT)
    case.form_data = _cleaned_form(case.item, form_data or {})
    requirements = list(case.item.materials.all())
    _require_materials([r.name for r in requirements if r.required and r.source != MaterialSource.SHARED])
    _file_submission(case, key=key, after=after)
    case.save(force_insert=True)
    _create_materials(case, requirements)
    case_watches_sync(case)
    _log_submitted(case, actor=actor, before=before, after=after)
    return case


def _cleaned_form(item: ServiceItem, data: dict) -> dict:
    cleaned, errors = form_clean(form_for_item(item), data)
    if errors:
        raise ValidationFailed("申请表填写有误，请按提示修改。", field="form_data", errors=errors)
    return cleaned


def _require_materials(missing: list[str]) -> None:
    if missing:
        raise ValidationFailed(
            f"请上传以下必需材料：{'、'.join(missing)}。", field="materials", errors={"materials": missing}
        )


def _file_submission(case: Case, *, key: str, after: str) -> None:
    case.submit_key = key
    _file(case, on=today(), channel=CaseChannel.ONLINE)
    case.status = after


def _log_submitted(case: Case, *, actor: User, before: str, after: str) -> None:
    event(case, CaseEventKind.SUBMITTED, actor=actor, from_status=before, to_status=after, number=case.number)


# ---- window intake -------------------------------------------------------------------------------


def case_intake_register(
    *,
    actor: User,
    item_id: int,
    applicant_id: int,
    form_data: dict,
    agent: dict | None = None,
    hall_id: int | None = None,
    channel: str = CaseChannel.WINDOW,
    idempotency_key: str | None = None,
) -> Case:
    """A clerk at a comprehensive window files an application for ANY item of any department.

    The case is filed at once (number, query code, 5-day intake deadline) and waits for the clerk's
    intake decision; the applicant's presence is recorded as a visit.
    """
    if channel not in (CaseChannel.WINDOW, CaseChannel.KIOSK):
        raise ValidationFailed("窗口收件的渠道只能是窗口或自助终端。", field="channel")
    if idempotency_key:
        existing = Case.objects.filter(submit_key=idempotency_key[:64]).first()
        if existing is not None:
            return _same_submission(existing, actor)
    hall = require_clerk(actor, hall_id=hall_id)
    item = _published_item(item_id)
    applicant = Applicant.objects.filter(pk=applicant_id).first()
    if applicant is None:
        raise NotFound("申请人不存在。")
    _require_audience(item, applicant)
    cleaned = _cleaned_form(item, form_data)
    with transaction.atomic():
        case = Case(
            item=item,
            applicant=applicant,
            submitted_by=actor,
            form_data=cleaned,
            intake_hall=ServiceHall.objects.select_related("region").get(pk=hall) if hall else None,
            submit_key=idempotency_key[:64] if idempotency_key else None,
            **_agent_fields(agent),
        )
        _file(case, on=today(), channel=channel)
        case.status = CaseStatus.SUBMITTED
        case.visit_count = 1
        case.save()
        case_watches_sync(case)  # the 5-day intake decision is watched from filing (行政许可法第三十二条)
        _create_materials(case)
        event(
            case,
            CaseEventKind.REGISTERED,
            actor=actor,
            from_status="",
            to_status=CaseStatus.SUBMITTED,
            number=case.number,
            hall_id=hall,
        )
        Visit.objects.create(case=case, kind=VisitKind.INTAKE, hall_id=hall, staff=actor, at=timezone.now())
        event(
            case,
            CaseEventKind.VISIT,
            actor=actor,
            from_status=case.status,
            note=VisitKind.INTAKE.label,
            kind=VisitKind.INTAKE,
        )
        return case


def case_material_upload(
    *,
    actor: User,
    case_id: int,
    material_id: int,
    file,
    original_name: str = "",
) -> CaseMaterial:
    """Upload (or replace) the file of one material; checked by content, size and hash."""
    with transaction.atomic():
        case = lock_case(case_id)
        move(case, "upload_material")
        material = CaseMaterial.objects.filter(pk=material_id, case=case).first()
        if material is None:
            raise NotFound("材料不存在。")
        is_owner = actor.pk in (case.applicant.user_id, case.submitted_by_id)
        if case.status == CaseStatus.DRAFT or (is_owner and case.status != CaseStatus.SUBMITTED):
            if not is_owner:
                raise NotAllowed("只能为自己的申请上传材料。")
        else:
            require_clerk(actor, case)  # scanning at the window
        if case.status in (CaseStatus.CORRECTION, CaseStatus.SUPPLEMENTING) and material.status not in (
            MaterialStatus.DEFICIENT,
            MaterialStatus.MISSING,
        ):
            raise ValidationFailed(f"“{material.name}”不在补正清单中，无需重新上传。", field="material_id")
        checked = check_upload(file, material_name=material.name)
        name = original_name or getattr(file, "name", "") or f"material-{material.pk}"
        material.file.save(
            f"{case.pk}-{material.pk}.{checked.kind}", ContentFile(checked.content), save=False
        )
        material.original_name = name[:255]
        material.sha256 = checked.sha256
        material.content_type = checked.kind
        material.size = checked.size
        material.status = MaterialStatus.SUBMITTED
        material.checked = False
        material.uploaded_at = timezone.now()
        material.save()
        event(
            case,
            CaseEventKind.MATERIAL_UPLOADED,
            actor=actor,
            from_status=case.status,
            note=material.name,
            material_id=material.pk,
            sha256=checked.sha256,
            size=checked.size,
            type=checked.kind,
        )
        return material


def case_material_check(
    *, actor: User, case_id: int, material_id: int, ok: bool, note: str = ""
) -> CaseMaterial:
    """The clerk ticks a material against the checklist (ok) or marks it deficient with the reason."""
    with transaction.atomic():
        case = lock_case(case_id)
        require_clerk(actor, case)
        if case.status not in (CaseStatus.SUBMITTED,):
            raise IllegalTransition(f"办件当前状态为“{case.get_status_display()}”，不能核验材料。")
        material = CaseMaterial.objects.filter(pk=material_id, case=case).first()
        if material is None:
            raise NotFound("材料不存在。")
        if ok:
            if material.status == MaterialStatus.MISSING:
                raise ValidationFailed(f"“{material.name}”尚未提交，不能核验通过。", field="material_id")
            material.status, material.checked, material.note = MaterialStatus.ACCEPTED, True, note[:255]
        else:
            material.status, material.checked = MaterialStatus.DEFICIENT, True
            material.note = require_text(note, field="note", label="需补正的原因")[:255]
        material.save(update_fields=["status", "checked", "note"])
        event(
            case,
            CaseEventKind.MATERIAL_CHECKED,
            actor=actor,
            from_status=case.status,
            note=material.name,
            material_id=material.pk,
            ok=ok,
            reason=material.note,
        )
        return material
