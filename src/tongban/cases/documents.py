"""The written notices of a case, as `Notice` data for tongban.common.pdf, and their storage.

The builders are pure (case in, Notice out). `document_store` fixes the notice's content as a
CaseDocument; services call it INSIDE their transaction, after every check has passed, so a refused
action leaves no document row, and a stored document always matches a committed change. The PDF is
rendered from that content after commit (task) or on first download, and stored with its SHA-256.

The two downloads of a case's files live here too: `document_response` (a notice, re-rendered from
its stored content if its PDF file has gone) and `material_response` (an uploaded material; a file
gone from storage is a 404 with a message, never a 500).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from urllib.parse import urlencode

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from tongban.common.pdf import Notice, chinese_date, render_notice
from tongban.common.public_url import public_url
from tongban.common.tasks import enqueue_with_transaction

from .choices import DocumentKind, SpecialProcedure
from .models import Case, CaseDocument, CaseMaterial
from .uploads import MIME_TYPES

logger = logging.getLogger(__name__)

NUMBER_PREFIX = {
    DocumentKind.ACCEPTANCE: "受字",
    DocumentKind.REFUSAL: "不受字",
    DocumentKind.CORRECTION: "补字",
    DocumentKind.SPECIAL: "特字",
    DocumentKind.EXTENSION: "延字",
    DocumentKind.DECISION: "决字",
}


def tracking_url(case: Case) -> str:
    """The QR code's link: the public tracking page with the case's number and query code filled in.
    Fixed into the notice's content when it is issued (common.public_url: the setting, else the request)."""
    return public_url(reverse("cases:track")) + "?" + urlencode({"no": case.number, "code": case.query_code})


def _intake_issuer(case: Case) -> str:
    return case.intake_hall.name if case.intake_hall_id else case.item.department.name


def _fields(case: Case) -> list[tuple[str, str]]:
    return [("办件编号", case.number or ""), ("申请事项", case.item.name), ("申请人", case.applicant.name)]


def _number(case: Case, kind: str, today: date) -> str:
    n = CaseDocument.objects.filter(case=case, kind=kind).count() + 1
    suffix = f"-{n}" if n > 1 else ""
    return f"{NUMBER_PREFIX[kind]}〔{today.year}〕{case.number}{suffix}号"


def _dated(day: date, provisional: bool) -> str:
    """A deadline in a notice; 暂定 when computed on a provisional calendar year (workdays.provisional)."""
    return f"{chinese_date(day)}（暂定）" if provisional else chinese_date(day)


PROVISIONAL_NOTE = (
    "注：标注“暂定”的日期按《全国年节及纪念日放假办法》推算（国务院办公厅尚未公布该年度节假日安排）；"
    "安排公布后如有变动，本机关将另行告知。"
)


def acceptance_notice(case: Case, *, today: date) -> Notice:
    # The local (Beijing) date: an online submission at 00:30 is stored as 16:30 UTC the day before.
    submitted_on = timezone.localdate(case.submitted_at) if case.submitted_at else today
    return Notice(
        title="受理通知书",
        number=_number(case, DocumentKind.ACCEPTANCE, today),
        issuer=_intake_issuer(case),
        recipient=case.applicant.name,
        paragraphs=[
            f"你（单位）于{chinese_date(submitted_on)}提出的"
            f"“{case.item.name}”申请，申请材料齐全、符合法定形式，经审查，决定予以受理。",
            f"本机关承诺于{_dated(case.due_date, case.due_provisional)}前作出决定"
            "（办理期限自受理之次日起按工作日计算，补正材料、听证、检验、检测、检疫、鉴定、专家评审所需时间不计算在内）。",
            "你可凭办件编号和查询码在网上、自助终端或扫描下方二维码查询办理进度。",
            *([PROVISIONAL_NOTE] if case.due_provisional else []),
        ],
        fields=[
            *_fields(case),
            ("查询码", case.query_code),
            ("承诺办结日期", _dated(case.due_date, case.due_provisional)),
        ],
        qr_url=tracking_url(case),
        date=today,
        footer="本通知书一式两份，一份交申请人，一份存档。",
    )


