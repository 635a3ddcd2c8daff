"""What happens next, in plain words and with a date, for the applicant and the public tracking page.

Why: after submitting, and on tracking, a citizen saw a status label ("待受理", "审查中") and a table of
internal steps, but not what comes next, who does it, or by when. `next_step` answers that for every
state, from the case's stored dates (the 5-working-day intake deadline, the correction deadline, the
promised due date): the same sentence on the case page, the receipt, /track/ and the tracking API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import CaseChannel, CaseStatus, Decision, IssuanceMethod, PauseKind


@dataclass(frozen=True)
class NextStep:
    """`text`: one or two sentences; `by`: the date it happens by (None when no date applies);
    `actor`: who acts next — "applicant", "office" (the centre or department) or "" (nothing more)."""

    text: str
    by: dt.date | None = None
    actor: str = ""
    provisional: bool = False  # `by` computed on a provisional calendar year (暂定)

    def as_dict(self) -> dict:
        return {
            "text": self.text,
            "by": self.by.isoformat() if self.by else None,
            "actor": self.actor,
            "provisional": self.provisional,
        }


def chinese_day(day: dt.date) -> str:
    """2026年3月9日 (no leading zeros), as dates are written to people."""
    return f"{day.year}年{day.month}月{day.day}日"


def _by(day: dt.date | None, provisional: bool = False) -> str:
    if not day:
        return _("尽快")
    text = chinese_day(day) + (_("（暂定）") if provisional else "")
    return _("%(day)s前") % {"day": text}


def next_step(case, *, clock=None, deficient: list[str] | None = None) -> NextStep:
    """The next step of `case` (selectors.case_clock's `clock` for the pause; `deficient`: the names of
    the materials to correct, when the caller has them)."""
    status = case.status
    department = case.item.department.name
    if status == CaseStatus.DRAFT:
        return NextStep(
            _("草稿尚未提交：填好申请表、上传必需材料后点击“提交申请”，提交后才会进入受理。"),
            None,
            "applicant",
        )
    if status == CaseStatus.SUBMITTED:
        where = (
            _("窗口工作人员将审核您网上提交的申请和材料")
            if case.channel == CaseChannel.ONLINE
            else _("窗口工作人员将审核您的申请和材料")
        )
        return NextStep(
            _(
                "%(where)s，在%(by)s决定是否受理；需要补正的，会一次性告诉您全部需要补正的内容。结果会通过消息通知您。"
            )
            % {"where": where, "by": _by(case.intake_due, case.intake_due_provisional)},
            case.intake_due,
            "office",
            case.intake_due_provisional,
        )
    if status in (CaseStatus.CORRECTION, CaseStatus.SUPPLEMENTING):
        what = "、".join(deficient) if deficient else _("补正告知书所列材料")
        after = (
            _("补正期间暂停计时，提交后继续审查。")
            if status == CaseStatus.SUPPLEMENTING
            else _("提交后，窗口将重新审核并决定是否受理。")
        )
        return NextStep(
            _("需要您补正：请在%(by)s上传%(what)s并提交补正。%(after)s")
            % {"by": _by(case.correction_due, case.correction_due_provisional), "what": what, "after": after},
            case.correction_due,
            "applicant",
            case.correction_due_provisional,
        )
    if status in (CaseStatus.IN_REVIEW, CaseStatus.RETURNED):
        if clock is not None and clock.is_paused and clock.pause_kind == PauseKind.SPECIAL:
            return NextStep(
                _(
                    "正在进行特别程序（如听证、检验、专家评审），所需时间不计入办理时限；程序结束后继续审查，届时会通知您新的办结期限。"
                ),
                None,
                "office",
            )
        return NextStep(
            _("%(department)s正在审查，将在%(by)s作出决定，决定后会通知您。")
            % {"department": department, "by": _by(case.due_date, case.due_provisional)},
            case.due_date,
            "office",
            case.due_provisional,
        )
    if status == CaseStatus.CONCLUDED:
        if case.decision == Decision.DENIED:
            return NextStep(
                _(
                    "已作出不予许可的决定，理由见决定书。如不服，可以自知道该决定之日起六十日内申请行政复议，或者六个月内提起行政诉讼。决定书可登录“我的办件”下载，也可到窗口领取。"
                ),
                None,
                "applicant",
            )
        where = case.intake_hall.name if case.intake_hall_id else (case.item.place or _("政务服务中心"))
        return NextStep(
            _(
                "已作出准予决定。请携带身份证件到%(where)s出件窗口领取办理结果；约定邮寄或电子送达的，送达后会通知您。"
            )
            % {"where": where},
            None,
            "applicant",
        )
    if status == CaseStatus.CLOSED:
        how = {
            IssuanceMethod.PICKUP: _("在窗口领取"),
            IssuanceMethod.POST: _("邮寄送达"),
            IssuanceMethod.ELECTRONIC: _("电子送达"),
        }.get(case.issuance_method, _("送达"))
        return NextStep(_("办件已办结，办理结果已%(how)s，无需再做什么。") % {"how": how}, None, "")
    if status == CaseStatus.REFUSED:
        reason = case.refusal_reason.rstrip("。") if case.refusal_reason else ""
        text = _("不予受理") + (f"：{reason}。" if reason else "。")
        if case.refer_to:
            text += _("请向%(body)s申请。") % {"body": case.refer_to}
        return NextStep(text, None, "")
    if status == CaseStatus.WITHDRAWN:
        return NextStep(_("申请已撤回，不再办理。如仍需办理，请重新申请。"), None, "")
    return NextStep("", None, "")
