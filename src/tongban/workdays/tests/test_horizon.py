"""The calendar horizon: how far the OFFICIAL calendar reaches, the warning levels, the banner, the daily
notification job and the staff API. Time is frozen (Beijing time); the seeded calendar covers 2004–2026.
Nothing is ever blocked: past the official calendar dates are provisional (暂定), and the horizon says
how many (test_provisional holds the generator and its checks against the official schedules)."""

from __future__ import annotations

import datetime as dt
from datetime import date
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from tongban.accounts.models import UserKind
from tongban.accounts.tests.factories import StaffFactory, UserFactory
from tongban.catalogue.choices import ItemStatus, LimitUnit
from tongban.catalogue.tests.factories import ServiceItemFactory
from tongban.notifications.models import Message
from tongban.organisations.choices import StaffRole
from tongban.scheduling.schedule import SCHEDULE
from tongban.workdays.calendar import add_working_days, touches_provisional, working_days_between
from tongban.workdays.choices import HorizonLevel
from tongban.workdays.selectors import calendar_horizon
from tongban.workdays.services import calendar_year_import
from tongban.workdays.tasks import calendar_horizon_check_task, calendar_horizon_notify

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_2026 = date(2026, 12, 31)


def at(day: date, hour: int = 9):
    """Freeze the clock at `hour` o'clock Beijing time on `day`."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


def import_2027() -> None:
    """A test schedule for 2027 (test data only: the real one comes from the State Council's notice)."""
    calendar_year_import(year=2027, rows=[{"date": "2027-01-01", "type": "法定节假日", "name": "元旦"}])


@pytest.fixture
def short_items():
    """A catalogue whose longest limit is 20 working days (statutory), promised 5."""
    return ServiceItemFactory(promised_limit=5, statutory_limit=20)


@pytest.fixture
def mixed_items():
    ServiceItemFactory(promised_limit=5, statutory_limit=20)
    ServiceItemFactory(
        promised_limit=15,
        promised_limit_unit=LimitUnit.NATURAL_DAYS,
        statutory_limit=30,
        statutory_limit_unit=LimitUnit.NATURAL_DAYS,
    )
    ServiceItemFactory(promised_limit=60, statutory_limit=60)
    ServiceItemFactory(promised_limit=80, statutory_limit=90, status=ItemStatus.DRAFT)  # not published


# --- selector ---------------------------------------------------------------------------------------


class TestSelector:
    def test_ok_in_june(self):
        h = calendar_horizon(date(2026, 6, 15))
        assert h.level == HorizonLevel.OK
        assert h.last_official == h.last_covered == END_2026
        assert h.missing_year == 2027
        assert h.working_days_left == 138 == working_days_between(date(2026, 6, 15), END_2026)
        assert h.longest_limit == 60  # empty catalogue: the default
        assert h.warning_threshold == 90
        assert h.warning_from == date(2026, 10, 1)
        assert h.provisional_items == 0
        assert h.provisional_until is None  # nothing generated yet

    def test_warning_from_1_october_even_with_many_days_left(self, short_items):
        before = calendar_horizon(date(2026, 9, 30))
        assert (before.level, before.working_days_left, before.longest_limit) == (HorizonLevel.OK, 62, 20)
        assert before.warning_threshold == 50
        on = calendar_horizon(date(2026, 10, 1))
        assert (on.level, on.working_days_left) == (HorizonLevel.WARNING, 62)

    def test_warning_on_1_october_with_the_default_limit(self):
        h = calendar_horizon(date(2026, 10, 1))
        assert (h.level, h.working_days_left, h.missing_year) == (HorizonLevel.WARNING, 62, 2027)

    def test_warning_below_the_threshold_before_october(self):
        # longest 60 + margin 30: the first day with fewer than 90 working days left warns.
        day = date(2026, 6, 15)
        while working_days_between(day, END_2026) >= 90:
            day += dt.timedelta(days=1)
        assert day.month < 10
        assert calendar_horizon(day - dt.timedelta(days=1)).level == HorizonLevel.OK
        assert calendar_horizon(day).level == HorizonLevel.WARNING

    def test_urgent_exactly_when_new_deadlines_become_provisional(self, mixed_items):
        day = date(2026, 10, 1)
        while working_days_between(day, END_2026) >= 60:
            day += dt.timedelta(days=1)
        last_ok = day - dt.timedelta(days=1)
        h = calendar_horizon(last_ok)
        assert (h.level, h.working_days_left, h.longest_limit) == (HorizonLevel.WARNING, 60, 60)
        assert add_working_days(last_ok, 60) <= END_2026  # still on the official calendar
        h = calendar_horizon(day)
        assert (h.level, h.working_days_left) == (HorizonLevel.URGENT, 59)
        due = add_working_days(day, 60)  # a 60-working-day case is still accepted…
        assert due > END_2026 and touches_provisional(day, due)  # …with a provisional date
        assert h.provisional_items == 1

    def test_urgent_in_late_december(self, mixed_items):
        h = calendar_horizon(date(2026, 12, 20))
        assert h.level == HorizonLevel.URGENT
        assert h.working_days_left == 9
        assert h.longest_limit == 60  # the 90-day draft does not count
        # 5 working days stay official; 15 natural days end 2027-01-04 and 60 working days run into 2027.
        assert h.provisional_items == 2

    def test_day_in_an_uncovered_year(self, mixed_items):
        h = calendar_horizon(date(2027, 1, 4))
        assert h.level == HorizonLevel.URGENT
        assert (h.last_official, h.missing_year, h.working_days_left) == (END_2026, 2027, 0)
        assert h.provisional_items == 3

    def test_ok_again_once_2027_is_imported(self, mixed_items):
        import_2027()
        h = calendar_horizon(date(2026, 12, 20))
        assert h.level == HorizonLevel.OK
        assert (h.last_official, h.missing_year) == (date(2027, 12, 31), 2028)
        assert h.working_days_left == working_days_between(date(2026, 12, 20), date(2027, 12, 31))
        assert h.warning_from == date(2027, 10, 1)
        assert h.provisional_items == 0


# --- banner -----------------------------------------------------------------------------------------


@pytest.fixture
def admin_user():
    # Administrators are superusers in practice (accounts.services.staff_create).
    return StaffFactory.with_role(StaffRole.ADMINISTRATOR, is_superuser=True, email="admin@example.cn")


@pytest.fixture
def supervisor():
    return StaffFactory.with_role(StaffRole.SUPERVISOR, email="sup@example.cn")


@pytest.fixture
def clerk():
    return StaffFactory.with_role(StaffRole.CLERK, email="clerk@example.cn")


@pytest.fixture
def applicant():
    return UserFactory(kind=UserKind.APPLICANT, email="zhang@example.cn")


IMPORT_URL = "/admin/workdays/workcalendar/import/"


class TestBanner:
    def page(self, client, user, url=None):
        if user is not None:
            client.force_login(user)
        response = client.get(url or reverse("catalogue:guide-home"))
        assert response.status_code == 200
        return response.content.decode()

    def test_admin_sees_a_dismissible_alert_with_the_import_link(self, client, admin_user):
        with at(date(2026, 12, 20)):
            html = self.page(client, admin_user)
        assert html.count('id="calendar-horizon"') == 1
        assert 'role="alert"' in html and 'data-level="urgent"' in html
        assert "2027 年官方节假日安排尚未导入，涉及 2027 年的期限为暂定" in html
        assert "官方日历截至 2026-12-31（还剩 9 个工作日）" in html
        assert "办件照常受理" in html and "无法受理" not in html
        assert "暂定期限将自动重新计算" in html
        assert f'href="{IMPORT_URL}"' in html
        assert 'class="btn-close" data-bs-dismiss="alert"' in html

    def test_in_english_when_chosen(self, client, admin_user, settings):
        # The banner's new sentences await their English translation (src/tongban/locale is the lead's);
        # the link's name keeps its translation.
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        with at(date(2026, 12, 20)):
            html = self.page(client, admin_user)
        assert 'id="calendar-horizon"' in html and "Import the working-day calendar" in html

    def test_warning_level_on_1_october_on_a_staff_page(self, client, admin_user):
        with at(date(2026, 10, 1)):
            html = self.page(client, admin_user, reverse("notifications:inbox"))
        assert 'data-level="warning"' in html and "alert-warning" in html
        assert "还剩 62 个工作日" in html

    def test_supervisor_sees_it_without_the_link(self, client, supervisor):
        with at(date(2026, 12, 20)):
            html = self.page(client, supervisor)
        assert 'id="calendar-horizon"' in html
        assert IMPORT_URL not in html
        assert "请及时通知" in html

    @pytest.mark.parametrize("who", ["clerk", "applicant", "anonymous"])
    def test_not_shown_to_others(self, client, request, who):
        user = None if who == "anonymous" else request.getfixturevalue(who)
        with at(date(2026, 12, 20)):
            html = self.page(client, user)
        assert "calendar-horizon" not in html
        assert "官方节假日安排尚未导入" not in html

    def test_not_shown_when_ok(self, client, admin_user):
        with at(date(2026, 6, 15)):
            html = self.page(client, admin_user)
        assert "calendar-horizon" not in html

    def test_calendar_page_shows_it_once_and_not_dismissible(self, client, admin_user):
        with at(date(2026, 12, 20)):
            html = self.page(client, admin_user, reverse("workdays:calendar"))
        assert html.count('id="calendar-horizon"') == 1
        assert "btn-close" not in html
        assert f'href="{IMPORT_URL}"' in html

    def test_calendar_page_tells_the_public_briefly(self, client, clerk):
        with at(date(2026, 12, 20)):
            anonymous = self.page(client, None, reverse("workdays:calendar"))
            staff = self.page(client, clerk, reverse("workdays:calendar"))
        for html in (anonymous, staff):
            assert 'id="calendar-horizon-note"' in html and 'role="status"' in html
            assert "涉及 2027 年的办理期限按法定节假日推算，为暂定日期" in html
            assert 'id="calendar-horizon"' not in html and IMPORT_URL not in html

    def test_calendar_page_quiet_when_ok(self, client):
        with at(date(2026, 6, 15)):
            html = self.page(client, None, reverse("workdays:calendar"))
        assert "calendar-horizon" not in html


# --- daily job ---------------------------------------------------------------------------------------


class TestJob:
    def test_the_daily_job_keeps_provisional_years_ahead(self, admin_user):
        from tongban.workdays.calendar import provisional_years

        with at(date(2026, 12, 7)):
            calendar_horizon_check_task.enqueue()
            assert provisional_years() == [2027, 2028]
            h = calendar_horizon(date(2026, 12, 7))
        assert h.provisional_until == date(2028, 12, 31) and h.last_official == END_2026

    def test_scheduled_daily(self):
        job = next(j for j in SCHEDULE if j.key == "workdays.calendar_horizon")
        assert job.task == "tongban.workdays.tasks.calendar_horizon_check_task"
        assert job.resolve() is not None

    def test_nothing_when_ok(self, admin_user):
        with at(date(2026, 6, 15)):
            assert calendar_horizon_check_task.enqueue().return_value == 0
        assert not Message.objects.exists()

    def test_notifies_administrators_once_per_level(self, admin_user, supervisor, clerk):
        root = UserFactory(is_superuser=True, is_staff=True, email="")  # a superuser without a role
        StaffFactory.with_role(StaffRole.ADMINISTRATOR, is_active=False, email="gone@example.cn")
        with at(date(2026, 10, 1)):
            assert calendar_horizon_check_task.enqueue().return_value == 2
            assert calendar_horizon_notify() == 0  # the same day again: nothing twice
        with at(date(2026, 10, 2)):
            assert calendar_horizon_notify() == 0  # the next day, same level: nothing
        rows = sorted(Message.objects.values_list("recipient_id", "channel", "idempotency_key"))
        assert rows == sorted(
            [
                (admin_user.pk, "email", f"calendar:horizon:2027:warning:{admin_user.pk}:email"),
                (admin_user.pk, "in_app", f"calendar:horizon:2027:warning:{admin_user.pk}:in_app"),
                (root.pk, "in_app", f"calendar:horizon:2027:warning:{root.pk}:in_app"),
            ]
        )
        message = Message.objects.get(recipient=admin_user, channel="email")
        assert message.template == "calendar.horizon"
        assert message.subject == "【提醒】2027 年官方节假日安排尚未导入"
        assert "还剩 62 个工作日" in message.body and IMPORT_URL in message.body
        assert "办件照常受理" in message.body

        with at(date(2026, 12, 20)):
            assert calendar_horizon_notify() == 2  # warning -> urgent: told again
            assert calendar_horizon_notify() == 0
        urgent = Message.objects.get(
            recipient=admin_user, channel="email", idempotency_key__contains="urgent"
        )
        assert urgent.subject == "【紧急】2027 年官方节假日安排尚未导入"
        assert Message.objects.count() == 6

        import_2027()
        with at(date(2026, 12, 21)):
            assert calendar_horizon_notify() == 0
        assert Message.objects.count() == 6


# --- API ------------------------------------------------------------------------------------------------


HORIZON_URL = "/api/v1/workdays/horizon/"


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestApi:
    def test_staff_get_the_horizon(self, admin_user, clerk, mixed_items):
        with at(date(2026, 12, 20)):
            for user in (admin_user, clerk):
                response = api_for(user).get(HORIZON_URL)
                assert response.status_code == 200
                assert response.json() == {
                    "today": "2026-12-20",
                    "level": "urgent",
                    "level_display": "紧急",
                    "last_official": "2026-12-31",
                    "missing_year": 2027,
                    "working_days_left": 9,
                    "longest_limit": 60,
                    "warning_threshold": 90,
                    "warning_from": "2026-10-01",
                    "provisional_until": None,
                    "provisional_items": 2,
                    "provisional_open": 0,
                }

    def test_applicant_refused(self, applicant):
        with at(date(2026, 12, 20)):
            response = api_for(applicant).get(HORIZON_URL)
        assert response.status_code == 403
        assert response.json()["message"] == "仅限工作人员访问。"
        assert "missing_year" not in response.json()

    def test_anonymous_refused(self):
        with at(date(2026, 12, 20)):
            response = APIClient().get(HORIZON_URL)
        assert response.status_code == 401
        assert "missing_year" not in response.json()

    def test_in_openapi_schema(self, client):
        paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
        operation = paths[HORIZON_URL]["get"]
        assert operation["summary"] == "官方工作日历范围与导入提醒"
        assert operation["operationId"] == "workdays_horizon"
