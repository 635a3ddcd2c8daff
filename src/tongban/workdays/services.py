"""Writes to the working-day calendar: a whole year from a schedule, or one day.

Every write, in one transaction: locks the CalendarVersion row (calendar writers queue behind each
other), writes the days, rebuilds the cumulative ordinals from the first changed date on (the changed
days are recomputed; every later date moves by the change in working days, in one UPDATE), sets a new
version token (so every process reloads its index) and appends a CalendarChange row.
File format of the yearly schedule: docs/workdays-import.md.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tongban.common.errors import Conflict, ValidationFailed

from .calendar import CalendarMissing, invalidate_index, note_write, writes_committed
from .choices import WORKING_KINDS, CalendarChangeAction, DayKind
from .models import CalendarChange, CalendarVersion, CalendarYear, WorkCalendar

if TYPE_CHECKING:
    from tongban.common.types import User

MAX_IMPORT_BYTES = 1024 * 1024
NAME_MAX = 50
WEEKDAYS = "一二三四五六日"

# Accepted spellings of the `type` column (case-insensitive) -> the kind they mean.
TYPE_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ["法定节假日", "节假日", "放假", "休", "休息", "holiday", "rest", "off"], DayKind.HOLIDAY
    ),
    **dict.fromkeys(["调休上班", "上班", "补班", "班", "makeup", "work", "workday"], DayKind.MAKEUP),
}
HEADER_ALIASES = {
    "date": "date",
    "日期": "date",
    "type": "type",
    "类型": "type",
    "name": "name",
    "名称": "name",
    "节日名称": "name",
}


@dataclass(frozen=True)
class ScheduleRow:
    """One validated line of a yearly schedule: a rest day or a make-up working day."""

    line: int
    day: date
    kind: str
    name: str


def check_day_kind(*, day: date, kind: str) -> None:
    """Which kinds a date may take: 工作日 only Monday–Friday, 周末 and 调休上班 only on a weekend.

    Used by calendar_day_set and by the admin form, so both refuse the same things.
    """
    weekend = day.weekday() >= 5
    label = f"{day:%Y-%m-%d}（星期{WEEKDAYS[day.weekday()]}）"
    if kind not in DayKind.values:
        raise ValidationFailed(f"类型“{kind}”无效。", field="kind")
    if kind == DayKind.WORKDAY and weekend:
        raise ValidationFailed(f"{label}是周末，上班应标为“调休上班”。", field="kind")
    if kind == DayKind.MAKEUP and not weekend:
        raise ValidationFailed(f"{label}本来就是工作日，不能标为“调休上班”。", field="kind")
    if kind == DayKind.WEEKEND and not weekend:
        raise ValidationFailed(f"{label}不是周末，放假应标为“法定节假日”。", field="kind")


def _new_version() -> None:
    CalendarVersion.objects.update_or_create(
        id=1, defaults={"token": secrets.token_hex(16), "changed_at": timezone.now()}
    )


def _lock_calendar() -> None:
    """Serialise calendar writers on the version row (created if a database lost it)."""
    CalendarVersion.objects.get_or_create(
        id=1, defaults={"token": secrets.token_hex(16), "changed_at": timezone.now()}
    )
    CalendarVersion.objects.select_for_update().get(id=1)


def _ordinal_before(day: date) -> int:
    """The cumulative working-day count of the last stored date before `day` (0 if none)."""
    return (
        WorkCalendar.objects.filter(date__lt=day).order_by("-date").values_list("ordinal", flat=True).first()
        or 0
    )


def _shift_ordinals(*, after: date, delta: int) -> int:
    """Rebuild the ordinals after a change: every later date moves by the change in working days.

    One UPDATE, whatever the number of rows; returns how many rows moved.
    """
    if not delta:
        return 0
    return WorkCalendar.objects.filter(date__gt=after).update(ordinal=F("ordinal") + delta)


def _after_write() -> None:
    note_write()
    invalidate_index()
    transaction.on_commit(writes_committed)


# --- parsing a schedule file ---------------------------------------------------------------------


def _read_table(file: IO[bytes] | IO[str] | bytes) -> list[tuple[int, list[Any]]]:
    """The file's rows as (line number, cells); XLSX detected by content, CSV as UTF-8 or GB18030."""
    data = file if isinstance(file, bytes) else file.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed("文件太大：年度日历文件不应超过 1 MB。", field="file")
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ValidationFailed("无法读取 Excel 文件，请确认是 .xlsx 格式。", field="file") from exc
        sheet = book.worksheets[0]
        rows = [(n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
        book.close()
        return rows
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed("无法识别文件编码，请保存为 UTF-8 编码的 CSV 或 .xlsx 文件。", field="file")
    return [(n, r) for n, r in enumerate(csv.reader(io.StringIO(text)), start=1)]


def _rows_from_table(table: list[tuple[int, list[Any]]]) -> list[tuple[int, Mapping[str, Any]]]:
    table = [(n, cells) for n, cells in table if any(str(c or "").strip() for c in cells)]
    if not table:
        raise ValidationFailed("文件是空的：第一行应为表头 date,type,name。", field="file")
    line, header = table[0]
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = HEADER_ALIASES.get(str(cell or "").strip().lower())
        if key and key not in columns:
            columns[key] = i
    missing = [c for c in ("date", "type") if c not in columns]
    if missing:
        raise ValidationFailed(
            f"第 {line} 行表头缺少列：{', '.join(missing)}。表头应为 date,type,name（或 日期,类型,名称）。",
            field="file",
        )
    out: list[tuple[int, Mapping[str, Any]]] = []
    for n, cells in table[1:]:
        out.append((n, {k: (cells[i] if i < len(cells) else None) for k, i in columns.items()}))
    return out


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    return None


def parse_schedule(*, year: int, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> list[ScheduleRow]:
    """Validate every row; raise one ValidationFailed listing all the errors (row, field, message)."""
    errors: list[dict[str, Any]] = []
    seen: dict[date, int] = {}
    parsed: list[ScheduleRow] = []
    for line, row in rows:

        def err(field: str, message: str, line: int = line) -> None:
            errors.append({"row": line, "field": field, "message": f"第 {line} 行：{message}"})

        raw_date = row.get("date")
        day = _parse_date(raw_date)
        if raw_date in (None, ""):
            err("date", "日期不能为空。")
        elif day is None:
            err("date", f"日期“{raw_date}”格式不对，应为 YYYY-MM-DD，例如 {year}-10-01。")
        elif day.year != year:
            err("date", f"日期 {day:%Y-%m-%d} 不在 {year} 年内。")
            day = None
        raw_type = str(row.get("type") or "").strip()
        kind = TYPE_ALIASES.get(raw_type.lower())
        if not raw_type:
            err("type", "类型不能为空，应为“法定节假日”或“调休上班”。")
        elif kind is None:
            err("type", f"类型“{raw_type}”无效，应为“法定节假日”或“调休上班”。")
        name = str(row.get("name") or "").strip()
        if len(name) > NAME_MAX:
            err("name", f"名称太长（{len(name)} 字），最多 {NAME_MAX} 字。")
        if day is not None:
            if day in seen:
                err("date", f"日期 {day:%Y-%m-%d} 重复（第 {seen[day]} 行已有）。")
            else:
                seen[day] = line
            if kind is not None:
                try:
                    check_day_kind(day=day, kind=kind)
                except ValidationFailed as exc:
                    err("type", exc.message)
        if day is not None and kind is not None:
            parsed.append(ScheduleRow(line=line, day=day, kind=kind, name=name[:NAME_MAX]))
    if not errors and not any(r.kind == DayKind.HOLIDAY for r in parsed):
        errors.append(
            {
                "row": None,
                "field": "file",
                "message": f"文件中没有任何放假日期：{year} 年的节假日安排不能为空。",
            }
        )
    if errors:
        raise ValidationFailed(
            f"导入文件有 {len(errors)} 处错误，未写入任何数据。", field="file", errors=errors
        )
    return parsed


# --- services --------------------------------------------------------------------------------------


def _write_year(year: int, days: list[tuple[date, str, str]]) -> tuple[int, int]:
    """Replace the stored dates of `year` by `days` ((date, kind, name) for every date) and shift the
    ordinals of every later date; returns (working days before, working days after)."""
    old_working = WorkCalendar.objects.filter(date__year=year, is_workday=True).count()
    WorkCalendar.objects.filter(date__year=year).delete()
    running = _ordinal_before(date(year, 1, 1))
    rows = []
    for day, kind, name in days:
        running += 1 if kind in WORKING_KINDS else 0
        rows.append(
            WorkCalendar(
                date=day, kind=kind, is_workday=kind in WORKING_KINDS, holiday_name=name, ordinal=running
            )
        )
    WorkCalendar.objects.bulk_create(rows, batch_size=500)
    new_working = sum(1 for r in rows if r.is_workday)
    _shift_ordinals(after=date(year, 12, 31), delta=new_working - old_working)
    return old_working, new_working


@transaction.atomic
def calendar_year_import(
    *,
    year: int,
    rows: Iterable[Mapping[str, Any]] | None = None,
    file: IO[bytes] | IO[str] | bytes | None = None,
    replace: bool = False,
    actor: User | None = None,
    source: str = "导入",
) -> CalendarYear:
    """Write a whole year from its schedule: the listed rest days (法定节假日) and make-up working days
    (调休上班); every other date is a working day Monday–Friday and a rest day on the weekend.

    Give either `rows` (mappings with keys date, type, name) or `file` (CSV or XLSX with those columns).
    All rows are validated first; if any is wrong nothing is written. An official year is replaced only
    with `replace=True`; a provisional (暂定) year is what the import is for and is always replaced.

    In the same transaction every open deadline computed on provisional days is recomputed by the
    apps that keep deadlines (`hooks.calendar_changed`): the calendar and the dates shown never
    disagree. What they changed is on the returned row as `recomputed` ({app: counts}).
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 1949 < year < 2200:
        raise ValidationFailed("年份无效。", field="year")
    if (rows is None) == (file is None):
        raise ValidationFailed("请提供一个年度日历文件（或数据行）。", field="file")
    if file is not None:
        numbered = _rows_from_table(_read_table(file))
    else:
        numbered = [(i, r) for i, r in enumerate(rows or (), start=1)]
    schedule = {r.day: r for r in parse_schedule(year=year, rows=numbered)}

    _lock_calendar()
    existing = CalendarYear.objects.filter(year=year).first()
    was_provisional = existing is not None and existing.provisional
    if existing is not None and not was_provisional and not replace:
        raise Conflict(f"{year} 年的工作日历已经存在；如需重新导入，请选择“覆盖”。", field="year")
    days = []
    day, one = date(year, 1, 1), timedelta(days=1)
    while day.year == year:
        item = schedule.get(day)
        if item is not None:
            days.append((day, item.kind, item.name))
        else:
            days.append((day, DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY, ""))
        day += one
    _write_year(year, days)
    calendar_year, _ = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source[:100], "provisional": False}
    )
    _new_version()
    holidays = sum(1 for r in schedule.values() if r.kind == DayKind.HOLIDAY)
    makeups = len(schedule) - holidays
    verb = "替换暂定" if was_provisional else ("覆盖" if existing else "新增")
    CalendarChange.objects.create(
        actor=actor,
        action=CalendarChangeAction.IMPORT,
        year=year,
        detail=f"{verb} {year} 年：放假 {holidays} 天，调休上班 {makeups} 天",
    )
    _after_write()
    from .hooks import calendar_changed

    calendar_year.recomputed = calendar_changed(years=[year], actor=actor)
    return calendar_year


#: Provisional years are kept at least this many years beyond today's (the daily job and demand).
PROVISIONAL_YEARS_AHEAD = 2
#: On demand (a computation that runs further) the law is used at most this far beyond today's year.
PROVISIONAL_MAX_YEARS_AHEAD = 10


@dataclass(frozen=True)
class ProvisionalResult:
    generated: list[int]  # years written now
    covered: frozenset[int]  # all covered years after the call


def calendar_provisional_extend(
    *, through: int | None = None, today: date | None = None, on_demand: bool = False
) -> ProvisionalResult:
    """Make sure the calendar reaches `through` (default: PROVISIONAL_YEARS_AHEAD years beyond today's
    year) by generating every missing year from 2025 on from the holiday law, marked provisional (暂定).

    Idempotent: covered years are left alone (an official year is never touched). Run daily by the
    scheduler and, on demand, by the calendar when a computation needs a year (`calendar._extending`);
    a year more than PROVISIONAL_MAX_YEARS_AHEAD beyond today is not generated (no deadline reaches
    it), nor one before 2025 (the law was different; those years are all official).
    """
    from . import provisional

    today = today or timezone.localdate()
    target = max(through or 0, today.year + PROVISIONAL_YEARS_AHEAD)
    target = min(target, today.year + PROVISIONAL_MAX_YEARS_AHEAD, provisional.LAST_LAW_YEAR)
    covered = set(CalendarYear.objects.values_list("year", flat=True))
    first = max(provisional.FIRST_LAW_YEAR, min(covered, default=provisional.FIRST_LAW_YEAR))
    missing = [y for y in range(first, target + 1) if y not in covered]
    if not missing:
        return ProvisionalResult(generated=[], covered=frozenset(covered))
    with transaction.atomic():
        _lock_calendar()
        covered = set(CalendarYear.objects.values_list("year", flat=True))  # another writer may have won
        missing = [y for y in missing if y not in covered]
        source = provisional.provisional_source()
        for year in missing:
            _write_year(year, provisional.provisional_days(year))
            CalendarYear.objects.create(year=year, source=source[:100], provisional=True)
        if missing:
            _new_version()
            CalendarChange.objects.create(
                action=CalendarChangeAction.PROVISIONAL,
                year=missing[0],
                detail=(
                    f"{'、'.join(map(str, missing))} 年：官方安排尚未导入，按《全国年节及纪念日放假办法》"
                    "推算法定节假日及补假（不含调休），为暂定日历"
                    + ("（计算期限时按需生成）" if on_demand else "")
                ),
            )
            _after_write()
        covered.update(missing)
    return ProvisionalResult(generated=missing, covered=frozenset(covered))


@transaction.atomic
def calendar_day_set(*, day: date, kind: str, name: str = "", actor: User | None = None) -> WorkCalendar:
    """Change one date of a covered year (e.g. a holiday announced late). Refuses kinds the weekday
    cannot take (see check_day_kind); a day in an uncovered year raises CalendarMissing.

    As after an import, in the same transaction every open deadline the change moves is recomputed by
    the apps that keep deadlines (`hooks.calendar_changed` with `day`): cases, steps, pauses and
    supervision watches, each change logged and the applicant told when a promised date moves. What
    they changed is on the returned row as `recomputed` ({app: counts}; empty when nothing changed)."""
    check_day_kind(day=day, kind=kind)
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise ValidationFailed(f"名称太长，最多 {NAME_MAX} 字。", field="holiday_name")
    _lock_calendar()
    row = WorkCalendar.objects.select_for_update().filter(date=day).first()
    calendar_year = CalendarYear.objects.filter(year=day.year).first()
    if row is None or calendar_year is None:
        raise CalendarMissing(day.year)
    if calendar_year.provisional:
        raise ValidationFailed(
            f"{day.year} 年的日历是按法定节假日推算的暂定日历，不能逐日修改；"
            f"请导入国务院办公厅公布的 {day.year} 年全年安排。",
            field="day",
        )
    row.recomputed = {}
    if row.kind == kind and row.holiday_name == name:
        return row
    # The recompute after the change may count into the years after: have them before the change
    # (the daily job normally has), so the change stays the calendar's latest.
    calendar_provisional_extend(through=day.year + 1)
    old_kind, was_workday = row.kind, row.is_workday
    row.kind = kind
    row.is_workday = kind in WORKING_KINDS
    row.holiday_name = name
    delta = int(row.is_workday) - int(was_workday)
    row.ordinal += delta
    row.save(update_fields=["kind", "is_workday", "holiday_name", "ordinal"])
    _shift_ordinals(after=day, delta=delta)
    _new_version()
    CalendarChange.objects.create(
        actor=actor,
        action=CalendarChangeAction.DAY_SET,
        year=day.year,
        day=day,
        old_kind=old_kind,
        new_kind=kind,
        detail=name,
    )
    _after_write()
    from .hooks import calendar_changed

    label = f"{day:%Y-%m-%d}（星期{WEEKDAYS[day.weekday()]}）"
    reason = f"{label}由{DayKind(old_kind).label}改为{DayKind(kind).label}" + (f"（{name}）" if name else "")
    if was_workday != row.is_workday:  # only a change between working and rest moves a deadline
        row.recomputed = calendar_changed(years=[day.year], actor=actor, day=day, reason=reason)
    return row
