"""The state machines of the hall, declared once (common.workflow.Transitions): tickets and appointments.

An action maps each state it may start from to the state it leads to; any other move is refused with a
Chinese reason (409 illegal_transition)."""

from __future__ import annotations

from tongban.common.workflow import Transitions

from .choices import AppointmentStatus as A
from .choices import TicketStatus as S

TICKET = Transitions(
    {
        "call": {S.WAITING: S.CALLED},
        "recall": {S.CALLED: S.CALLED},
        "start": {S.CALLED: S.SERVING},
        "finish": {S.SERVING: S.DONE},
        "no_show": {S.CALLED: S.NO_SHOW},
        "transfer": {S.CALLED: S.TRANSFERRED, S.SERVING: S.TRANSFERRED},
        "leave": {S.WAITING: S.LEFT, S.CALLED: S.LEFT},
        "link_case": {S.CALLED: S.CALLED, S.SERVING: S.SERVING, S.DONE: S.DONE},
    },
    labels={
        "call": "叫号",
        "recall": "重呼",
        "start": "开始办理",
        "finish": "完成",
        "no_show": "标记未到",
        "transfer": "转移",
        "leave": "标记离开",
        "link_case": "关联办件",
    },
    states=S,
    refusal="号票 {subject.number} 当前为“{state}”，不能{action}。",
)

APPOINTMENT = Transitions(
    {
        "cancel": {A.BOOKED: A.CANCELLED},
        "check_in": {A.BOOKED: A.CHECKED_IN},
        "no_show": {A.BOOKED: A.NO_SHOW},
    },
    labels={"cancel": "取消", "check_in": "签到", "no_show": "标记爽约"},
    states=A,
    refusal="该预约当前为“{state}”，不能{action}。",
)
