"""`tongban identity_audit`: list the stored ID numbers and credit codes that fail validation.

WHY: until issue 12 the GB 11643 check digit was computed from the wrong digits, so registration refused
valid numbers and accepted mistyped ones. A database from that time may hold numbers that are now refused
wherever they are read again (a pre-filled application form, an admin edit). This command only reads and
reports, masked, so that the centre can ask the people concerned to correct them; it changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from tongban.accounts.models import Applicant
from tongban.common.validators import mask_id_number, validate_credit_code, validate_id_number
from tongban.organisations.models import Department

CHECKS = (
    (Applicant, "id_number", validate_id_number, "申请人身份证号码"),
    (Applicant, "contact_id_number", validate_id_number, "联系人身份证号码"),
    (Applicant, "credit_code", validate_credit_code, "申请人统一社会信用代码"),
    (Department, "credit_code", validate_credit_code, "部门统一社会信用代码"),
)


def invalid_numbers() -> list[tuple[str, int, str, str, str]]:
    """(what, row id, name, masked number, reason) of every stored number that fails validation."""
    found = []
    for model, field, validate, label in CHECKS:
        rows = model.objects.exclude(**{field: ""}).values_list("pk", "name", field).order_by("pk")
        for pk, name, number in rows.iterator():
            try:
                validate(number)
            except ValidationError as exc:
                found.append((label, pk, name, mask_id_number(number), exc.messages[0]))
    return found


class Command(BaseCommand):
    help = "列出库中未通过校验的身份证号码和统一社会信用代码（只读，号码脱敏显示）。"

    def handle(self, *args, **options):
        found = invalid_numbers()
        for label, pk, name, masked, reason in found:
            self.stdout.write(f"{label}\t#{pk}\t{name}\t{masked}\t{reason}")
        style = self.style.WARNING if found else self.style.SUCCESS
        self.stdout.write(style(f"未通过校验的号码：{len(found)} 个。"))
