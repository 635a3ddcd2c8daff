from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from tongban.common.errors import Conflict, ValidationFailed
from tongban.workdays.calendar import (
    CalendarMissing,
    add_working_days,
    covered_years,
    is_workday,
    working_days_between,
)
from tongban.workdays.models import CalendarChange, CalendarVersion, CalendarYear, WorkCalendar
from tongban.workdays.services import calendar_day_set, calendar_year_import

from .conftest import assert_ordinals_consistent

pytestmark = pytest.mark.django_db

# A plausible 2027 schedule (Spring Festival 2027-02-06 is a Saturday).
SCHEDULE_2027 = """date,type,name
2027-01-01,法定节假日,元旦
2027-02-05,法定节假日,春节
2027-02-06,法定节假日,春节
2027-02-07,法定节假日,春节
2027-02-08,法定节假日,春节
2027-02-09,法定节假日,春节
2027-02-10,法定节假日,春节
2027-02-11,法定节假日,春节
2027-02-12,法定节假日,春节
2027-02-20,调休上班,春节
2027-10-01,休,国庆节
2027-10-02,holiday,国庆节
2027-10-03,法定节假日,国庆节
2027-10-04,法定节假日,国庆节
2027-10-05,法定节假日,国庆节
2027-10-06,法定节假日,国庆节
2027-10-07,法定节假日,国庆节
2027-09-26,班,国庆节
2027-10-09,makeup,国庆节
"""


def snapshot():
    return (
        WorkCalendar.objects.count(),
        sorted(CalendarYear.objects.values_list("year", flat=True)),
        CalendarVersion.objects.get().token,
        CalendarChange.objects.count(),
    )


def test_import_csv_creates_the_whole_year():
    token = CalendarVersion.objects.get().token
    calendar_year_import(year=2027, file=SCHEDULE_2027.encode())
    assert WorkCalendar.objects.filter(date__year=2027).count() == 365
    assert 2027 in covered_years()
    assert CalendarVersion.objects.get().token != token
    day = WorkCalendar.objects.get(date=date(2027, 2, 20))
    assert (day.kind, day.is_workday, day.holiday_name) == ("makeup", True, "春节")
    assert WorkCalendar.objects.get(date=date(2027, 10, 1)).kind == "holiday"
    assert WorkCalendar.objects.get(date=date(2027, 3, 6)).kind == "weekend"
    assert WorkCalendar.objects.get(date=date(2027, 3, 8)).kind == "workday"
    assert_ordinals_consistent()
    # Counting now runs across the year boundary.
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert is_workday(date(2027, 10, 8))  # an ordinary Friday
    assert add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 8)
    assert add_working_days(date(2027, 10, 8), 1) == date(2027, 10, 9)  # make-up Saturday
    change = CalendarChange.objects.filter(action="import").first()
    assert change.year == 2027
    assert "放假 16 天" in change.detail and "调休上班 3 天" in change.detail


def test_import_gbk_csv_and_chinese_headers():
    text = "日期,类型,名称\n2027-01-01,法定节假日,元旦\n2027-02-20,调休上班,春节\n"
    calendar_year_import(year=2027, file=io.BytesIO(text.encode("gb18030")))
    assert WorkCalendar.objects.get(date=date(2027, 2, 20)).holiday_name == "春节"


def test_import_xlsx():
    book = Workbook()
    sheet = book.active
    sheet.append(["date", "type", "name"])
    sheet.append([date(2027, 1, 1), "法定节假日", "元旦"])
    sheet.append(["2027-02-20", "调休上班", "春节"])
    buffer = io.BytesIO()
    book.save(buffer)
    calendar_year_import(year=2027, file=io.BytesIO(buffer.getvalue()))
    assert not is_workday(date(2027, 1, 1))
    assert is_workday(date(2027, 2, 20))


def test_import_rows():
    calendar_year_import(
        year=2027, rows=[{"date": "2027-01-01", "type": "法定节假日", "name": "元旦"}], source="测试"
    )
    assert CalendarYear.objects.get(year=2027).source == "测试"


