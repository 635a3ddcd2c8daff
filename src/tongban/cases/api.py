"""REST API of the cases app (issue 3 point 11): a mobile app or another department's system can drive a
case end to end — draft, submit, upload, intake, accept/refuse/correct, steps, decision, clock, issuance.

Every case is first looked up in the caller's scope (selectors.case_get, `.visible_to(user)`), so a case
outside the caller's scope is a 404 that says nothing about it; the service then checks the caller's
role (403) and the state table (409 illegal_transition). Every action takes `expected_version` and
answers with the case in full and its new version; a stale version is 409 "conflict" with nothing
changed. Errors are {"code", "message", ("field" | "errors")} (tongban.api.errors).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.accounts.services import applicant_find_or_register
from tongban.catalogue import selectors as catalogue_selectors
from tongban.catalogue.audience import mismatch_message
from tongban.common.errors import NotAllowed, NotFound, ValidationFailed, choice_param
from tongban.organisations.permissions import IsStaffMember
from tongban.organisations.scoping import scope_for

from . import selectors, services
from .capabilities import online_application_refusal
from .choices import CaseStatus
from .documents import document_response
from .models import Case
from .serializers import (
    AcceptSerializer,
    ApplicantFindOrRegisterSerializer,
    ApplicationFormSerializer,
    CaseDetailSerializer,
    CaseDocumentSerializer,
    CaseErrorSerializer,
    CaseEventSerializer,
    CaseFeeSerializer,
    CaseIssueSerializer,
    CaseMaterialSerializer,
    CaseResumeSerializer,
    CaseSerializer,
    CaseUploadSerializer,
    CaseVisitSerializer,
    CorrectionSerializer,
    DecideSerializer,
    DraftCreateSerializer,
    DraftUpdateSerializer,
    ExtendSerializer,
    ImmediateSerializer,
    MaterialCheckSerializer,
    PauseSerializer,
    ProcessSerializer,
    RefuseSerializer,
    RegisterSerializer,
    ResubmitSerializer,
    StepCompleteSerializer,
    SubmitSerializer,
    TaskRowSerializer,
    TrackQuerySerializer,
    TrackSerializer,
    WalkInApplicantSerializer,
    WithdrawSerializer,
)
from .tracking import case_track, client_ip

TAG = "办件 cases"
ERRORS = {
    400: OpenApiResponse(CaseErrorSerializer, description="validation_failed (field-level Chinese messages)"),
    403: OpenApiResponse(CaseErrorSerializer, description="forbidden: your role may not do this"),
    404: OpenApiResponse(CaseErrorSerializer, description="not_found: no such case in your scope"),
    409: OpenApiResponse(
        CaseErrorSerializer, description="conflict (stale expected_version) or illegal_transition"
    ),
}


def _detail(case: Case) -> dict:
    return CaseDetailSerializer(selectors.case_detail_get(case.pk)).data


def _valid(serializer_class, request: Request) -> dict:
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


def _item_id(data: dict) -> int | None:
    """item_id as given, or the published version of item_code."""
    code = data.pop("item_code", None)
    item_id = data.pop("item_id", None)
    if item_id is None and code:
        item_id = catalogue_selectors.item_get_published(code=code).pk
    return item_id


def _agent(data: dict) -> dict | None:
    agent = data.get("agent")
    return dict(agent) if agent else None


# ---- cases: list, detail, drafts, submission, materials ------------------------------------------


class CaseListApi(generics.ListAPIView):
    """Cases the caller may see (applicant: own; clerk: their halls' and untaken online; department:
    theirs), newest first; ?status= filters."""

    serializer_class = CaseSerializer

    def get_queryset(self):
        statuses = choice_param(self.request.query_params, "status", CaseStatus, "办件状态", many=True)
        return selectors.case_list(user=self.request.user, statuses=statuses)

    @extend_schema(
        tags=[TAG],
        summary="办件列表（按角色范围）",
        parameters=[OpenApiParameter("status", str, description="comma-separated CaseStatus values")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CaseDetailApi(APIView):
    @extend_schema(tags=[TAG], summary="办件详情", responses={200: CaseDetailSerializer, 404: ERRORS[404]})
    def get(self, request: Request, case_id: int) -> Response:
        return Response(_detail(selectors.case_get(user=request.user, case_id=case_id)))


class DraftCreateApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="保存草稿（新建）",
        request=DraftCreateSerializer,
        responses={201: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _valid(DraftCreateSerializer, request)
        case = services.case_draft_save(
            actor=request.user,
            item_id=_item_id(data),
            form_data=data.get("form_data") or {},
            applicant_id=data.get("applicant_id"),
            agent=_agent(data),
        )
        return Response(_detail(case), status=201)


class DraftUpdateApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="保存草稿（修改）",
        request=DraftUpdateSerializer,
        responses={200: CaseDetailSerializer, **ERRORS},
    )
    def put(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(user=request.user, case_id=case_id)
        data = _valid(DraftUpdateSerializer, request)
        case = services.case_draft_save(
            actor=request.user, case_id=case.pk, form_data=data.get("form_data") or {}, agent=_agent(data)
        )
        return Response(_detail(case))


class SubmitApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="提交申请（网上申报，幂等）",
        description="Submit the draft `case_id`, or a new application from `item_id`/`item_code` in one go. "
        "Send an Idempotency-Key header (or `idempotency_key`): a retried request with the same key returns "
        "the same case with the same number and query code.",
        request=SubmitSerializer,
        parameters=[
            OpenApiParameter("Idempotency-Key", str, location=OpenApiParameter.HEADER, required=False)
        ],
        responses={201: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _valid(SubmitSerializer, request)
        key = request.headers.get("Idempotency-Key") or data.get("idempotency_key") or ""
        case_id = data.get("case_id")
        if case_id is not None:
            case_id = selectors.case_get(user=request.user, case_id=case_id).pk
        case = services.case_submit(
            actor=request.user,
            idempotency_key=key,
            case_id=case_id,
            item_id=None if case_id else _item_id(data),
            form_data=data.get("form_data") if case_id is None else (data.get("form_data") or None),
            applicant_id=data.get("applicant_id"),
            agent=_agent(data),
            expected_version=data.get("expected_version"),
        )
        return Response(_detail(case), status=201)


class MaterialListApi(APIView):
    @extend_schema(
        tags=[TAG], summary="办件材料", responses={200: CaseMaterialSerializer(many=True), 404: ERRORS[404]}
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(user=request.user, case_id=case_id)
        return Response(CaseMaterialSerializer(selectors.case_materials(case), many=True).data)


class MaterialUploadApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=[TAG],
        summary="上传材料（multipart）",
        request={"multipart/form-data": CaseUploadSerializer},
        responses={200: CaseMaterialSerializer, **ERRORS},
    )
    def post(self, request: Request, case_id: int, material_id: int) -> Response:
        case = selectors.case_get(user=request.user, case_id=case_id)
        upload = _valid(CaseUploadSerializer, request)["file"]
        material = services.case_material_upload(
            actor=request.user,
            case_id=case.pk,
            material_id=material_id,
            file=upload,
            original_name=upload.name,
        )
        return Response(CaseMaterialSerializer(material).data)


class MaterialCheckApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        tags=[TAG],
        summary="核验材料（窗口）",
        request=MaterialCheckSerializer,
        responses={200: CaseMaterialSerializer, **ERRORS},
    )
    def post(self, request: Request, case_id: int, material_id: int) -> Response:
        case = selectors.case_get(user=request.user, case_id=case_id)
        data = _valid(MaterialCheckSerializer, request)
        material = services.case_material_check(
            actor=request.user, case_id=case.pk, material_id=material_id, **data
        )
        return Response(CaseMaterialSerializer(material).data)


# ---- intake (clerks) -----------------------------------------------------------------------------


class IntakeQueueApi(generics.ListAPIView):
    """待受理 / 网上预审: submitted cases of the clerk's halls plus untaken online submissions."""

    serializer_class = CaseSerializer
    permission_classes = [IsStaffMember]

    def get_queryset(self):
        return selectors.intake_queue(user=self.request.user)

    @extend_schema(tags=[TAG], summary="受理队列（待受理/网上预审）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class IntakeApplicantApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        tags=[TAG],
        summary="窗口登记申请人（按证件查找，没有则登记）",
        description="只限窗口人员。已登记的申请人返回 200（姓名须一致，空缺的联系信息会补上，已有的不覆盖），"
        "新登记的返回 201。返回的 id 即 intake/register/ 的 applicant_id。",
        request=ApplicantFindOrRegisterSerializer,
        responses={200: WalkInApplicantSerializer, 201: WalkInApplicantSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _valid(ApplicantFindOrRegisterSerializer, request)
        applicant, created = applicant_find_or_register(actor=request.user, **data)
        return Response(WalkInApplicantSerializer(applicant).data, status=201 if created else 200)


class IntakeRegisterApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        tags=[TAG],
        summary="窗口收件（综合受理）",
        request=RegisterSerializer,
        responses={201: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _valid(RegisterSerializer, request)
        key = request.headers.get("Idempotency-Key") or data.get("idempotency_key")
        item_id = _item_id(data)
        if item_id is None:
            raise ValidationFailed("请选择申请的事项。", field="item_id")
        case = services.case_intake_register(
            actor=request.user,
            item_id=item_id,
            applicant_id=data["applicant_id"],
            form_data=data["form_data"],
            agent=_agent(data),
            hall_id=data.get("hall_id"),
            channel=data["channel"],
            idempotency_key=key or None,
        )
        return Response(_detail(case), status=201)


# ---- actions on a case ---------------------------------------------------------------------------


# Each action is a declared subclass naming its serializer and ONE service, its schema given by
# `_action_schema` (the API's one style for actions: docs/architecture.md, "Action endpoints"). The
# docstring below is the schema's description of the actions that have none of their own.
class _CaseAction(APIView):
    """POST {…, expected_version} → the service → the case in full with its new version."""

    request_serializer: type[serializers.Serializer]
    service: staticmethod
    staff_only = True  # an applicant is refused (403) before the body is looked at

    def arguments(self, data: dict) -> dict:
        return data

    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(user=request.user, case_id=case_id)
        if self.staff_only and not scope_for(request.user).is_staff_member:
            raise NotAllowed("只有工作人员可以办理此操作。")
        data = _valid(self.request_serializer, request)
        result = type(self).service(actor=request.user, case_id=case.pk, **self.arguments(data))
        return Response(_detail(result if isinstance(result, Case) else case))


def _action_schema(request_serializer, summary: str, description: str = ""):
    """The schema of a case action: its own request serializer, the case in full, the usual errors."""
    return extend_schema_view(
        post=extend_schema(
            tags=[TAG],
            summary=summary,
            description=description,
            request=request_serializer,
            responses={200: CaseDetailSerializer, **ERRORS},
        )
    )


@_action_schema(AcceptSerializer, "受理", "受理通知书 is issued.")
class AcceptApi(_CaseAction):
    request_serializer, service = AcceptSerializer, staticmethod(services.case_accept)


@_action_schema(RefuseSerializer, "不予受理")
class RefuseApi(_CaseAction):
    request_serializer, service = RefuseSerializer, staticmethod(services.case_refuse)


@_action_schema(
    CorrectionSerializer,
    "一次性告知补正",
    "ONE 补正告知书 listing every material ({material_id, reason} or {name, reason}). After acceptance the "
    "clock pauses until the resubmission.",
)
class CorrectionApi(_CaseAction):
    request_serializer, service = CorrectionSerializer, staticmethod(services.case_request_correction)

    def arguments(self, data: dict) -> dict:
        items = [{k: v for k, v in dict(i).items() if v not in (None, "")} for i in data.pop("items")]
        if data.get("respond_within_days") is None:
            data.pop("respond_within_days", None)
        return {**data, "items": items}


@_action_schema(ResubmitSerializer, "补正提交")
class ResubmitApi(_CaseAction):
    request_serializer, service = ResubmitSerializer, staticmethod(services.case_resubmit)
    staff_only = False


@_action_schema(WithdrawSerializer, "撤回申请")
class WithdrawApi(_CaseAction):
    request_serializer, service = WithdrawSerializer, staticmethod(services.case_withdraw)
    staff_only = False


@_action_schema(DecideSerializer, "审批决定（准予/不予）")
class DecideApi(_CaseAction):
    request_serializer, service = DecideSerializer, staticmethod(services.case_decide)


@_action_schema(PauseSerializer, "特别程序（暂停计时）")
class PauseApi(_CaseAction):
    request_serializer, service = PauseSerializer, staticmethod(services.case_pause)


@_action_schema(CaseResumeSerializer, "恢复计时")
class ResumeApi(_CaseAction):
    request_serializer, service = CaseResumeSerializer, staticmethod(services.case_resume)


@_action_schema(ExtendSerializer, "延期（部门负责人）")
class ExtendApi(_CaseAction):
    request_serializer, service = ExtendSerializer, staticmethod(services.case_extend)


@_action_schema(CaseIssueSerializer, "统一出件")
class IssueApi(_CaseAction):
    request_serializer, service = CaseIssueSerializer, staticmethod(services.case_issue)


@_action_schema(ImmediateSerializer, "即办件当场办结")
class ImmediateApi(_CaseAction):
    request_serializer, service = ImmediateSerializer, staticmethod(services.case_handle_immediately)


@_action_schema(
    CaseFeeSerializer,
    "登记收费（实收金额与票据号）",
    "窗口人员（本大厅）登记实际收取的费用，受理后至出件后均可登记；0 表示未收费。"
    "再次登记即更正，须填更正原因。"
    "与事项清单不一致的金额照样登记，由异常检测（fee_mismatch）标出。",
)
class FeeApi(_CaseAction):
    request_serializer, service = CaseFeeSerializer, staticmethod(services.case_fee_record)


class VisitApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="登记到场（跑动次数）",
        request=CaseVisitSerializer,
        responses={200: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(user=request.user, case_id=case_id)
        data = _valid(CaseVisitSerializer, request)
        services.visit_record(actor=request.user, case_id=case.pk, **data)
        return Response(_detail(case))


# ---- steps and task lists (departments) ----------------------------------------------------------


class StepCompleteApi(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        tags=[TAG],
        summary="办理环节（意见与结果）",
        description="outcome pass / fail / return (退回窗口). `expected_version` is the CASE's version.",
        request=StepCompleteSerializer,
        responses={200: CaseDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, step_id: int) -> Response:
        step = selectors.step_get(user=request.user, step_id=step_id)
        data = _valid(StepCompleteSerializer, request)
        services.step_complete(actor=request.user, step_id=step.pk, **data)
        return Response(_detail(step.case))


def _task_list(name: str, selector, summary: str):
    @extend_schema(tags=[TAG], summary=summary, responses={200: TaskRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(TaskRowSerializer(selector(user=request.user), many=True).data)

    return type(name, (APIView,), {"get": get, "permission_classes": [IsStaffMember]})


TasksTodoApi = _task_list("TasksTodoApi", selectors.tasks_todo, "待办")
TasksInProgressApi = _task_list("TasksInProgressApi", selectors.tasks_in_progress, "在办")
TasksDoneApi = _task_list("TasksDoneApi", selectors.tasks_done, "已办")


# ---- the case log and documents ------------------------------------------------------------------


class EventListApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="办件日志",
        description="工作人员看到全部记录；申请人只看到面向申请人的记录（CaseEventKind.public），不含经办人和内部详情。",
        responses={200: CaseEventSerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request: Request, case_id: int) -> Response:
        events = selectors.case_events(user=request.user, case_id=case_id)
        public = not scope_for(request.user).is_staff_member
        return Response(CaseEventSerializer(events, many=True, context={"public": public}).data)


class DocumentListApi(APIView):
    @extend_schema(
        tags=[TAG], summary="文书列表", responses={200: CaseDocumentSerializer(many=True), 404: ERRORS[404]}
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get(user=request.user, case_id=case_id)
        docs = selectors.case_documents(case)
        return Response(CaseDocumentSerializer(docs, many=True).data)


class DocumentDownloadApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="下载文书 PDF",
        responses={(200, "application/pdf"): OpenApiResponse(description="the PDF"), 404: ERRORS[404]},
    )
    def get(self, request: Request, case_id: int, document_id: int) -> HttpResponse:
        case = selectors.case_get(user=request.user, case_id=case_id)
        doc = selectors.case_document(case, document_id)
        if doc is None:
            raise NotFound("文书不存在。")
        return document_response(doc)


# ---- public: process flow and tracking -----------------------------------------------------------


class ApplicationFormApi(APIView):
    """The application form of an item's published version, pre-filled for the logged-in applicant, so
    a mobile app renders the same form as the web page (and the server validates it the same way)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=[TAG],
        summary="事项申请表（含预填值与材料清单）",
        responses={200: ApplicationFormSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, code: str) -> Response:
        item = catalogue_selectors.item_get_published(code=code, user=request.user)
        form = selectors.application_form(item, user=request.user)
        audience = form["audience"]
        return Response(
            ApplicationFormSerializer(
                {
                    "item_code": item.code,
                    "item_name": item.name,
                    "online_application": not online_application_refusal(item),
                    "applicant_kinds": list(audience.kinds),
                    "audience": audience.text,
                    "account_fits": audience.fits,
                    "account_message": mismatch_message(item, form["applicant"]) if form["applicant"] else "",
                    "fields": form["schema"].get("fields", []),
                    "initial": form["initial"],
                    "materials": form["materials"],
                }
            ).data
        )


class ProcessApi(APIView):
    """The process flow of an item's published version (the catalogue owns /items/{code}/)."""

    permission_classes = [AllowAny]

    @extend_schema(tags=[TAG], summary="事项办理流程", responses={200: ProcessSerializer, 404: ERRORS[404]})
    def get(self, request: Request, code: str) -> Response:
        item = catalogue_selectors.item_get_published(code=code, user=request.user)
        return Response(
            ProcessSerializer(
                {
                    "item_code": item.code,
                    "item_name": item.name,
                    "case_kind": item.case_kind,
                    "promised_limit": item.promised_limit,
                    "stages": selectors.process_flow(item),
                }
            ).data
        )


class TrackApi(APIView):
    """Public tracking by case number and query code, rate-limited like the page (cases.tracking)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=[TAG],
        summary="办件查询（公开，限次）",
        parameters=[TrackQuerySerializer],
        responses={
            200: TrackSerializer,
            400: ERRORS[400],
            404: OpenApiResponse(
                CaseErrorSerializer, description="the same answer for an unknown number and a wrong code"
            ),
            429: OpenApiResponse(CaseErrorSerializer, description="rate_limited: too many failed look-ups"),
        },
    )
    def get(self, request: Request) -> Response:
        q = TrackQuerySerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        status = case_track(
            number=q.validated_data["no"], query_code=q.validated_data["code"], ip=client_ip(request)
        )
        return Response(TrackSerializer(status).data)
