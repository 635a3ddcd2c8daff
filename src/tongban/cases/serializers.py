"""Serializers of the cases API: responses (cases, materials, steps, events, documents, task rows) and one
request serializer per action, so the OpenAPI schema documents every body. They only shape data; the
services decide (DESIGN rule 1)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tongban.accounts.serializers import ApplicantProfileSerializer
from tongban.common.errors import choice_messages

from . import selectors
from .choices import (
    CaseStatus,
    Decision,
    IssuanceMethod,
    MaterialStatus,
    SpecialProcedure,
    StepOutcome,
    VisitKind,
)
from .models import Case, CaseDocument, CaseEvent, CaseMaterial, Step
from .templatetags.applicant import material_state, uploaded_not_submitted
from .transitions import allowed_actions


class CaseErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="machine code: validation_failed, forbidden, not_found, conflict, …"
    )
    message = serializers.CharField(help_text="中文说明")
    field = serializers.CharField(required=False)
    errors = serializers.JSONField(required=False)


class CaseClockSerializer(serializers.Serializer):
    due_date = serializers.DateField(allow_null=True)
    remaining_days = serializers.IntegerField(
        allow_null=True, help_text="working days left; negative = overdue"
    )
    is_paused = serializers.BooleanField()
    pause_kind = serializers.CharField(allow_blank=True)
    overdue = serializers.BooleanField()
    label = serializers.CharField()
    provisional = serializers.BooleanField(help_text="true：期限按暂定日历推算（暂定）")


def clock_data(clock) -> dict:
    return {
        "due_date": clock.due_date,
        "remaining_days": clock.remaining_days,
        "is_paused": clock.is_paused,
        "pause_kind": clock.pause_kind,
        "overdue": clock.overdue,
        "label": clock.label,
        "provisional": clock.provisional,
    }


class ExtensionAllowanceSerializer(serializers.Serializer):
    """限时办结: the extension the law still allows (行政许可法第四十二条 or the item's own law)."""

    max_times = serializers.IntegerField(help_text="最多延期次数")
    used_times = serializers.IntegerField(help_text="已延期次数")
    max_days = serializers.IntegerField(help_text="每次最多延长的天数")
    basis = serializers.CharField(help_text="法律依据")
    allowed = serializers.BooleanField(help_text="现在能否延期")
    reason_refused = serializers.CharField(allow_blank=True, help_text="不能延期的理由")
    cap = serializers.DateField(allow_null=True, help_text="法定期限加全部法定延长期限：延期后不得超过")
    cap_provisional = serializers.BooleanField()


class CaseMaterialSerializer(serializers.ModelSerializer):
    status_display = serializers.SerializerMethodField(
        help_text="状态名称；已上传但尚未随申请（或补正）提交的为“已上传，待提交”"
    )
    pending_submission = serializers.SerializerMethodField(
        help_text="已上传、尚未随申请（或补正）提交：草稿的材料，或补正中重新上传、尚未“提交补正”的材料"
    )

    class Meta:
        model = CaseMaterial
        fields = [
            "id",
            "requirement",
            "name",
            "required",
            "status",
            "status_display",
            "pending_submission",
            "original_name",
            "sha256",
            "content_type",
            "size",
            "checked",
            "note",
            "uploaded_at",
        ]
        read_only_fields = fields

    def get_status_display(self, obj) -> str:
        return material_state(obj, obj.case)

    def get_pending_submission(self, obj) -> bool:
        return uploaded_not_submitted(obj, obj.case)


class CaseStepSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = Step
        fields = [
            "id",
            "case",
            "case_number",
            "stage_position",
            "stage_name",
            "parallel",
            "kind",
            "name",
            "department",
            "department_name",
            "role",
            "is_lead",
            "limit_days",
            "status",
            "status_display",
            "opened_on",
            "due_date",
            "due_provisional",
            "outcome",
            "opinion",
            "completed_at",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    """A case in a list: what it is, where it stands, its clock and its version (for expected_version)."""

    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    department_name = serializers.CharField(source="item.department.name", read_only=True)
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    clock = serializers.SerializerMethodField()
    statutory_clock = serializers.SerializerMethodField(help_text="法定办结期限的计时（限时办结）")

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "query_code",
            "item",
            "item_code",
            "item_name",
            "department_name",
            "applicant",
            "applicant_name",
            "channel",
            "status",
            "status_display",
            "version",
            "submitted_at",
            "intake_due",
            "intake_due_provisional",
            "intake_overdue",
            "accepted_on",
            "due_date",
            "due_provisional",
            "statutory_due_date",
            "statutory_due_provisional",
            "is_paused",
            "decision",
            "concluded_at",
            "closed_at",
            "visit_count",
            "clock",
            "statutory_clock",
        ]
        read_only_fields = fields

    def get_clock(self, obj) -> CaseClockSerializer:
        return CaseClockSerializer(clock_data(selectors.case_clock(obj))).data

    def get_statutory_clock(self, obj) -> CaseClockSerializer:
        # The pause's kind is on `clock`; no second look-up for it here.
        return CaseClockSerializer(clock_data(selectors.case_clock(obj, statutory=True, pause_kind=""))).data


class NextStepSerializer(serializers.Serializer):
    """cases.guidance.next_step: what happens next, in plain words."""

    text = serializers.CharField(help_text="下一步，如“窗口工作人员将审核……在2026年3月9日前决定是否受理”")
    by = serializers.CharField(allow_null=True, help_text="下一步的期限（YYYY-MM-DD），没有期限时为 null")
    actor = serializers.CharField(
        allow_blank=True, help_text="applicant（需要申请人做）、office（由窗口或部门办理）或空（已结束）"
    )
    provisional = serializers.BooleanField(help_text="true：期限按暂定日历推算（暂定）")


class CaseDetailSerializer(CaseSerializer):
    """A case in full: the form, materials, steps (with sibling opinions), and the actions possible now."""

    current_stage = serializers.SerializerMethodField(
        help_text="当前阶段序号；仅在办理中（已受理、未决定）时有值，已办结或终结的办件为 null"
    )
    next_step = serializers.SerializerMethodField(
        help_text="接下来会发生什么、由谁、在何时之前（与办件页面相同）"
    )
    materials = CaseMaterialSerializer(many=True, read_only=True)
    steps = CaseStepSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    extension = serializers.SerializerMethodField(help_text="延期：法律还允许的次数与天数")
    item_charges_fee = serializers.BooleanField(
        source="item.charges_fee", read_only=True, help_text="事项清单（本办件所依事项版本）是否收费"
    )
    item_fee_amount = serializers.DecimalField(
        source="item.fee_amount",
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="事项清单收费金额（元）",
    )

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "form_data",
            "agent_name",
            "agent_mobile",
            "intake_hall",
            "accepted_at",
            "plan",
            "current_stage",
            "next_step",
            "extension_days",
            "extension",
            "correction_due",
            "correction_due_provisional",
            "refusal_reason",
            "refer_to",
            "decision_reason",
            "decision_basis",
            "issuance_method",
            "tracking_number",
            "item_charges_fee",
            "item_fee_amount",
            "fee_charged",
            "fee_receipt_number",
            "fee_recorded_at",
            "materials",
            "steps",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_extension(self, obj) -> ExtensionAllowanceSerializer:
        from django.utils import timezone

        from .extensions import extension_allowance

        a = extension_allowance(obj, on=timezone.localdate())
        return ExtensionAllowanceSerializer(
            {
                "max_times": a.max_times,
                "used_times": a.used_times,
                "max_days": a.max_days,
                "basis": a.basis,
                "allowed": a.allowed,
                "reason_refused": a.reason_refused,
                "cap": a.cap.date if a.cap else None,
                "cap_provisional": bool(a.cap and a.cap.provisional),
            }
        ).data

    @extend_schema_field(NextStepSerializer)
    def get_next_step(self, obj) -> dict:
        from .guidance import next_step

        deficient = [m.name for m in obj.materials.all() if m.status == MaterialStatus.DEFICIENT]
        return next_step(obj, clock=selectors.case_clock(obj), deficient=deficient).as_dict()

    def get_current_stage(self, obj) -> int | None:
        return obj.current_stage if obj.status in CaseStatus.handling() and obj.current_stage else None

    def get_allowed_actions(self, obj) -> list[str]:
        """Moves the state table allows from the current state (the services still check who may act)."""
        return allowed_actions(obj.status)


class CaseEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "kind",
            "kind_display",
            "from_status",
            "to_status",
            "note",
            "detail",
            "actor_name",
            "at",
        ]
        read_only_fields = fields

    def get_actor_name(self, obj) -> str:
        return str(obj.actor) if obj.actor_id and not self.context.get("public") else ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("public"):  # the applicant's view: no staff names, no internal details
            data["detail"] = {}
        return data


class CaseDocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CaseDocument
        # sha256 and size are empty until the PDF is rendered (after commit, or on first download)
        fields = [
            "id",
            "kind",
            "kind_display",
            "number",
            "sha256",
            "size",
            "created_at",
            "rendered_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("api-case-document-download", kwargs={"case_id": obj.case_id, "document_id": obj.pk})


class TaskRowSerializer(serializers.Serializer):
    step = CaseStepSerializer()
    case = CaseSerializer()
    due_date = serializers.DateField()
    due_provisional = serializers.BooleanField(help_text="环节期限为暂定")
    remaining_days = serializers.IntegerField()
    is_paused = serializers.BooleanField()
    overdue = serializers.BooleanField()
    statutory_due_date = serializers.DateField(allow_null=True, help_text="办件的法定办结期限")
    statutory_due_provisional = serializers.BooleanField()


# ---- requests ------------------------------------------------------------------------------------


class CaseAgentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, allow_blank=True)
    id_number = serializers.CharField(max_length=18, allow_blank=True)
    mobile = serializers.CharField(max_length=20, allow_blank=True)


class CaseVersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, help_text="the case's version you saw; 409 conflict when stale"
    )


class DraftCreateSerializer(serializers.Serializer):
    item_id = serializers.IntegerField(required=False, help_text="the item version's id, or give item_code")
    item_code = serializers.CharField(required=False, help_text="the item's code (its published version)")
    form_data = serializers.DictField(required=False, default=dict)
    applicant_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="when filing as an agent"
    )
    agent = CaseAgentSerializer(required=False, allow_null=True)


