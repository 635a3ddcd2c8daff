"""The state machines of supervision, declared once (common.workflow.Transitions): directives and cards.

An action maps each state it may start from to the state it leads to; any other move is refused with a
Chinese reason (409 illegal_transition)."""

from __future__ import annotations

from tongban.common.workflow import Transitions

from .choices import CardStatus as C
from .choices import DirectiveStatus as D

DIRECTIVE = Transitions(
    {
        "respond": {D.ISSUED: D.RESPONDED},
        "close": {D.ISSUED: D.CLOSED, D.RESPONDED: D.CLOSED},
        "reissue": {D.ISSUED: D.REISSUED, D.RESPONDED: D.REISSUED},
    },
    labels={"respond": "反馈", "close": "办结", "reissue": "重新督办"},
    states=D,
    refusal="督办单当前状态为“{state}”，不能{action}。",
)

# The label completes the refusal: "该牌当前状态为“有效”，没有待处理的申诉。"
CARD = Transitions(
    {
        "appeal": {C.ACTIVE: C.APPEALED},
        "accept_appeal": {C.APPEALED: C.REVOKED},
        "reject_appeal": {C.APPEALED: C.UPHELD},
    },
    labels={"appeal": "不能申诉", "accept_appeal": "没有待处理的申诉", "reject_appeal": "没有待处理的申诉"},
    states=C,
    refusal="该牌当前状态为“{state}”，{action}。",
)
