"""Reads of analytics: performance figures by dimension, anomalies, the supervision screen.

Every figure is one SQL aggregate over stored, indexed columns of `CaseFact` (DESIGN rule 5), scoped
with `.visible_to(user)`. Definitions are in docs/performance.md; the code follows them word for word.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from tongban.cases.choices import CaseChannel
from tongban.catalogue.models import ServiceItem
from tongban.common.errors import ValidationFailed
from tongban.organisations.models import Department, Window
from tongban.supervision.models import Directive

from .choices import AnomalyKind, Dimension
from .models import Anomaly, CaseFact, MonthlyReport

if TYPE_CHECKING:
    from tongban.common.types import AnyUser

MAX_DAYS = 731


@dataclass
class PerformanceRow:
    """One line of the performance table. Rates are fractions in [0, 1], None when undefined (0/0)."""

    key: object
    label: str
    received: int = 0
    accepted: int = 0
    refused: int = 0
    concluded: int = 0
    on_time: int = 0
    early: int = 0
    used_days_sum: int = 0
    promised_days_sum: int = 0
    online: int = 0
    visits_sum: int = 0
    one_visit: int = 0
    corrected: int = 0
    extensions: int = 0
    pauses: int = 0
    directives: int | None = None
    directives_answered: int | None = None

    @staticmethod
    def _ratio(a: int, b: int | None) -> float | None:
        return None if not b else a / b

    @property
    def on_time_rate(self) -> float | None:
        return self._ratio(self.on_time, self.concluded)

    @property
    def early_rate(self) -> float | None:
        return self._ratio(self.early, self.concluded)

    @property
    def avg_used_days(self) -> float | None:
        return self._ratio(self.used_days_sum, self.concluded)

    @property
    def avg_promised_days(self) -> float | None:
        return self._ratio(self.promised_days_sum, self.concluded)

    @property
    def online_rate(self) -> float | None:
        return self._ratio(self.online, self.received)

    @property
    def avg_visits(self) -> float | None:
        return self._ratio(self.visits_sum, self.concluded)

    @property
    def one_visit_rate(self) -> float | None:
        return self._ratio(self.one_visit, self.concluded)

    @property
    def correction_rate(self) -> float | None:
        return self._ratio(self.corrected, self.concluded)

    @property
    def directive_response_rate(self) -> float | None:
        return self._ratio(self.directives_answered or 0, self.directives)


# (attribute, column title) in table order; the XLSX export and the PDF report use the same list.
COLUMNS: list[tuple[str, str]] = [
    ("received", "收件"),
    ("accepted", "受理"),
    ("refused", "不予受理"),
    ("concluded", "办结"),
    ("on_time_rate", "按时办结率"),
    ("early_rate", "提前办结率"),
    ("avg_used_days", "平均用时（工作日）"),
    ("avg_promised_days", "平均承诺时限（工作日）"),
    ("online_rate", "网办率"),
    ("avg_visits", "平均跑动次数"),
    ("one_visit_rate", "最多跑一次率"),
    ("correction_rate", "补正率"),
    ("extensions", "延期次数"),
    ("pauses", "暂停计时次数"),
    ("directive_response_rate", "督办按时反馈率"),
]
# What each figure counts, in the words shown under the table, in the XLSX's 说明 sheet and in the
# monthly report (docs/performance.md says the same for developers). Period = the chosen date range.
DEFINITIONS: dict[str, str] = {
    "received": "区间内提交（网上申报或窗口登记）的办件数。",
    "accepted": "受理日期在区间内的办件数。",
    "refused": "区间内作出不予受理决定的办件数。",
    "concluded": "办结日期在区间内的办件数；除网办率外，各比率都以它为分母。",
    "on_time_rate": "办结日期不晚于办结期限（已计入暂停计时和延期）的办件占办结数的比例。",
    "early_rate": "早于办结期限办结的办件占办结数的比例。",
    "avg_used_days": "受理次日至办结日的工作日数，扣除暂停计时的天数，取平均。",
    "avg_promised_days": "受理次日至办结期限的工作日数（含延期），取平均。",
    "online_rate": "网上申报的收件占收件数的比例。",
    "avg_visits": "办结办件的申请人到场次数（跑动次数）的平均值。",
    "one_visit_rate": "到场不超过一次的办结办件占办结数的比例。",
    "correction_rate": "办理中曾被要求补齐补正的办结办件占办结数的比例。",
    "extensions": "区间内办结的办件的延期次数。",
    "pauses": "区间内办结的办件的暂停计时次数。",
    "directive_response_rate": "区间内下发的督办单中按期反馈的比例（仅按部门统计）。",
}
RATE_NOTE = "分母为 0 时比率显示为“—”。数据由后台定时汇总，通常滞后几分钟。"

RATE_COLUMNS = frozenset(
    {
        "on_time_rate",
        "early_rate",
        "online_rate",
        "one_visit_rate",
        "correction_rate",
        "directive_response_rate",
    }
)
SORT_KEYS = frozenset({"label"} | {c for c, _ in COLUMNS})


@dataclass
class Performance:
    dimension: str
    date_from: dt.date
    date_to: dt.date
    rows: list[PerformanceRow]
    total: PerformanceRow
    sort: str = ""
    notes: list[str] = field(default_factory=list)


def month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month containing `month`."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


# What each figure counts, by the date that puts a case into the period: every figure counts the facts
# whose OWN date is in the period, so each part is one GROUP BY over one date range — read through that
# date's index — rather than one pass over the OR of four date ranges. The parts are added up per group.
# Counting department_id (never NULL, so the same as COUNT(*)) rather than the key keeps every column
# read inside the covering indexes: index-only scans.
def _parts() -> list[tuple[str, dict]]:
    return [
        (
            "received_on",
            {
                "received": Count("department"),
                "online": Count("department", filter=Q(channel=CaseChannel.ONLINE)),
            },
        ),
        ("accepted_on", {"accepted": Count("department")}),
        ("refused_on", {"refused": Count("department")}),
        (
            "concluded_on",
            {
                "concluded": Count("department"),
                "on_time": Count("department", filter=Q(on_time=True)),
                "early": Count("department", filter=Q(early=True)),
                "used_days_sum": Sum("used_days"),
                "promised_days_sum": Sum("promised_days"),
                "visits_sum": Sum("visits"),
                "one_visit": Count("department", filter=Q(visits__lte=1)),
                "corrected": Count("department", filter=Q(corrections__gt=0)),
                "extensions": Sum("extensions"),
                "pauses": Sum("pauses"),
            },
        ),
    ]


FIGURES = [name for _, aggregates in _parts() for name in aggregates]


def _grouped(facts: QuerySet, group: str, date_from: dt.date, date_to: dt.date) -> dict:
    """{group value: {figure: value}} over [date_from, date_to]; `group` is a CaseFact column, or
    "month" for the first day of the month of each figure's own date. Four queries."""
    span = (date_from, date_to)
    result: dict = defaultdict(dict)
    for date_field, aggregates in _parts():
        qs = facts.filter(**{f"{date_field}__range": span})
        key = group
        if group == "month":
            key = "month_start"
            qs = qs.annotate(month_start=TruncMonth(date_field))
        for values in qs.values(key).annotate(**aggregates).order_by():
            result[values.pop(key)].update(values)
    return result


