"""Every figure of the performance table against values computed by hand (see conftest's table).

March 2026 has no holidays: working days are Monday–Friday.
- c1: used (3-02, 3-05] = 3, promised (3-02, 3-09] = 5; on time and early.
- c2: used (3-03, 3-12] = 7 − 2 paused (3-05, 3-06) = 5; promised the same 5; on time (due day), not early.
- c3: used (3-02, 3-13] = 9; promised (3-02, 3-11] = 7; late.
- c6: used (3-02, 3-09] = 5; promised 5; on time, not early.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.analytics.models import CaseFact
from tongban.analytics.selectors import performance_by
from tongban.analytics.services import case_facts_refresh
from tongban.common.errors import ValidationFailed

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _perf(user, dimension="department", **kw):
    return performance_by(user=user, dimension=dimension, date_from=MARCH[0], date_to=MARCH[1], **kw)


def test_facts_per_case(data):
    assert case_facts_refresh() == 6  # the draft has no fact
    f = {k: CaseFact.objects.get(case=c) for k, c in data.cases.items()}
    assert (f["c1"].used_days, f["c1"].promised_days, f["c1"].on_time, f["c1"].early) == (3, 5, True, True)
    assert (f["c2"].used_days, f["c2"].promised_days, f["c2"].on_time, f["c2"].early) == (5, 5, True, False)
    assert (f["c3"].used_days, f["c3"].promised_days, f["c3"].on_time, f["c3"].early) == (9, 7, False, False)
    assert (f["c6"].used_days, f["c6"].promised_days, f["c6"].on_time) == (5, 5, True)
    assert f["c4"].refused_on == dt.date(2026, 3, 5) and f["c4"].concluded_on is None
    assert (f["c2"].corrections, f["c2"].pauses, f["c3"].corrections, f["c3"].extensions) == (1, 1, 2, 1)
    assert f["c5"].returns == 3
    assert f["c1"].window_id == data.window.pk and f["c2"].window_id is None
    assert f["c6"].received_on == dt.date(2026, 2, 27)


def test_refresh_is_incremental_and_idempotent(data, clock):
    clock.shift(dt.timedelta(hours=1))
    assert case_facts_refresh() == 6
    clock.shift(dt.timedelta(hours=1))
    # Nothing changed since the last run (nor within the 5-minute overlap before it): nothing recomputed.
    assert case_facts_refresh() == 0
    data.cases["c5"].visit_count = 2
    data.cases["c5"].save()
    assert case_facts_refresh() == 1
    assert CaseFact.objects.get(case=data.cases["c5"]).visits == 2
    assert CaseFact.objects.count() == 6


def test_totals_by_hand(data):
    case_facts_refresh()
    t = _perf(data.supervisor).total
    assert (t.received, t.accepted, t.refused, t.concluded) == (5, 5, 1, 4)
    assert t.on_time_rate == 3 / 4
    assert t.early_rate == 1 / 4
    assert t.avg_used_days == (3 + 5 + 9 + 5) / 4
    assert t.avg_promised_days == (5 + 5 + 7 + 5) / 4
    assert t.online_rate == 2 / 5
    assert t.avg_visits == (1 + 0 + 3 + 1) / 4
    assert t.one_visit_rate == 3 / 4
    assert t.correction_rate == 2 / 4
    assert (t.extensions, t.pauses) == (1, 1)
    assert (t.directives, t.directives_answered, t.directive_response_rate) == (2, 1, 1 / 2)


def test_by_department(data):
    case_facts_refresh()
    rows = {r.label: r for r in _perf(data.supervisor).rows}
    a, b = rows["甲局"], rows["乙局"]
    assert (a.received, a.accepted, a.refused, a.concluded) == (4, 5, 0, 4)
    assert a.directive_response_rate == 0.5
    assert (b.received, b.accepted, b.refused, b.concluded) == (1, 0, 1, 0)
    assert b.on_time_rate is None and b.online_rate == 0 and b.directive_response_rate is None


def test_by_window_staff_item_month(data):
    case_facts_refresh()
    windows = {r.key: r for r in _perf(data.supervisor, "window").rows}
    assert windows[data.window.pk].concluded == 2  # c1, c3
    assert windows[data.window.pk].on_time_rate == 0.5
    assert windows[None].label == "（未记录）"
    staff = {r.key: r for r in _perf(data.supervisor, "staff").rows}
    assert staff[data.clerk.pk].accepted == 3  # c1, c3, c5
    assert staff[data.clerk2.pk].concluded == 2  # c2, c6
    items = {r.key: r for r in _perf(data.supervisor, "item").rows}
    assert items[data.item_a.pk].received == 4 and items[data.item_b.pk].refused == 1
    months = performance_by(
        user=data.supervisor, dimension="month", date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 3, 31)
    ).rows
    assert [(m.key, m.received, m.concluded) for m in months] == [("2026-02", 1, 0), ("2026-03", 5, 4)]


def test_sorting_and_validation(data):
    case_facts_refresh()
    rows = _perf(data.supervisor, sort="-received").rows
    assert [r.label for r in rows] == ["甲局", "乙局"]
    rows = _perf(data.supervisor, sort="on_time_rate").rows
    assert rows[-1].label == "乙局"  # undefined rates last
    with pytest.raises(ValidationFailed):
        _perf(data.supervisor, sort="password")
    with pytest.raises(ValidationFailed):
        _perf(data.supervisor, "colour")


def test_scoping(data):
    case_facts_refresh()
    b_rows = _perf(data.approver_b).rows
    assert [r.label for r in b_rows] == ["乙局"]
    assert _perf(data.approver_b).total.directives == 0  # directives of 甲局 are not theirs
    clerk_total = _perf(data.clerk).total  # the clerk's hall: c1–c5 (c6 has no hall)
    assert (clerk_total.received, clerk_total.concluded) == (5, 3)
    assert _perf(data.applicant_user).rows == []