def refusal_notice(case: Case, *, today: date) -> Notice:
    paragraphs = [
        f"你（单位）提出的“{case.item.name}”申请，经审查，决定不予受理。",
        f"理由：{case.refusal_reason}",
    ]
    if case.refer_to:
        paragraphs.append(f"该申请事项依法不属于本机关职权范围，请向{case.refer_to}申请。")
    paragraphs.append(
        "如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"
    )
    return Notice(
        title="不予受理通知书",
        number=_number(case, DocumentKind.REFUSAL, today),
        issuer=_intake_issuer(case),
        recipient=case.applicant.name,
        paragraphs=paragraphs,
        fields=_fields(case),
        date=today,
    )


def correction_notice(case: Case, *, rows: list[tuple[str, str]], today: date, accepted: bool) -> Notice:
    """补正告知书: ONE notice listing every missing or deficient material with the reason."""
    clock = (
        "补正期间办理时限暂停计算，自你提交全部补正材料之次日起恢复计算。"
        if accepted
        else "你提交全部补正材料后，本机关将依法作出是否受理的决定。"
    )
    return Notice(
        title="补正材料告知书",
        number=_number(case, DocumentKind.CORRECTION, today),
        issuer=_intake_issuer(case),
        recipient=case.applicant.name,
        paragraphs=[
            f"你（单位）提出的“{case.item.name}”申请，经审查，申请材料不齐全或者不符合法定形式。"
            "现一次性告知需要补正的全部内容（见下表）。",
            f"请于{_dated(case.correction_due, case.correction_due_provisional)}前一次性补正。{clock}",
            *([PROVISIONAL_NOTE] if case.correction_due_provisional else []),
        ],
        table=[["序号", "材料名称", "补正原因"]] + [[str(i), n, r] for i, (n, r) in enumerate(rows, start=1)],
        fields=_fields(case),
        qr_url=tracking_url(case),
        date=today,
    )


def special_procedure_notice(
    case: Case, *, procedure: str, reason: str, expected_days: int | None, today: date
) -> Notice:
    length = f"预计需要 {expected_days} 个工作日，" if expected_days else ""
    return Notice(
        title="特别程序告知书",
        number=_number(case, DocumentKind.SPECIAL, today),
        issuer=case.item.department.name,
        recipient=case.applicant.name,
        paragraphs=[
            f"你（单位）申请的“{case.item.name}”，依法需要进行{SpecialProcedure(procedure).label}。",
            f"理由：{reason}",
            f"{length}所需时间不计算在办理期限内。特别程序结束后恢复计算办理期限，届时另行告知。",
        ],
        fields=_fields(case),
        date=today,
    )


def extension_notice(
    case: Case, *, days: int, reason: str, today: date, basis: str = "《中华人民共和国行政许可法》第四十二条"
) -> Notice:
    new_due = _dated(case.due_date, case.due_provisional)
    return Notice(
        title="延期告知书",
        number=_number(case, DocumentKind.EXTENSION, today),
        issuer=case.item.department.name,
        recipient=case.applicant.name,
        paragraphs=[
            f"你（单位）申请的“{case.item.name}”，因{reason}，不能在原定期限内作出决定，"
            f"依照{basis}，经本机关负责人批准，办理期限延长 {days} 个工作日。",
            f"新的办结期限为{new_due}。",
            *([PROVISIONAL_NOTE] if case.due_provisional else []),
        ],
        fields=[*_fields(case), ("新的办结期限", new_due)],
        date=today,
    )


def decision_notice(case: Case, *, today: date) -> Notice:
    approved = case.decision == "approved"
    result = "准予" if approved else "不予"
    paragraphs = [
        f"你（单位）申请的“{case.item.name}”，本机关于{chinese_date(case.accepted_on)}受理。"
        f"经审查，决定{result}{case.item.get_item_type_display() if approved else '许可'}。",
        f"理由：{case.decision_reason}",
        f"依据：{case.decision_basis}",
    ]
    if not approved:
        paragraphs.append(
            "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"
        )
    return Notice(
        title=f"{case.item.result_name or case.item.name}{'准予' if approved else '不予'}决定书",
        number=_number(case, DocumentKind.DECISION, today),
        issuer=case.item.department.name,
        recipient=case.applicant.name,
        paragraphs=paragraphs,
        fields=_fields(case),
        qr_url=tracking_url(case),
        date=today,
    )


