"""Case numbers (办件编号) and query codes (查询码).

Number: `<6-digit region code>-<YYYYMMDD>-<6-digit daily sequence>`, e.g. 440106-20261123-000123:
readable on the phone, sortable, and it says where and when the case was filed. The sequence is a row
per (region, day) in CaseSequence, created or incremented by one upsert that returns the new value:
the row stays locked until the filing transaction ends, so two clerks filing at the same moment get
different numbers (the later one waits for the lock instead of failing), and a rolled-back filing
gives its number back.

Query code: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), drawn with `secrets`:
31^8 ≈ 8.5 × 10^11 combinations; compared in constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from datetime import date

from django.db import connections, router

from .models import CaseSequence

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUERY_CODE_LENGTH = 8


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def query_code_matches(stored: str, given: str) -> bool:
    """Constant-time comparison, forgiving case and surrounding spaces."""
    given = (given or "").strip().upper()
    return bool(stored) and hmac.compare_digest(stored.encode(), given.encode())


_NUMBER_SEPARATORS = re.compile(r"[\s\-_./·‐‑‒–—―]")
_NUMBER_COMPACT = re.compile(r"[0-9A-Z]{6}[0-9]{14}")


def normalize_case_number(value: str) -> str:
    """A case number as people type or read it out — with or without dashes, with spaces, full-width
    characters or lower case — in its stored form `440106-20261123-000123`. Anything that is not a case
    number comes back trimmed and upper-cased (it will simply not be found)."""
    text = unicodedata.normalize("NFKC", value or "").strip().upper()
    compact = _NUMBER_SEPARATORS.sub("", text)
    if _NUMBER_COMPACT.fullmatch(compact):
        return f"{compact[:6]}-{compact[6:14]}-{compact[14:]}"
    return text


def next_case_number(*, region_code: str, day: date) -> str:
    """Allocate the next number for the region and day; call inside the filing transaction."""
    prefix = (region_code or "000000")[:6].ljust(6, "0")
    connection = connections[router.db_for_write(CaseSequence)]
    table = connection.ops.quote_name(CaseSequence._meta.db_table)
    # One statement on PostgreSQL and SQLite (3.35+) alike, instead of get_or_create in a savepoint,
    # a locking read and an update.
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (prefix, day, "last") VALUES (%s, %s, 1) '
            f'ON CONFLICT (prefix, day) DO UPDATE SET "last" = {table}."last" + 1 RETURNING "last"',
            [prefix, connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"{prefix}-{day:%Y%m%d}-{last:06d}"
