"""Seeding the calendar from the `chinese_calendar` package (2004–2026).

Used by the data migration 0002 (with historical models) and callable again with live models, e.g. by
a test suite after a TransactionTestCase flush emptied the tables: `seed_calendar(apps)` with
`django.apps.apps`. Written against the fields of migration 0001 only, so the migration keeps working.

Correction applied over chinese_calendar 1.11 (checked against the `holidays` package and the State
Council notice 国办发明电〔2005〕35号): 2005-12-31 (Saturday) was a make-up working day for 元旦 2006;
chinese_calendar lists it as an ordinary weekend.
"""

from __future__ import annotations

import datetime
import secrets
from importlib import metadata

SEED_YEARS = range(2004, 2027)

# date -> (is_workday, holiday name); corrections of the package's data, each with its source.
CORRECTIONS: dict[datetime.date, tuple[bool, str]] = {
    datetime.date(2005, 12, 31): (True, "元旦"),  # 国办发明电〔2005〕35号: 12月31日（星期六）上班
}


def chinese_calendar_days(year: int) -> list[tuple[datetime.date, str, str]]:
    """(date, kind, holiday name) for every date of `year`, from chinese_calendar plus CORRECTIONS."""
    from chinese_calendar import constants

    names = {h.value: h.chinese for h in constants.Holiday}
    day = datetime.date(year, 1, 1)
    one = datetime.timedelta(days=1)
    out = []
    while day.year == year:
        weekend = day.weekday() >= 5
        if day in CORRECTIONS:
            working, name = CORRECTIONS[day]
            if working:
                kind = "makeup" if weekend else "workday"
            else:
                kind = "holiday" if (name or not weekend) else "weekend"
        elif day in constants.holidays:
            kind, name = "holiday", names.get(constants.holidays[day], "")
        elif day in constants.workdays:
            kind, name = ("makeup" if weekend else "workday"), names.get(constants.workdays[day], "")
        else:
            kind, name = ("weekend" if weekend else "workday"), ""
        out.append((day, kind, name))
        day += one
    return out


def seed_calendar(apps, years=SEED_YEARS) -> int:
    """Write the given years (skipping covered ones), rebuild all ordinals, bump the version.

    Returns the number of days written.
    """
    from django.utils import timezone

    work_calendar = apps.get_model("workdays", "WorkCalendar")
    calendar_year = apps.get_model("workdays", "CalendarYear")
    calendar_version = apps.get_model("workdays", "CalendarVersion")
    calendar_change = apps.get_model("workdays", "CalendarChange")
    try:
        version = metadata.version("chinesecalendar")
    except metadata.PackageNotFoundError:
        version = "?"
    source = f"chinese_calendar {version}"
    covered = set(calendar_year.objects.values_list("year", flat=True))
    new_years = [y for y in years if y not in covered]
    rows = [
        work_calendar(
            date=day,
            kind=kind,
            is_workday=kind in ("workday", "makeup"),
            holiday_name=name,
            ordinal=0,
        )
        for year in new_years
        for day, kind, name in chinese_calendar_days(year)
    ]
    if not rows:
        return 0
    # Ordinals over old and new rows together: seeded years may precede existing ones.
    existing = list(work_calendar.objects.order_by("date").only("id", "date", "is_workday", "ordinal"))
    changed = []
    running = 0
    for row in sorted([*existing, *rows], key=lambda r: r.date):
        running += 1 if row.is_workday else 0
        if row.ordinal != running:
            row.ordinal = running
            if row.pk:
                changed.append(row)
    work_calendar.objects.bulk_create(rows, batch_size=1000)
    work_calendar.objects.bulk_update(changed, ["ordinal"], batch_size=1000)
    now = timezone.now()
    for year in new_years:
        calendar_year.objects.create(year=year, source=source)
    calendar_version.objects.update_or_create(
        id=1, defaults={"token": secrets.token_hex(16), "changed_at": now}
    )
    calendar_change.objects.create(
        action="seed",
        year=min(new_years),
        detail=f"{min(new_years)}–{max(new_years)} 年，来源 {source}",
    )
    return len(rows)