class DraftUpdateSerializer(serializers.Serializer):
    form_data = serializers.DictField(required=False, default=dict)
    agent = CaseAgentSerializer(required=False, allow_null=True)


class SubmitSerializer(DraftCreateSerializer, CaseVersionSerializer):
    case_id = serializers.IntegerField(
        required=False, help_text="a draft to submit; otherwise item_id/item_code"
    )
    idempotency_key = serializers.CharField(
        required=False,
        max_length=64,
        help_text="or the Idempotency-Key header; the same key returns the same case",
    )


class CaseUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="checked by content (PDF, JPEG, PNG, xlsx, docx), size limit, SHA-256"
    )


def _optional_text(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", help_text=help_text)


class ApplicantFindOrRegisterSerializer(serializers.Serializer):
    """The applicant at the window, from their ID card or business licence. The service validates every
    field (Chinese messages naming it), so the fields here are plain text."""

    kind = serializers.CharField(help_text="natural（自然人）或 legal（法人）")
    name = serializers.CharField(help_text="姓名或单位名称，须与已登记的一致")
    id_number = _optional_text("身份证号码（自然人）")
    credit_code = _optional_text("统一社会信用代码（法人）")
    mobile = _optional_text()
    legal_representative = _optional_text()
    contact_name = _optional_text()
    contact_id_number = _optional_text()
    address = _optional_text()
    email = _optional_text()


class WalkInApplicantSerializer(ApplicantProfileSerializer):
    """The applicant found or registered (as a profile, ID number masked); pass `id` as applicant_id to
    intake/register/."""

    id = serializers.IntegerField()
    has_login = serializers.SerializerMethodField(help_text="是否已实名注册网上账户")

    def get_has_login(self, obj) -> bool:
        return obj.user_id is not None


class RegisterSerializer(serializers.Serializer):
    item_id = serializers.IntegerField(required=False)
    item_code = serializers.CharField(required=False)
    applicant_id = serializers.IntegerField()
    form_data = serializers.DictField()
    agent = CaseAgentSerializer(required=False, allow_null=True)
    hall_id = serializers.IntegerField(required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=["window", "kiosk"], default="window")
    idempotency_key = serializers.CharField(required=False, max_length=64)


class MaterialCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class AcceptSerializer(CaseVersionSerializer):
    hall_id = serializers.IntegerField(required=False, allow_null=True)


class RefuseSerializer(CaseVersionSerializer):
    reason = serializers.CharField()
    refer_to = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class CorrectionItemSerializer(serializers.Serializer):
    material_id = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    reason = serializers.CharField()


class CorrectionSerializer(CaseVersionSerializer):
    items = CorrectionItemSerializer(many=True)
    respond_within_days = serializers.IntegerField(required=False, min_value=1, max_value=60)


class ResubmitSerializer(CaseVersionSerializer):
    at_window = serializers.BooleanField(required=False, default=False)
    hall_id = serializers.IntegerField(required=False, allow_null=True)


class WithdrawSerializer(CaseVersionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _chosen(choices, label: str) -> serializers.ChoiceField:
    """A decision the person makes: required, never defaulted (通过/准予 are not preselected)."""
    return serializers.ChoiceField(choices=choices.choices, error_messages=choice_messages(choices, label))


class StepCompleteSerializer(CaseVersionSerializer):
    outcome = _chosen(StepOutcome, "办理结果")
    opinion = serializers.CharField()


class DecideSerializer(CaseVersionSerializer):
    decision = _chosen(Decision, "审批决定")
    reason = serializers.CharField()
    legal_basis = serializers.CharField()


class PauseSerializer(CaseVersionSerializer):
    procedure = serializers.ChoiceField(choices=SpecialProcedure.choices)
    reason = serializers.CharField()
    expected_days = serializers.IntegerField(required=False, allow_null=True)


class CaseResumeSerializer(CaseVersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExtendSerializer(CaseVersionSerializer):
    days = serializers.IntegerField()
    reason = serializers.CharField()


class CaseIssueSerializer(CaseVersionSerializer):
    method = serializers.ChoiceField(choices=IssuanceMethod.choices)
    identity_checked = serializers.BooleanField(required=False, default=False)
    receiver_name = serializers.CharField(required=False, allow_blank=True, default="")
    receiver_id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="窗口领取时必填：领取人居民身份证号码（GB 11643 校验，错误时 400 且不出件）",
    )
    tracking_number = serializers.CharField(required=False, allow_blank=True, default="")
    carrier = serializers.CharField(required=False, allow_blank=True, default="EMS")


class ImmediateSerializer(CaseIssueSerializer):
    method = serializers.ChoiceField(choices=IssuanceMethod.choices, default=IssuanceMethod.PICKUP)
    reason = serializers.CharField()
    legal_basis = serializers.CharField(required=False, allow_blank=True, default="")
    decision = _chosen(Decision, "审批决定")


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^\d+(\.\d{1,2})?$", "example": "50.00"}
)
class FeeAmountField(serializers.CharField):
    """Yuan as typed ("50", "50.00" or a JSON number): the service parses and checks it, so every bad
    amount gets the same Chinese message naming 实收金额."""


class CaseFeeSerializer(CaseVersionSerializer):
    amount = FeeAmountField(
        help_text="实收金额（元），≥ 0，最多两位小数；不收费填 0",
        error_messages={
            "required": "请填写实收金额（元），不收费请填 0。",
            "blank": "请填写实收金额（元），不收费请填 0。",
            "null": "请填写实收金额（元），不收费请填 0。",
        },
    )
    receipt_number = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="票据号（收费大于 0 时必填）"
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="更正原因（已登记过收费时必填）"
    )


class CaseVisitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=VisitKind.choices, default=VisitKind.OTHER)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    hall_id = serializers.IntegerField(required=False, allow_null=True)


class TrackQuerySerializer(serializers.Serializer):
    no = serializers.CharField(max_length=32, help_text="办件编号，可带或不带短横线、空格")
    code = serializers.CharField(max_length=16, help_text="查询码")


class TrackStepSerializer(serializers.Serializer):
    stage = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    status = serializers.CharField()
    opened_on = serializers.CharField()
    due_date = serializers.CharField()
    due_provisional = serializers.BooleanField(help_text="暂定")
    completed_on = serializers.CharField(allow_null=True)


class TrackNeededSerializer(serializers.Serializer):
    material = serializers.CharField()
    reason = serializers.CharField()


class TrackEventSerializer(serializers.Serializer):
    """A public event of the case (CaseEventKind.public), without who acted or notes."""

    kind = serializers.CharField()
    label = serializers.CharField()
    at = serializers.CharField(help_text="北京时间，ISO 8601")
    status_label = serializers.CharField(allow_blank=True, help_text="事件后的状态（状态变化时）")


class TrackSerializer(serializers.Serializer):
    """selectors.case_public_status: personal data masked."""

    number = serializers.CharField()
    item = serializers.CharField()
    department = serializers.CharField()
    applicant = serializers.CharField(help_text="masked, e.g. 张*明")
    identity_number = serializers.CharField(help_text="masked, e.g. 4401**********123X")
    status = serializers.CharField()
    status_label = serializers.CharField()
    submitted_on = serializers.CharField(allow_null=True)
    accepted_on = serializers.CharField(allow_null=True)
    due_date = serializers.CharField(allow_null=True)
    due_provisional = serializers.BooleanField(help_text="true：办结期限为暂定日期")
    remaining_days = serializers.IntegerField(allow_null=True)
    is_paused = serializers.BooleanField()
    paused_for = serializers.CharField()
    clock = serializers.CharField()
    decision = serializers.CharField()
    concluded_on = serializers.CharField(allow_null=True)
    issuance = serializers.CharField()
    steps = TrackStepSerializer(many=True)
    needed_from_applicant = TrackNeededSerializer(many=True)
    correction_due = serializers.CharField(allow_null=True)
    correction_due_provisional = serializers.BooleanField()
    visit_count = serializers.IntegerField()
    next_step = NextStepSerializer()
    events = TrackEventSerializer(many=True, help_text="面向申请人的办理记录（不含内部环节）")


