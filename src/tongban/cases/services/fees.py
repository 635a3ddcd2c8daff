"""Writes of the fee actually charged on a case (实收费用, issue 4 point 5).

The catalogue says what an item costs (`ServiceItem.charges_fee`, `fee_amount`, `fee_description`); the
window records what it really charged, with the receipt (票据号). Nothing here refuses a fee that differs
from the catalogue: recording it truthfully is what lets analytics flag it (AnomalyKind.FEE_MISMATCH).
The catalogue's fee is not copied onto the case: `Case.item` is the fixed item version the case was
filed under, so it is the snapshot.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from tongban.common.errors import ValidationFailed

from ..choices import CaseEventKind
from ..models import Case
from ..signals import case_fee_recorded
from ._base import event, lock_case, move, require_clerk, require_text, save_case

if TYPE_CHECKING:
    from tongban.common.types import User

MAX_FEE = Decimal("9999999999.99")  # Case.fee_charged: 12 digits, 2 decimals
RECEIPT_MAX = 64
FEE_FIELDS = ("fee_charged", "fee_receipt_number", "fee_recorded_at", "fee_recorded_by")


def fee_amount_parse(value) -> Decimal:
    """The amount as typed (yuan): a finite number ≥ 0 with at most two decimals (fen), or
    ValidationFailed naming 实收金额 (field "amount")."""
    text = str(value if value is not None else "").strip().replace(",", "").replace("，", "")
    if text.endswith("元"):
        text = text[:-1].strip()
    if not text:
        raise ValidationFailed("请填写实收金额（元），不收费请填 0。", field="amount")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed("实收金额应为数字（元），例如 50 或 50.00。", field="amount") from None
    if not amount.is_finite():
        raise ValidationFailed("实收金额应为数字（元），例如 50 或 50.00。", field="amount")
    if amount < 0:
        raise ValidationFailed("实收金额不能为负数。", field="amount")
    if amount > MAX_FEE:  # before quantize, which cannot take a number this large
        raise ValidationFailed("实收金额过大，请核对。", field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("实收金额最多保留两位小数（精确到分）。", field="amount")
    return amount.quantize(Decimal("0.01"))


def _receipt(value: str, *, amount: Decimal) -> str:
    receipt = (value or "").strip()
    if amount > 0 and not receipt:
        raise ValidationFailed("收取费用须填写票据号（财政票据或发票号码）。", field="receipt_number")
    if len(receipt) > RECEIPT_MAX:
        raise ValidationFailed(f"票据号不能超过 {RECEIPT_MAX} 个字符。", field="receipt_number")
    return receipt


def _yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else f"{amount:.2f}"


def case_fee_record(
    *,
    actor: User,
    case_id: int,
    amount,
    receipt_number: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """登记收费: a clerk of the case's hall records the amount charged (yuan, ≥ 0; 0 = charged nothing)
    and its receipt number, from acceptance until after issuance (the fee is often paid at pickup, and a
    即办件 is closed in the sitting). Recording again corrects the earlier entry and needs a reason; the
    log keeps both. The same amount and receipt twice (a double click) changes nothing."""
    with transaction.atomic():
        case = lock_case(case_id, expected_version=expected_version)
        move(case, "record_fee")
        require_clerk(actor, case)
        charged = fee_amount_parse(amount)
        receipt = _receipt(receipt_number, amount=charged)
        previous = None
        if case.fee_charged is not None:
            if case.fee_charged == charged and case.fee_receipt_number == receipt:
                return case
            reason = require_text(reason, field="reason", label="更正原因（已登记过收费）")
            previous = {"amount": _yuan(case.fee_charged), "receipt_number": case.fee_receipt_number}
        item = case.item
        case.fee_charged, case.fee_receipt_number = charged, receipt
        case.fee_recorded_at = timezone.now()
        case.fee_recorded_by = actor if getattr(actor, "pk", None) else None
        save_case(case, FEE_FIELDS)
        note = f"实收 {_yuan(charged)} 元" + (f"，票据号 {receipt}" if receipt else "")
        if previous:
            note += f"（更正：原登记 {previous['amount']} 元；原因：{reason}）"
        detail: dict[str, Any] = {
            "amount": _yuan(charged),
            "receipt_number": receipt,
            "charges_fee": item.charges_fee,
            "catalogue_fee": _yuan(item.fee_amount),
        }
        if previous:
            detail.update(previous=previous, reason=reason)
        event(case, CaseEventKind.FEE_RECORDED, actor=actor, from_status=case.status, note=note, **detail)
        # After commit: analytics checks the fee against the catalogue at once (signals.py).
        transaction.on_commit(partial(case_fee_recorded.send, sender=Case, case_id=case.pk), robust=True)
        return case
