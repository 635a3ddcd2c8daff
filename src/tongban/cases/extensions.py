"""限时办结: what the law allows an extension (延期) of a case, read by the service that grants it and by
the pages and API that offer it — one answer for both, so the UI never offers what would be refused.

行政许可法 第四十二条: a decision is due within the statutory limit (20 days); if it cannot be made in
time, the head of the body may approve ONE extension of 10 days and must tell the applicant why. Unified,
joint or concentrated processing (统一办理、联合办理、集中办理, 第二十六条): 45 days, extendable once by 15
with the approval of the government's head. Another law may set other numbers: the catalogue item carries
them (`ServiceItem.extension_max_times`, `extension_max_days`, `extension_basis`, `processing_mode`).

The hard limit: after an extension the promised deadline may not pass the statutory deadline plus the
whole legal extension (`cap`): the promise is the centre's, the statute the law's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tongban.workdays.clock import Due

from .choices import CaseStatus
from .models import Case, Extension


@dataclass(frozen=True)
class ExtensionAllowance:
    """Where a case stands against its item's extension rule."""

    max_times: int  # extensions the law allows (行政许可法: 1)
    used_times: int
    max_days: int  # days one extension may add (10 alone, 15 joint, or the item's law)
    basis: str  # the article, for messages and notices
    unit_label: str  # 工作日 / 自然日 (the statutory limit's unit)
    cap: Due | None  # statutory deadline with the whole legal extension: no promise may pass it
    reason_refused: str  # "" when an extension may be granted now

    @property
    def remaining_times(self) -> int:
        return max(0, self.max_times - self.used_times)

    @property
    def allowed(self) -> bool:
        return not self.reason_refused


def extension_allowance(case: Case, *, on: date, used_times: int | None = None) -> ExtensionAllowance:
    """The allowance of `case` on `on` (its pauses included in the cap)."""
    from .services._base import case_dues, pauses_of

    item = case.item
    if used_times is None:
        used_times = Extension.objects.filter(case=case).count()
    max_days, max_times = item.legal_extension_days, item.extension_max_times
    unit_label = item.get_statutory_limit_unit_display()
    cap = None
    reason = ""
    if case.status not in CaseStatus.handling() or not case.accepted_on:
        reason = "只有已受理、尚未作出决定的办件可以延期。"
    elif max_times == 0:
        reason = f"依照{item.extension_basis_text}，该事项的办理期限不得延长。"
    elif used_times >= max_times:
        times = "一" if max_times == 1 else str(max_times)
        reason = (
            f"该办件已延期 {used_times} 次。依照{item.extension_basis_text}，办理期限只能延长{times}次，"
            "不能再次延期。"
        )
    if case.accepted_on:
        # The statutory deadline with every extension the law allows (days already used included).
        _, cap = case_dues(case, pauses_of(case), on=on, extension_days=max_days * max_times)
    return ExtensionAllowance(
        max_times=max_times,
        used_times=used_times,
        max_days=max_days,
        basis=item.extension_basis_text,
        unit_label=unit_label,
        cap=cap,
        reason_refused=reason,
    )
