"""The demo's back-office processes: a serial and a parallel (并联) process on two demo items.

Why here: demo data is not product code (issue 13 point 7); it is written through the cases app's
own `process_define`, like an administrator's edit in the process editor.
"""

from __future__ import annotations

from django.db.models import Q

from tongban.cases.services import process_define
from tongban.catalogue.choices import CaseKind, ItemCategory, ItemStatus
from tongban.catalogue.models import ServiceItem
from tongban.organisations.models import Department

SERIAL_CANDIDATES = ("公共场所卫生许可", "食品经营许可", "餐饮服务", "药品零售")
PARALLEL_CANDIDATES = ("建筑工程施工许可", "建设工程规划许可", "建设工程", "施工许可")
# Reviewing partners of a construction item, in order of preference; the first two found are used.
PARTNER_KEYWORDS = (("规划", "自然资源"), ("应急", "消防"), ("生态环境", "环保"), ("城市管理",), ("水务",))


def _find_item(names: tuple[str, ...], **extra) -> ServiceItem | None:
    items = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, case_kind=CaseKind.PROMISED, **extra)
    for name in names:
        item = items.filter(name__contains=name).select_related("department").order_by("code").first()
        if item is not None:
            return item
    return None


def define_demo_processes() -> dict[str, str]:
    """Give demo items a serial 2-step process and a 3-department parallel review (idempotent).

    Serial: an item such as 公共场所卫生许可 → 审查 (approver) then 审批决定 (the head). Parallel: a
    construction item such as 建筑工程施工许可 → the item's department (lead, e.g. 住建) with two of
    规划/自然资源, 应急/消防, 生态环境, 城市管理, 水务 (first two found) reviewing at the same time,
    then the lead's joint decision.
    Returns {item code: "serial"|"parallel"} for what was defined.
    """
    done: dict[str, str] = {}
    serial = _find_item(SERIAL_CANDIDATES)
    if serial is not None and serial.promised_limit >= 2:
        limit = serial.promised_limit
        decide = max(1, limit // 4)
        dept = serial.department_id
        process_define(
            item_id=serial.pk,
            name=f"{serial.name}（审查—决定）",
            stages=[
                {
                    "name": "审查",
                    "kind": "single",
                    "steps": [
                        {
                            "name": "材料审查与现场核查",
                            "department_id": dept,
                            "limit_days": limit - decide,
                            "role": "approver",
                        }
                    ],
                },
                {
                    "name": "审批决定",
                    "kind": "single",
                    "steps": [
                        {
                            "name": "负责人审批决定",
                            "department_id": dept,
                            "limit_days": decide,
                            "role": "dept_head",
                        }
                    ],
                },
            ],
        )
        done[serial.code] = "serial"
    parallel = _find_item(PARALLEL_CANDIDATES, category=ItemCategory.CONSTRUCTION) or _find_item(
        PARALLEL_CANDIDATES
    )
    if parallel is not None and parallel.promised_limit >= 2:
        partners: list[Department] = []
        for words in PARTNER_KEYWORDS:
            q = Q()
            for w in words:
                q |= Q(name__contains=w)
            dept = (
                Department.objects.filter(q, is_active=True)
                .exclude(pk=parallel.department_id)
                .exclude(pk__in=[p.pk for p in partners])
                .order_by("sort_order", "pk")
                .first()
            )
            if dept is not None:
                partners.append(dept)
        if len(partners) >= 2:
            review = parallel.promised_limit - 1
            steps = [{"name": "牵头审查", "department_id": parallel.department_id, "limit_days": review}]
            steps += [
                {"name": f"{p.short_name or p.name}审查", "department_id": p.pk, "limit_days": review}
                for p in partners[:2]
            ]
            process_define(
                item_id=parallel.pk,
                name=f"{parallel.name}（并联审批）",
                stages=[
                    {
                        "name": "并联审查",
                        "kind": "parallel",
                        "lead_department_id": parallel.department_id,
                        "joint_limit_days": 1,
                        "steps": steps,
                    },
                ],
            )
            done[parallel.code] = "parallel"
    return done
