"""The hall's settings, each overridable in Django settings (defaults shown in docs/hall.md)."""

from __future__ import annotations

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def no_show_limit() -> int:
    """No-shows within the window that block booking (HALL_NO_SHOW_LIMIT, default 3)."""
    return _int("HALL_NO_SHOW_LIMIT", 3)


def no_show_window_days() -> int:
    """Natural days looked back for no-shows (HALL_NO_SHOW_WINDOW_DAYS, default 30)."""
    return _int("HALL_NO_SHOW_WINDOW_DAYS", 30)


def no_show_block_days() -> int:
    """Natural days booking stays blocked after the last counted no-show (HALL_NO_SHOW_BLOCK_DAYS, 30)."""
    return _int("HALL_NO_SHOW_BLOCK_DAYS", 30)


def checkin_early_minutes() -> int:
    """How long before its slot an appointment may be checked in (HALL_CHECKIN_EARLY_MINUTES, default 60)."""
    return _int("HALL_CHECKIN_EARLY_MINUTES", 60)


def kiosk_idle_seconds() -> int:
    """Idle seconds before a kiosk page returns home and forgets the person (HALL_KIOSK_IDLE_SECONDS, 60)."""
    return _int("HALL_KIOSK_IDLE_SECONDS", 60)


def board_poll_seconds() -> int:
    """How often the display board refreshes its partial (HALL_BOARD_POLL_SECONDS, default 2)."""
    return _int("HALL_BOARD_POLL_SECONDS", 2)
