"""Settings of 好差评, each overridable in Django settings (defaults listed in docs/ratings.md)."""

from __future__ import annotations

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def default_after_days() -> int:
    """Natural days until an unrated service counts as 基本满意 (RATING_DEFAULT_AFTER_DAYS, 7)."""
    return _int("RATING_DEFAULT_AFTER_DAYS", 7)


def verify_working_days() -> int:
    """Working days, from the bad rating's day, to contact the person and verify (RATING_VERIFY_DAYS, 1)."""
    return _int("RATING_VERIFY_DAYS", 1)


def rectify_working_days() -> int:
    """Working days, from the day of the bad rating, to rectify (RATING_RECTIFY_DAYS, 15)."""
    return _int("RATING_RECTIFY_DAYS", 15)


def callback_working_days() -> int:
    """Working days, from the day of rectification, to call the person back (RATING_CALLBACK_DAYS, 3)."""
    return _int("RATING_CALLBACK_DAYS", 3)


def comment_max_length() -> int:
    return _int("RATING_COMMENT_MAX_LENGTH", 500)
