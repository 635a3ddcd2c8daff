"""Writes of the hall (DESIGN rule 1): keyword-only, typed, one transaction each; see docs/hall.md."""

from .appointments import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_no_show_sweep,
)
from .kiosk import (
    kiosk_check_in,
    kiosk_session_continue,
    kiosk_session_end,
    kiosk_session_start,
    kiosk_ticket_take,
)
from .setup import hall_queues_setup
from .tickets import (
    TRANSITIONS,
    ticket_call_next,
    ticket_close_day_sweep,
    ticket_finish,
    ticket_issue_priority,
    ticket_leave,
    ticket_link_case,
    ticket_no_show,
    ticket_recall,
    ticket_start,
    ticket_take,
    ticket_transfer,
)

__all__ = [
    "TRANSITIONS",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_no_show_sweep",
    "hall_queues_setup",
    "kiosk_check_in",
    "kiosk_session_continue",
    "kiosk_session_end",
    "kiosk_session_start",
    "kiosk_ticket_take",
    "ticket_call_next",
    "ticket_close_day_sweep",
    "ticket_finish",
    "ticket_issue_priority",
    "ticket_leave",
    "ticket_link_case",
    "ticket_no_show",
    "ticket_recall",
    "ticket_start",
    "ticket_take",
    "ticket_transfer",
]
