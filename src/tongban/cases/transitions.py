"""The case state machine, written once: every service checks its move against this table.

An action maps each state it may start from to the state it leads to. A state missing from an action's
row means the action is illegal there, and `target_state` raises IllegalTransition with a Chinese
reason naming the action and the current state (common.workflow.Transitions). The table is also the
documentation (docs/case-lifecycle.md draws it).
"""

from __future__ import annotations

from tongban.common.workflow import Transitions

from .choices import CaseStatus as S

# action -> {from_state: to_state}
TRANSITIONS: dict[str, dict[str, str]] = {
    "save_draft": {S.DRAFT: S.DRAFT},
    "submit": {S.DRAFT: S.SUBMITTED},
    "accept": {S.SUBMITTED: S.IN_REVIEW},
    "refuse": {S.SUBMITTED: S.REFUSED},
    "request_correction": {
        S.SUBMITTED: S.CORRECTION,
        S.IN_REVIEW: S.SUPPLEMENTING,
        S.RETURNED: S.SUPPLEMENTING,
    },
    "resubmit": {S.CORRECTION: S.SUBMITTED, S.SUPPLEMENTING: S.IN_REVIEW},
    "complete_step": {S.IN_REVIEW: S.IN_REVIEW},
    "return_to_intake": {S.IN_REVIEW: S.RETURNED},
    "decide": {S.IN_REVIEW: S.CONCLUDED},
    "pause": {S.IN_REVIEW: S.IN_REVIEW},
    "resume": {S.IN_REVIEW: S.IN_REVIEW},
    "extend": {S.IN_REVIEW: S.IN_REVIEW, S.SUPPLEMENTING: S.SUPPLEMENTING, S.RETURNED: S.RETURNED},
    "issue": {S.CONCLUDED: S.CLOSED},
    "handle_immediately": {S.SUBMITTED: S.CLOSED},
    "withdraw": {
        S.DRAFT: S.WITHDRAWN,
        S.SUBMITTED: S.WITHDRAWN,
        S.CORRECTION: S.WITHDRAWN,
        S.IN_REVIEW: S.WITHDRAWN,
        S.SUPPLEMENTING: S.WITHDRAWN,
        S.RETURNED: S.WITHDRAWN,
    },
    "flag_intake_overdue": {S.SUBMITTED: S.SUBMITTED},
    "record_visit": {s: s for s in S.values if s not in (S.DRAFT, S.WITHDRAWN)},
    "upload_material": {
        S.DRAFT: S.DRAFT,
        S.CORRECTION: S.CORRECTION,
        S.SUPPLEMENTING: S.SUPPLEMENTING,
        S.SUBMITTED: S.SUBMITTED,
    },
    # 登记收费: from acceptance until after issuance (fees are often paid at pickup; 即办件 close at once).
    "record_fee": {s: s for s in (*S.handling(), *S.concluded())},
}

ACTION_LABELS: dict[str, str] = {
    "save_draft": "保存草稿",
    "submit": "提交申请",
    "accept": "受理",
    "refuse": "不予受理",
    "request_correction": "一次性告知补正",
    "resubmit": "补正提交",
    "complete_step": "办理环节",
    "return_to_intake": "退回窗口",
    "decide": "作出审批决定",
    "pause": "启动特别程序",
    "resume": "恢复计时",
    "extend": "延期",
    "issue": "出件",
    "handle_immediately": "即办",
    "withdraw": "撤回",
    "flag_intake_overdue": "标记受理超期",
    "record_visit": "登记到场",
    "upload_material": "上传材料",
    "record_fee": "登记收费",
}


CASE = Transitions(
    TRANSITIONS, labels=ACTION_LABELS, states=S, refusal="办件当前状态为“{state}”，不能{action}。"
)

#: The actions possible from a status (for buttons and the API's links).
allowed_actions = CASE.allowed
#: The state an action leads to from a status, or IllegalTransition with the reason in Chinese.
target_state = CASE.target
