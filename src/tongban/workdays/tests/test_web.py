from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.workdays.models import CalendarChange, CalendarYear, WorkCalendar

pytestmark = pytest.mark.django_db


class TestApi:
    def test_year_list_is_public_and_lists_special_days(self, client):
        response = client.get("/api/v1/workdays/", {"year": 2025})
        assert response.status_code == 200
        data = response.json()
        assert data["year"] == 2025
        by_date = {d["date"]: d for d in data["days"]}
        assert by_date["2025-10-01"] == {
            "date": "2025-10-01",
            "kind": "holiday",
            "kind_display": "法定节假日",
            "is_workday": False,
            "name": "国庆节",
        }
        assert by_date["2025-10-11"]["kind"] == "makeup"
        assert "2025-10-12" not in by_date  # an ordinary Sunday
        assert "2025-03-05" not in by_date

    def test_year_list_errors(self, client):
        response = client.get("/api/v1/workdays/", {"year": 2030})
        assert response.status_code == 400
        assert response.json()["code"] == "calendar_missing"
        assert "2030 年" in response.json()["message"]
        response = client.get("/api/v1/workdays/")
        assert response.status_code == 400
        assert response.json()["code"] == "validation_failed"
        assert "year" in response.json()["errors"]

    def test_add(self, client):
        response = client.get("/api/v1/workdays/add/", {"start": "2025-09-30", "n": 5})
        assert response.status_code == 200
        assert response.json() == {
            "start": "2025-09-30",
            "n": 5,
            "result": "2025-10-14",
            "provisional": False,
        }

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"start": "2025-09-30", "n": -1}, "n"),
            ({"start": "2025-13-01", "n": 1}, "start"),
            ({"n": 1}, "start"),
        ],
    )
    def test_add_validation(self, client, params, field):
        response = client.get("/api/v1/workdays/add/", params)
        assert response.status_code == 400
        assert field in response.json()["errors"]

    def test_add_beyond_the_official_calendar_is_provisional(self, client):
        response = client.get("/api/v1/workdays/add/", {"start": "2026-12-30", "n": 10})
        assert response.status_code == 200
        # 31 December, then 4–8 and 11–14 January 2027 (元旦 on Friday 1 January).
        expected = {"start": "2026-12-30", "n": 10, "result": "2027-01-14", "provisional": True}
        assert response.json() == expected
        listed = client.get("/api/v1/workdays/", {"year": 2027}).json()
        assert listed["provisional"] is True and "暂定" in listed["source"]

    def test_add_before_the_calendar(self, client):
        response = client.get("/api/v1/workdays/add/", {"start": "2003-12-30", "n": 10})
        assert response.status_code == 400
        assert response.json()["code"] == "calendar_missing"

    def test_in_openapi_schema(self, client):
        response = client.get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        paths = response.json()["paths"]
        assert "/api/v1/workdays/" in paths
        assert "/api/v1/workdays/add/" in paths
        names = {p["name"] for p in paths["/api/v1/workdays/add/"]["get"]["parameters"]}
        assert names == {"start", "n"}


class TestPage:
    def test_calendar_page(self, client):
        response = client.get(reverse("workdays:calendar"), {"year": 2025})
        assert response.status_code == 200
        html = response.content.decode()
        assert "2025 年 10 月" in html
        assert 'class="wd-holiday" title="国庆节"' in html
        assert 'class="wd-makeup"' in html
        assert '<option value="2025" selected>' in html

    def test_default_year_and_missing_year(self, client):
        assert client.get(reverse("workdays:calendar")).status_code == 200
        response = client.get(reverse("workdays:calendar"), {"year": 2030})
        assert response.status_code == 404
        assert "2030 年的工作日历尚未录入" in response.content.decode()


@pytest.fixture
def admin_client_(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456789")
    client.force_login(user)
    return client


class TestAdmin:
    def test_changelist_with_year_filter(self, admin_client_):
        url = reverse("admin:workdays_workcalendar_changelist")
        response = admin_client_.get(url, {"year": 2025, "kind__exact": "makeup"})
        assert response.status_code == 200
        assert "导入年度日历" in response.content.decode()
        assert (
            response.context["cl"].result_count
            == WorkCalendar.objects.filter(date__year=2025, kind="makeup").count()
        )

    def test_import_page(self, admin_client_):
        url = reverse("admin:workdays_workcalendar_import")
        assert admin_client_.get(url).status_code == 200
        upload = SimpleUploadedFile("2027.csv", "date,type,name\n2027-01-01,法定节假日,元旦\n".encode())
        response = admin_client_.post(url, {"year": 2027, "file": upload})
        assert response.status_code == 302
        assert CalendarYear.objects.filter(year=2027).exists()
        assert CalendarChange.objects.filter(action="import").first().actor.username == "root"

    def test_import_page_shows_row_errors_and_writes_nothing(self, admin_client_):
        url = reverse("admin:workdays_workcalendar_import")
        upload = SimpleUploadedFile("2027.csv", "date,type,name\n2027-01-01,放风筝,元旦\n".encode())
        response = admin_client_.post(url, {"year": 2027, "file": upload})
        assert response.status_code == 200
        assert "第 2 行" in response.content.decode()
        assert not CalendarYear.objects.filter(year=2027).exists()

    def test_change_day_goes_through_service(self, admin_client_):
        row = WorkCalendar.objects.get(date=date(2025, 3, 5))
        url = reverse("admin:workdays_workcalendar_change", args=[row.pk])
        response = admin_client_.post(url, {"kind": "makeup", "holiday_name": ""})
        assert response.status_code == 200  # form error: a Wednesday cannot be a make-up day
        assert "本来就是工作日" in response.content.decode()
        response = admin_client_.post(url, {"kind": "holiday", "holiday_name": "临时"})
        assert response.status_code == 302
        row.refresh_from_db()
        assert (row.kind, row.is_workday) == ("holiday", False)
        assert CalendarChange.objects.first().action == "day_set"

    def test_staff_without_permission_cannot_import(self, client, django_user_model):
        user = django_user_model.objects.create_user("clerk", password="pw-123456789", is_staff=True)
        client.force_login(user)
        response = client.get(reverse("admin:workdays_workcalendar_import"))
        assert response.status_code == 403