def test_bad_rows_write_nothing_and_name_each_error():
    before = snapshot()
    bad = (
        "date,type,name\n"
        "2027-01-01,法定节假日,元旦\n"
        "2027-13-01,法定节假日,x\n"  # row 3: bad date
        "2026-10-01,法定节假日,x\n"  # row 4: wrong year
        "2027-02-10,放风筝,x\n"  # row 5: bad type
        "2027-01-01,法定节假日,元旦\n"  # row 6: duplicate
        "2027-03-03,调休上班,x\n"  # row 7: Wednesday cannot be a make-up day
        ",法定节假日,x\n"  # row 8: empty date
        f"2027-05-03,法定节假日,{'长' * 51}\n"  # row 9: name too long
    )
    with pytest.raises(ValidationFailed) as exc:
        calendar_year_import(year=2027, file=bad.encode())
    errors = exc.value.errors
    assert [(e["row"], e["field"]) for e in errors] == [
        (3, "date"),
        (4, "date"),
        (5, "type"),
        (6, "date"),
        (7, "type"),
        (8, "date"),
        (9, "name"),
    ]
    assert "未写入任何数据" in exc.value.message
    assert "第 7 行" in errors[4]["message"] and "本来就是工作日" in errors[4]["message"]
    assert snapshot() == before
    assert 2027 not in covered_years()  # nothing written: not even the provisional year


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "文件是空的"),
        (b"day,kind\n2027-01-01,holiday\n", "表头缺少列"),
        (
            b"date,type,name\n2027-02-20,\xe8\xb0\x83\xe4\xbc\x91\xe4\xb8\x8a\xe7\x8f\xad,x\n",
            "没有任何放假日期",
        ),
        (b"PK\x03\x04 not really a workbook", "无法读取 Excel"),
        (b"\xff\xfe\x00garbage\x81", "无法识别文件编码"),
    ],
)
def test_unusable_files_are_refused(content, fragment):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        calendar_year_import(year=2027, file=content)
    assert fragment in exc.value.message or any(fragment in e["message"] for e in exc.value.errors or [])
    assert snapshot() == before


def test_existing_year_needs_replace_and_replace_shifts_later_ordinals():
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        calendar_year_import(year=2025, rows=[{"date": "2025-01-01", "type": "休"}])
    assert exc.value.field == "year"
    assert snapshot() == before
    # Replace 2025 with a schedule that has only 元旦: more working days in 2025, later dates shift.
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 14)) == 5
    calendar_year_import(year=2025, rows=[{"date": "2025-01-01", "type": "休", "name": "元旦"}], replace=True)
    assert_ordinals_consistent()
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 14)) == 10
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # 2026 unchanged


def test_import_of_a_year_before_the_first_shifts_everything():
    calendar_year_import(year=2003, rows=[{"date": "2003-01-01", "type": "休", "name": "元旦"}])
    assert_ordinals_consistent()
    assert add_working_days(date(2003, 12, 31), 1) == date(2004, 1, 2)


def test_year_is_validated():
    with pytest.raises(ValidationFailed) as exc:
        calendar_year_import(year=1800, rows=[])
    assert exc.value.field == "year"
    with pytest.raises(ValidationFailed) as exc:
        calendar_year_import(year=2027)
    assert exc.value.field == "file"


class TestDaySet:
    def test_make_a_working_day_a_holiday(self):
        assert add_working_days(date(2025, 3, 4), 1) == date(2025, 3, 5)
        row = calendar_day_set(day=date(2025, 3, 5), kind="holiday", name="临时放假")
        assert (row.kind, row.is_workday, row.holiday_name) == ("holiday", False, "临时放假")
        assert add_working_days(date(2025, 3, 4), 1) == date(2025, 3, 6)
        assert_ordinals_consistent()
        change = CalendarChange.objects.first()
        assert (change.action, change.day, change.old_kind, change.new_kind) == (
            "day_set",
            date(2025, 3, 5),
            "workday",
            "holiday",
        )

    def test_make_a_saturday_a_makeup_day_and_back(self):
        calendar_day_set(day=date(2025, 3, 8), kind="makeup", name="调休")
        assert add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 8)
        assert_ordinals_consistent()
        calendar_day_set(day=date(2025, 3, 8), kind="weekend")
        assert add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)
        assert_ordinals_consistent()

    def test_unchanged_day_writes_nothing(self):
        before = snapshot()
        calendar_day_set(day=date(2025, 10, 1), kind="holiday", name="国庆节")
        assert snapshot() == before

    @pytest.mark.parametrize(
        ("day", "kind", "fragment"),
        [
            (date(2025, 3, 8), "workday", "调休上班"),  # Saturday as plain workday
            (date(2025, 3, 5), "makeup", "本来就是工作日"),
            (date(2025, 3, 5), "weekend", "不是周末"),
            (date(2025, 3, 5), "party", "无效"),
        ],
    )
    def test_refuses_kinds_the_weekday_cannot_take(self, day, kind, fragment):
        before = snapshot()
        with pytest.raises(ValidationFailed, match=fragment):
            calendar_day_set(day=day, kind=kind)
        assert snapshot() == before

    def test_uncovered_year(self):
        with pytest.raises(CalendarMissing, match="2030 年"):
            calendar_day_set(day=date(2030, 3, 5), kind="holiday")