def _total(rows: list[PerformanceRow]) -> PerformanceRow:
    """The 合计 line: every case in the period falls in exactly one row, so the figures add up."""
    return PerformanceRow(key="total", label="合计", **{f: sum(getattr(r, f) for r in rows) for f in FIGURES})


def _row(key, label, values: dict) -> PerformanceRow:
    return PerformanceRow(key=key, label=label, **{k: (v or 0) for k, v in values.items()})


def _directive_counts(
    user: AnyUser | None, date_from: dt.date, date_to: dt.date, everything: bool = False
) -> dict[int, tuple[int, int]]:
    """Per department: directives issued in the period, and those answered by their deadline."""
    rows = (
        (Directive.objects.all() if everything else Directive.objects.visible_to(user))
        .filter(issued_on__range=(date_from, date_to))
        .values("department_id")
        .annotate(n=Count("id"), answered=Count("id", filter=Q(responded_on_time=True)))
        .order_by()
    )
    return {r["department_id"]: (r["n"], r["answered"]) for r in rows}


def _labels(dimension: str, keys: list) -> dict:
    keys = [k for k in keys if k is not None]
    if dimension == Dimension.DEPARTMENT:
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    if dimension == Dimension.ITEM:
        return {
            pk: f"{name}（{code}）"
            for pk, name, code in ServiceItem.objects.filter(pk__in=keys).values_list("pk", "name", "code")
        }
    if dimension == Dimension.WINDOW:
        return {
            pk: f"{hall} {number}号窗口"
            for pk, hall, number in Window.objects.filter(pk__in=keys).values_list(
                "pk", "hall__name", "number"
            )
        }
    if dimension == Dimension.STAFF:
        users = get_user_model().objects.filter(pk__in=keys)
        return {u.pk: (u.get_full_name() or u.get_username()) for u in users}
    return {}


