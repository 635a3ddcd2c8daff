"""Writes of analytics: refreshing the performance facts, detecting anomalies, the monthly report.

All three are idempotent and safe to run from a periodic task as often as wanted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.common.errors import NotAllowed, ValidationFailed
from tongban.common.pdf import render_table_report
from tongban.workdays.calendar import is_workday, workday_on_or_after

from . import facts as fact_rows
from .anomalies import RULES
from .models import Anomaly, MonthlyReport
from .permissions import can_view_screen
from .selectors import (
    COLUMNS,
    DEFINITIONS,
    RATE_COLUMNS,
    month_range,
    performance_by,
    rate_text,
)

if TYPE_CHECKING:
    from tongban.common.types import User


def case_facts_refresh(*, case_ids: Sequence[int] | None = None) -> int:
    """Recompute the performance facts of the given cases, or of every case changed since the last run.
    Returns the number of fact rows written."""
    if case_ids is not None:
        return fact_rows.refresh_ids(case_ids)
    ids, mark = fact_rows.changed_case_ids()
    written = fact_rows.refresh_ids(ids)
    fact_rows.store_mark(mark)
    return written


def anomalies_detect(*, case_ids: Sequence[int] | None = None) -> int:
    """Run every anomaly rule (over the given cases, or all) and record what is new. An anomaly already
    recorded for the same kind and case is left as it was. Returns the number of new anomalies."""
    created = 0
    now = timezone.now()
    for kind, rule in RULES.items():
        found = list(rule(case_ids))
        if not found:
            continue
        known = set(
            Anomaly.objects.filter(kind=kind, case_id__in=[f[0] for f in found]).values_list(
                "case_id", flat=True
            )
        )
        new = [
            Anomaly(kind=kind, case_id=case_id, department_id=dept, evidence=evidence, detected_at=now)
            for case_id, dept, evidence in found
            if case_id not in known
        ]
        # ignore_conflicts: a detector running concurrently may have inserted the same (kind, case).
        Anomaly.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
        created += len(new)
    return created


def _report_pdf(month: dt.date) -> bytes:
    """The monthly report: departments ranked by on-time rate, then by early rate (all departments)."""
    date_from, date_to = month_range(month)
    perf = performance_by(
        user=None, dimension="department", date_from=date_from, date_to=date_to, everything=True
    )
    ranked = sorted(
        perf.rows,
        key=lambda r: (
            -(r.on_time_rate if r.on_time_rate is not None else -1),
            -(r.early_rate or 0),
            r.label,
        ),
    )
    columns = ["名次", "部门", *[title for _, title in COLUMNS]]
    rows = []
    for rank, row in enumerate(ranked, start=1):
        values = []
        for attr, _ in COLUMNS:
            value = getattr(row, attr)
            if attr in RATE_COLUMNS:
                values.append(rate_text(value))
            elif isinstance(value, float):
                values.append(f"{value:.2f}")
            else:
                values.append(value)
        rows.append([rank, row.label, *values])
    t = perf.total
    return render_table_report(
        title=f"{date_from:%Y年%m月}政务服务绩效月度通报",
        subtitle=f"统计区间：{date_from:%Y-%m-%d} 至 {date_to:%Y-%m-%d}",
        columns=columns,
        rows=rows,
        notes=[
            f"合计：收件 {t.received} 件，办结 {t.concluded} 件，"
            f"按时办结率 {rate_text(t.on_time_rate)}，"
            f"网办率 {rate_text(t.online_rate)}，最多跑一次率 {rate_text(t.one_visit_rate)}。",
            "排名依据：按时办结率由高到低，相同时按提前办结率；本月无办结的部门排在最后。",
            "按时办结率：" + DEFINITIONS["on_time_rate"],
            "最多跑一次率：" + DEFINITIONS["one_visit_rate"],
        ],
    )


@transaction.atomic
def monthly_report_generate(*, month: dt.date, actor: User | None = None) -> MonthlyReport:
    """Generate (once) the 月度通报 of `month`; asking again returns the stored report unchanged."""
    if actor is not None and not can_view_screen(actor):
        raise NotAllowed("只有监察人员和管理员可以生成月度通报。")
    first = month.replace(day=1)
    if first > timezone.localdate().replace(day=1):
        raise ValidationFailed("不能生成未来月份的月度通报。", field="month")
    existing = MonthlyReport.objects.select_for_update().filter(month=first).first()
    if existing:
        return existing
    pdf = _report_pdf(first)
    report = MonthlyReport(
        month=first, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), created_by=actor
    )
    report.file.save(f"monthly-{first:%Y-%m}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Generated concurrently by someone else: theirs stands.
        report.file.delete(save=False)
        return MonthlyReport.objects.get(month=first)
    return report


def first_workday_of_month(day: dt.date) -> dt.date:
    return workday_on_or_after(day.replace(day=1))


def monthly_report_scheduled(*, today: dt.date | None = None) -> MonthlyReport | None:
    """The task's rule: on the first working day of a month, the previous month's report (once)."""
    today = today or timezone.localdate()
    if not is_workday(today) or today != first_workday_of_month(today):
        return None
    previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return monthly_report_generate(month=previous)
