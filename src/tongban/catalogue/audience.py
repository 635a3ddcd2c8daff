"""Who an item is for (服务对象), and whether the logged-in account may apply for it in its own name.

Why: a personal account could open a 法人-only item, got its ID number put in the credit-code field and
hit a wall at submission. The guide's item page and the apply page say who the item is for before the
form, and what to do instead when the account does not fit; the cases services refuse such an
application with the same words (`mismatch_message`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.common.choices import ApplicantKind

AUDIENCE_TEXT = {
    (ApplicantKind.NATURAL,): gettext_noop("本事项仅限个人（自然人）申请。"),
    (ApplicantKind.LEGAL,): gettext_noop("本事项仅限法人（企业、事业单位、社会组织等）申请。"),
    (ApplicantKind.NATURAL, ApplicantKind.LEGAL): gettext_noop("个人和法人均可申请。"),
}
ACCOUNT_TEXT = {
    ApplicantKind.NATURAL: gettext_noop("个人账户"),
    ApplicantKind.LEGAL: gettext_noop("法人账户"),
}


@dataclass(frozen=True)
class Audience:
    """The item's applicant kinds (known ones, in ApplicantKind order) and the account looking."""

    kinds: tuple[str, ...]
    account_kind: str = ""  # the logged-in applicant's kind; "" for visitors and staff

    @property
    def text(self) -> str:
        return _(AUDIENCE_TEXT.get(self.kinds, AUDIENCE_TEXT[(ApplicantKind.NATURAL, ApplicantKind.LEGAL)]))

    @property
    def labels(self) -> list[str]:
        return [ApplicantKind(k).label for k in self.kinds]

    @property
    def fits(self) -> bool:
        """Whether the account may apply in its own name (visitors and staff: not our question)."""
        return not self.account_kind or self.account_kind in self.kinds

    @property
    def needed_kind(self) -> str:
        """The kind of account to use instead, when the account does not fit."""
        return "" if self.fits else self.kinds[0]

    @property
    def account_label(self) -> str:
        return _(ACCOUNT_TEXT.get(self.account_kind, ""))

    @property
    def needed_label(self) -> str:
        return _(ACCOUNT_TEXT.get(self.needed_kind, ""))


def item_kinds(item) -> tuple[str, ...]:
    """The item's applicant kinds in a fixed order; an item with none is taken as open to both."""
    given = set(item.applicant_kinds or [])
    kinds = tuple(k for k in ApplicantKind.values if k in given)
    return kinds or tuple(ApplicantKind.values)


def item_audience(item, *, applicant=None) -> Audience:
    """The audience of `item` as seen by `applicant` (an accounts.Applicant, or None)."""
    return Audience(kinds=item_kinds(item), account_kind=getattr(applicant, "kind", "") or "")


def mismatch_message(item, applicant) -> str:
    """Why `applicant` may not apply for `item` in its own name, or "" when it may."""
    audience = item_audience(item, applicant=applicant)
    if audience.fits:
        return ""
    message = _("“%(item)s”%(rule)s%(name)s是%(kind)s，不能作为申请人。") % {
        "item": item.name,
        "rule": audience.text.rstrip("。") + "，",
        "name": applicant.name,
        "kind": ApplicantKind(applicant.kind).label,
    }
    if audience.needed_kind == ApplicantKind.LEGAL:
        return message + _("请使用单位的法人账户登录办理，或作为代办人为已注册的单位申报。")
    return message + _("请使用个人账户登录办理，或由代办人为申请人申报。")
