"""异常 beyond time: detection rules. Each rule is one SQL query over stored columns (or, for the
missing-step rule, over the candidate cases' steps), returning (case id, department id, evidence).

The fee rule compares the fee the window recorded (`Case.fee_charged`, cases.services.case_fee_record)
with the item version the case was filed under — that version is the catalogue as it stood for the case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.db.models import Count, F, Q

from tongban.cases.choices import CaseEventKind, CaseStatus, StepOutcome, StepStatus
from tongban.cases.models import Case, CaseEvent, Step

from .choices import AnomalyKind

Found = tuple[int, int, dict]  # case id, department id, evidence


def _cases(case_ids: Sequence[int] | None):
    qs = Case.objects.all()
    return qs.filter(pk__in=case_ids) if case_ids is not None else qs


def _events_over(case_ids, kind: str, more_than: int) -> Iterator[tuple[int, int, list]]:
    events = CaseEvent.objects.filter(kind=kind)
    if case_ids is not None:
        events = events.filter(case_id__in=case_ids)
    over = (
        events.values("case_id", "case__item__department_id")
        .annotate(n=Count("id"))
        .filter(n__gt=more_than)
        .order_by()
    )
    rows = list(over)
    times: dict[int, list[str]] = defaultdict(list)
    for case_id, at in (
        CaseEvent.objects.filter(kind=kind, case_id__in=[r["case_id"] for r in rows])
        .order_by("at", "id")
        .values_list("case_id", "at")
    ):
        times[case_id].append(at.isoformat())
    for r in rows:
        yield r["case_id"], r["case__item__department_id"], times[r["case_id"]]


def returned_repeatedly(case_ids=None) -> Iterator[Found]:
    """退回窗口 more than twice."""
    for case_id, dept, at in _events_over(case_ids, CaseEventKind.RETURNED, 2):
        yield case_id, dept, {"returns": len(at), "at": at}


def repeated_correction(case_ids=None) -> Iterator[Found]:
    """More than one correction notice (一次性告知 means one)."""
    for case_id, dept, at in _events_over(case_ids, CaseEventKind.CORRECTION_REQUESTED, 1):
        yield case_id, dept, {"notices": len(at), "at": at}


def extra_visits(case_ids=None) -> Iterator[Found]:
    """More visits than the item's 到现场次数 (两头跑)."""
    rows = (
        _cases(case_ids)
        .filter(visit_count__gt=F("item__visits_required"))
        .values_list("pk", "item__department_id", "visit_count", "item__visits_required")
    )
    for pk, dept, visits, required in rows:
        yield pk, dept, {"visits": visits, "visits_required": required}


def missing_step(case_ids=None) -> Iterator[Found]:
    """Decided or issued while a step of the snapshotted plan was never done.

    A failed review in a serial stage legitimately skips the later reviews (the process jumps to the
    decision), so after a failed step only the final stage is still required.
    """
    decided = (
        _cases(case_ids)
        .filter(Q(status__in=CaseStatus.concluded()) | Q(decision__gt=""))
        .values_list("pk", "item__department_id", "plan")
    )
    decided = list(decided)
    done: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)
    for case_id, position, dept, name, outcome in Step.objects.filter(
        case_id__in=[d[0] for d in decided], status=StepStatus.DONE
    ).values_list("case_id", "stage_position", "department_id", "name", "outcome"):
        done[case_id].append((position, dept, name, outcome))
    for pk, dept, plan in decided:
        if not plan:
            continue
        steps = done.get(pk, [])
        failed_at = min((p for p, _, _, o in steps if o == StepOutcome.FAIL), default=None)
        last = max(stage["position"] for stage in plan)
        finished = {(p, d) for p, d, _, _ in steps}
        missing = []
        for stage in plan:
            if failed_at is not None and failed_at < stage["position"] < last:
                continue
            for step in stage["steps"]:
                if (stage["position"], step["department_id"]) not in finished:
                    missing.append(
                        {"stage": stage["name"], "step": step["name"], "department": step["department"]}
                    )
        if missing:
            yield pk, dept, {"missing": missing, "done": [n for _, _, n, _ in steps]}


def fee_mismatch(case_ids=None) -> Iterator[Found]:
    """收费与事项清单不一致: a fee charged (> 0) on an item that charges none, or an amount other than the
    item version's `fee_amount`. An item that charges a fee but names no fixed amount (fee_amount 0: the
    fee follows `fee_description`, e.g. by area) has nothing to compare with and is not checked."""
    rows = (
        _cases(case_ids)
        .filter(fee_charged__isnull=False)
        .filter(
            Q(item__charges_fee=False, fee_charged__gt=0)
            | (Q(item__charges_fee=True, item__fee_amount__gt=0) & ~Q(fee_charged=F("item__fee_amount")))
        )
        .values_list(
            "pk",
            "item__department_id",
            "fee_charged",
            "fee_receipt_number",
            "item__charges_fee",
            "item__fee_amount",
            "item__fee_description",
        )
    )
    for pk, dept, charged, receipt, charges, fee, description in rows:
        catalogue = f"事项清单收费标准 {fee:.2f} 元" if charges else "事项清单为不收费"
        yield (
            pk,
            dept,
            {
                "charged": f"{charged:.2f}",
                "catalogue_fee": f"{fee:.2f}" if charges else None,
                "charges_fee": charges,
                "fee_description": description,
                "receipt_number": receipt,
                "text": f"实收 {charged:.2f} 元，{catalogue}",
            },
        )


RULES = {
    AnomalyKind.MISSING_STEP: missing_step,
    AnomalyKind.RETURNED_REPEATEDLY: returned_repeatedly,
    AnomalyKind.EXTRA_VISITS: extra_visits,
    AnomalyKind.REPEATED_CORRECTION: repeated_correction,
    AnomalyKind.FEE_MISMATCH: fee_mismatch,
}