class FlowStepSerializer(serializers.Serializer):
    name = serializers.CharField()
    department_id = serializers.IntegerField()
    department = serializers.CharField()
    limit_days = serializers.IntegerField()
    role = serializers.CharField(allow_blank=True)


class FlowStageSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="single or parallel")
    lead_department_id = serializers.IntegerField(allow_null=True, required=False)
    lead_department = serializers.CharField(allow_blank=True, required=False)
    joint_limit_days = serializers.IntegerField(required=False)
    duration_days = serializers.IntegerField(required=False)
    steps = FlowStepSerializer(many=True)


class FormFieldSerializer(serializers.Serializer):
    """One field of an item's application form (cases.forms describes the schema)."""

    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField(
        help_text="text, textarea, number, date, select, idnumber, creditcode, identity, mobile"
    )
    required = serializers.BooleanField(default=False)
    options = serializers.ListField(child=serializers.CharField(), required=False, help_text="select 的选项")
    help = serializers.CharField(required=False)
    max_length = serializers.IntegerField(required=False)
    min = serializers.FloatField(required=False)
    max = serializers.FloatField(required=False)
    prefill = serializers.CharField(required=False, help_text="预填来源：申请人资料中的字段")


class FormMaterialSerializer(serializers.Serializer):
    name = serializers.CharField()
    required = serializers.BooleanField()
    shared = serializers.BooleanField(help_text="共享获取：平台从部门数据中调取，无需上传")
    notes = serializers.CharField()


class ApplicationFormSerializer(serializers.Serializer):
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    online_application = serializers.BooleanField(help_text="是否可网上申报")
    applicant_kinds = serializers.ListField(
        child=serializers.CharField(), help_text="服务对象：natural（自然人）、legal（法人）"
    )
    audience = serializers.CharField(
        help_text="服务对象的说明，如“本事项仅限法人（企业、事业单位、社会组织等）申请。”"
    )
    account_fits = serializers.BooleanField(
        help_text="登录的申请人能否以本人名义申请；为 false 时需换用另一类账户登录，或作为代办人申报"
    )
    account_message = serializers.CharField(
        allow_blank=True, help_text="account_fits 为 false 时说明原因和办法（与提交时的拒绝理由相同）"
    )
    fields = FormFieldSerializer(many=True)
    initial = serializers.DictField(help_text="按登录申请人的资料预填的值；未登录时为空")
    materials = FormMaterialSerializer(many=True)


class ProcessSerializer(serializers.Serializer):
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    case_kind = serializers.CharField()
    promised_limit = serializers.IntegerField()
    stages = FlowStageSerializer(many=True)
