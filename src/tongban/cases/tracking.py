"""Public tracking (办件查询) with the guessing of query codes rate-limited.

A query code is 8 characters from a 31-letter alphabet, so guessing one online is hopeless as long as
the guesser is slowed down: after TRACKING_MAX_FAILURES failed look-ups within TRACKING_WINDOW_MINUTES,
from one client IP address OR against one case number, further look-ups are refused with 429 (even
with the right code) until the oldest failure leaves the window. Counting per number as well as per IP
stops a guesser who rotates addresses; the price is that the owner of an attacked number waits up to
the window (they can still see the case in 我的办件 when logged in).

Failures are rows of `TrackingFailure` in the shared database, not the cache: the default cache is
per process and the site runs several worker processes (see models/tracking.py). A blocked request is
not counted again, so the table holds at most (limit × keys) rows per window; older rows are pruned
when new ones are written.

The client address is REMOTE_ADDR: the reverse proxy in front of the application server must pass the
real client address there (granian/gunicorn behind nginx: set it from X-Real-IP at the proxy), never a
header the client can choose.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.common.errors import NotFound, ServiceError

from . import selectors
from .models import TrackingFailure
from .numbering import normalize_case_number

TRACKING_MAX_FAILURES = int(getattr(settings, "TRACKING_MAX_FAILURES", 10))
TRACKING_WINDOW_MINUTES = int(getattr(settings, "TRACKING_WINDOW_MINUTES", 10))


class TooManyAttempts(ServiceError):
    status = 429
    code = "rate_limited"


def _message() -> str:
    return (
        f"查询失败次数过多，请 {TRACKING_WINDOW_MINUTES} 分钟后再试。"
        "如忘记查询码，可登录“我的办件”查看或拨打 12345 咨询。"
    )


def _keys(*, ip: str, number: str) -> list[tuple[str, str]]:
    keys = [("ip", (ip or "unknown")[:64])]
    number = (number or "").strip().upper()[:64]
    if number:
        keys.append(("number", number))
    return keys


def tracking_blocked(*, ip: str, number: str) -> bool:
    """Whether this client IP or this case number has used up its failed look-ups in the window."""
    since = timezone.now() - timedelta(minutes=TRACKING_WINDOW_MINUTES)
    for scope, key in _keys(ip=ip, number=number):
        if (
            TrackingFailure.objects.filter(scope=scope, key=key, at__gt=since).count()
            >= TRACKING_MAX_FAILURES
        ):
            return True
    return False


def tracking_failure_record(*, ip: str, number: str) -> None:
    """Count one failed look-up against the IP and the number; prune rows that left the window."""
    now = timezone.now()
    with transaction.atomic():
        TrackingFailure.objects.bulk_create(
            [TrackingFailure(scope=scope, key=key, at=now) for scope, key in _keys(ip=ip, number=number)]
        )
        TrackingFailure.objects.filter(at__lte=now - timedelta(minutes=TRACKING_WINDOW_MINUTES)).delete()


def case_track(*, number: str, query_code: str, ip: str) -> dict:
    """The public status of a case (selectors.case_public_status), rate-limited.

    The number may be typed with or without dashes or spaces (numbering.normalize_case_number). Raises
    TooManyAttempts (429) when blocked, NotFound with one message for an unknown number and a wrong code
    alike (each counted as a failure).
    """
    # One key per case whatever way the number was typed (dashes, spaces, full width): varying the
    # spelling gets no extra guesses.
    number = normalize_case_number(number)
    if tracking_blocked(ip=ip, number=number):
        raise TooManyAttempts(_message())
    try:
        return selectors.case_public_status(number=number, query_code=query_code)
    except NotFound:
        tracking_failure_record(ip=ip, number=number)
        raise


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"
