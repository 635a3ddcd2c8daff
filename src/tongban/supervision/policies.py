"""Reading the warning policies: the global row (item code "") and per-item overrides."""

from __future__ import annotations

from .cardrules import RuleBook
from .models import WarningPolicy
from .thresholds import Thresholds


def _thresholds(p: WarningPolicy) -> Thresholds:
    return Thresholds(
        yellow_days=p.yellow_days,
        yellow_percent=p.yellow_percent,
        escalate_every=p.escalate_every_days,
        max_escalation=p.max_escalation_level,
    )


class PolicyBook:
    """All policies loaded once (a small table), looked up per item code without further queries; the
    card rules ride along, loaded only when first asked (at a red crossing)."""

    def __init__(self) -> None:
        rows = {p.item_code: _thresholds(p) for p in WarningPolicy.objects.all()}
        self.default = rows.pop("", Thresholds())
        self.by_item = rows
        self.rules = RuleBook()

    def for_item(self, item_code: str | None) -> Thresholds:
        return self.by_item.get(item_code or "", self.default)


def thresholds_for(item_code: str | None) -> Thresholds:
    return PolicyBook().for_item(item_code)