def _sort(rows: list[PerformanceRow], sort: str) -> list[PerformanceRow]:
    if not sort:
        return rows
    reverse = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        raise ValidationFailed(f"排序字段“{key}”无效。", field="sort")
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    return sorted(present, key=lambda r: getattr(r, key), reverse=reverse) + missing


def performance_by(
    *,
    user: AnyUser | None,
    dimension: str,
    date_from: dt.date,
    date_to: dt.date,
    sort: str = "",
    everything: bool = False,
) -> Performance:
    """Performance figures per department, window, staff member (受理人), item or month over
    [date_from, date_to], for what `user` may see (`everything=True` only for the scheduled report, which
    runs without a user). A constant number of queries whatever the data size."""
    if dimension not in Dimension.values:
        raise ValidationFailed(f"统计维度“{dimension}”无效。", field="dimension")
    if date_to < date_from:
        raise ValidationFailed("结束日期不能早于开始日期。", field="to")
    if (date_to - date_from).days > MAX_DAYS:
        raise ValidationFailed("统计区间不能超过两年。", field="to")
    facts = CaseFact.objects.all() if everything else CaseFact.objects.visible_to(user)
    directives = _directive_counts(user, date_from, date_to, everything)
    rows: list[PerformanceRow] = []
    if dimension == Dimension.MONTH:
        by_month = _grouped(facts, "month", date_from, date_to)
        first = date_from.replace(day=1)
        while first <= date_to:
            start, end = month_range(first)
            start, end = max(start, date_from), min(end, date_to)
            row = _row(start.strftime("%Y-%m"), f"{start:%Y年%m月}", by_month.get(first, {}))
            month_directives = _directive_counts(user, start, end, everything)
            row.directives = sum(n for n, _ in month_directives.values())
            row.directives_answered = sum(a for _, a in month_directives.values())
            rows.append(row)
            first = end + dt.timedelta(days=1)
    else:
        column = {
            Dimension.DEPARTMENT: "department_id",
            Dimension.WINDOW: "window_id",
            Dimension.STAFF: "staff_id",
            Dimension.ITEM: "item_id",
        }[Dimension(dimension)]
        grouped = _grouped(facts, column, date_from, date_to)
        labels = _labels(dimension, list(grouped))
        for key in sorted(grouped, key=lambda k: (k is None, k)):
            label = labels.get(key, "（未记录）") if key is not None else "（未记录）"
            row = _row(key, label, grouped[key])
            if dimension == Dimension.DEPARTMENT:
                n, answered = directives.get(key, (0, 0))
                row.directives, row.directives_answered = n, answered
            rows.append(row)
    total = _total(rows)
    total.directives = sum(n for n, _ in directives.values())
    total.directives_answered = sum(a for _, a in directives.values())
    notes = []
    if dimension in (Dimension.WINDOW, Dimension.STAFF):
        notes.append("窗口与工作人员按受理人统计；督办反馈率只按部门统计。")
    return Performance(
        dimension=dimension,
        date_from=date_from,
        date_to=date_to,
        rows=_sort(rows, sort),
        total=total,
        sort=sort,
        notes=notes,
    )


def anomalies_list(*, user: AnyUser, kind: str = "", department_id: int | None = None) -> QuerySet[Anomaly]:
    if kind and kind not in AnomalyKind.values:
        raise ValidationFailed(f"异常类型“{kind}”无效。", field="kind")
    qs = Anomaly.objects.visible_to(user).select_related("case", "department")
    if kind:
        qs = qs.filter(kind=kind)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs


def rate_text(value: float | None) -> str:
    return "—" if value is None else f"{Decimal(value * 100).quantize(Decimal('0.1'))}%"


def report_list(*, user: AnyUser) -> QuerySet[MonthlyReport]:
    """The monthly reports the user may read (they rank departments: supervisors and administrators)."""
    return MonthlyReport.objects.visible_to(user)


def report_get(*, user: AnyUser, report_id: int) -> MonthlyReport | None:
    return report_list(user=user).filter(pk=report_id).first()
