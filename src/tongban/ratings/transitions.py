"""The follow-up of a bad rating as a state machine (common.workflow.Transitions): 核实 → 整改 → 回访, in
that order; a claim decided for the department closes it from any open stage."""

from __future__ import annotations

from tongban.common.workflow import Transitions

from .choices import FollowUpStage as S

FOLLOWUP = Transitions(
    {
        "verify": {S.VERIFY: S.RECTIFY},
        "rectify": {S.RECTIFY: S.CALLBACK},
        "callback": {S.CALLBACK: S.CLOSED},
        "close_invalid": {s: S.CLOSED for s in S.open()},
    },
    labels={"verify": "核实", "rectify": "填报整改", "callback": "回访", "close_invalid": "认定无效差评"},
    states=S,
    refusal=(
        "整改单 {subject.reference} 当前为“{state}”，不能{action}（须按 核实 → 整改 → 回访 的顺序办理）。"
    ),
)
