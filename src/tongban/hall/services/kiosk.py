"""Kiosk sessions: one row per use of a terminal, from the first touch until it returns home.

The kiosk never logs anybody in and keeps nothing about the person: the session holds only what was done
(action names and numbers such as the ticket taken), so a later rating can attach to "a kiosk session".
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from tongban.common.errors import NotFound, ValidationFailed
from tongban.organisations.models import ServiceHall

from .. import conf
from ..choices import KioskEndReason, TicketSource
from ..models import KioskSession, Ticket

KIOSK_ACTIONS = {"guide", "guide_item", "track", "ticket", "check_in", "print_ticket", "print_document"}
MAX_ACTIONS = 200


def kiosk_session_start(*, hall_id: int, terminal: str = "") -> KioskSession:
    if not ServiceHall.objects.filter(pk=hall_id, is_active=True).exists():
        raise NotFound("大厅不存在或已停用。")
    now = timezone.now()
    return KioskSession.objects.create(
        hall_id=hall_id, terminal=terminal[:32], started_at=now, last_activity_at=now
    )


def _parse(token) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(token))
    except (TypeError, ValueError):
        return None


def kiosk_session_continue(*, hall_id: int, token: str | None, action: str, detail: str = "") -> KioskSession:
    """The session a kiosk page belongs to, with `action` appended; a new one when the token is missing,
    unknown, ended or idle longer than the idle limit (the person has gone: start afresh)."""
    if action not in KIOSK_ACTIONS:
        raise ValidationFailed("未知的自助终端操作。", field="action")
    with transaction.atomic():
        parsed = _parse(token)
        session = (
            KioskSession.objects.select_for_update().filter(token=parsed, hall_id=hall_id).first()
            if parsed
            else None
        )
        now = timezone.now()
        if session is not None and session.ended_at is None:
            idle = (now - session.last_activity_at).total_seconds()
            if idle > conf.kiosk_idle_seconds() * 2:
                _end(session, KioskEndReason.EXPIRED, at=session.last_activity_at)
                session = None
        elif session is not None:
            session = None
        if session is None:
            session = kiosk_session_start(hall_id=hall_id)
        if len(session.actions) < MAX_ACTIONS:
            session.actions = [
                *session.actions,
                {"action": action, "detail": detail[:64], "at": now.isoformat()},
            ]
        session.last_activity_at = now
        session.save(update_fields=["actions", "last_activity_at"])
        return session


def _end(session: KioskSession, reason: str, *, at=None) -> None:
    session.ended_at = at or timezone.now()
    session.end_reason = reason
    session.save(update_fields=["ended_at", "end_reason"])


def kiosk_session_end(*, token: str | None, reason: str = KioskEndReason.HOME) -> KioskSession | None:
    """Return home: the session ends (idempotent; an unknown token is ignored, nothing to forget)."""
    if reason not in KioskEndReason.values:
        reason = KioskEndReason.HOME
    parsed = _parse(token)
    if parsed is None:
        return None
    with transaction.atomic():
        session = KioskSession.objects.select_for_update().filter(token=parsed).first()
        if session is None or session.ended_at is not None:
            return session
        _end(session, reason)
        return session


def kiosk_ticket_take(*, hall_id: int, token: str | None, category_id: int) -> Ticket:
    """取号 at a kiosk: the ticket and the session's action are written together."""
    from .tickets import ticket_take

    with transaction.atomic():
        session = kiosk_session_continue(hall_id=hall_id, token=token, action="ticket")
        ticket = ticket_take(
            hall_id=hall_id, category_id=category_id, source=TicketSource.KIOSK, kiosk_session=session
        )
        _note(session, ticket.number)
        return ticket


def kiosk_check_in(*, hall_id: int, token: str | None, booking_code: str = "", id_number: str = "") -> Ticket:
    """预约签到 at a kiosk by booking code or ID number; the session records the ticket number only."""
    from .appointments import appointment_check_in

    with transaction.atomic():
        session = kiosk_session_continue(hall_id=hall_id, token=token, action="check_in")
        ticket = appointment_check_in(
            hall_id=hall_id, booking_code=booking_code, id_number=id_number, kiosk_session=session
        )
        _note(session, ticket.number)
        return ticket


def _note(session: KioskSession, detail: str) -> None:
    """Put the outcome (a ticket number, never a person) on the session's last action."""
    if session.actions:
        last = dict(session.actions[-1])
        last["detail"] = detail[:64]
        session.actions = [*session.actions[:-1], last]
        session.save(update_fields=["actions"])
