"""Provisional years (暂定) from the holiday law, checked against truth from outside the code.

Official schedules (国务院办公厅关于 2025 年 / 2026 年部分节假日安排的通知, published 12 November 2024,
https://www.gov.cn/zhengce/content/202411/content_6986382.htm, and 4 November 2025,
https://www.gov.cn/gongbao/2025/issue_12406/202511/content_7048922.html), written out below from the
notices, and cross-checked with the `chinese_calendar` package, which carries them too. The law gives
the statutory days and 补假; the notices add the 调休: each swap turns one more weekday into a rest day
and one weekend day into a working day. So the law-based year must be the official one minus exactly
those swaps — the same number of working days, and every statutory rest weekday also an official one.

2027 (no official schedule yet): the law's rest days computed by hand from the published lunar dates —
香港天文台《公历与农历日期对照表》2027 年 and 紫金山天文台《2027年中国天文年历》: 正月初一 = 6 Feb 2027
(Saturday, 除夕 Friday 5 Feb), 清明 = 5 Apr, 五月初五 (端午) = 9 Jun, 八月十五 (中秋) = 15 Sep.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from tongban.workdays.calendar import (
    CalendarMissing,
    add_working_days,
    covered_years,
    is_workday,
    provisional_years,
    touches_provisional,
    working_days_between,
)
from tongban.workdays.clock import deadline
from tongban.workdays.models import CalendarChange, CalendarYear, WorkCalendar
from tongban.workdays.provisional import provisional_days, statutory_rest_days
from tongban.workdays.services import calendar_day_set, calendar_provisional_extend, calendar_year_import

from .conftest import assert_ordinals_consistent

pytestmark = pytest.mark.django_db


def d(text: str) -> date:
    return date.fromisoformat(text)


def span(first: str, last: str) -> set[date]:
    a, b = d(first), d(last)
    return {a + timedelta(days=i) for i in range((b - a).days + 1)}


# The notices, as published: rest periods (放假) and make-up working days (上班).
OFFICIAL = {
    2025: {
        "rest": [
            ("2025-01-01", "2025-01-01"),  # 元旦：1月1日（周三）放假1天
            ("2025-01-28", "2025-02-04"),  # 春节：1月28日（除夕）至2月4日放假调休，共8天
            ("2025-04-04", "2025-04-06"),  # 清明节：4月4日至6日
            ("2025-05-01", "2025-05-05"),  # 劳动节：5月1日至5日放假调休
            ("2025-05-31", "2025-06-02"),  # 端午节：5月31日至6月2日
            ("2025-10-01", "2025-10-08"),  # 国庆节、中秋节：10月1日至8日放假调休
        ],
        "work": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    },
    2026: {
        "rest": [
            ("2026-01-01", "2026-01-03"),  # 元旦：1月1日至3日放假调休
            ("2026-02-15", "2026-02-23"),  # 春节：2月15日至23日放假调休，共9天
            ("2026-04-04", "2026-04-06"),  # 清明节：4月4日至6日
            ("2026-05-01", "2026-05-05"),  # 劳动节：5月1日至5日放假调休
            ("2026-06-19", "2026-06-21"),  # 端午节：6月19日至21日
            ("2026-09-25", "2026-09-27"),  # 中秋节：9月25日至27日
            ("2026-10-01", "2026-10-07"),  # 国庆节：10月1日至7日放假调休
        ],
        "work": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    },
}


def official(year: int) -> tuple[set[date], set[date]]:
    rest = set().union(*(span(a, b) for a, b in OFFICIAL[year]["rest"]))
    return rest, {d(x) for x in OFFICIAL[year]["work"]}


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_notices_as_written_agree_with_chinese_calendar(year):
    from chinese_calendar import constants

    rest, work = official(year)
    assert {x for x in constants.holidays if x.year == year and x.weekday() < 5} == {
        x for x in rest if x.weekday() < 5
    }
    assert {x for x in constants.workdays if x.year == year and x.weekday() >= 5} == work


@pytest.mark.parametrize("year", [2025, 2026])
def test_law_based_year_is_the_official_one_minus_the_tiaoxiu(year):
    rest, work = official(year)
    official_rest_weekdays = {x for x in rest if x.weekday() < 5}
    law = {day for day, kind, _ in provisional_days(year) if kind == "holiday"}
    law_rest_weekdays = {x for x in law if x.weekday() < 5}
    # Every rest day the law gives (holidays and 补假) is a rest day of the official schedule…
    assert law <= rest
    # …and the official schedule adds exactly one rest weekday per make-up working day (调休).
    assert len(official_rest_weekdays - law_rest_weekdays) == len(work)
    # So a year has as many working days either way (swaps within the year move days, never add any).
    law_working = sum(1 for _, kind, _ in provisional_days(year) if kind == "workday")
    length = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(length)]
    official_working = sum(1 for x in days if (x.weekday() < 5 and x not in rest) or x in work)
    assert law_working == official_working
    # The generator never invents a make-up working day.
    assert not any(kind == "makeup" for _, kind, _ in provisional_days(year))


def test_thirteen_statutory_days_and_their_make_up_days_in_2027():
    rest = statutory_rest_days(2027)
    expected = {
        "2027-01-01": "元旦",  # Friday
        "2027-02-05": "农历除夕",  # Friday
        "2027-02-06": "春节",  # 初一, Saturday → 补假
        "2027-02-07": "春节",  # 初二, Sunday → 补假
        "2027-02-08": "春节",  # 初三, Monday
        "2027-02-09": "春节（补假）",  # the first working day after the period
        "2027-02-10": "春节（补假）",
        "2027-04-05": "清明节",  # Monday
        "2027-05-01": "劳动节",  # Saturday
        "2027-05-02": "劳动节",  # Sunday
        "2027-05-03": "劳动节（补假）",
        "2027-05-04": "劳动节（补假）",
        "2027-06-09": "端午节",  # Wednesday
        "2027-09-15": "中秋节",  # Wednesday
        "2027-10-01": "国庆节",  # Friday
        "2027-10-02": "国庆节",  # Saturday
        "2027-10-03": "国庆节",  # Sunday
        "2027-10-04": "国庆节（补假）",
        "2027-10-05": "国庆节（补假）",
    }
    assert {k.isoformat(): v for k, v in rest.items()} == expected
    statutory = [x for x, name in rest.items() if "补假" not in name]
    assert len(statutory) == 13


def test_years_before_the_2024_law_are_not_generated():
    with pytest.raises(ValueError):
        statutory_rest_days(2024)


class TestOnDemand:
    def test_a_deadline_into_2027_is_computed_and_provisional(self):
        assert 2027 not in covered_years()
        due = add_working_days(date(2026, 12, 7), 60)
        assert 2027 in provisional_years()
        assert CalendarYear.objects.get(year=2027).provisional
        # Counted by hand: 18 working days in 8–31 December 2026; January 2027 has 20 after 元旦
        # (Friday 1 January) → 38; 1–4 February → 42; rest 5–10 February (春节 and its 补假);
        # 11–12 → 44, 15–19 → 49, 22–26 → 54, 1–5 March → 59, Monday 8 March is the 60th.
        assert working_days_between(date(2026, 12, 7), date(2026, 12, 31)) == 18
        assert due == d("2027-03-08")
        assert touches_provisional(date(2026, 12, 7), due)
        assert not touches_provisional(date(2026, 12, 7), date(2026, 12, 31))
        assert deadline(start=date(2026, 12, 7), limit=60).provisional
        assert not deadline(start=date(2026, 3, 2), limit=20).provisional
        assert_ordinals_consistent()

    def test_the_law_based_days_are_used(self):
        add_working_days(date(2026, 12, 30), 1)
        assert not is_workday(d("2027-02-09"))  # 春节补假
        assert is_workday(d("2027-02-11"))
        assert WorkCalendar.objects.get(date=d("2027-10-04")).holiday_name == "国庆节（补假）"
        assert not WorkCalendar.objects.filter(date__year=2027, kind="makeup").exists()

    def test_a_one_year_natural_limit_years_ahead(self):
        with time_machine.travel(date(2031, 6, 2), tick=False):
            due = deadline(start=date(2031, 6, 2), limit=365, unit="natural")
        # 365 days on from 2 June 2031 cross 29 February 2032: Tuesday 1 June 2032, no holiday.
        assert due.date == d("2032-06-01") and due.provisional
        assert {2027, 2028, 2029, 2030, 2031, 2032} <= set(provisional_years())
        assert_ordinals_consistent()

    def test_not_before_2025_and_not_unboundedly_far(self):
        with pytest.raises(CalendarMissing, match="2003 年"):
            add_working_days(date(2003, 6, 2), 1)
        with pytest.raises(CalendarMissing):
            add_working_days(date(2026, 12, 7), 10000)  # 40 years: beyond any deadline
        assert max(covered_years()) <= 2026 + 10

    def test_daily_extension_keeps_two_years_ahead_and_is_idempotent(self):
        first = calendar_provisional_extend(today=date(2026, 12, 7))
        assert first.generated == [2027, 2028]
        again = calendar_provisional_extend(today=date(2026, 12, 7))
        assert again.generated == []
        assert CalendarChange.objects.filter(action="provisional").count() == 1


class TestImportReplacesProvisional:
    CSV_2027 = (
        "date,type,name\n2027-01-01,法定节假日,元旦\n"
        + "".join(f"2027-02-{x:02d},法定节假日,春节\n" for x in range(5, 12))
        + "2027-02-20,调休上班,春节\n"
    ).encode()

    def test_without_replace_and_recomputes(self):
        calendar_provisional_extend(today=date(2026, 12, 7))
        before = add_working_days(date(2027, 2, 4), 1)
        assert before == d("2027-02-11")
        year = calendar_year_import(year=2027, file=self.CSV_2027)
        assert not year.provisional
        assert isinstance(year.recomputed, dict)
        assert 2027 not in provisional_years() and 2028 in provisional_years()
        assert add_working_days(date(2027, 2, 4), 1) == d("2027-02-12")
        assert not touches_provisional(date(2027, 1, 4), date(2027, 12, 31))
        assert "替换暂定" in CalendarChange.objects.filter(action="import").first().detail
        assert_ordinals_consistent()

    def test_official_year_still_needs_replace(self):
        from tongban.common.errors import Conflict

        calendar_year_import(year=2027, file=self.CSV_2027)
        with pytest.raises(Conflict):
            calendar_year_import(year=2027, file=self.CSV_2027)

    def test_a_provisional_day_cannot_be_edited(self):
        from tongban.common.errors import ValidationFailed

        calendar_provisional_extend(today=date(2026, 12, 7))
        with pytest.raises(ValidationFailed, match="暂定日历"):
            calendar_day_set(day=d("2027-02-20"), kind="makeup", name="春节")


class TestImportApi:
    URL = "api-workdays-import"

    def post(self, client, **data):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data.setdefault("file", SimpleUploadedFile("2027.csv", TestImportReplacesProvisional.CSV_2027))
        return client.post(reverse(self.URL), data)

    def test_administrator_imports(self, client):
        from tongban.accounts.tests.factories import StaffFactory

        admin = StaffFactory.with_role("admin")
        client.force_login(admin)
        calendar_provisional_extend(today=date(2026, 12, 7))
        r = self.post(client, year=2027)
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["year"] == 2027 and body["provisional"] is False and "recomputed" in body
        assert CalendarChange.objects.filter(action="import").first().actor == admin

    def test_others_are_refused(self, client):
        from tongban.accounts.tests.factories import ApplicantFactory, StaffFactory

        assert self.post(client, year=2027).status_code in (401, 403)
        client.force_login(StaffFactory.with_role("clerk"))
        r = self.post(client, year=2027)
        assert r.status_code == 403 and "管理员" in r.json()["message"]
        client.force_login(ApplicantFactory(registered=True).user)
        assert self.post(client, year=2027).status_code == 403
        assert not CalendarYear.objects.filter(year=2027, provisional=False).exists()

    def test_errors_are_named_and_nothing_is_written(self, client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tongban.accounts.tests.factories import StaffFactory

        client.force_login(StaffFactory.with_role("admin"))
        bad = SimpleUploadedFile("bad.csv", "date,type\n2028-01-01,休\n".encode())
        r = self.post(client, year=2027, file=bad)
        assert r.status_code == 400
        body = r.json()
        assert body["field"] == "file" and "不在 2027 年内" in body["errors"][0]["message"]
        self.post(client, year=2027)
        r = self.post(client, year=2027)
        assert r.status_code == 409 and "覆盖" in r.json()["message"]
