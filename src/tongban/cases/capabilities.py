"""网上办理 as the guide shows it and as the cases app accepts it: one rule for both.

An item takes online applications when it is published, its department declared at least 在线收件
(网办深度 ≥ 2) and its application form (its own, or the default one) is valid. The apply page, the
draft and submit services, the application-form API and the guide's capability list all ask here, so
the guide never offers what the form would then refuse.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.catalogue.capabilities import Capability, CapabilityCode
from tongban.catalogue.choices import ItemStatus, OnlineDepth

from .forms import schema_problems
from .models import ItemForm


def _refusal(item, schema) -> str:
    if item.status != ItemStatus.PUBLISHED:
        return _("该事项未发布或已废止，不能申请。")
    if item.online_depth < OnlineDepth.RECEIVE:
        return _("该事项暂不支持网上申报，请按办事指南到窗口办理。")
    if schema is not None and schema_problems(schema):
        return _("该事项的网上申请表尚未配置完成，请按办事指南到窗口办理。")
    return ""


def online_application_refusal(item) -> str:
    """Why `item` takes no online application now, or "" when it does."""
    schema = ItemForm.objects.filter(item=item).values_list("schema", flat=True).first()
    return _refusal(item, schema)


def online_application_open(items: Sequence) -> set[int]:
    """The pks of the items that take online applications (one query for the batch)."""
    candidates = [
        i for i in items if i.status == ItemStatus.PUBLISHED and i.online_depth >= OnlineDepth.RECEIVE
    ]
    if not candidates:
        return set()
    schemas = dict(
        ItemForm.objects.filter(item_id__in=[i.pk for i in candidates]).values_list("item_id", "schema")
    )
    return {i.pk for i in candidates if not _refusal(i, schemas.get(i.pk))}


def apply_online_capabilities(items: Sequence) -> dict[int, Capability]:
    """The guide's 网上办理 entry for each item that takes online applications."""
    by_pk = {i.pk: i for i in items}
    return {
        pk: Capability(
            code=CapabilityCode.APPLY_ONLINE,
            label=CapabilityCode.APPLY_ONLINE.label,
            url=reverse("cases:apply", kwargs={"code": by_pk[pk].code}),
            detail=_("网上填写申请表、上传材料并提交，凭办件编号和查询码查询进度。"),
        )
        for pk in online_application_open(items)
    }