def document_store(*, case: Case, kind: str, notice: Notice, actor=None) -> CaseDocument:
    """Fix the notice as a CaseDocument inside the service's transaction; its PDF is rendered later.

    The content (number, text, date) is decided here, so a refused action leaves no document and a
    stored one always matches a committed change, as does its render task (`enqueue_with_transaction`).
    Rendering (~50 ms of ReportLab) is kept out of the transaction that holds the case's row lock: a
    task renders it after commit, and a download that comes first renders it on the spot
    (`document_pdf`). Either way the PDF is made from the stored content, so it is the same document.
    """
    doc = CaseDocument.objects.create(
        case=case,
        kind=kind,
        number=notice.number,
        content=notice.to_data(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    from .tasks import render_document_task

    enqueue_with_transaction(render_document_task, doc.pk)
    return doc


def document_render(document_id: int) -> CaseDocument | None:
    """Render and store the PDF of a document if not done yet (idempotent; two callers render once)."""
    with transaction.atomic():
        # The document row alone (`of`): the case's row stays free for the people working on it.
        doc = (
            CaseDocument.objects.select_for_update(of=("self",))
            .filter(pk=document_id)
            .select_related("case")
            .first()
        )
        if doc is None or doc.rendered_at is not None:
            return doc
        content = render_notice(Notice.from_data(doc.content))
        doc.sha256 = hashlib.sha256(content).hexdigest()
        doc.size = len(content)
        doc.rendered_at = timezone.now()
        doc.file.save(f"{doc.case.number or doc.case_id}-{doc.kind}.pdf", ContentFile(content), save=False)
        doc.save(update_fields=["file", "sha256", "size", "rendered_at"])
    return doc


def document_pdf(doc: CaseDocument) -> bytes:
    """The document's PDF bytes, rendering it first if the after-commit task has not run yet."""
    if doc.rendered_at is None:
        doc = document_render(doc.pk) or doc
    try:
        with doc.file.open("rb") as fh:
            return fh.read()
    except (OSError, ValueError):
        # The stored PDF has gone (media deleted, MEDIA_ROOT moved): the content it was rendered from
        # is in the row, so the same notice is rendered again (the stored file and hash are left as
        # they were: the hash records what was issued).
        logger.warning(
            "Document PDF missing, re-rendered from its content: case %s, document %s (%s), file %r",
            doc.case_id,
            doc.pk,
            doc.kind,
            doc.file.name,
        )
        return render_notice(Notice.from_data(doc.content))


def document_response(doc: CaseDocument, *, inline: bool = False) -> HttpResponse:
    """The PDF as a download (or inline, for printing), named after its kind and case number."""
    response = HttpResponse(document_pdf(doc), content_type="application/pdf")
    filename = f"{doc.get_kind_display()}-{doc.case.number or doc.case_id}.pdf"
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


MATERIAL_FILE_MISSING = "材料文件不存在，请联系窗口重新上传。"
MATERIAL_EXTENSIONS = {"jpeg": "jpg"}


def material_response(material: CaseMaterial) -> HttpResponse:
    """An uploaded material as a download, for the applicant's and the staff's views alike (both check
    first that the user may see it and that it has a file).

    A file gone from storage (media deleted, MEDIA_ROOT moved) is a 404 saying so (the site's error
    page shows the message) and a warning in the log naming the case and material."""
    kind = material.content_type or "pdf"
    try:
        fh = material.file.open("rb")
    except (OSError, ValueError):
        case = material.case
        logger.warning(
            "Material file missing: case %s (id %s), material %s (%s), file %r",
            case.number or "-",
            case.pk,
            material.pk,
            material.name,
            material.file.name,
        )
        raise Http404(_(MATERIAL_FILE_MISSING)) from None
    return FileResponse(
        fh,
        as_attachment=True,
        filename=material.original_name or f"{material.name}.{MATERIAL_EXTENSIONS.get(kind, kind)}",
        content_type=MIME_TYPES.get(kind, "application/octet-stream"),
    )
