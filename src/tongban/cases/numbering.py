"""Case numbers (办件编号) and query codes (查询码).

Number: `<6-digit region code>-<YYYYMMDD>-<6-digit daily sequence>`, e.g. 440106-20261123-000123:
readable on the phone, sortable, and it says where and when the case was filed. The sequence is a row
per (region, day) in CaseSequence, incremented under `select_for_update`, so two clerks filing at the
same moment get different numbers (the losing transaction waits for the lock instead of failing).

Query code: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), drawn with `secrets`:
31^8 ≈ 8.5 × 10^11 combinations; compared in constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import date

from django.db import IntegrityError, transaction

from .models import CaseSequence

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def query_code_matches(stored: str, given: str) -> bool:
    """Constant-time comparison, forgiving case and surrounding spaces."""
    given = (given or "").strip().upper()
    return bool(stored) and hmac.compare_digest(stored.encode(), given.encode())


def next_case_number(*, region_code: str, day: date) -> str:
    """Allocate the next number for the region and day; call inside the filing transaction."""
    prefix = (region_code or "000000")[:6].ljust(6, "0")
    try:
        with transaction.atomic():
            CaseSequence.objects.get_or_create(prefix=prefix, day=day)
    except IntegrityError:
        pass  # another transaction created the row first; lock it below
    seq = CaseSequence.objects.select_for_update().get(prefix=prefix, day=day)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{prefix}-{day:%Y%m%d}-{seq.last:06d}"
