"""Anomalies (each detected exactly once, with evidence) and the monthly report (idempotent, first working
day only)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from pypdf import PdfReader

from tongban.analytics.choices import AnomalyKind
from tongban.analytics.models import Anomaly, MonthlyReport
from tongban.analytics.services import (
    anomalies_detect,
    case_facts_refresh,
    first_workday_of_month,
    monthly_report_generate,
    monthly_report_scheduled,
)
from tongban.common.errors import NotAllowed
from tongban.workdays.calendar import is_workday


def test_each_anomaly_detected_exactly_once(data):
    assert anomalies_detect() == 4
    found = {(a.kind, a.case_id): a for a in Anomaly.objects.all()}
    c = data.cases
    assert set(found) == {
        (AnomalyKind.MISSING_STEP, c["c1"].pk),  # c2 did its step; c3 and c6 have no plan snapshot
        (AnomalyKind.EXTRA_VISITS, c["c3"].pk),
        (AnomalyKind.REPEATED_CORRECTION, c["c3"].pk),
        (AnomalyKind.RETURNED_REPEATEDLY, c["c5"].pk),
    }
    assert found[(AnomalyKind.EXTRA_VISITS, c["c3"].pk)].evidence == {"visits": 3, "visits_required": 1}
    assert found[(AnomalyKind.REPEATED_CORRECTION, c["c3"].pk)].evidence["notices"] == 2
    assert found[(AnomalyKind.RETURNED_REPEATEDLY, c["c5"].pk)].evidence["returns"] == 3
    assert found[(AnomalyKind.MISSING_STEP, c["c1"].pk)].evidence["missing"][0]["step"] == "审查决定"
    assert found[(AnomalyKind.MISSING_STEP, c["c1"].pk)].department_id == data.dept_a.pk
    # Again, over everything or over some cases: nothing new, nothing changed.
    assert anomalies_detect() == 0
    assert anomalies_detect(case_ids=[c["c3"].pk]) == 0
    assert Anomaly.objects.count() == 4


def test_anomalies_scoped(data):
    anomalies_detect()
    assert Anomaly.objects.visible_to(data.approver_b).count() == 0
    assert Anomaly.objects.visible_to(data.approver_a).count() == 4
    assert Anomaly.objects.visible_to(data.applicant_user).count() == 0  # internal, even for own cases


def test_monthly_report_idempotent(data):
    case_facts_refresh()
    first = monthly_report_generate(month=dt.date(2026, 3, 1), actor=data.supervisor)
    body = first.file.open("rb").read()
    assert hashlib.sha256(body).hexdigest() == first.sha256 and first.size == len(body)
    text = "".join(p.extract_text() for p in PdfReader(first.file.path).pages)
    assert "2026年03月" in text and "甲局" in text
    again = monthly_report_generate(month=dt.date(2026, 3, 15), actor=data.supervisor)
    assert again.pk == first.pk and MonthlyReport.objects.count() == 1
    with pytest.raises(NotAllowed):
        monthly_report_generate(month=dt.date(2026, 2, 1), actor=data.approver_a)
    assert MonthlyReport.objects.count() == 1


def test_monthly_report_only_on_first_working_day(data):
    assert monthly_report_scheduled(today=dt.date(2026, 4, 2)) is None
    assert MonthlyReport.objects.count() == 0
    report = monthly_report_scheduled(today=dt.date(2026, 4, 1))
    assert report.month == dt.date(2026, 3, 1)
    assert monthly_report_scheduled(today=dt.date(2026, 4, 1)).pk == report.pk
    may_first = first_workday_of_month(dt.date(2026, 5, 1))
    if not is_workday(dt.date(2026, 5, 1)):
        assert monthly_report_scheduled(today=dt.date(2026, 5, 1)) is None
    assert monthly_report_scheduled(today=may_first).month == dt.date(2026, 4, 1)
    assert MonthlyReport.objects.count() == 2
