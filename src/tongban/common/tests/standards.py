"""Check characters computed straight from the published standards, for tests and fixtures.

Deliberately independent of ``tongban.common.validators`` (and of python-stdnum): a test that computes
its expected value with the code under test proves nothing. Each function is the standard's formula
written out, and is itself checked against the standard's printed worked examples in
``test_validators.py``.

- GB 11643-1999 (居民身份证号码), ISO 7064 MOD 11-2: the weight of the digit at 0-based position i is
  W_i = 2^(17-i) mod 11; the check value a18 satisfies (sum(a_i * W_i) + a18) ≡ 1 (mod 11), and 10 is
  written "X".
- GB 32100-2015 (统一社会信用代码): characters 0-9A-HJ-NP-RTUW-Y have the values 0–30; the weight of
  the character at 0-based position i is W_i = 3^i mod 31; C18 = 31 - (sum(C_i * W_i) mod 31), and a
  result of 31 is written "0".
"""

from __future__ import annotations

import datetime as dt

GB11643_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
GB32100_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = [3**i % 31 for i in range(17)]


def gb11643_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, GB11643_WEIGHTS, strict=True))
    value = (1 - total) % 11
    return "X" if value == 10 else str(value)


def gb32100_check(first17: str) -> str:
    total = sum(GB32100_CHARSET.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS, strict=True))
    return GB32100_CHARSET[(31 - total % 31) % 31]


def gb11643_valid(number: str) -> bool:
    """Format, a real birth date, and the check digit (the birthplace is not checked)."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return gb11643_check(number[:17]) == number[17]


def gb32100_valid(code: str) -> bool:
    return (
        len(code) == 18 and all(c in GB32100_CHARSET for c in code) and gb32100_check(code[:17]) == code[17]
    )


def id_number(n: int, *, region: str = "110105") -> str:
    """A valid resident ID number, distinct for each n (birth 1950–1999, sequence code from n)."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=n % 18000)
    first17 = f"{region}{birth:%Y%m%d}{(n // 18000) % 1000:03d}"
    return first17 + gb11643_check(first17)


def credit_code(n: int, *, prefix: str = "11", region: str = "440106") -> str:
    """A valid credit code: authority+kind, 6-digit region, 9-character body from n, check character."""
    first17 = f"{prefix}{region}{n % 10**9:09d}"
    return first17 + gb32100_check(first17)


def wrong_check(number: str) -> str:
    """The same number with a check character that is wrong — and that does not make it valid under the
    other standard either (an 18-digit string can be a valid credit code by chance, 1 in 31)."""
    for c in "1234567890":
        candidate = number[:17] + c
        if c != number[17] and not gb11643_valid(candidate) and not gb32100_valid(candidate):
            return candidate
    raise AssertionError(number)  # pragma: no cover - nine wrong digits cannot all be valid
