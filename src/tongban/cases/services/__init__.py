"""Writes of the cases app (DESIGN rule 1): every function is keyword-only, typed and one transaction.

Each state change locks the case (`select_for_update`), checks `expected_version` when given
(Conflict "该办件已被他人处理，请刷新后重试", nothing changed), checks the move against
`transitions.TRANSITIONS` (IllegalTransition), checks who may act (NotAllowed), writes the state and
a CaseEvent, and sends notifications after commit (notifications.notify).
"""

from .fees import case_fee_record
from .intake import (
    case_accept,
    case_flag_intake_overdue_sweep,
    case_refuse,
    case_request_correction,
    case_resubmit,
    case_withdraw,
    visit_record,
)
from .process import (
    case_config_copy_to,
    form_copy_to,
    form_define,
    process_copy_to,
    process_define,
)
from .review import (
    case_decide,
    case_extend,
    case_handle_immediately,
    case_issue,
    case_pause,
    case_resume,
    step_complete,
)
from .submission import (
    case_draft_save,
    case_intake_register,
    case_material_check,
    case_material_upload,
    case_submit,
)

__all__ = [
    "case_accept",
    "case_config_copy_to",
    "case_decide",
    "case_draft_save",
    "case_extend",
    "case_fee_record",
    "case_flag_intake_overdue_sweep",
    "case_handle_immediately",
    "case_intake_register",
    "case_issue",
    "case_material_check",
    "case_material_upload",
    "case_pause",
    "case_refuse",
    "case_request_correction",
    "case_resubmit",
    "case_resume",
    "case_submit",
    "case_withdraw",
    "form_copy_to",
    "form_define",
    "process_copy_to",
    "process_define",
    "step_complete",
    "visit_record",
]
