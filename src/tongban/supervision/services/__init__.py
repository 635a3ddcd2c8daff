"""Writes of supervision (DESIGN rule 1). Other apps call the deadline_* functions (cases: its watches.py)."""

from .card_rules import card_rule_create, card_rule_update
from .cards import card_appeal, card_appeal_decide, card_issue
from .deadlines import (
    deadline_close,
    deadline_open,
    deadline_pause,
    deadline_resume,
    deadline_update,
    deadlines_recompute,
    reminder_send,
    warning_policy_save,
)
from .directives import directive_close, directive_issue, directive_reissue, directive_respond
from .sweep import SweepResult, warning_events_dispatch, warning_sweep

__all__ = [
    "SweepResult",
    "card_appeal",
    "card_appeal_decide",
    "card_issue",
    "card_rule_create",
    "card_rule_update",
    "deadline_close",
    "deadline_open",
    "deadline_pause",
    "deadline_resume",
    "deadline_update",
    "deadlines_recompute",
    "directive_close",
    "directive_issue",
    "directive_reissue",
    "directive_respond",
    "reminder_send",
    "warning_events_dispatch",
    "warning_policy_save",
    "warning_sweep",
]
