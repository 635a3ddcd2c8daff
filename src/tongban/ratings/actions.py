"""The follow-up's actions by name, for the two endpoints that take the action from the URL
(`/ratings/followups/<id>/<action>/` on the web and in the API).

Why a table: the page's forms and the API post the same fields, and each action is one service call;
one table keeps the two from drifting (the API wrote it as an if/elif chain, the page as a dict).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import services
from .models import FollowUp

# action → call(posted fields, actor=…, followup_id=…, expected_version=…)
FOLLOWUP_ACTIONS: dict[str, Callable[..., FollowUp]] = {
    "verify": lambda d, **c: services.followup_verify(note=d.get("note", ""), **c),
    "rectify": lambda d, **c: services.followup_rectify(note=d.get("note", ""), **c),
    "callback": lambda d, **c: services.followup_callback(
        result=d.get("result", ""), note=d.get("note", ""), **c
    ),
    "claim": lambda d, **c: services.followup_claim_invalid(
        kind=d.get("kind", ""), reason=d.get("reason", ""), **c
    ),
    "accept": lambda d, **c: services.followup_claim_decide(accept=True, note=d.get("note", ""), **c),
    "reject": lambda d, **c: services.followup_claim_decide(accept=False, note=d.get("note", ""), **c),
}


def followup_act(
    action: str, data: Mapping[str, Any], *, actor, followup_id: int, expected_version: int | None
) -> FollowUp:
    """Run the named action with the posted fields (one service call); the caller has checked that
    `action` is in FOLLOWUP_ACTIONS and answers an unknown one with its own 404."""
    return FOLLOWUP_ACTIONS[action](
        data, actor=actor, followup_id=followup_id, expected_version=expected_version
    )
