"""The process editor's API (/api/v1/process-definitions/{item version id}/): read an item version's whole
process, check a new one without saving (the problems and the flow as the editor's live chart draws
it), and save it. Saving is `services.process_define`, as on the editor's page: a published version's
edit becomes a new draft version (201 with its id), with the item-log entry; `revision` — the one read
— makes a save over someone else's newer edit a 409. Administrators only, like the editor.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.catalogue import selectors as catalogue_selectors
from tongban.catalogue.models import ServiceItem
from tongban.common.errors import NotFound

from . import selectors, services
from .choices import StageKind
from .models.process import STEP_ROLE_CHOICES
from .permissions import require_process_admin
from .processes import plan_check, plan_report, plan_revision, process_for_item
from .serializers import CaseErrorSerializer, FlowStageSerializer

TAG = "办理流程配置"
ERRORS = {code: OpenApiResponse(CaseErrorSerializer) for code in (400, 403, 404, 409)}


class StepInputSerializer(serializers.Serializer):
    name = serializers.CharField(label="环节名称")
    department_id = serializers.IntegerField(label="办理部门 ID")
    role = serializers.ChoiceField(
        label="办理角色（留空：本部门审批人员或负责人）",
        choices=STEP_ROLE_CHOICES,
        allow_blank=True,
        required=False,
    )
    limit_days = serializers.IntegerField(label="办理时限（工作日）")


class StageInputSerializer(serializers.Serializer):
    name = serializers.CharField(label="阶段名称")
    kind = serializers.ChoiceField(label="阶段类型", choices=StageKind.choices)
    lead_department_id = serializers.IntegerField(
        label="牵头部门 ID（并联审批）", required=False, allow_null=True
    )
    joint_limit_days = serializers.IntegerField(label="牵头部门汇总时限（工作日，并联审批）", required=False)
    steps = StepInputSerializer(many=True, label="环节（并联阶段为各部门同时办理的环节）")


class ProcessInputSerializer(serializers.Serializer):
    name = serializers.CharField(label="流程名称", required=False, allow_blank=True)
    note = serializers.CharField(label="说明", required=False, allow_blank=True)
    revision = serializers.CharField(
        label="读取时的 revision（防止覆盖他人的修改）", required=False, allow_blank=True
    )
    stages = StageInputSerializer(many=True, label="阶段，按先后顺序")


class ProcessCheckSerializer(serializers.Serializer):
    stages = FlowStageSerializer(many=True, label="流程（与流程图所画相同）")
    total_days = serializers.IntegerField(label="各阶段时限之和（工作日）")
    promised_days = serializers.IntegerField(label="承诺办结时限（工作日）")
    problems = serializers.ListField(child=serializers.CharField(), label="需要修改之处（为空才能保存）")


class ProcessDefinitionSerializer(ProcessCheckSerializer):
    item_id = serializers.IntegerField(label="事项版本 ID")
    item_code = serializers.CharField(label="事项编码")
    item_version = serializers.IntegerField(label="版本")
    item_status = serializers.CharField(label="版本状态")
    is_default = serializers.BooleanField(label="未配置（默认流程）")
    revision = serializers.CharField(label="revision（保存时带回）", allow_blank=True)
    name = serializers.CharField(label="流程名称", allow_blank=True)
    note = serializers.CharField(label="说明", allow_blank=True)


def _item(request: Request, item_id: int) -> ServiceItem:
    require_process_admin(request.user, action="配置办理流程")
    item = catalogue_selectors.item_editable_get(user=request.user, item_id=item_id)
    if item is None:
        raise NotFound("事项版本不存在或您无权查看。", field="item_id")
    return item


def _definition(item: ServiceItem) -> dict:
    plan = process_for_item(item)
    stored = selectors.process_definition_of(item)
    return {
        "item_id": item.pk,
        "item_code": item.code,
        "item_version": item.version,
        "item_status": item.status,
        "is_default": plan.is_default,
        "revision": plan_revision(plan),
        "name": stored.name if stored else "",
        "note": stored.note if stored else "",
        **plan_report(item, plan),
    }


class ProcessDefinitionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="读取事项版本的办理流程",
        description="未配置时给出默认流程（is_default=true）。保存时带回 revision。",
        responses={200: ProcessDefinitionSerializer, **ERRORS},
    )
    def get(self, request: Request, item_id: int) -> Response:
        return Response(ProcessDefinitionSerializer(_definition(_item(request, item_id))).data)

    @extend_schema(
        tags=[TAG],
        summary="保存办理流程（整体替换）",
        description=(
            "整体校验后保存，记入事项变更日志。草稿就地修改（200）；已发布版本不被修改，"
            "而是新建草稿版本（201，item_id 为新版本），发布后生效。"
            "出错时 errors 列出每处问题，写明第几阶段第几个环节。"
        ),
        request=ProcessInputSerializer,
        responses={200: ProcessDefinitionSerializer, 201: ProcessDefinitionSerializer, **ERRORS},
    )
    def put(self, request: Request, item_id: int) -> Response:
        item = _item(request, item_id)
        data = request.data if isinstance(request.data, dict) else {}
        definition = services.process_define(
            actor=request.user,
            item_id=item.pk,
            stages=data.get("stages"),
            name=str(data.get("name") or ""),
            note=str(data.get("note") or ""),
            expected_revision=data.get("revision") if "revision" in data else None,
        )
        target = catalogue_selectors.item_version_get(definition.item_id)
        code = status.HTTP_201_CREATED if target.pk != item.pk else status.HTTP_200_OK
        return Response(ProcessDefinitionSerializer(_definition(target)).data, status=code)


class ProcessCheckApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="校验办理流程（不保存）",
        description="按保存时的同一规则读出流程：返回流程图所画的阶段、时限合计和需要修改之处。",
        request=ProcessInputSerializer,
        responses={200: ProcessCheckSerializer, **ERRORS},
    )
    def post(self, request: Request, item_id: int) -> Response:
        item = _item(request, item_id)
        data = request.data if isinstance(request.data, dict) else {}
        return Response(ProcessCheckSerializer(plan_check(item, data.get("stages"))).data)
