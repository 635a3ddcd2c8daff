"""Validation of the identity numbers the platform lives on.

- Resident ID number (居民身份证号码, GB 11643-1999): the check digit is ISO 7064 MOD 11-2 over the first
  17 digits (``id_check_char``; stdnum's ``iso7064.mod_11_2`` — NOT ``cn.ric.calc_check_digit``, which
  wants the whole 18-character number and drops its last character: fed 17 digits it checked the wrong
  ones and refused every valid number). The birth date must exist, not be in the future and not be
  before 1900 (GB 11643's own 1880 example is refused for that reason alone); the birthplace code is
  only a *warning* (stdnum's region table is incomplete and old codes remain valid for life).
- Unified social credit code (统一社会信用代码, GB 32100-2015): implemented here, because stdnum's
  ``cn.uscc`` rejects valid codes whose first character (registration authority) is a letter such as ``Y``
  or ``N``. Charset excludes I, O, Z, S, V; weights 3^i mod 31; check = 31 - (sum mod 31), 31 → 0.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric
from stdnum.iso7064 import mod_11_2

from .choices import ApplicantKind
from .errors import ValidationFailed

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
# First character: 登记管理部门代码 (GB 32100 table 1).
USCC_AUTHORITIES = set("123456789ANY")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_id_number(value: str) -> str:
    """Return the normalised resident ID number or raise ValidationError with a Chinese message."""
    number = normalize_id_number(value)
    if not number:
        raise ValidationError("请填写身份证号码。", code="required")
    if not ID_NUMBER_RE.fullmatch(number):
        raise ValidationError("身份证号码应为 18 位，前 17 位为数字，最后一位为数字或 X。", code="format")
    try:
        birth = ric.get_birth_date(number)
    except (stdnum_exc.ValidationError, ValueError):
        raise ValidationError("身份证号码中的出生日期无效。", code="birth_date") from None
    if birth > timezone.localdate() or birth < EARLIEST_BIRTH:
        raise ValidationError("身份证号码中的出生日期不在合理范围内。", code="birth_date")
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号码校验位不正确，请核对后重新输入。", code="checksum")
    return number


def require_id_number(value: str, *, field: str, whose: str) -> str:
    """For services: the normalised ID number of a named person ("领取人", "代办人"), or ValidationFailed
    naming the field and the reason, e.g. "领取人身份证号码校验位不正确，请核对后重新输入。"."""
    try:
        return validate_id_number(value)
    except ValidationError as exc:
        message = exc.messages[0].replace("身份证号码", f"{whose}身份证号码", 1)
        raise ValidationFailed(message, field=field) from None


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2, 'X' for 10) of the first 17 digits."""
    return mod_11_2.calc_check_digit(first17)


def id_number_warnings(value: str) -> list[str]:
    """Soft checks: an unknown birthplace code is possible (abolished divisions) but worth a look."""
    number = normalize_id_number(value)
    try:
        ric.get_birth_place(number)
    except stdnum_exc.InvalidComponent:
        return ["身份证号码的出生地代码不在现行行政区划代码表中，请核对（旧区划代码仍有效）。"]
    except (stdnum_exc.ValidationError, ValueError, IndexError):
        return []
    return []


def birth_date_from_id(value: str) -> dt.date:
    return ric.get_birth_date(normalize_id_number(value))


def gender_from_id(value: str) -> str:
    """'M' or 'F' from the 17th digit (odd = male)."""
    return "M" if int(normalize_id_number(value)[16]) % 2 else "F"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalised unified social credit code or raise ValidationError."""
    code = (value or "").strip().upper().replace(" ", "")
    if not code:
        raise ValidationError("请填写统一社会信用代码。", code="required")
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为 18 位。", code="length")
    bad = [c for c in code if c not in USCC_CHARSET]
    if bad:
        raise ValidationError(
            f"统一社会信用代码含有不允许的字符：{''.join(sorted(set(bad)))}（不使用 I、O、Z、S、V）。",
            code="charset",
        )
    if code[0] not in USCC_AUTHORITIES:
        raise ValidationError("统一社会信用代码第 1 位（登记管理部门代码）无效。", code="authority")
    if not code[2:8].isdigit():
        raise ValidationError("统一社会信用代码第 3–8 位应为行政区划代码（数字）。", code="region")
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对后重新输入。", code="checksum")
    return code


def validate_identity_number(value: str) -> tuple[str, str]:
    """A certificate number of either kind (check-in, filing for someone): (NATURAL, ID number) or
    (LEGAL, credit code), else ValidationError with the message of the kind it looks like."""
    number = normalize_id_number(value)
    if not number:
        raise ValidationError("请填写身份证号码或统一社会信用代码。", code="required")
    try:
        return ApplicantKind.NATURAL, validate_id_number(number)
    except ValidationError as id_error:
        try:
            return ApplicantKind.LEGAL, validate_credit_code(number)
        except ValidationError as code_error:
            raise (id_error if ID_NUMBER_RE.fullmatch(number) else code_error) from None


def validate_mobile(value: str) -> str:
    number = (value or "").strip().replace(" ", "").replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    if not MOBILE_RE.fullmatch(number):
        raise ValidationError("手机号码应为 11 位，以 1 开头。", code="mobile")
    return number


def mask_id_number(value: str) -> str:
    """4401**********123X — keep the first 4 and the last 4."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str) -> str:
    """张*明, 李*, 欧阳**锋 — keep the first and (for 3+ chars) the last character."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_mobile(value: str) -> str:
    return value[:3] + "****" + value[-4:] if value and len(value) == 11 else value
