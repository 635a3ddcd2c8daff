"""Pages and API: XLSX export, screen data and drill-down, scoping denials (exact outcomes)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from rest_framework.test import APIClient

from tongban.analytics.models import MonthlyReport
from tongban.analytics.services import anomalies_detect, case_facts_refresh
from tongban.analytics.tests.conftest import at


def _client(client, user):
    client.force_login(user)
    return client


def test_performance_page_and_xlsx(client, data):
    case_facts_refresh()
    c = _client(client, data.supervisor)
    page = c.get("/analytics/?month=2026-03&dimension=department&sort=-received")
    assert page.status_code == 200
    assert "甲局" in page.content.decode() and "按时办结率" in page.content.decode()
    xlsx = c.get("/analytics/?month=2026-03&dimension=department&format=xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    ws = wb["绩效"]
    header = [cell.value for cell in ws[1]]
    assert header[:6] == ["部门", "收件", "受理", "不予受理", "办结", "按时办结率"]
    assert "最多跑一次率" in header and "督办按时反馈率" in header
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["合计"][1:5] == (5, 5, 1, 4)
    assert rows["合计"][5] == 0.75
    # the definitions travel with the figures: under the table and in the export, never as a file path
    body = page.content.decode()
    assert 'id="definitions"' in body and "扣除暂停计时的天数" in body and "docs/" not in body
    meta = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True)}
    assert meta["按时办结率"].startswith("办结日期不晚于办结期限") and "docs/" not in str(meta)


def test_performance_denials(client, data):
    case_facts_refresh()
    assert _client(client, data.applicant_user).get("/analytics/").status_code == 403
    client.logout()
    assert client.get("/analytics/").status_code == 302  # to the login page
    body = _client(client, data.approver_b).get("/analytics/?month=2026-03").content.decode()
    assert "乙局" in body and "甲局" not in body


def test_screen_and_drill_down(client, data):
    c = _client(client, data.supervisor)
    payload = c.get("/analytics/screen/data/").json()
    # No case watches yet: levels from stored due dates on 2026-04-01 — c5 (due 3-18) is red.
    assert payload["source"] == "cases"
    assert len(payload["updated_at"]) == 8  # HH:MM:SS of the server, shown as 更新于 (not the screen's clock)
    page = c.get("/analytics/screen/").content.decode()
    assert 'id="screen-scope"' in page and "更新于" in page  # says what its lights count
    assert {lvl["level"]: lvl["count"] for lvl in payload["levels"]} == {"normal": 0, "yellow": 0, "red": 1}
    assert payload["overdue"][0]["url"] == f"/work/cases/{data.cases['c5'].pk}/"
    assert (
        len(payload["trend"]["days"]) == 30 and sum(payload["trend"]["concluded"]) == 4
    )  # 3-03 … 4-01: c1, c6, c2, c3
    drill = c.get(payload["levels"][2]["url"])
    assert drill.status_code == 200 and f"/work/cases/{data.cases['c5'].pk}/" in drill.content.decode()
    dept_row = payload["by_department"][0]
    assert c.get(dept_row["url"] + "&level=red").status_code == 200
    assert c.get("/analytics/screen/").status_code == 200


def test_screen_denied_to_department_staff_and_clerks(client, data):
    for user in (data.approver_a, data.clerk, data.applicant_user):
        c = _client(client, user)
        assert c.get("/analytics/screen/").status_code == 403
        assert c.get("/analytics/screen/data/").status_code == 403
        assert c.get("/analytics/screen/list/?kind=level").status_code == 403
        assert c.post("/analytics/reports/generate/", {"month": "2026-03"}).status_code == 403
    assert MonthlyReport.objects.count() == 0


def test_anomaly_page(client, data):
    anomalies_detect()
    body = _client(client, data.approver_a).get("/analytics/anomalies/").content.decode()
    assert f"/work/cases/{data.cases['c3'].pk}/" in body
    body = _client(client, data.approver_b).get("/analytics/anomalies/").content.decode()
    assert f"/work/cases/{data.cases['c3'].pk}/" not in body


def test_api(data):
    case_facts_refresh()
    anomalies_detect()
    api = APIClient()
    api.force_authenticate(data.supervisor)
    r = api.get("/api/v1/analytics/performance/?month=2026-03&dimension=item")
    assert r.status_code == 200 and r.json()["total"]["received"] == 5
    assert api.get("/api/v1/analytics/performance/?dimension=colour").json()["code"] == "validation_failed"
    assert api.get("/api/v1/analytics/anomalies/").json()["count"] == 4
    assert api.get("/api/v1/analytics/screen/").status_code == 200
    api.force_authenticate(data.approver_b)
    assert api.get("/api/v1/analytics/anomalies/").json()["count"] == 0
    assert api.get("/api/v1/analytics/screen/").status_code == 403
    r = api.get("/api/v1/analytics/performance/?month=2026-03")
    assert [row["label"] for row in r.json()["rows"]] == ["乙局"]
    api.force_authenticate(data.applicant_user)
    assert api.get("/api/v1/analytics/performance/").status_code == 403
    assert api.get("/api/v1/analytics/anomalies/").status_code == 403


def test_performance_page_joins_ratings_and_hall_waiting(client, data):
    """Issue 5: 好差评 figures and the hall's waiting figures join the performance page."""
    from tongban.ratings.choices import ServiceKind
    from tongban.ratings.services import ratable_register, rating_submit

    case_facts_refresh()
    service = ratable_register(
        kind=ServiceKind.ONLINE_CASE,
        reference_id=424242,
        served_at=at(3, 10),
        title="联合测试服务",
        department=data.dept_a,
    )
    rating_submit(token=service.token, score=5, comment="很好")
    page = _client(client, data.supervisor).get("/analytics/?month=2026-03&dimension=department")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="ratings"' in html and "好评率" in html and "100.0%" in html
    assert 'id="hall"' in html and "大厅等候" in html


def test_bad_periods_name_the_parameter_in_question(client, data):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(data.supervisor)
    for query, field in (
        ("from=abc&to=2026-03-31", "from"),
        ("from=2026-03-01&to=2026-13-45", "to"),
        ("from=2026-03-31&to=2026-03-01", "to"),
        ("from=2026-03-01", "to"),
        ("month=2026-13", "month"),
    ):
        r = api.get(f"/api/v1/analytics/performance/?{query}")
        assert r.status_code == 400 and r.json()["field"] == field, (query, r.json())
    r = api.get("/api/v1/hall/figures/?from=2026-11-01&to=2026-13-01")
    assert r.status_code == 400 and r.json()["field"] == "to"
    r = api.get("/api/v1/supervision/directive-response-rates/?since=abc")
    assert r.status_code == 400 and r.json()["field"] == "since" and "YYYY-MM-DD" in r.json()["message"]
